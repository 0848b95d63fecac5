// A training run of the classifier in SageMaker: the training code uploaded as `sourcedir.tar.gz`,
// one training job (`train`) or one hyperparameter tuning job (`tune`) on the framework image,
// and, once the job has completed, the model artifact it produced, which the deployed model takes.
//
// Jobs are immutable and their names unique, so every job is named after a digest of everything
// it is made of (code archive, data channel, hyperparameters or ranges, image, instances, limits,
// tags): a change to any of them is a new name, hence a new job, and an unchanged stack keeps its
// job. A job that failed or was stopped is retried by the next `pulumi up` as `<name>-<n>`.
//
// `pulumi up` starts the job and returns; the job runs on its own, and each later `up` reads its
// status (`status`, `startedAt`), until one finds it completed with its model (`modelDataUrl`).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { takesVolumeKmsKey } from "../components/inference-endpoint";
import { TrainingJob, TuningJob } from "./job";
import { JobName } from "./job-name";
import {
  CHECKPOINT_LOCAL_PATH,
  JOB_NAME_LIMITS,
  MetricDefinition,
  StoppingLimits,
  TRAINING_CHANNEL,
  TrainingHyperparameters,
  TuningRanges,
  digest,
  jobName,
  loadMetricDefinitions,
  parameterRanges,
  trainingJobHyperparameters,
  tuningStaticHyperparameters,
} from "./job-spec";
import { packSourceDir } from "./source-package";

export interface TuningSpec {
  ranges: TuningRanges;
  /** One of the metric definitions' names. */
  objectiveMetric: string;
  objectiveType: "Maximize" | "Minimize";
  maxJobs: number;
  maxParallelJobs: number;
  earlyStopping: "Auto" | "Off";
}

export interface TrainingRunArgs {
  /** `train`: one training job; `tune`: a tuning job whose best training job's model is kept. */
  mode: "train" | "tune";
  /** Job names start with this (letters, digits and hyphens). */
  jobPrefix: string;
  region: string;
  /** The training role SageMaker runs the jobs as. */
  roleArn: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
  /** The stack's KMS key, for job output and (where the instance takes one) training volumes. */
  kmsKeyArn?: pulumi.Input<string>;
  /** PyTorch training image URI. */
  imageUri: string;
  /** The training code folder (training/); packed without its tests. */
  codeDir: string;
  /** `training/metric_definitions.json`. */
  metricDefinitionsFile: string;
  /** Bucket prefixes, each ending in `/`: code archive, dataset channel, job output, checkpoints. */
  prefixes: { code: string; data: string; models: string; checkpoints: string };
  hyperparameters: TrainingHyperparameters;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  stopping: StoppingLimits;
  /** Required with mode `tune`. */
  tuning?: TuningSpec;
  /** What must exist before a job starts, such as the role's permissions. */
  dependsOn?: pulumi.Resource[];
  /**
   * The tags the job gets (the provider's default tags). A job's tags cannot change in place
   * here (any change replaces it), so they are part of its name.
   */
  tags?: Readonly<Record<string, string>>;
}

function check(name: string, args: TrainingRunArgs, metrics: MetricDefinition[]): void {
  const bad = (arg: string, why: string) => {
    throw new Error(`${name}: ${arg} ${why}`);
  };
  for (const [k, p] of Object.entries(args.prefixes)) {
    if (!/^([\w.-]+\/)+$/.test(p))
      bad(`prefixes.${k}`, `must be a bucket prefix ending in "/", got ${JSON.stringify(p)}`);
  }
  if (args.mode === "tune") {
    if (!args.tuning) bad("tuning", "is required when mode is tune");
    const names = metrics.map((m) => m.Name);
    if (!names.includes(args.tuning!.objectiveMetric)) {
      bad(
        "tuning.objectiveMetric",
        `${JSON.stringify(args.tuning!.objectiveMetric)} is not a metric the training code prints; use one of ${names.join(", ")}`,
      );
    }
  }
}

export class TrainingRun extends pulumi.ComponentResource {
  /** The uploaded code archive. */
  readonly source: aws.s3.BucketObjectv2;
  readonly trainingJob?: TrainingJob;
  readonly tuningJob?: TuningJob;
  /** `training` or `tuning`. */
  readonly kind: "training" | "tuning";
  /** Name of the training or tuning job. */
  readonly jobName: pulumi.Output<string>;
  /** Why the previous attempt of this job failed or stopped; empty for a first attempt. */
  readonly previousFailure: pulumi.Output<string>;
  /** The job's status as this `up` read it (InProgress, Completed, Failed, Stopped, ...). */
  readonly status: pulumi.Output<string>;
  /** When SageMaker created the job (ISO 8601). */
  readonly startedAt: pulumi.Output<string>;
  /** Why the job ended without a model; empty otherwise. */
  readonly failureReason: pulumi.Output<string>;
  /** `s3://.../model.tar.gz` of the trained (best) model once the job completed; empty before. */
  readonly modelDataUrl: pulumi.Output<string>;
  /** `s3://.../sourcedir-<hash>.tar.gz`. */
  readonly submitDirectory: pulumi.Output<string>;

  constructor(name: string, args: TrainingRunArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:sagemaker:TrainingRun", name, {}, opts);
    const parent = { parent: this };
    const metrics = loadMetricDefinitions(args.metricDefinitionsFile);
    check(name, args, metrics);
    const tune = args.mode === "tune";
    const pkg = packSourceDir(args.codeDir, args.prefixes.code);

    this.source = new aws.s3.BucketObjectv2(
      `${name}-source`,
      {
        bucket: args.bucketName,
        key: pkg.key,
        contentBase64: pkg.archive.toString("base64"),
        // Encrypted by the bucket's default encryption, like every object in it.
        contentType: "application/gzip",
      },
      parent,
    );

    const bucket = pulumi.output(args.bucketName);
    this.submitDirectory = pulumi.interpolate`s3://${bucket}/${pkg.key}`;
    const outputPath = pulumi.interpolate`s3://${bucket}/${args.prefixes.models}`;
    const channelUri = pulumi.interpolate`s3://${bucket}/${args.prefixes.data}`;
    const framework = {
      region: args.region,
      instanceType: args.instanceType,
      instanceCount: args.instanceCount,
    };

    const spot = args.stopping.spot;
    const stoppingCondition = {
      maxRuntimeInSeconds: args.stopping.maxRuntimeSeconds,
      // MaxWaitTimeInSeconds applies to spot training only, and must then be >= the run time.
      // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html
      ...(spot
        ? {
            maxWaitTimeInSeconds: Math.max(
              args.stopping.maxWaitSeconds,
              args.stopping.maxRuntimeSeconds,
            ),
          }
        : {}),
    };
    const volumeKey = takesVolumeKmsKey(args.instanceType) ? args.kmsKeyArn : undefined;
    const metricDefinitions = metrics.map((m) => ({ name: m.Name, regex: m.Regex }));
    const inputDataConfigs = channelUri.apply((s3Uri) => [
      {
        channelName: TRAINING_CHANNEL,
        inputMode: "File",
        dataSource: {
          s3DataSource: {
            s3DataType: "S3Prefix",
            s3Uri,
            s3DataDistributionType: "FullyReplicated",
          },
        },
      },
    ]);
    const resourceConfig = {
      instanceType: args.instanceType,
      instanceCount: args.instanceCount,
      volumeSizeInGb: args.volumeSizeGb,
      volumeKmsKeyId: volumeKey,
    };

    // Everything a job is made of; the role and key are included so a stack rebuilt with new ones
    // does not collide with an old job's name, and the tags because a tag change replaces the job
    // too (create before delete), which needs a new name: SageMaker never reuses a job's name.
    const identity = pulumi
      .all([bucket, args.roleArn, args.kmsKeyArn ?? ""])
      .apply(([b, role, key]) => ({
        mode: args.mode,
        code: pkg.sha256,
        data: `s3://${b}/${args.prefixes.data}`,
        output: `s3://${b}/${args.prefixes.models}`,
        checkpoints: args.prefixes.checkpoints,
        image: args.imageUri,
        hyperparameters: args.hyperparameters,
        tuning: tune ? args.tuning : undefined,
        instance: [args.instanceType, args.instanceCount, args.volumeSizeGb],
        stopping: args.stopping,
        metrics,
        role,
        key,
        region: args.region,
        ...(args.tags !== undefined ? { tags: args.tags } : {}),
      }));
    // The job's provider replaces it on any changed input (a job cannot be updated in place, and
    // a changed input already changes the name); the old job is stopped, if it still runs, once
    // the new one has started.
    const jobOpts: pulumi.CustomResourceOptions = {
      parent: this,
      dependsOn: [this.source, ...(args.dependsOn ?? [])],
    };

    // The base name leaves room for an attempt suffix within SageMaker's limit: `-99` for training
    // jobs; `-9` for tuning jobs, whose 32 characters also hold the stack prefix and a shorter digest.
    const limit = tune ? JOB_NAME_LIMITS.tuning : JOB_NAME_LIMITS.training;
    const allocated = new JobName(
      `${name}-name`,
      {
        base: identity.apply((i) =>
          jobName(args.jobPrefix, digest(i), tune ? limit - 2 : limit - 3, tune ? 5 : 12),
        ),
        kind: tune ? "tuning" : "training",
        region: args.region,
        maxLength: limit,
      },
      { parent: this },
    );
    this.previousFailure = allocated.previousFailure;
    this.kind = tune ? "tuning" : "training";
    const tags = args.tags !== undefined ? { ...args.tags } : undefined;

    let job: TrainingJob | TuningJob;
    if (!tune) {
      const trainingJobName = allocated.name;
      const hyperParameters = this.submitDirectory.apply((submitDirectory) =>
        trainingJobHyperparameters(args.hyperparameters, { ...framework, submitDirectory }),
      );
      this.trainingJob = new TrainingJob(
        `${name}-job`,
        {
          region: args.region,
          trainingJobName,
          roleArn: args.roleArn,
          algorithmSpecification: {
            trainingImage: args.imageUri,
            trainingInputMode: "File",
            metricDefinitions,
          },
          hyperParameters,
          inputDataConfigs,
          outputDataConfig: { s3OutputPath: outputPath, kmsKeyId: args.kmsKeyArn },
          resourceConfig,
          stoppingCondition,
          enableManagedSpotTraining: spot,
          // One checkpoint folder per job: a spot restart of this job resumes from it, and no
          // other job (which would have another name) ever reads it.
          checkpointConfig: spot
            ? {
                s3Uri: pulumi.interpolate`s3://${bucket}/${args.prefixes.checkpoints}${trainingJobName}/`,
                localPath: CHECKPOINT_LOCAL_PATH,
              }
            : undefined,
          tags,
        },
        jobOpts,
      );
      job = this.trainingJob;
      this.jobName = this.trainingJob.trainingJobName;
    } else {
      const t = args.tuning!;
      const tuningJobName = allocated.name;
      const staticHyperParameters = this.submitDirectory.apply((submitDirectory) =>
        tuningStaticHyperparameters(args.hyperparameters, { ...framework, submitDirectory }),
      );
      this.tuningJob = new TuningJob(
        `${name}-tuning`,
        {
          region: args.region,
          name: tuningJobName,
          config: {
            // Bayesian search, the API's default strategy, which supports early stopping.
            // https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-how-it-works.html
            strategy: "Bayesian",
            objective: { metricName: t.objectiveMetric, type: t.objectiveType },
            resourceLimits: {
              maxNumberOfTrainingJobs: t.maxJobs,
              maxParallelTrainingJobs: t.maxParallelJobs,
            },
            parameterRanges: parameterRanges(t.ranges),
            trainingJobEarlyStoppingType: t.earlyStopping,
          },
          trainingJobDefinition: {
            roleArn: args.roleArn,
            algorithmSpecification: {
              trainingImage: args.imageUri,
              trainingInputMode: "File",
              metricDefinitions,
            },
            staticHyperParameters,
            inputDataConfigs,
            outputDataConfig: { s3OutputPath: outputPath, kmsKeyId: args.kmsKeyArn },
            resourceConfig,
            stoppingCondition,
            enableManagedSpotTraining: spot,
            // One CheckpointConfig serves every trial, and the API reference promises no folder
            // per trial under it: the training code keeps each trial's checkpoints in a
            // subfolder named after the trial's training job, so a reclaimed spot trial resumes
            // its own weights (checkpoints/<tuning job>/<training job>/).
            checkpointConfig: spot
              ? {
                  s3Uri: pulumi.interpolate`s3://${bucket}/${args.prefixes.checkpoints}${tuningJobName}/`,
                  localPath: CHECKPOINT_LOCAL_PATH,
                }
              : undefined,
          },
          tags,
        },
        jobOpts,
      );
      job = this.tuningJob;
      this.jobName = this.tuningJob.name;
    }

    this.status = job.status;
    this.startedAt = job.startedAt;
    this.failureReason = job.failureReason;
    this.modelDataUrl = job.modelArtifactUri;
    this.registerOutputs({
      jobName: this.jobName,
      previousFailure: this.previousFailure,
      status: this.status,
      startedAt: this.startedAt,
      modelDataUrl: this.modelDataUrl,
      submitDirectory: this.submitDirectory,
    });
  }
}
