// Dynamic provider that gives a training or tuning job a name SageMaker will accept. Job names are
// unique in an account and region and never reused, even after the job failed, so the name is
// the digest-derived base for the first attempt and `<base>-<n>` for the next ones: a job that
// failed or was stopped is retried by the next `pulumi up` under the next free name, and the
// failure of the previous attempt stays visible in this resource's `previousFailure` output (and
// in SageMaker, which keeps every job's description). A job of the same inputs that is in
// progress or completed keeps its name: the job resource adopts it (an `up` interrupted after the
// job started, a stack whose state was lost), so the same job never runs twice.
//
// Pulumi serializes this provider's functions into the stack state and runs them from there
// (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/), so the module stays
// self-contained: no imports of other project modules, and the SDK is required inside the
// function that builds the client. It only ever calls Describe* APIs.
import type * as pulumi from "@pulumi/pulumi";

export type JobNameKind = "training" | "tuning";

export interface JobNameInputs {
  /** The name of the first attempt: the job prefix and the digest of the job's inputs. */
  base: string;
  kind: JobNameKind;
  region: string;
  /** SageMaker's limit on the name's length for this kind of job. */
  maxLength: number;
}

export interface JobNameOutputs extends JobNameInputs {
  /** The name the job gets. */
  name: string;
  /** 1 for the base name, n for `<base>-<n>`. */
  attempt: number;
  /** Why the previous attempt ended (`<name> Failed: <reason>`); empty for a first attempt. */
  previousFailure: string;
}

/** A job's state as far as naming goes; undefined when no job has the name. */
export interface JobState {
  status: string;
  failureReason?: string;
}

export type JobLookup = (kind: JobNameKind, name: string) => Promise<JobState | undefined>;

/** The most attempts under one base name; then an input has to change. */
export const MAX_ATTEMPTS = 99;

// States in which a job produced no model and never will (TrainingJobStatus:
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html#sagemaker-DescribeTrainingJob-response-TrainingJobStatus;
// HyperParameterTuningJobStatus: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeHyperParameterTuningJob.html#sagemaker-DescribeHyperParameterTuningJob-response-HyperParameterTuningJobStatus).
const ENDED_WITHOUT_MODEL = ["Failed", "Stopped", "Stopping"];

/** The name of attempt `n`: the base, then `<base>-<n>`. */
export function attemptName(base: string, n: number, maxLength: number): string {
  const name = n === 1 ? base : `${base}-${n}`;
  if (name.length > maxLength) {
    throw new Error(
      `job name ${name} is longer than ${maxLength} characters: the base leaves no room for attempts`,
    );
  }
  return name;
}

// States in which a job of this name is adopted rather than started again.
const ADOPTED = ["InProgress", "Completed"];

/**
 * The first attempt whose name no job has or whose job is in progress or completed, with the
 * failure of the last attempt before it.
 */
export async function allocateJobName(
  inputs: JobNameInputs,
  lookup: JobLookup,
): Promise<Pick<JobNameOutputs, "name" | "attempt" | "previousFailure">> {
  let previousFailure = "";
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    if (n > 1 && `${inputs.base}-${n}`.length > inputs.maxLength) break;
    const name = attemptName(inputs.base, n, inputs.maxLength);
    const state = await lookup(inputs.kind, name);
    if (state === undefined || ADOPTED.includes(state.status))
      return { name, attempt: n, previousFailure };
    // Failed, Stopped, or on its way there (Stopping): no model will come of it.
    previousFailure = `${name} ${state.status}: ${state.failureReason ?? "no failure reason given"}`;
  }
  throw new Error(
    `every ${inputs.kind} job name ${inputs.base}[-n] within ${inputs.maxLength} characters is taken (last: ${previousFailure || "none failed"}); change an input of the job (for example its hyperparameters) to start a new series`,
  );
}

/** Looks jobs up with DescribeTrainingJob / DescribeHyperParameterTuningJob in `region`. */
export function sagemakerLookup(region: string): JobLookup {
  // Required here, not at the top: the serialized provider loads the SDK only when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-sagemaker") as typeof import("@aws-sdk/client-sagemaker");
  const client = new sdk.SageMakerClient({ region });
  return async (kind, name) => {
    try {
      if (kind === "training") {
        const d = await client.send(new sdk.DescribeTrainingJobCommand({ TrainingJobName: name }));
        return { status: String(d.TrainingJobStatus), failureReason: d.FailureReason };
      }
      const d = await client.send(
        new sdk.DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
      );
      return { status: String(d.HyperParameterTuningJobStatus), failureReason: d.FailureReason };
    } catch (e) {
      // An unknown job: the Describe calls document ResourceNotFound, but DescribeTrainingJob
      // answers ValidationException "Requested resource not found" (https://github.com/aws/aws-sdk/issues/165).
      const { name: code, message } = e as { name?: string; message?: string };
      if (code === "ResourceNotFound") return undefined;
      if (code === "ValidationException" && /requested resource not found/i.test(message ?? ""))
        return undefined;
      throw e;
    }
  };
}

const REPLACE_KEYS = ["base", "kind", "region", "maxLength"] as const;

/** A provider over `lookup`; the deployed one builds a SageMaker client per region. */
export function jobNameProviderWith(
  lookupFor: (region: string) => JobLookup,
): pulumi.dynamic.ResourceProvider<JobNameInputs, JobNameOutputs> {
  return {
    async create(inputs: JobNameInputs) {
      const allocated = await allocateJobName(inputs, lookupFor(inputs.region));
      const outs: JobNameOutputs = { ...inputs, ...allocated };
      return { id: outs.name, outs };
    },

    async diff(_id: string, olds: JobNameOutputs, news: JobNameInputs) {
      const replaces: string[] = REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
      // Same inputs: keep the name while its job runs or has completed; a job that failed or
      // was stopped (or is stopping) is retried under the next name.
      if (replaces.length === 0) {
        const state = await lookupFor(olds.region)(olds.kind, olds.name);
        if (state !== undefined && ENDED_WITHOUT_MODEL.includes(state.status))
          replaces.push("name");
      }
      return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },

    async delete() {
      // Nothing to remove: the job resource owns the job, and SageMaker keeps the name taken.
    },
  };
}

/** The provider object Pulumi serializes. */
export const jobNameProvider = jobNameProviderWith(sagemakerLookup);
