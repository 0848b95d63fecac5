// Training: the training or tuning job, the model source the inference tier serves (the job's
// artifact, a configured one or a promoted copy), the notebook and the EC2 training host.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { ModelPromotion } from "../components/model-promotion";
import { Notebook } from "../components/notebook";
import type { ServiceRole } from "../components/service-role";
import { TrainingHost } from "../components/training-host";
import { JobReport, ModelSource, Waiting, trainingWaiting } from "../model-source";
import { valueOf } from "../output-value";
import { BUCKET_LAYOUT } from "../naming";
import {
  JOB_OUTPUT_PREFIX,
  trainingHyperparameters,
  trainingRunArgs,
} from "../training/from-config";
import { TrainingRun } from "../training/training-run";
import type { StackContext } from "./context";

/**
 * Where the deployed model's weights come from once its source exists (the promoted copy aside):
 * the job output that a training component passes in, or else the artifact named by
 * `modelArtifactUri`.
 */
export function deployedModelData(
  config: StackConfig,
  trainedModelData?: pulumi.Input<string>,
): pulumi.Input<string> {
  if (trainedModelData !== undefined) return trainedModelData;
  if (config.modelArtifactUri !== "") return config.modelArtifactUri;
  throw new Error(
    `trainingMode is ${config.trainingMode} but no training job output reaches the model: set ` +
      `dog-breed-classifier:modelArtifactUri to the artifact to deploy, or declare the training job`,
  );
}

/**
 * The training or tuning job (trainingMode train or tune), run as the training role once its
 * permissions are in place; the finished job's (best) model artifact is its output.
 */
export function trainingJob(
  ctx: StackContext,
  role: ServiceRole | undefined,
): TrainingRun | undefined {
  const { config } = ctx;
  if (config.trainingMode === "none" || !role) return undefined;
  return new TrainingRun(
    "training",
    {
      ...trainingRunArgs(config, {
        root: ctx.root,
        jobPrefix: ctx.names.jobPrefix,
        roleArn: role.arn,
        bucketName: ctx.bucket,
        kmsKeyArn: ctx.kmsKeyArn,
        dependsOn: [role],
      }),
      tags: config.tags,
    },
    ctx.withProvider,
  );
}

/** The model the inference tier serves, or why the stack waits for one. */
export interface ServedModel {
  /** Undefined while the stack has no model source: its inference tier then waits. */
  modelDataUrl?: pulumi.Input<string>;
  /**
   * Where the current model and the ones a rollback may return to live: the stack's releases
   * prefix (promotion), its jobs' output prefix (training), or the one configured artifact.
   */
  releases: pulumi.Input<string>[];
  waiting: Waiting[];
}

/**
 * The deployed model's weights, from this one place: the configured artifact, the output artifact
 * of the training or tuning job once it has completed, or the promoted copy in this stack's bucket.
 * A training stack reads its job's status as this `up` left it: the job runs on its own, and the
 * inference tier waits until an `up` finds it completed.
 */
export async function servedModel(
  ctx: StackContext,
  source: ModelSource,
  training: TrainingRun | undefined,
  data: pulumi.Resource,
): Promise<ServedModel> {
  const { config } = ctx;
  if (source.kind === "waiting") return { waiting: [source.waiting], releases: [] };
  if (source.kind === "training") {
    const releases = [pulumi.interpolate`s3://${ctx.bucket}/${JOB_OUTPUT_PREFIX}`];
    if (training === undefined) {
      return { modelDataUrl: deployedModelData(config), releases, waiting: [] };
    }
    const job = await valueOf(
      pulumi
        .all([
          training.jobName,
          training.status,
          training.startedAt,
          training.modelDataUrl,
          training.failureReason,
        ])
        .apply(([name, status, startedAt, modelDataUrl, failureReason]): JobReport => ({
          kind: training.kind,
          name,
          status,
          startedAt,
          modelDataUrl,
          failureReason,
        })),
    );
    const waiting = trainingWaiting(config.stack, job);
    if (waiting) return { releases, waiting: [waiting] };
    // The Output, not its value: the model depends on the job resource that reported it.
    return { modelDataUrl: training.modelDataUrl, releases, waiting: [] };
  }
  if (source.kind === "artifact") {
    // Only the configured artifact is known; an earlier value of modelArtifactUri is not.
    const uri = deployedModelData(config);
    return { modelDataUrl: uri, releases: [uri], waiting: [] };
  }
  const promotion = new ModelPromotion(
    "promotion",
    {
      sourceObject: source.object,
      etag: source.etag,
      bucketName: ctx.bucket,
      releasesPrefix: BUCKET_LAYOUT.releases,
      kmsKeyArn: ctx.kmsKeyArn,
    },
    // The copy lands once the bucket's encryption, ownership and policy are in place.
    { ...ctx.withProvider, dependsOn: [data] },
  );
  return {
    modelDataUrl: promotion.modelDataUrl,
    // Every promoted release stays in the bucket (retainOnDelete), for rollbacks.
    releases: [pulumi.interpolate`s3://${ctx.bucket}/${BUCKET_LAYOUT.releases}`],
    waiting: [],
  };
}

/** The SageMaker notebook instance for exploration (notebookEnabled). */
export function notebook(ctx: StackContext, role: ServiceRole | undefined): Notebook | undefined {
  const { config, names } = ctx;
  if (!config.notebookEnabled || !role) return undefined;
  return new Notebook(
    "notebook",
    {
      region: config.region,
      notebookName: names.notebook,
      lifecycleConfigName: names.notebookLifecycle,
      instanceType: config.notebookInstanceType,
      volumeSizeGb: config.notebookVolumeSizeGb,
      roleArn: role.arn,
      kmsKeyArn: ctx.kmsKeyArn,
      directInternetAccess: config.notebookDirectInternetAccess,
      subnetId: config.notebookSubnetId,
      rootAccess: config.notebookRootAccess,
      idleStopMinutes: config.notebookIdleStopMinutes,
    },
    ctx.withProvider,
  );
}

/** The EC2 training host, which trains once at boot and uploads the model (ec2Enabled). */
export function trainingHost(
  ctx: StackContext,
  role: ServiceRole | undefined,
): TrainingHost | undefined {
  const { config } = ctx;
  if (!config.ec2Enabled || !role?.instanceProfileName) return undefined;
  return new TrainingHost(
    "training-host",
    {
      region: config.region,
      hostName: ctx.names.trainingHost,
      volumeTags: config.tags,
      instanceType: config.ec2InstanceType,
      amiParameter: config.ec2AmiParameter,
      rootVolumeGb: config.ec2RootVolumeGb,
      subnetId: config.ec2SubnetId,
      instanceProfileName: role.instanceProfileName,
      bucketName: ctx.bucket,
      prefixes: {
        code: BUCKET_LAYOUT.hostCode,
        data: config.trainingDataPrefix,
        output: BUCKET_LAYOUT.hostModels,
      },
      codeDir: path.join(ctx.root, "training"),
      frameworkVersion: config.trainingFrameworkVersion,
      hyperparameters: trainingHyperparameters(config),
      kmsKeyArn: ctx.kmsKeyArn,
      stopAfterTraining: config.ec2StopAfterTraining,
    },
    ctx.withProvider,
  );
}
