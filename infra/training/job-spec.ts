// What a training or tuning job is made of, as pure functions of plain values: hyperparameters in
// the form the framework containers read, the tuning ranges, metric definitions, job names and
// the jobs' time limits. Nothing here depends on Pulumi.
import { createHash } from "crypto";
import * as fs from "fs";
import { gpuCount } from "../../shared/accelerated-types";
import { processorFor } from "../images";

/**
 * Job name limits and pattern: 63 characters for training jobs
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html#sagemaker-CreateTrainingJob-request-TrainingJobName),
 * 32 for tuning jobs, whose name prefixes the names of their training jobs
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateHyperParameterTuningJob.html#sagemaker-CreateHyperParameterTuningJob-request-HyperParameterTuningJobName).
 */
export const JOB_NAME_LIMITS = { training: 63, tuning: 32 } as const;
const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** Where the framework containers find the code and the entry point. */
export const ENTRY_POINT = "train.py";
/** Local folder SageMaker syncs with the checkpoint S3 URI; the training code's default. */
export const CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints";
/** The single data channel: the job sees it as SM_CHANNEL_TRAINING. */
export const TRAINING_CHANNEL = "training";

export interface MetricDefinition {
  Name: string;
  Regex: string;
}

/**
 * Reads the metric definitions the training code documents (`training/metric_definitions.json`),
 * checking their shape and the API's limits: at most 40 definitions, names 1-255 characters,
 * regexes 1-500 (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MetricDefinition.html).
 */
export function loadMetricDefinitions(file: string): MetricDefinition[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 40) {
    throw new Error(`${file}: expected an array of 1-40 metric definitions`);
  }
  return parsed.map((d: unknown, i) => {
    const m = d as Partial<MetricDefinition>;
    if (
      typeof m?.Name !== "string" ||
      m.Name.length === 0 ||
      m.Name.length > 255 ||
      typeof m.Regex !== "string" ||
      m.Regex.length === 0 ||
      m.Regex.length > 500
    ) {
      throw new Error(
        `${file}: entry ${i} must be {"Name": string (1-255), "Regex": string (1-500)}`,
      );
    }
    new RegExp(m.Regex); // throws on a malformed pattern
    return { Name: m.Name, Regex: m.Regex };
  });
}

/** Values the training code takes as `--name value` arguments. */
export interface TrainingHyperparameters {
  epochs: number;
  batchSize: number;
  /** Decimal text, e.g. "0.001". */
  learningRate: string;
  arch: string;
  pretrained: boolean;
}

/**
 * Hyperparameter values are strings. The SageMaker Python SDK JSON-encodes each value of a
 * framework estimator, and the training toolkit JSON-decodes each one, keeping a value that does
 * not parse as it is, before passing them as `--name value` arguments
 * (https://github.com/aws/sagemaker-training-toolkit/blob/master/src/sagemaker_training/environment.py,
 * `read_hyperparameters`). So `"\"train.py\""` arrives as `train.py`, `"64"` as `64` and
 * `"true"` as `True` (the training code accepts both spellings).
 */
export function encodeHyperparameter(value: string | number | boolean): string {
  return JSON.stringify(value);
}

/** Learning rate as a JSON number: "0.001" -> "0.001", ".5" -> "0.5", "1e-4" -> "0.0001". */
export function encodeDecimal(text: string): string {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  return JSON.stringify(n);
}

/** GPUs per SageMaker instance (the counts of their EC2 twins): 0 on CPU types. */
export function gpusPerInstance(instanceType: string): number {
  return processorFor(instanceType) === "gpu" ? gpuCount(instanceType) : 0;
}

/**
 * Whether the job trains in several processes: on several instances, or on several GPUs of one.
 * The framework containers then start the training code with torchrun, one process per GPU on
 * each host (their `torch_distributed` launch), and the code trains data-parallel.
 */
export function usesTorchDistributed(instanceType: string, instanceCount: number): boolean {
  return instanceCount > 1 || gpusPerInstance(instanceType) > 1;
}

/**
 * The oldest PyTorch framework version whose containers take the `torch_distributed` launch on
 * GPU instances: the SageMaker Python SDK refuses it for anything older, and on anything but GPU
 * (and Trainium, which needs the Neuron images) instances
 * (https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/fw_utils.py,
 * `validate_torch_distributed_distribution` and `TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS`).
 */
export const TORCH_DISTRIBUTED_MIN_VERSION = [1, 13] as const;

/** `2.1` or `1.13.1` at or above TORCH_DISTRIBUTED_MIN_VERSION. */
export function supportsTorchDistributed(frameworkVersion: string): boolean {
  const [major, minor] = frameworkVersion.split(".").map(Number);
  const [minMajor, minMinor] = TORCH_DISTRIBUTED_MIN_VERSION;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/** The hyperparameters the container itself reads: entry point, code archive, region, log level. */
export function frameworkHyperparameters(a: {
  submitDirectory: string;
  region: string;
  /** With these, a job of several processes gets the torch_distributed launch. */
  instanceType?: string;
  instanceCount?: number;
}): Record<string, string> {
  const distributed =
    a.instanceType !== undefined && usesTorchDistributed(a.instanceType, a.instanceCount ?? 1);
  return {
    sagemaker_program: encodeHyperparameter(ENTRY_POINT),
    sagemaker_submit_directory: encodeHyperparameter(a.submitDirectory),
    sagemaker_region: encodeHyperparameter(a.region),
    // logging.INFO, as the SDK sets it.
    sagemaker_container_log_level: encodeHyperparameter(20),
    // What the SDK's PyTorch estimator adds for `distribution={"torch_distributed": {"enabled":
    // True}}` (LAUNCH_TORCH_DISTRIBUTED_ENV_NAME and INSTANCE_TYPE_ENV_NAME in
    // https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/pytorch/estimator.py):
    // the container then runs torchrun across the job's hosts instead of one python process.
    ...(distributed
      ? {
          sagemaker_torch_distributed_enabled: encodeHyperparameter(true),
          sagemaker_instance_type: encodeHyperparameter(a.instanceType!),
        }
      : {}),
  };
}

/** Names of the training code's options that tuning searches over. */
export const TUNED = {
  learningRate: "learning-rate",
  batchSize: "batch-size",
  epochs: "epochs",
} as const;

/** The training code's options, named as its `--name` arguments. */
export function codeHyperparameters(hp: TrainingHyperparameters): Record<string, string> {
  return {
    [TUNED.epochs]: encodeHyperparameter(hp.epochs),
    [TUNED.batchSize]: encodeHyperparameter(hp.batchSize),
    [TUNED.learningRate]: encodeDecimal(hp.learningRate),
    arch: encodeHyperparameter(hp.arch),
    pretrained: encodeHyperparameter(hp.pretrained),
  };
}

/** Hyperparameters of a single training job: all options plus the framework's own. */
export function trainingJobHyperparameters(
  hp: TrainingHyperparameters,
  framework: Parameters<typeof frameworkHyperparameters>[0],
): Record<string, string> {
  return sortKeys({ ...codeHyperparameters(hp), ...frameworkHyperparameters(framework) });
}

/** Static hyperparameters of a tuning job: everything but the ranges it searches. */
export function tuningStaticHyperparameters(
  hp: TrainingHyperparameters,
  framework: Parameters<typeof frameworkHyperparameters>[0],
): Record<string, string> {
  const all: Record<string, string> = trainingJobHyperparameters(hp, framework);
  for (const name of Object.values(TUNED)) delete all[name];
  return all;
}

export interface TuningRanges {
  /** [min, max] decimal strings, searched on a logarithmic scale. */
  learningRate: readonly string[];
  /** Batch sizes as strings (categorical). */
  batchSizes: readonly string[];
  /** [min, max] epochs. */
  epochs: readonly number[];
}

/**
 * The tuning ranges in the API's shape
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ParameterRanges.html). The
 * learning rate spans orders of magnitude, so it is searched logarithmically; epochs linearly;
 * batch sizes are a set of choices. Categorical values go as the plain numbers, which the
 * toolkit's JSON decoding passes through unchanged.
 */
export function parameterRanges(r: TuningRanges) {
  return {
    continuousParameterRanges: [
      {
        name: TUNED.learningRate,
        minValue: encodeDecimal(r.learningRate[0]),
        maxValue: encodeDecimal(r.learningRate[1]),
        scalingType: "Logarithmic",
      },
    ],
    integerParameterRanges: [
      {
        name: TUNED.epochs,
        minValue: String(r.epochs[0]),
        maxValue: String(r.epochs[1]),
        scalingType: "Linear",
      },
    ],
    categoricalParameterRanges: [{ name: TUNED.batchSize, values: [...r.batchSizes] }],
  };
}

/** A short, stable digest of anything JSON can express. */
export function digest(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/**
 * A job name: `prefix` and `hashLength` hex characters of `hash`, within `max` characters. Job
 * names are unique in an account and region and never reused, so a name derived from everything
 * the job is made of gives a new job exactly when one of its inputs changes.
 */
export function jobName(prefix: string, hash: string, max: number, hashLength: number): string {
  if (!/^[0-9a-f]+$/.test(hash) || hash.length < hashLength)
    throw new Error(`not a hex digest: ${hash}`);
  const head = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, max - hashLength - 1)
    .replace(/-+$/, "");
  const name = head === "" ? hash.slice(0, hashLength) : `${head}-${hash.slice(0, hashLength)}`;
  if (!JOB_NAME.test(name) || name.length > max) throw new Error(`invalid job name ${name}`);
  return name;
}

/** Time limits of one training job. */
export interface StoppingLimits {
  spot: boolean;
  maxRuntimeSeconds: number;
  maxWaitSeconds: number;
}

/** Sorted copy of a string map, so digests and recorded inputs do not depend on key order. */
export function sortKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
