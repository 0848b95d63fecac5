// A SageMaker training or hyperparameter tuning job as a resource that does not wait for the job:
// created (started, or adopted when a job has its name already), then read again by every later
// `pulumi up`, which sees it progress to Completed and its model (see job-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { OBSERVED, trainingJobProvider, tuningJobProvider } from "./job-provider";

type In<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** A job resource: what it reports of its job (JobObservation), as every `up` reads it again. */
abstract class JobResource extends pulumi.dynamic.Resource {
  /** TrainingJobStatus or HyperParameterTuningJobStatus when the last `up` looked. */
  declare readonly status: pulumi.Output<string>;
  /** When SageMaker created the job (ISO 8601). */
  declare readonly startedAt: pulumi.Output<string>;
  /** The (best) training job's model once the job completed; "" before. */
  declare readonly modelArtifactUri: pulumi.Output<string>;
  /** The training job that produced the model; "" before. */
  declare readonly bestTrainingJobName: pulumi.Output<string>;
  /** Why the job failed or stopped, or why a completed job has no model; "" otherwise. */
  declare readonly failureReason: pulumi.Output<string>;

  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    args: object,
    opts: pulumi.CustomResourceOptions | undefined,
    type: string,
  ) {
    // The observed outputs are passed unset, so that the engine reports them.
    const observed = Object.fromEntries(OBSERVED.map((k) => [k, undefined]));
    super(provider, name, { ...args, ...observed }, opts, "sagemaker", type);
  }
}

export interface TrainingJobArgs {
  region: string;
  trainingJobName: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
  algorithmSpecification: pulumi.Input<Record<string, unknown>>;
  hyperParameters: pulumi.Input<Record<string, string>>;
  inputDataConfigs: pulumi.Input<Record<string, unknown>[]>;
  outputDataConfig: In<{ s3OutputPath: string; kmsKeyId?: string }>;
  resourceConfig: In<{
    instanceType: string;
    instanceCount: number;
    volumeSizeInGb: number;
    volumeKmsKeyId?: string;
  }>;
  stoppingCondition: In<{ maxRuntimeInSeconds: number; maxWaitTimeInSeconds?: number }>;
  enableManagedSpotTraining: boolean;
  checkpointConfig?: In<{ s3Uri: string; localPath: string }>;
  tags?: Readonly<Record<string, string>>;
}

/** A training job, started by the first `up` that declares it. */
export class TrainingJob extends JobResource {
  declare readonly trainingJobName: pulumi.Output<string>;

  constructor(name: string, args: TrainingJobArgs, opts?: pulumi.CustomResourceOptions) {
    super(trainingJobProvider, name, args, opts, "TrainingJob");
  }
}

export interface TuningJobArgs {
  region: string;
  name: pulumi.Input<string>;
  config: pulumi.Input<Record<string, unknown>>;
  trainingJobDefinition: pulumi.Input<Record<string, unknown>>;
  tags?: Readonly<Record<string, string>>;
}

/** A hyperparameter tuning job, started by the first `up` that declares it. */
export class TuningJob extends JobResource {
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: TuningJobArgs, opts?: pulumi.CustomResourceOptions) {
    super(tuningJobProvider, name, args, opts, "TuningJob");
  }
}
