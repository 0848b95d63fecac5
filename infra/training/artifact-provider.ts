// Dynamic provider that waits for a SageMaker training or tuning job to finish and reports the S3
// URI of the model it produced. `aws.sagemaker.HyperParameterTuningJob` returns before its job
// ends and outputs no model (https://github.com/hashicorp/terraform-provider-aws/pull/47138), and
// a training job's model artifact is not among `aws.sagemaker.TrainingJob`'s outputs either.
//
// Pulumi serializes this provider's functions into the stack state and runs them from there
// (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/), so the module stays
// self-contained: no imports of other project modules, and the SDK is required inside the
// function that builds the client. It only ever calls Describe* APIs.
import type * as pulumi from "@pulumi/pulumi";
import type {
  DescribeHyperParameterTuningJobCommandOutput,
  DescribeTrainingJobCommandOutput,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";

export type JobKind = "training" | "tuning";

/** Inputs of the artifact resource. */
export interface ArtifactInputs {
  jobKind: JobKind;
  /** Name of the training job, or of the tuning job whose best training job is wanted. */
  jobName: string;
  /** Region of the job; the client is built for it. */
  region: string;
  /** `s3://bucket/prefix/` the job writes its models under (informational; the API says where). */
  outputPath: string;
  /** Give up waiting after this many seconds. */
  timeoutSeconds: number;
  /** Seconds between two Describe calls. */
  pollSeconds: number;
}

/** Outputs: the inputs plus what the finished job reported. */
export interface ArtifactOutputs extends ArtifactInputs {
  /** `s3://.../output/model.tar.gz` of the (best) training job. */
  modelArtifactUri: string;
  /** The training job that produced the artifact (the best one, for a tuning job). */
  trainingJobName: string;
}

/** The two read-only calls the provider makes; the SageMaker client answers them in practice. */
export interface JobDescriber {
  describeTrainingJob(name: string): Promise<DescribeTrainingJobCommandOutput>;
  describeTuningJob(name: string): Promise<DescribeHyperParameterTuningJobCommandOutput>;
}

/** A SageMaker client for `region`, with the SDK's usual credentials and endpoint settings. */
export function sagemakerDescriber(region: string): JobDescriber {
  // Required here, not at the top: the serialized provider loads the SDK only when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-sagemaker") as typeof import("@aws-sdk/client-sagemaker");
  const client: SageMakerClient = new sdk.SageMakerClient({ region });
  return {
    describeTrainingJob: (name) =>
      client.send(new sdk.DescribeTrainingJobCommand({ TrainingJobName: name })),
    describeTuningJob: (name) =>
      client.send(
        new sdk.DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
      ),
  };
}

// Job states: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html#sagemaker-DescribeTrainingJob-response-TrainingJobStatus
// and https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeHyperParameterTuningJob.html#sagemaker-DescribeHyperParameterTuningJob-response-HyperParameterTuningJobStatus
const RUNNING = ["InProgress", "Stopping"];
const FAILED = ["Failed", "Stopped", "Deleting", "DeleteFailed"];

function kindLabel(kind: JobKind): string {
  return kind === "training" ? "training job" : "hyperparameter tuning job";
}

/** Polls one job until it leaves InProgress/Stopping; returns its final description. */
async function waitForJob<T>(
  kind: JobKind,
  name: string,
  describe: () => Promise<T>,
  statusOf: (d: T) => string | undefined,
  reasonOf: (d: T) => string | undefined,
  deadline: number,
  pollSeconds: number,
  timeoutSeconds: number,
  once: boolean,
): Promise<T | undefined> {
  for (;;) {
    const d = await describe();
    const status = statusOf(d) ?? "Unknown";
    if (status === "Completed") return d;
    if (FAILED.includes(status)) {
      const reason = reasonOf(d);
      throw new Error(
        `SageMaker ${kindLabel(kind)} ${name} ended ${status}: ${reason ?? "no failure reason given"}`,
      );
    }
    if (!RUNNING.includes(status)) {
      throw new Error(`SageMaker ${kindLabel(kind)} ${name} is in an unexpected state: ${status}`);
    }
    if (once) return undefined;
    if (Date.now() + pollSeconds * 1000 > deadline) {
      throw new Error(
        `SageMaker ${kindLabel(kind)} ${name} still ${status} after ${timeoutSeconds} s; ` +
          "it keeps running: run `pulumi up` again to wait for it, or stop it in SageMaker",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
  }
}

function trainingArtifact(name: string, d: DescribeTrainingJobCommandOutput): string {
  const uri = d.ModelArtifacts?.S3ModelArtifacts;
  if (!uri) throw new Error(`SageMaker training job ${name} completed without a model artifact`);
  return uri;
}

export interface FoundArtifact {
  modelArtifactUri: string;
  trainingJobName: string;
}

/**
 * Waits for the job of `inputs` to complete and returns the model artifact: a training job's own,
 * or the best training job's of a tuning job. Failed and stopped jobs raise their failure reason.
 * With `once`, looks a single time and returns undefined while the job still runs.
 */
export async function waitForArtifact(
  inputs: ArtifactInputs,
  api: JobDescriber,
  once = false,
): Promise<FoundArtifact | undefined> {
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  const wait = <T>(
    kind: JobKind,
    name: string,
    describe: () => Promise<T>,
    statusOf: (d: T) => string | undefined,
    reasonOf: (d: T) => string | undefined,
  ) =>
    waitForJob(
      kind,
      name,
      describe,
      statusOf,
      reasonOf,
      deadline,
      inputs.pollSeconds,
      inputs.timeoutSeconds,
      once,
    );
  const training = (name: string) =>
    wait(
      "training",
      name,
      () => api.describeTrainingJob(name),
      (d) => d.TrainingJobStatus,
      (d) => d.FailureReason,
    );

  if (inputs.jobKind === "training") {
    const d = await training(inputs.jobName);
    if (d === undefined) return undefined;
    return {
      modelArtifactUri: trainingArtifact(inputs.jobName, d),
      trainingJobName: inputs.jobName,
    };
  }
  const tuning = await wait(
    "tuning",
    inputs.jobName,
    () => api.describeTuningJob(inputs.jobName),
    (d) => d.HyperParameterTuningJobStatus,
    (d) => d.FailureReason,
  );
  if (tuning === undefined) return undefined;
  const best = tuning.BestTrainingJob?.TrainingJobName;
  if (!best) {
    throw new Error(
      `SageMaker hyperparameter tuning job ${inputs.jobName} completed without a best training job ` +
        "(no training job reported the objective metric)",
    );
  }
  // The best job has ended when its tuning job has; the wait only guards the call's consistency.
  const d = await training(best);
  if (d === undefined) return undefined;
  return { modelArtifactUri: trainingArtifact(best, d), trainingJobName: best };
}

function checkInputs(i: ArtifactInputs): void {
  if (i.jobKind !== "training" && i.jobKind !== "tuning")
    throw new Error(`jobKind must be training or tuning, got ${String(i.jobKind)}`);
  if (!i.jobName) throw new Error("jobName is required");
  if (!i.region) throw new Error("region is required");
  if (!(i.timeoutSeconds > 0))
    throw new Error(`timeoutSeconds must be > 0, got ${i.timeoutSeconds}`);
  if (!(i.pollSeconds > 0)) throw new Error(`pollSeconds must be > 0, got ${i.pollSeconds}`);
}

/** The keys whose change means another job, hence another artifact. */
const REPLACE_KEYS = ["jobKind", "jobName", "region"] as const;

/** The provider object Pulumi serializes (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/). */
export const jobArtifactProvider: pulumi.dynamic.ResourceProvider<ArtifactInputs, ArtifactOutputs> =
  {
    async create(inputs: ArtifactInputs) {
      checkInputs(inputs);
      const found = await waitForArtifact(inputs, sagemakerDescriber(inputs.region));
      if (found === undefined) throw new Error(`SageMaker job ${inputs.jobName} did not finish`);
      const outs: ArtifactOutputs = { ...inputs, ...found };
      return { id: `${inputs.jobKind}/${inputs.jobName}`, outs };
    },

    async read(id: string, props?: ArtifactOutputs) {
      // Refresh: one look at the job, no waiting. A finished job's record does not change, so
      // this re-reads the same artifact; a failed job raises its reason.
      if (props === undefined) return { id };
      const found = await waitForArtifact(props, sagemakerDescriber(props.region), true);
      return { id, props: found === undefined ? props : { ...props, ...found } };
    },

    async diff(_id: string, olds: ArtifactOutputs, news: ArtifactInputs) {
      const replaces = REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
      const changed =
        replaces.length > 0 ||
        olds.outputPath !== news.outputPath ||
        olds.timeoutSeconds !== news.timeoutSeconds ||
        olds.pollSeconds !== news.pollSeconds;
      return { changes: changed, replaces: [...replaces], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: ArtifactOutputs, news: ArtifactInputs) {
      // Only the waiting settings or the recorded output path changed: the artifact stays.
      return {
        outs: {
          ...news,
          modelArtifactUri: olds.modelArtifactUri,
          trainingJobName: olds.trainingJobName,
        },
      };
    },

    async delete() {
      // Nothing to remove: the job resource owns the job, and the artifact stays in the bucket.
    },
  };
