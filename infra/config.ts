// The stack configuration: every key of the project namespace, its type, default and rules.
// This is the one module that reads Pulumi config. It validates the whole config before any
// resource is declared and reports every bad key at once.
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIMES, LOG_RETENTION_DAYS } from "../shared/aws-limits";
import { PROJECT, TrainingMode, resolveEnvironment } from "../shared/project";
import { HOST_PYTORCH_PINS, hostPytorchPins } from "./host-scripts/pytorch-pins";
import { FRAMEWORK_REGISTRIES } from "./images";
import {
  TORCH_DISTRIBUTED_MIN_VERSION,
  gpusPerInstance,
  supportsTorchDistributed,
  usesTorchDistributed,
} from "./training/job-spec";

type KeyType = "string" | "integer" | "boolean" | "array";

interface KeySpec {
  type: KeyType;
  /** For arrays: the type of each item, as Pulumi.yaml declares it. */
  items?: "string" | "integer";
  default: string | number | boolean | readonly (string | number)[];
  description: string;
}

/** torchvision architectures the training code accepts for `--arch`. */
export const TRAINING_ARCHS = [
  "resnet18",
  "resnet34",
  "resnet50",
  "resnet101",
  "resnet152",
] as const;

/**
 * Every project key. Pulumi.yaml declares the same keys with the same types and defaults (a test
 * holds the two together); stack files hold only overrides.
 */
export const CONFIG_KEYS = {
  // Ownership and tags.
  owner: {
    type: "string",
    default: "ml-platform",
    description: "Team that owns the stack; the `owner` tag on every resource.",
  },
  costCenter: {
    type: "string",
    default: "ml-research",
    description: "Cost center billed for the stack; the `cost-center` tag on every resource.",
  },
  environment: {
    type: "string",
    default: "",
    description: "The `environment` tag; empty means the stack name.",
  },

  // Data and model bucket.
  kmsEnabled: {
    type: "boolean",
    default: true,
    description:
      "Encrypt the bucket, notebook volume, endpoint storage and data capture with a customer-managed KMS key (rotated yearly) instead of S3-managed keys.",
  },
  kmsKeyDeletionDays: {
    type: "integer",
    default: 30,
    description: "Waiting period in days (7-30) before a deleted KMS key is destroyed.",
  },
  bucketNoncurrentVersionDays: {
    type: "integer",
    default: 30,
    description: "Days after which old (noncurrent) object versions in the bucket are deleted.",
  },
  bucketRetain: {
    type: "boolean",
    default: false,
    description:
      "Protect the bucket and keep it (and its KMS key) on `pulumi destroy`; when false the bucket is emptied and deleted with the stack.",
  },

  // Notebook.
  notebookEnabled: {
    type: "boolean",
    default: true,
    description: "Create the SageMaker notebook instance for exploration.",
  },
  notebookInstanceType: {
    type: "string",
    default: "ml.t3.medium",
    description: "Notebook instance type (an `ml.*` type).",
  },
  notebookVolumeSizeGb: {
    type: "integer",
    default: 10,
    description: "Notebook storage volume in GB (5-16384).",
  },
  notebookIdleStopMinutes: {
    type: "integer",
    default: 60,
    description:
      "Minutes without Jupyter activity (no busy kernel, no kernel, terminal or UI activity) after which the notebook stops itself, checked every minute (5-1440).",
  },
  notebookDirectInternetAccess: {
    type: "boolean",
    default: true,
    description:
      "Give the notebook SageMaker's direct internet access; false requires `notebookSubnetId` (traffic goes through your VPC), whose route to the SageMaker API (a NAT gateway or an interface VPC endpoint for sagemaker.api) the idle stop needs: without one the notebook fails to start.",
  },
  notebookSubnetId: {
    type: "string",
    default: "",
    description: "Subnet for the notebook's network interface; empty for none.",
  },
  notebookRootAccess: {
    type: "boolean",
    default: false,
    description: "Allow root access for notebook users.",
  },

  // EC2 training host.
  ec2Enabled: {
    type: "boolean",
    default: false,
    description:
      "Create the EC2 training host, which trains once at boot and uploads the model to the bucket.",
  },
  ec2InstanceType: {
    type: "string",
    default: "m5.xlarge",
    description: "EC2 training host instance type (an EC2 type, not `ml.*`).",
  },
  ec2RootVolumeGb: {
    type: "integer",
    default: 100,
    description:
      "Encrypted gp3 root volume of the training host in GB (30-16384; holds the dataset and PyTorch).",
  },
  ec2AmiParameter: {
    type: "string",
    default: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    description:
      "Public SSM parameter holding the AMI id for the training host, read at deploy time.",
  },
  ec2SubnetId: {
    type: "string",
    default: "",
    description:
      "Subnet for the training host; empty for the default VPC's default subnet. It needs outbound access to S3, SSM and PyPI.",
  },
  ec2StopAfterTraining: {
    type: "boolean",
    default: true,
    description:
      "Stop the training host when its user data ends (no dataset yet, a failed step, or the model uploaded), so that only its volume is billed; false leaves it running.",
  },

  // Model and endpoint.
  modelArtifactUri: {
    type: "string",
    default: "",
    description:
      "S3 URI of a model.tar.gz that already exists and that the stack may read (`s3://bucket/key.tar.gz`); empty for none. Without a model source the inference tier waits.",
  },
  modelPromoteSource: {
    type: "string",
    default: "",
    description:
      "Promote a model into this stack's bucket from another stack of this project (its name, e.g. `dev`, or `org/project/stack`; its `modelDataUrl` output) or from a release artifact (`s3://bucket/key.tar.gz`); empty for none.",
  },
  modelPromoteEtag: {
    type: "string",
    default: "",
    description:
      "ETag of the promoted source object: the copy is refused when the source differs. Empty while nothing is promoted yet (the inference tier waits).",
  },
  endpointServerless: {
    type: "boolean",
    default: true,
    description: "Serve with a serverless variant (no cost when idle) instead of instances.",
  },
  endpointServerlessMemoryMb: {
    type: "integer",
    default: 3072,
    description: "Serverless variant memory in MB: 1024-6144 in steps of 1024.",
  },
  endpointServerlessMaxConcurrency: {
    type: "integer",
    default: 5,
    description: "Serverless variant maximum concurrent invocations (1-200).",
  },
  endpointInstanceType: {
    type: "string",
    default: "ml.m5.xlarge",
    description: "Hosting instance type of an instance-based variant (an `ml.*` type).",
  },
  endpointInstanceCount: {
    type: "integer",
    default: 1,
    description:
      "Initial instance count of an instance-based variant; within min..max when autoscaling is on.",
  },
  endpointAutoscaling: {
    type: "boolean",
    default: false,
    description: "Scale an instance-based variant on invocations per instance.",
  },
  endpointMinInstances: {
    type: "integer",
    default: 1,
    description: "Autoscaling minimum instance count (>= 1).",
  },
  endpointMaxInstances: {
    type: "integer",
    default: 2,
    description: "Autoscaling maximum instance count (>= endpointMinInstances).",
  },
  endpointTargetInvocations: {
    type: "integer",
    default: 30,
    description:
      "Autoscaling target: invocations per instance per minute (SageMakerVariantInvocationsPerInstance).",
  },
  endpointScaleInCooldownSeconds: {
    type: "integer",
    default: 300,
    description: "Seconds after a scale-in before another scale-in (>= 0).",
  },
  endpointScaleOutCooldownSeconds: {
    type: "integer",
    default: 30,
    description: "Seconds after a scale-out before another scale-out (>= 0).",
  },
  endpointDataCapture: {
    type: "boolean",
    default: false,
    description: "Capture requests and responses to the bucket (instance-based variants only).",
  },
  endpointDataCapturePercent: {
    type: "integer",
    default: 20,
    description: "Percentage of requests captured (1-100).",
  },
  endpointNetworkIsolation: {
    type: "boolean",
    default: false,
    description: "Run the model container without network access (instance-based variants only).",
  },
  endpointBlueGreen: {
    type: "boolean",
    default: false,
    description:
      "Deploy endpoint updates blue/green with a canary and roll back on the 5XX and latency alarms (instance-based variants only).",
  },
  endpointCanaryInstances: {
    type: "integer",
    default: 1,
    description:
      "Blue/green canary size in instances (>= 1, at most half of endpointInstanceCount).",
  },
  endpointBakeSeconds: {
    type: "integer",
    default: 300,
    description: "Blue/green wait between traffic shifts, watching the alarms (0-3600).",
  },
  endpointLatencyAlarmMs: {
    type: "integer",
    default: 2000,
    description: "Average model latency in milliseconds above which the latency alarm fires.",
  },
  endpointErrorAlarmThreshold: {
    type: "integer",
    default: 5,
    description: "5XX errors per minute at or above which the error alarm fires.",
  },

  // Lambda function.
  lambdaRuntime: {
    type: "string",
    default: "nodejs22.x",
    description: "Lambda runtime: nodejs22.x or nodejs24.x (nodejs20.x can no longer be created).",
  },
  lambdaMemoryMb: {
    type: "integer",
    default: 512,
    description: "Lambda memory in MB (128-10240).",
  },
  lambdaTimeoutSeconds: {
    type: "integer",
    default: 30,
    description: "Lambda timeout in seconds (1-900).",
  },
  lambdaReservedConcurrency: {
    type: "integer",
    default: -1,
    description:
      "Concurrency reserved for the function; -1 leaves it unreserved. Above 0 it needs lambdaAccountConcurrency >= reserved + 100.",
  },
  lambdaProvisionedConcurrency: {
    type: "integer",
    default: 0,
    description: "Provisioned concurrency on the `live` alias; 0 for none.",
  },
  lambdaFunctionUrl: {
    type: "boolean",
    default: false,
    description: "Expose the `live` alias through a function URL with AWS_IAM auth.",
  },
  lambdaUrlInvokers: {
    type: "array",
    items: "string",
    default: [],
    description:
      "IAM principals (role or user ARNs, or account ids) allowed to call the function URL: each gets lambda:InvokeFunctionUrl and lambda:InvokeFunction on the `live` alias.",
  },
  lambdaAccountConcurrency: {
    type: "integer",
    default: 10,
    description:
      "The account's Lambda concurrent executions quota in this region (Service Quotas L-B99A9384; 10 on a new account). Lambda keeps 100 of it unreserved.",
  },
  lambdaLogRetentionDays: {
    type: "integer",
    default: 14,
    description:
      "Retention of the function's log group in days (a CloudWatch Logs retention value).",
  },
  lambdaTopK: {
    type: "integer",
    default: 5,
    description:
      "Number of breeds the function returns, best first (1-100, what the handler accepts).",
  },

  // Training and tuning.
  trainingMode: {
    type: "string",
    default: "none",
    description:
      "none (deploy modelArtifactUri), train (one training job) or tune (a tuning job; its best model is deployed). Keep none until the dataset is in the bucket.",
  },
  trainingInstanceType: {
    type: "string",
    default: "ml.m5.xlarge",
    description: "Training job instance type (an `ml.*` type).",
  },
  trainingInstanceCount: {
    type: "integer",
    default: 1,
    description:
      "Training job instance count (1-20); above 1 trains data-parallel (torch_distributed) and needs a GPU instance type.",
  },
  trainingUseSpot: {
    type: "boolean",
    default: true,
    description: "Use managed spot training (checkpoints in the bucket).",
  },
  trainingMaxRuntimeSeconds: {
    type: "integer",
    default: 7200,
    description: "Training job maximum run time in seconds (1-2419200).",
  },
  trainingMaxWaitSeconds: {
    type: "integer",
    default: 14400,
    description:
      "Maximum time including spot waits, in seconds; >= trainingMaxRuntimeSeconds when spot is on.",
  },
  trainingFrameworkVersion: {
    type: "string",
    default: "2.1",
    description: "PyTorch version of the training and inference framework images, e.g. 2.1.",
  },
  trainingPythonVersion: {
    type: "string",
    default: "py310",
    description: "Python version tag of the framework images, e.g. py310.",
  },
  trainingEpochs: { type: "integer", default: 5, description: "Training epochs (1-200)." },
  trainingBatchSize: { type: "integer", default: 64, description: "Training batch size (1-1024)." },
  trainingLearningRate: {
    type: "string",
    default: "0.001",
    description: "Learning rate, a decimal number as a string (Pulumi.yaml has no float type).",
  },
  trainingArch: {
    type: "string",
    default: "resnet50",
    description: "torchvision architecture: resnet18, resnet34, resnet50, resnet101 or resnet152.",
  },
  trainingPretrained: {
    type: "boolean",
    default: true,
    description: "Start from ImageNet weights.",
  },
  tuningMaxJobs: {
    type: "integer",
    default: 4,
    description: "Tuning job: total training jobs (1-500).",
  },
  tuningMaxParallelJobs: {
    type: "integer",
    default: 2,
    description: "Tuning job: training jobs at a time (1-100, <= tuningMaxJobs).",
  },
  tuningEarlyStopping: {
    type: "string",
    default: "Auto",
    description: "Tuning job early stopping: Auto or Off.",
  },
  tuningObjectiveMetric: {
    type: "string",
    default: "valid_accuracy",
    description: "Metric the tuning job maximizes: a name in training/metric_definitions.json.",
  },
  tuningLearningRateRange: {
    type: "array",
    items: "string",
    default: ["0.0001", "0.1"],
    description: "Learning rate range [min, max], decimal strings, searched logarithmically.",
  },
  tuningBatchSizeValues: {
    type: "array",
    items: "string",
    default: ["32", "64", "128"],
    description: "Batch sizes the tuner picks from (categorical, positive integers as strings).",
  },
  tuningEpochsRange: {
    type: "array",
    items: "integer",
    default: [2, 6],
    description: "Epochs range [min, max], integers.",
  },
  tuningObjectiveType: {
    type: "string",
    default: "Maximize",
    description: "Direction of the tuning objective: Maximize (accuracies) or Minimize (losses).",
  },
  trainingDataPrefix: {
    type: "string",
    default: "data/dog-images/",
    description:
      "Bucket prefix (under data/, ending in /) holding the train/, valid/ and test/ folders the jobs read; a new prefix trains again on new data.",
  },
  trainingVolumeSizeGb: {
    type: "integer",
    default: 30,
    description:
      "Storage volume of each training instance in GB (1-16384; holds the dataset copy and checkpoints).",
  },

  // Cost assumptions for the estimate (integers; money in whole US dollars).
  budgetMonthlyUsd: {
    type: "integer",
    default: 0,
    description: "Monthly budget in whole US dollars; 0 for no budget.",
  },
  budgetAlertEmail: {
    type: "string",
    default: "",
    description:
      "Email address that receives the budget's alerts; a budget needs this or budgetAlertSnsTopicArn.",
  },
  budgetAlertSnsTopicArn: {
    type: "string",
    default: "",
    description:
      "SNS topic that receives the budget's alerts (its policy must let budgets.amazonaws.com publish); empty for none.",
  },
  budgetActivateCostTags: {
    type: "boolean",
    default: false,
    description:
      "Activate `project` and `environment` as cost allocation tags (management or standalone account only, once the tags appear in billing data; in one stack per account).",
  },
  notebookActiveHoursPerMonth: {
    type: "integer",
    default: 40,
    description: "Hours a month the notebook runs before it stops itself.",
  },
  ec2HoursPerMonth: {
    type: "integer",
    default: 10,
    description: "Hours a month the EC2 training host runs.",
  },
  trainingRunsPerMonth: {
    type: "integer",
    default: 2,
    description: "Training or tuning runs a month.",
  },
  monthlyRequests: {
    type: "integer",
    default: 10000,
    description: "Classification requests a month.",
  },
  inferenceDurationMs: {
    type: "integer",
    default: 300,
    description: "Model inference time per request in milliseconds.",
  },
  lambdaDurationMs: {
    type: "integer",
    default: 500,
    description:
      "Lambda billed duration per request in milliseconds (download plus endpoint call).",
  },
  storageGb: {
    type: "integer",
    default: 10,
    description: "Data, models and captures held in the bucket, in GB.",
  },
  logIngestGbPerMonth: {
    type: "integer",
    default: 1,
    description: "CloudWatch Logs ingested a month, in GB.",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

type Widen<T> = T extends boolean
  ? boolean
  : T extends number
    ? number
    : T extends string
      ? string
      : T extends readonly (infer U)[]
        ? readonly Widen<U>[]
        : never;

type RawValues = { readonly [K in ConfigKey]: Widen<(typeof CONFIG_KEYS)[K]["default"]> };

/** The validated, frozen stack configuration every component is built from. */
export interface StackConfig extends Readonly<
  Omit<RawValues, "trainingMode" | "lambdaRuntime" | "trainingArch" | "tuningEarlyStopping">
> {
  readonly project: string;
  readonly stack: string;
  /** `aws:region` of the stack. */
  readonly region: string;
  /** `${project}-${stack}`: the prefix of every physical name. */
  readonly prefix: string;
  readonly trainingMode: TrainingMode;
  readonly lambdaRuntime: (typeof LAMBDA_RUNTIMES)[number];
  readonly trainingArch: (typeof TRAINING_ARCHS)[number];
  readonly tuningEarlyStopping: "Auto" | "Off";
  /** Tags applied to every taggable resource through the provider's default tags. */
  readonly tags: Readonly<Record<string, string>>;
}

interface Problem {
  key: string;
  value: string;
  message: string;
}

/** Raised before any resource is declared; lists every bad key, its value and what is allowed. */
export class ConfigError extends Error {
  readonly problems: readonly Problem[];
  constructor(problems: Problem[]) {
    super(
      [
        `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
        ...problems.map((p) => `  ${p.key} = ${p.value}: ${p.message}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const INT = /^-?\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)([eE]-?\d+)?$/;
const ML_TYPE = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const EC2_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const S3_ARTIFACT = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(.+\/)?[^/]+\.tar\.gz$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
/** A stack name, or a fully qualified `org/project/stack`. */
const STACK_REF = /^([\w.-]+\/[\w.-]+\/)?[a-zA-Z0-9][\w.-]*$/;
/** An S3 ETag: an MD5, or for multipart uploads an MD5 of the parts' MD5s and the part count. */
const ETAG = /^"?[0-9a-f]{32}(-\d{1,5})?"?$/;
const SNS_TOPIC = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const INVOKER = /^(\d{12}|arn:aws[\w-]*:iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]+))$/;

/** Concurrency Lambda keeps unreserved in every account. https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function closestKey(key: string): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const k of Object.keys(CONFIG_KEYS)) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { key: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

/**
 * Validates the flat `namespace:key -> string` map Pulumi hands a program (as
 * `pulumi.runtime.allConfig()` returns it) for `stack`, and returns the typed, frozen config.
 * Keys missing from `raw` take their defaults. Throws ConfigError listing every problem.
 */
export function parseConfig(raw: Record<string, string>, stack: string): StackConfig {
  const problems: Problem[] = [];
  const ns = `${PROJECT}:`;
  const q = (key: string) => `${ns}${key}`;
  const shown = (v: unknown) =>
    typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? JSON.stringify(v) : String(v);
  const values: Record<string, unknown> = {};

  // Unknown keys in our namespace (a typo would otherwise be silently ignored).
  for (const [full, value] of Object.entries(raw)) {
    if (!full.startsWith(ns)) continue;
    const key = full.slice(ns.length);
    if (!(key in CONFIG_KEYS)) {
      const near = closestKey(key);
      problems.push({
        key: full,
        value: shown(value),
        message: `unknown key${near ? `; did you mean ${near}?` : ""} (see Pulumi.yaml for the keys)`,
      });
    }
  }

  // Types.
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][]) {
    const text = raw[q(key)];
    if (text === undefined) {
      values[key] = spec.default;
      continue;
    }
    const bad = (what: string) =>
      problems.push({ key: q(key), value: shown(text), message: `must be ${what}` });
    switch (spec.type) {
      case "string":
        values[key] = text;
        break;
      case "integer":
        if (INT.test(text.trim()) && Number.isSafeInteger(Number(text))) values[key] = Number(text);
        else bad("an integer");
        break;
      case "boolean":
        if (text === "true" || text === "false") values[key] = text === "true";
        else bad("true or false");
        break;
      case "array": {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const itemOk = (v: unknown) =>
          spec.items === "integer" ? Number.isSafeInteger(v) : typeof v === "string";
        if (Array.isArray(parsed) && parsed.every(itemOk)) values[key] = Object.freeze(parsed);
        else bad(`an array of ${spec.items}s`);
        break;
      }
    }
  }

  const region = raw["aws:region"] ?? "";
  if (!region) {
    problems.push({ key: "aws:region", value: '""', message: "must be set in the stack file" });
  } else if (!(region in FRAMEWORK_REGISTRIES)) {
    problems.push({
      key: "aws:region",
      value: JSON.stringify(region),
      message: `must be a region with SageMaker PyTorch images: ${Object.keys(FRAMEWORK_REGISTRIES).join(", ")}`,
    });
  }

  // Rules on values that parsed. `v` reads a value only when its own type check passed.
  const has = (key: ConfigKey) => key in values;
  const v = <K extends ConfigKey>(key: K) => values[key] as RawValues[K];
  const fail = (key: ConfigKey, message: string) =>
    problems.push({ key: q(key), value: shown(values[key]), message });
  const range = (key: ConfigKey, min: number, max: number) => {
    if (has(key) && ((v(key) as number) < min || (v(key) as number) > max)) {
      fail(key, `must be between ${min} and ${max}`);
    }
  };
  const oneOf = (key: ConfigKey, allowed: readonly (string | number)[]) => {
    if (has(key) && !allowed.includes(v(key) as string | number)) {
      fail(key, `must be one of ${allowed.join(", ")}`);
    }
  };
  const mlType = (key: ConfigKey, kind: string) => {
    if (has(key) && !ML_TYPE.test(v(key) as string)) {
      fail(
        key,
        `must be a SageMaker ${kind} instance type (ml.<family>.<size>, e.g. ml.m5.xlarge)`,
      );
    }
  };
  const decimal = (s: string) => (DECIMAL.test(s) ? Number(s) : NaN);

  // Tags: AWS tag values are at most 256 characters. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
  for (const key of ["owner", "costCenter"] as const) {
    if (has(key) && (v(key).length === 0 || v(key).length > 256))
      fail(key, "must be 1-256 characters");
  }
  if (has("environment") && v("environment").length > 256)
    fail("environment", "must be at most 256 characters");

  // KMS key deletion window. https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
  range("kmsKeyDeletionDays", 7, 30);
  range("bucketNoncurrentVersionDays", 1, 36500);

  // Notebook. Volume limits: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html
  mlType("notebookInstanceType", "notebook");
  range("notebookVolumeSizeGb", 5, 16384);
  range("notebookIdleStopMinutes", 5, 1440);
  if (
    has("notebookSubnetId") &&
    v("notebookSubnetId") !== "" &&
    !SUBNET.test(v("notebookSubnetId"))
  ) {
    fail("notebookSubnetId", "must be empty or a subnet id (subnet-...)");
  }
  if (v("notebookEnabled") === true && v("kmsEnabled") === false) {
    fail(
      "kmsEnabled",
      "false needs notebookEnabled false too: the notebook's storage volume is encrypted with the stack's KMS key",
    );
  }
  if (
    v("notebookEnabled") === true &&
    v("notebookDirectInternetAccess") === false &&
    v("notebookSubnetId") === ""
  ) {
    fail(
      "notebookDirectInternetAccess",
      "false needs notebookSubnetId: without direct access the notebook reaches the network only through a VPC subnet",
    );
  }

  // EC2 host. gp3 sizes: https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
  if (has("ec2InstanceType")) {
    const t = v("ec2InstanceType");
    if (t.startsWith("ml."))
      fail(
        "ec2InstanceType",
        "must be an EC2 instance type, not a SageMaker ml.* type (e.g. m5.xlarge)",
      );
    else if (!EC2_TYPE.test(t))
      fail("ec2InstanceType", "must be an EC2 instance type (<family>.<size>, e.g. m5.xlarge)");
  }
  range("ec2RootVolumeGb", 30, 16384);
  if (has("ec2AmiParameter") && !/^\/aws\/service\/.+/.test(v("ec2AmiParameter"))) {
    fail("ec2AmiParameter", "must be a public SSM parameter path under /aws/service/");
  }
  if (has("ec2SubnetId") && v("ec2SubnetId") !== "" && !SUBNET.test(v("ec2SubnetId"))) {
    fail("ec2SubnetId", "must be empty or a subnet id (subnet-...)");
  }
  if (
    v("ec2Enabled") === true &&
    has("trainingFrameworkVersion") &&
    hostPytorchPins(v("trainingFrameworkVersion")) === undefined
  ) {
    fail(
      "trainingFrameworkVersion",
      `with ec2Enabled true must be a version the training host has pinned torch, torchvision and numpy for: ${Object.keys(HOST_PYTORCH_PINS).join(", ")}`,
    );
  }

  // Model source: at most one of a configured artifact, a promotion and a training job. With none
  // the stack deploys everything but its inference tier, which waits for a model.
  if (has("modelArtifactUri")) {
    const uri = v("modelArtifactUri");
    if (uri !== "" && !S3_ARTIFACT.test(uri)) {
      fail("modelArtifactUri", "must be an S3 URI of a .tar.gz (s3://bucket/path/model.tar.gz)");
    }
  }
  const promoteSource = has("modelPromoteSource") ? v("modelPromoteSource") : "";
  if (promoteSource !== "") {
    if (!S3_ARTIFACT.test(promoteSource) && !STACK_REF.test(promoteSource)) {
      fail(
        "modelPromoteSource",
        "must be a stack of this project (e.g. dev, or org/project/stack) or an S3 URI of a .tar.gz",
      );
    } else if (promoteSource === stack) {
      fail("modelPromoteSource", "must name another stack than this one");
    }
    if (v("modelArtifactUri") !== "") {
      fail(
        "modelPromoteSource",
        "cannot be set together with modelArtifactUri: the stack deploys one model (clear one)",
      );
    }
    if (has("trainingMode") && v("trainingMode") !== "none") {
      fail(
        "modelPromoteSource",
        `cannot be set while trainingMode is ${v("trainingMode")}: the stack deploys either its own job's model or a promoted one`,
      );
    }
  }
  if (has("modelPromoteEtag") && v("modelPromoteEtag") !== "") {
    if (!ETAG.test(v("modelPromoteEtag"))) {
      fail(
        "modelPromoteEtag",
        "must be an S3 ETag: 32 hex digits, with -<parts> for a multipart upload (quotes optional)",
      );
    } else if (promoteSource === "") {
      fail("modelPromoteEtag", "needs modelPromoteSource: the source object it pins");
    }
  }
  if (
    has("modelArtifactUri") &&
    v("modelArtifactUri") !== "" &&
    has("trainingMode") &&
    v("trainingMode") !== "none"
  ) {
    fail(
      "modelArtifactUri",
      `cannot be set while trainingMode is ${v("trainingMode")}: the stack deploys its own job's model (clear one)`,
    );
  }

  // Endpoint. Serverless limits: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html
  const serverless = v("endpointServerless") === true;
  if (has("endpointServerlessMemoryMb")) {
    const m = v("endpointServerlessMemoryMb");
    if (m < 1024 || m > 6144 || m % 1024 !== 0) {
      fail("endpointServerlessMemoryMb", "must be 1024, 2048, 3072, 4096, 5120 or 6144");
    }
  }
  range("endpointServerlessMaxConcurrency", 1, 200);
  mlType("endpointInstanceType", "hosting");
  range("endpointInstanceCount", 1, 100);
  range("endpointMinInstances", 1, 100);
  range("endpointMaxInstances", 1, 100);
  if (has("endpointTargetInvocations") && v("endpointTargetInvocations") <= 0) {
    fail("endpointTargetInvocations", "must be > 0 (invocations per instance per minute)");
  }
  for (const key of [
    "endpointScaleInCooldownSeconds",
    "endpointScaleOutCooldownSeconds",
  ] as const) {
    if (has(key) && v(key) < 0) fail(key, "must be >= 0 seconds");
  }
  range("endpointDataCapturePercent", 1, 100);
  // Canary size and wait interval: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html
  // The canary is at most half of the variant's instances; an update starts the new fleet at
  // endpointInstanceCount (the provider cannot keep the autoscaled count), so that is the total.
  range("endpointCanaryInstances", 1, 100);
  if (
    v("endpointBlueGreen") === true &&
    !serverless &&
    has("endpointCanaryInstances") &&
    has("endpointInstanceCount") &&
    v("endpointCanaryInstances") * 2 > v("endpointInstanceCount")
  ) {
    fail(
      "endpointCanaryInstances",
      `must be at most half of endpointInstanceCount (${v("endpointInstanceCount")}): a blue/green canary of N instances needs at least 2N instances`,
    );
  }
  range("endpointBakeSeconds", 0, 3600);
  if (has("endpointLatencyAlarmMs") && v("endpointLatencyAlarmMs") <= 0)
    fail("endpointLatencyAlarmMs", "must be > 0");
  if (has("endpointErrorAlarmThreshold") && v("endpointErrorAlarmThreshold") <= 0)
    fail("endpointErrorAlarmThreshold", "must be > 0");
  const autoscaling = v("endpointAutoscaling") === true;
  if (autoscaling) {
    if (serverless) {
      fail(
        "endpointAutoscaling",
        "cannot be true while endpointServerless is true: serverless variants scale by themselves (set one of them to false)",
      );
    }
    // Application Auto Scaling does not support burstable hosting instances. https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-prerequisites.html
    if (has("endpointInstanceType") && v("endpointInstanceType").startsWith("ml.t")) {
      fail(
        "endpointInstanceType",
        "autoscaling does not support burstable ml.t* hosting instances; use e.g. ml.m5.large or turn endpointAutoscaling off",
      );
    }
    if (
      has("endpointMinInstances") &&
      has("endpointMaxInstances") &&
      v("endpointMinInstances") > v("endpointMaxInstances")
    ) {
      fail(
        "endpointMinInstances",
        `must be <= endpointMaxInstances (${v("endpointMaxInstances")})`,
      );
    }
    if (
      has("endpointInstanceCount") &&
      has("endpointMinInstances") &&
      has("endpointMaxInstances") &&
      (v("endpointInstanceCount") < v("endpointMinInstances") ||
        v("endpointInstanceCount") > v("endpointMaxInstances"))
    ) {
      fail(
        "endpointInstanceCount",
        `must be between endpointMinInstances (${v("endpointMinInstances")}) and endpointMaxInstances (${v("endpointMaxInstances")})`,
      );
    }
  }
  if (serverless) {
    // Serverless variants take no data capture, network isolation or deployment guardrails.
    // https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html#serverless-endpoints-how-it-works-exclusions
    for (const key of [
      "endpointDataCapture",
      "endpointNetworkIsolation",
      "endpointBlueGreen",
    ] as const) {
      if (v(key) === true)
        fail(
          key,
          "needs an instance-based variant: set endpointServerless to false or this to false",
        );
    }
  }

  // Lambda. https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  oneOf("lambdaRuntime", LAMBDA_RUNTIMES);
  range("lambdaMemoryMb", 128, 10240);
  range("lambdaTimeoutSeconds", 1, 900);
  if (has("lambdaReservedConcurrency") && v("lambdaReservedConcurrency") < -1) {
    fail("lambdaReservedConcurrency", "must be -1 (unreserved) or >= 0");
  }
  range("lambdaAccountConcurrency", 10, 10_000_000);
  // Reserved and provisioned concurrency come out of the account's quota, of which Lambda keeps
  // UNRESERVED_MINIMUM unreserved; a new account's quota of 10 allows no reservation at all.
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
  if (has("lambdaAccountConcurrency")) {
    const quota = v("lambdaAccountConcurrency");
    for (const key of ["lambdaReservedConcurrency", "lambdaProvisionedConcurrency"] as const) {
      const n = has(key) ? v(key) : 0;
      if (n > 0 && n > quota - LAMBDA_UNRESERVED_MINIMUM) {
        fail(
          key,
          `${n} needs an account concurrency quota of at least ${n + LAMBDA_UNRESERVED_MINIMUM} (Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved) but lambdaAccountConcurrency is ${quota}: request the quota (Service Quotas L-B99A9384) and set lambdaAccountConcurrency, or lower this`,
        );
      }
    }
  }
  if (has("lambdaUrlInvokers")) {
    const invokers = v("lambdaUrlInvokers");
    const bad = invokers.filter((p) => !INVOKER.test(p));
    if (bad.length > 0) {
      fail(
        "lambdaUrlInvokers",
        `holds ${bad.map((p) => JSON.stringify(p)).join(", ")}: each must be an IAM role or user ARN or a 12-digit account id`,
      );
    } else if (invokers.length > 0 && v("lambdaFunctionUrl") !== true) {
      fail("lambdaUrlInvokers", "needs lambdaFunctionUrl true: they are callers of the URL");
    }
  }
  if (has("lambdaProvisionedConcurrency")) {
    const p = v("lambdaProvisionedConcurrency");
    const r = has("lambdaReservedConcurrency") ? v("lambdaReservedConcurrency") : -1;
    if (p < 0) fail("lambdaProvisionedConcurrency", "must be >= 0");
    else if (r >= 0 && p > r)
      fail("lambdaProvisionedConcurrency", `must be <= lambdaReservedConcurrency (${r})`);
  }
  oneOf("lambdaLogRetentionDays", LOG_RETENTION_DAYS);
  range("lambdaTopK", 1, 100);

  // Training. Limits: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html
  // and https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceLimits.html
  oneOf("trainingMode", ["none", "train", "tune"]);
  mlType("trainingInstanceType", "training");
  range("trainingInstanceCount", 1, 20);
  // Several processes (instances, or GPUs of one instance) train together only through the
  // containers' torch_distributed launch, which runs on GPU instances from PyTorch 1.13 on; on
  // CPU instances each would train alone on the whole dataset and bill for it.
  if (has("trainingInstanceType") && has("trainingInstanceCount")) {
    const type = v("trainingInstanceType");
    const count = v("trainingInstanceCount");
    if (count > 1 && gpusPerInstance(type) === 0) {
      fail(
        "trainingInstanceCount",
        `must be 1 with trainingInstanceType ${type}: the training code runs on several instances through the torch_distributed launch, which needs GPU instances (ml.p*, ml.g*, e.g. ml.g5.xlarge)`,
      );
    }
    if (
      usesTorchDistributed(type, count) &&
      gpusPerInstance(type) > 0 &&
      has("trainingFrameworkVersion") &&
      /^\d+\.\d+/.test(v("trainingFrameworkVersion")) &&
      !supportsTorchDistributed(v("trainingFrameworkVersion"))
    ) {
      fail(
        "trainingFrameworkVersion",
        `must be ${TORCH_DISTRIBUTED_MIN_VERSION.join(".")} or later to train on ${count} x ${type} (${count * gpusPerInstance(type)} GPUs): older PyTorch containers have no torch_distributed launch`,
      );
    }
  }
  range("trainingMaxRuntimeSeconds", 1, 2419200);
  range("trainingMaxWaitSeconds", 1, 2419200);
  if (
    v("trainingUseSpot") === true &&
    has("trainingMaxWaitSeconds") &&
    has("trainingMaxRuntimeSeconds") &&
    v("trainingMaxWaitSeconds") < v("trainingMaxRuntimeSeconds")
  ) {
    fail(
      "trainingMaxWaitSeconds",
      `must be >= trainingMaxRuntimeSeconds (${v("trainingMaxRuntimeSeconds")}) with spot training`,
    );
  }
  if (
    has("trainingFrameworkVersion") &&
    !/^\d+\.\d+(\.\d+)?$/.test(v("trainingFrameworkVersion"))
  ) {
    fail("trainingFrameworkVersion", "must be a PyTorch version such as 2.1");
  }
  if (has("trainingPythonVersion") && !/^py3\d{1,2}$/.test(v("trainingPythonVersion"))) {
    fail("trainingPythonVersion", "must be a Python tag such as py310");
  }
  range("trainingEpochs", 1, 200);
  range("trainingBatchSize", 1, 1024);
  if (has("trainingLearningRate")) {
    const lr = decimal(v("trainingLearningRate"));
    if (!(lr > 0 && lr < 1))
      fail(
        "trainingLearningRate",
        'must be a decimal number > 0 and < 1, as a string (e.g. "0.001")',
      );
  }
  oneOf("trainingArch", TRAINING_ARCHS);
  range("tuningMaxJobs", 1, 500);
  range("tuningMaxParallelJobs", 1, 100);
  if (
    has("tuningMaxJobs") &&
    has("tuningMaxParallelJobs") &&
    v("tuningMaxParallelJobs") > v("tuningMaxJobs")
  ) {
    fail("tuningMaxParallelJobs", `must be <= tuningMaxJobs (${v("tuningMaxJobs")})`);
  }
  oneOf("tuningEarlyStopping", ["Auto", "Off"]);
  oneOf("tuningObjectiveType", ["Maximize", "Minimize"]);
  // The job's channel reads this prefix with the training role, which may read data/ only.
  if (has("trainingDataPrefix") && !/^data\/([\w.-]+\/)*$/.test(v("trainingDataPrefix"))) {
    fail(
      "trainingDataPrefix",
      'must be a bucket prefix under data/ ending in "/", e.g. data/dog-images/',
    );
  }
  // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html
  range("trainingVolumeSizeGb", 1, 16384);
  // Production deploys an artifact promoted from another stack; it never trains.
  if (v("environment") === "production" && has("trainingMode") && v("trainingMode") !== "none") {
    fail(
      "trainingMode",
      "must be none in a production stack: promote a trained artifact with modelArtifactUri",
    );
  }
  if (has("tuningObjectiveMetric") && !/^[\w:./-]{1,255}$/.test(v("tuningObjectiveMetric"))) {
    fail("tuningObjectiveMetric", "must be a metric name (letters, digits, : . / _ -)");
  }
  if (has("tuningLearningRateRange")) {
    const r = v("tuningLearningRateRange").map(decimal);
    if (r.length !== 2 || !(r[0] > 0 && r[0] < r[1] && r[1] < 1)) {
      fail(
        "tuningLearningRateRange",
        'must be ["<min>", "<max>"] decimal strings with 0 < min < max < 1',
      );
    }
  }
  if (has("tuningBatchSizeValues")) {
    const b = v("tuningBatchSizeValues");
    if (b.length === 0 || b.length > 30 || !b.every((s) => /^[1-9]\d{0,3}$/.test(s))) {
      fail("tuningBatchSizeValues", 'must be 1-30 positive integers as strings, e.g. ["32", "64"]');
    }
  }
  if (has("tuningEpochsRange")) {
    const e = v("tuningEpochsRange");
    if (e.length !== 2 || !(e[0] >= 1 && e[0] <= e[1] && e[1] <= 200)) {
      fail("tuningEpochsRange", "must be [min, max] integers with 1 <= min <= max <= 200");
    }
  }

  // Cost assumptions.
  if (
    has("budgetAlertEmail") &&
    v("budgetAlertEmail") !== "" &&
    !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v("budgetAlertEmail"))
  ) {
    fail("budgetAlertEmail", "must be empty or an email address");
  }
  if (
    has("budgetAlertSnsTopicArn") &&
    v("budgetAlertSnsTopicArn") !== "" &&
    !SNS_TOPIC.test(v("budgetAlertSnsTopicArn"))
  ) {
    fail(
      "budgetAlertSnsTopicArn",
      "must be empty or an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)",
    );
  }
  // A budget alerts through its subscribers only; without one a runaway cost reaches nobody.
  if (
    has("budgetMonthlyUsd") &&
    v("budgetMonthlyUsd") > 0 &&
    v("budgetAlertEmail") === "" &&
    v("budgetAlertSnsTopicArn") === ""
  ) {
    fail(
      "budgetAlertEmail",
      `must be set (or budgetAlertSnsTopicArn) while budgetMonthlyUsd is ${v("budgetMonthlyUsd")}: a budget needs a subscriber for its alerts`,
    );
  }
  for (const key of [
    "budgetMonthlyUsd",
    "notebookActiveHoursPerMonth",
    "ec2HoursPerMonth",
    "trainingRunsPerMonth",
    "monthlyRequests",
    "inferenceDurationMs",
    "lambdaDurationMs",
    "storageGb",
    "logIngestGbPerMonth",
  ] as const) {
    if (has(key) && v(key) < 0) fail(key, "must be >= 0");
  }
  for (const key of ["notebookActiveHoursPerMonth", "ec2HoursPerMonth"] as const) {
    if (has(key) && v(key) > 744) fail(key, "must be <= 744 (hours in a 31-day month)");
  }

  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(stack)) {
    problems.push({
      key: "stack",
      value: JSON.stringify(stack),
      message: "must be a Pulumi stack name",
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const environment = resolveEnvironment(stack, v("environment"));
  return Object.freeze({
    ...(values as RawValues),
    project: PROJECT,
    stack,
    region,
    prefix: `${PROJECT}-${stack}`,
    trainingMode: v("trainingMode") as TrainingMode,
    lambdaRuntime: v("lambdaRuntime") as StackConfig["lambdaRuntime"],
    trainingArch: v("trainingArch") as StackConfig["trainingArch"],
    tuningEarlyStopping: v("tuningEarlyStopping") as StackConfig["tuningEarlyStopping"],
    tags: Object.freeze({
      project: PROJECT,
      environment,
      owner: v("owner"),
      "cost-center": v("costCenter"),
    }),
  });
}

/** Reads and validates the current stack's config (every key, so unknown ones are reported). */
export function loadConfig(): StackConfig {
  const raw = { ...pulumi.runtime.allConfig() };
  // `aws:region` may also come from the environment, as the AWS provider allows.
  const region =
    new pulumi.Config("aws").get("region") ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION;
  if (region !== undefined) raw["aws:region"] = region;
  return parseConfig(raw, pulumi.getStack());
}
