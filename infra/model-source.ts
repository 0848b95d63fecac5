// Where a stack's deployed model comes from, decided from its config alone. A stack without a
// model source deploys everything that needs none (bucket, key, roles, notebook, EC2 host,
// budget) and its inference tier waits; the stack exports what waits, why, and what to run next.
import type { StackConfig } from "./config";

/** What the inference tier is made of: declared only once a model source exists. */
export const INFERENCE_TIER =
  "inference tier: model role, model, endpoint configuration, endpoint, alarms, autoscaling, Lambda role and function (alias, URL, provisioned concurrency)";

export interface Waiting {
  /** What is not declared yet. */
  what: string;
  /** Why, in terms of the config. */
  reason: string;
  /** The commands that fill it in, in order. */
  next: string[];
}

export type ModelSource =
  /** `modelArtifactUri`: an artifact that already exists, read where it is. */
  | { kind: "artifact"; uri: string }
  /** The stack's own training or tuning job's output. */
  | { kind: "training" }
  /**
   * Copied into the stack's bucket from the pinned object (`s3://bucket/key`, with `?versionId=`
   * for a versioned source), only while it has the pinned ETag. The object comes from config, not
   * from the source stack's current output, so nothing the source stack does later changes it.
   */
  | { kind: "promotion"; object: string; etag: string }
  | { kind: "waiting"; waiting: Waiting };

type SourceConfig = Pick<
  StackConfig,
  | "project"
  | "stack"
  | "trainingMode"
  | "modelArtifactUri"
  | "modelPromoteSource"
  | "modelPromoteEtag"
  | "modelPromoteObject"
  | "trainingDataPrefix"
  | "tags"
  | "environment"
>;

const q = (key: string) => `dog-breed-classifier:${key}`;

/** The ETag as S3 sends it in headers (quoted). */
export function quotedEtag(etag: string): string {
  return `"${etag.replace(/"/g, "")}"`;
}

/** The command that prints the one-line pin of a promotion for a pull request. */
export function promoteCommand(from: string, stack: string): string {
  return from.startsWith("s3://")
    ? `npm run promote -- --source ${from} --stack ${stack}`
    : `npm run promote -- --from ${from} --stack ${stack}`;
}

/**
 * `bucket/key` (with `?versionId=<id>` when pinned) of an `s3://` object, as CopyObject takes
 * its source (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
 */
export function copySource(object: string): string {
  const m = /^s3:\/\/([^/]+)\/([^?]+)(\?versionId=.+)?$/.exec(object);
  if (!m) throw new Error(`not an S3 object: ${JSON.stringify(object)}`);
  return `${m[1]}/${m[2]}${m[3] ?? ""}`;
}

/** The model source of a validated config. */
export function modelSource(config: SourceConfig): ModelSource {
  if (config.trainingMode !== "none") return { kind: "training" };
  if (config.modelArtifactUri !== "") return { kind: "artifact", uri: config.modelArtifactUri };
  const s = config.stack;
  const from = config.modelPromoteSource;
  if (from !== "") {
    const fromUri = from.startsWith("s3://");
    if (config.modelPromoteEtag !== "") {
      // The config rules require the object with a stack source; a release artifact is its own.
      const object = config.modelPromoteObject !== "" ? config.modelPromoteObject : from;
      return { kind: "promotion", object, etag: config.modelPromoteEtag };
    }
    const what = fromUri ? from : `the model the stack ${from} serves now`;
    return {
      kind: "waiting",
      waiting: {
        what: INFERENCE_TIER,
        reason: `modelPromoteSource is ${from} but modelPromoteEtag is empty: nothing is promoted yet`,
        next: [
          `${promoteCommand(from, s)}   # prints the pin of ${what}`,
          `pulumi config set ${q("modelPromoteObject")} '<object>' --stack ${s} && pulumi config set ${q("modelPromoteEtag")} '<ETag>' --stack ${s}   # in a pull request`,
          `pulumi up --stack ${s}`,
        ],
      },
    };
  }
  const production = config.environment === "production";
  return {
    kind: "waiting",
    waiting: {
      what: INFERENCE_TIER,
      reason:
        "no model source: modelArtifactUri and modelPromoteSource are empty and trainingMode is none",
      next: production
        ? [
            `pulumi config set ${q("modelPromoteSource")} dev --stack ${s}   # a stack that has trained, or an s3:// release artifact`,
            `pulumi up --stack ${s}   # then shows the command that reads the source's ETag`,
          ]
        : [
            `aws s3 sync ./dogImages "s3://$(pulumi stack output bucketName --stack ${s})/${config.trainingDataPrefix}"`,
            `pulumi config set ${q("trainingMode")} tune --stack ${s}`,
            `pulumi up --stack ${s}`,
          ],
    },
  };
}

/** What a training or tuning job reports, as the program reads it; undefined in a preview. */
export interface JobReport {
  kind: "training" | "tuning";
  name: string;
  status: string;
  startedAt: string;
  modelDataUrl: string;
  failureReason: string;
}

/** The command that prints a job's status. */
function describeCommand(kind: JobReport["kind"], name: string): string {
  return kind === "training"
    ? `aws sagemaker describe-training-job --training-job-name ${name} --query TrainingJobStatus`
    : `aws sagemaker describe-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name ${name} --query HyperParameterTuningJobStatus`;
}

/**
 * Why the inference tier of a training stack waits, or undefined once its job has completed with
 * a model. The job runs on its own: `pulumi up` starts it and returns, and the first `up` after
 * it has completed declares the inference tier on its model.
 */
export function trainingWaiting(stack: string, job: JobReport | undefined): Waiting | undefined {
  const up = `pulumi up --stack ${stack}`;
  if (job === undefined) {
    return {
      what: "training: job status known at `pulumi up` (it starts the job, or adopts the one of the same name)",
      reason:
        "a preview does not read the job: `pulumi up` starts it, or reads the status of the job it started before; the inference tier follows once the job has completed",
      next: [up],
    };
  }
  const { kind, name, status } = job;
  if (status === "Completed" && job.modelDataUrl !== "") return undefined;
  if (status === "InProgress") {
    return {
      what: `training: in progress (${name}, started at ${job.startedAt})`,
      reason: `the ${kind} job runs on its own; \`pulumi up\` does not wait for it, and declares the inference tier on its model once it has completed`,
      next: [
        `${describeCommand(kind, name)}   # InProgress, then Completed`,
        `${up}   # once it has completed: deploys its model`,
      ],
    };
  }
  const reason = job.failureReason || "no failure reason given";
  if (status === "Completed") {
    return {
      what: `training: completed without a model (${name}: ${reason})`,
      reason: `the ${kind} job produced no model to deploy`,
      next: [
        `pulumi config set ${q("trainingEpochs")} <epochs> --stack ${stack}   # or another input of the job: a new job under a new name`,
        up,
      ],
    };
  }
  return {
    what: `training: ${status.toLowerCase()} (${name}: ${reason})`,
    reason: `the ${kind} job ended without a model`,
    next: [
      `${up}   # starts it again as the next attempt (${name.replace(/-\d$|-\d\d$/, "")}-<n>); trainingJobPreviousFailure keeps this reason`,
    ],
  };
}
