// Dynamic provider for a SageMaker training or hyperparameter tuning job that runs on its own:
// `create` starts the job (or adopts the job that already has its name) and returns at once with
// the job's status; every later `pulumi up` reads the status again (`diff` asks for an update when
// it changed) and, once the job has completed, reports the S3 URI of the model it produced.
// `pulumi up` therefore never waits for a job, and an `up` interrupted after the job started
// leaves nothing to clean up: the next one finds the job under its name and adopts it instead of
// calling Create* again, which SageMaker would refuse (names are unique and never reused).
//
// The inputs keep the AWS provider's shapes (`aws.sagemaker.TrainingJob` and
// `HyperParameterTuningJob`: camelCase, `inputDataConfigs`, `config`), which the cost estimate and
// the check read; `createRequest` turns them into the API's request.
//
// Pulumi serializes this provider's functions into the stack state and runs them from there
// (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/), so the module stays
// self-contained: no imports of other project modules, and the SDK is required inside the
// function that builds the client.
import type * as pulumi from "@pulumi/pulumi";

export type JobKind = "training" | "tuning";

type Json = Record<string, unknown>;

/** Inputs of a training job resource: `aws.sagemaker.TrainingJob`'s, plus the region. */
export interface TrainingJobInputs {
  region: string;
  trainingJobName: string;
  roleArn: string;
  algorithmSpecification: Json;
  hyperParameters?: Record<string, string>;
  inputDataConfigs?: Json[];
  outputDataConfig: Json;
  resourceConfig: Json;
  stoppingCondition: Json;
  enableManagedSpotTraining?: boolean;
  checkpointConfig?: Json;
  tags?: Record<string, string>;
}

/** Inputs of a tuning job resource: `aws.sagemaker.HyperParameterTuningJob`'s, plus the region. */
export interface TuningJobInputs {
  region: string;
  name: string;
  config: Json;
  trainingJobDefinition: Json;
  tags?: Record<string, string>;
}

/** What SageMaker reports of the job, as the resource's outputs. */
export interface JobObservation {
  /** TrainingJobStatus or HyperParameterTuningJobStatus. */
  status: string;
  /** When SageMaker created the job (ISO 8601). */
  startedAt: string;
  /** `s3://.../output/model.tar.gz` of the (best) training job once the job completed, else "". */
  modelArtifactUri: string;
  /** The training job that produced the model: the job itself, or a tuning job's best; else "". */
  bestTrainingJobName: string;
  /** Why the job failed or stopped, or why a completed job has no model; else "". */
  failureReason: string;
}

export type TrainingJobOutputs = TrainingJobInputs & JobObservation;
export type TuningJobOutputs = TuningJobInputs & JobObservation;

/** The calls the provider makes; the SageMaker client answers them in practice. */
export interface JobApi {
  /** The job's description as the API returns it; undefined when no job has the name. */
  describe(kind: JobKind, name: string): Promise<Json | undefined>;
  create(kind: JobKind, request: Json): Promise<void>;
  stop(kind: JobKind, name: string): Promise<void>;
}

/** True for the error a Describe call answers for a name no job has. */
export function isNotFound(e: unknown): boolean {
  // The Describe calls document ResourceNotFound, but DescribeTrainingJob answers
  // ValidationException "Requested resource not found" (https://github.com/aws/aws-sdk/issues/165).
  const { name, message } = (e ?? {}) as { name?: string; message?: string };
  if (name === "ResourceNotFound") return true;
  return name === "ValidationException" && /requested resource not found/i.test(message ?? "");
}

/** A SageMaker client for `region`, with the SDK's usual credentials and endpoint settings. */
export function sagemakerJobApi(region: string): JobApi {
  // Required here, not at the top: the serialized provider loads the SDK only when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-sagemaker") as typeof import("@aws-sdk/client-sagemaker");
  const client = new sdk.SageMakerClient({ region });
  /* eslint-disable @typescript-eslint/no-explicit-any */
  return {
    async describe(kind, name) {
      try {
        const out =
          kind === "training"
            ? await client.send(new sdk.DescribeTrainingJobCommand({ TrainingJobName: name }))
            : await client.send(
                new sdk.DescribeHyperParameterTuningJobCommand({
                  HyperParameterTuningJobName: name,
                }),
              );
        return out as unknown as Json;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async create(kind, request) {
      if (kind === "training") await client.send(new sdk.CreateTrainingJobCommand(request as any));
      else await client.send(new sdk.CreateHyperParameterTuningJobCommand(request as any));
    },
    async stop(kind, name) {
      if (kind === "training")
        await client.send(new sdk.StopTrainingJobCommand({ TrainingJobName: name }));
      else
        await client.send(
          new sdk.StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
        );
    },
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

// Job states: TrainingJobStatus (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html#sagemaker-DescribeTrainingJob-response-TrainingJobStatus)
// and HyperParameterTuningJobStatus (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeHyperParameterTuningJob.html#sagemaker-DescribeHyperParameterTuningJob-response-HyperParameterTuningJobStatus).
/** States in which the job still runs, and a `delete` stops it. */
export const RUNNING_STATES = ["InProgress"];

/** Keys of the API request whose values are maps of the caller's own names, kept as they are. */
const MAPS = ["HyperParameters", "StaticHyperParameters"];
/** AWS provider property names that are not the API's name with a capital first letter. */
const RENAMED: Record<string, string> = {
  inputDataConfigs: "InputDataConfig",
  volumeSizeInGb: "VolumeSizeInGB",
  config: "HyperParameterTuningJobConfig",
  objective: "HyperParameterTuningJobObjective",
};

function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (v === undefined || v === null) continue;
    const key = RENAMED[k] ?? k.charAt(0).toUpperCase() + k.slice(1);
    out[key] = MAPS.includes(key) ? v : pascal(v);
  }
  return out;
}

const tagList = (tags?: Record<string, string>) =>
  Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

/**
 * The CreateTrainingJob or CreateHyperParameterTuningJob request for the inputs
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateHyperParameterTuningJob.html).
 */
export function createRequest(kind: JobKind, inputs: TrainingJobInputs | TuningJobInputs): Json {
  const { region: _region, tags, ...rest } = inputs as TrainingJobInputs & TuningJobInputs;
  const body: Json = {};
  if (kind === "tuning") {
    const t = rest as unknown as TuningJobInputs;
    body.HyperParameterTuningJobName = t.name;
    body.HyperParameterTuningJobConfig = pascal(t.config);
    body.TrainingJobDefinition = pascal(t.trainingJobDefinition);
  } else {
    Object.assign(body, pascal(rest));
  }
  const tagged = tagList(tags);
  if (tagged.length > 0) body.Tags = tagged;
  return body;
}

function jobName(kind: JobKind, inputs: TrainingJobInputs | TuningJobInputs): string {
  return kind === "training"
    ? (inputs as TrainingJobInputs).trainingJobName
    : (inputs as TuningJobInputs).name;
}

const iso = (t: unknown): string =>
  t instanceof Date ? t.toISOString() : t === undefined ? "" : new Date(String(t)).toISOString();

/** What a description says of the job; a completed tuning job's best training job is read too. */
export async function observe(
  kind: JobKind,
  name: string,
  d: Json,
  api: JobApi,
): Promise<JobObservation> {
  const status = String(
    (kind === "training" ? d.TrainingJobStatus : d.HyperParameterTuningJobStatus) ?? "Unknown",
  );
  const seen: JobObservation = {
    status,
    startedAt: iso(d.CreationTime),
    modelArtifactUri: "",
    bestTrainingJobName: "",
    failureReason: typeof d.FailureReason === "string" ? d.FailureReason : "",
  };
  if (status !== "Completed") return seen;
  let best = name;
  let training = d;
  if (kind === "tuning") {
    const found = (d.BestTrainingJob as Json | undefined)?.TrainingJobName;
    if (typeof found !== "string" || found === "") {
      return {
        ...seen,
        failureReason:
          "completed without a best training job (no training job reported the objective metric)",
      };
    }
    best = found;
    const described = await api.describe("training", best);
    if (described === undefined) throw new Error(`SageMaker training job ${best} is not found`);
    training = described;
  }
  const uri = (training.ModelArtifacts as Json | undefined)?.S3ModelArtifacts;
  if (typeof uri !== "string" || uri === "") {
    return { ...seen, failureReason: `training job ${best} completed without a model artifact` };
  }
  return { ...seen, modelArtifactUri: uri, bestTrainingJobName: best };
}

/**
 * The job of `inputs` as SageMaker has it: adopted when a job already has its name (in progress,
 * completed or ended: its name is taken for good), started with Create* otherwise. A Create* that
 * SageMaker refuses with ResourceInUse (a job of that name appeared meanwhile; CreateTrainingJob's
 * and CreateHyperParameterTuningJob's documented error for it) adopts that job as well.
 */
export async function startOrAdopt(
  kind: JobKind,
  inputs: TrainingJobInputs | TuningJobInputs,
  api: JobApi,
): Promise<JobObservation> {
  const name = jobName(kind, inputs);
  let d = await api.describe(kind, name);
  if (d === undefined) {
    try {
      await api.create(kind, createRequest(kind, inputs));
    } catch (e) {
      if ((e as { name?: string }).name !== "ResourceInUse") throw e;
    }
    d = await api.describe(kind, name);
    if (d === undefined)
      throw new Error(`SageMaker ${kind} job ${name} is not found after its creation`);
  }
  return observe(kind, name, d, api);
}

/** The outputs a job resource reports of its job, recorded beside its inputs. */
export const OBSERVED: readonly (keyof JobObservation)[] = [
  "status",
  "startedAt",
  "modelArtifactUri",
  "bestTrainingJobName",
  "failureReason",
];

function inputsOf<T extends object>(props: T): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(props)) {
    if (!(OBSERVED as readonly string[]).includes(k) && k !== "__provider") out[k] = v;
  }
  return out;
}

/** Stable JSON: keys sorted at every level, so recorded and new inputs compare by value. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Json)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The provider of one kind of job over `apiFor`; the deployed one builds a client per region. */
export function jobProviderWith<I extends TrainingJobInputs | TuningJobInputs>(
  kind: JobKind,
  apiFor: (region: string) => JobApi,
): pulumi.dynamic.ResourceProvider<I, I & JobObservation> {
  return {
    async create(inputs: I) {
      const outs = { ...inputs, ...(await startOrAdopt(kind, inputs, apiFor(inputs.region))) };
      return { id: jobName(kind, inputs), outs };
    },

    async diff(_id: string, olds: I & JobObservation, news: I) {
      const before = inputsOf(olds);
      const after = inputsOf(news);
      // A job cannot change: any changed input is another job (and the name changes with it).
      const replaces = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
        (k) => stable(before[k]) !== stable(after[k]),
      );
      if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
      // The same job: an update records what changed since the last `up` (its status, its model).
      const d = await apiFor(news.region).describe(kind, jobName(kind, news));
      const now =
        d === undefined
          ? undefined
          : await observe(kind, jobName(kind, news), d, apiFor(news.region));
      const changed = now === undefined || OBSERVED.some((k) => now[k] !== olds[k]);
      return { changes: changed, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, _olds: I & JobObservation, news: I) {
      return { outs: { ...news, ...(await startOrAdopt(kind, news, apiFor(news.region))) } };
    },

    async read(id: string, props?: I & JobObservation) {
      // Refresh: the job as SageMaker has it now; a job SageMaker no longer knows is gone.
      if (props === undefined) return { id };
      const api = apiFor(props.region);
      const d = await api.describe(kind, jobName(kind, props));
      if (d === undefined) return {};
      return { id, props: { ...props, ...(await observe(kind, jobName(kind, props), d, api)) } };
    },

    async delete(_id: string, props: I & JobObservation) {
      // A replaced or destroyed job that still runs is stopped (as the AWS provider's delete
      // does); an ended one stays in SageMaker, which keeps every job and its name.
      const api = apiFor(props.region);
      const d = await api.describe(kind, jobName(kind, props));
      if (d === undefined) return;
      const status = kind === "training" ? d.TrainingJobStatus : d.HyperParameterTuningJobStatus;
      if (RUNNING_STATES.includes(String(status))) await api.stop(kind, jobName(kind, props));
    },
  };
}

/** The provider objects Pulumi serializes. */
export const trainingJobProvider = jobProviderWith<TrainingJobInputs>("training", sagemakerJobApi);
export const tuningJobProvider = jobProviderWith<TuningJobInputs>("tuning", sagemakerJobApi);
