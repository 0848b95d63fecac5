// Physical names, the bucket layout and repository paths shared by the components.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** AWS name length limits of the resources this program names. */
export const NAME_LIMITS = {
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
  iamRole: 64,
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  s3Bucket: 63,
  // SageMaker entity names (EndpointName, ModelName, NotebookInstanceName, ...):
  // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html
  sagemaker: 63,
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
  lambda: 64,
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
  securityGroup: 255,
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  alarm: 255,
} as const;

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 6);
}

/**
 * `${prefix}-${suffix}`, shortened to `max` characters when needed: the end is cut and a hash of
 * the full name appended, so different long names stay different.
 */
export function physicalName(prefix: string, suffix: string, max: number, lower = false): string {
  let full = suffix === "" ? prefix : `${prefix}-${suffix}`;
  if (lower) full = full.toLowerCase();
  if (full.length <= max) return full;
  const head = full.slice(0, max - 7).replace(/[-_.]+$/, "");
  return `${head}-${shortHash(full)}`;
}

/** Physical names of the stack's named resources, all prefixed `${project}-${stack}`. */
export function stackNames(prefix: string) {
  // SageMaker names allow letters, digits and hyphens only.
  const sm = prefix.replace(/[^a-zA-Z0-9-]/g, "-");
  return Object.freeze({
    bucket: (account: string) => physicalName(prefix, account, NAME_LIMITS.s3Bucket, true),
    notebookRole: physicalName(prefix, "notebook", NAME_LIMITS.iamRole),
    trainingRole: physicalName(prefix, "training", NAME_LIMITS.iamRole),
    trainingHostRole: physicalName(prefix, "ec2-host", NAME_LIMITS.iamRole),
    modelRole: physicalName(prefix, "model", NAME_LIMITS.iamRole),
    lambdaRole: physicalName(prefix, "lambda", NAME_LIMITS.iamRole),
    notebook: physicalName(sm, "notebook", NAME_LIMITS.sagemaker),
    notebookLifecycle: physicalName(sm, "autostop", NAME_LIMITS.sagemaker),
    /** Training and tuning jobs are named `${jobPrefix}-...`; the notebook may run only those. */
    jobPrefix: physicalName(sm, "", 40).toLowerCase(),
    endpoint: physicalName(sm, "endpoint", NAME_LIMITS.sagemaker),
    /** Endpoint configurations are immutable; the provider appends a 26-character unique suffix. */
    endpointConfigPrefix: `${physicalName(sm, "", NAME_LIMITS.sagemaker - 27)}-`,
    model: (fingerprint: string) => physicalName(sm, `model-${fingerprint}`, NAME_LIMITS.sagemaker),
    errorAlarm: physicalName(prefix, "endpoint-5xx", NAME_LIMITS.alarm),
    latencyAlarm: physicalName(prefix, "endpoint-latency", NAME_LIMITS.alarm),
    function: physicalName(prefix, "classify", NAME_LIMITS.lambda),
    trainingHost: physicalName(prefix, "training-host", NAME_LIMITS.securityGroup),
  });
}

export type StackNames = ReturnType<typeof stackNames>;

/** Where things live in the data and model bucket. */
export const BUCKET_LAYOUT = {
  /** Dataset: train/, valid/ and test/ image folders, one folder per breed. */
  data: "data/",
  /** Training code the jobs and the EC2 host run. */
  code: "code/",
  /** Trained models (training job output, EC2 host output, promoted releases). */
  models: "models/",
  /** Spot training checkpoints. */
  checkpoints: "checkpoints/",
  /** Endpoint data capture. */
  capture: "capture/",
  /** Code the EC2 training host syncs (the files of training/). */
  hostCode: "code/training/",
  /** Models the EC2 training host uploads. */
  hostModels: "models/ec2/",
  /** Models promoted into the bucket from another stack or a release artifact. */
  releases: "models/releases/",
} as const;

/** The project root: the nearest folder above `from` that holds Pulumi.yaml. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no Pulumi.yaml in ${from} or any folder above it`);
  }
}
