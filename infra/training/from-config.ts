// The training run a stack's config asks for, as the plain arguments of the TrainingRun component.
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { frameworkImageUri } from "../images";
import { BUCKET_LAYOUT } from "../naming";
import type { TrainingRunArgs } from "./training-run";

export interface TrainingDeps {
  /** Project root holding training/. */
  root: string;
  /** Job names start with this. */
  jobPrefix: string;
  roleArn: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
  dependsOn?: pulumi.Resource[];
}

/** Where the jobs write their models, under the bucket's models/ prefix. */
export const JOB_OUTPUT_PREFIX = `${BUCKET_LAYOUT.models}jobs/`;

/** The hyperparameters the config sets, the same for the jobs and the EC2 host. */
export function trainingHyperparameters(config: StackConfig) {
  return {
    epochs: config.trainingEpochs,
    batchSize: config.trainingBatchSize,
    learningRate: config.trainingLearningRate,
    arch: config.trainingArch,
    pretrained: config.trainingPretrained,
  };
}

/** TrainingRun arguments for a stack whose trainingMode is train or tune. */
export function trainingRunArgs(config: StackConfig, deps: TrainingDeps): TrainingRunArgs {
  if (config.trainingMode === "none") {
    throw new Error("trainingMode is none: the stack deploys modelArtifactUri and runs no job");
  }
  return {
    mode: config.trainingMode,
    jobPrefix: deps.jobPrefix,
    region: config.region,
    roleArn: deps.roleArn,
    bucketName: deps.bucketName,
    kmsKeyArn: deps.kmsKeyArn,
    imageUri: frameworkImageUri({
      region: config.region,
      scope: "training",
      frameworkVersion: config.trainingFrameworkVersion,
      pythonVersion: config.trainingPythonVersion,
      instanceType: config.trainingInstanceType,
    }),
    codeDir: path.join(deps.root, "training"),
    metricDefinitionsFile: path.join(deps.root, "training", "metric_definitions.json"),
    prefixes: {
      code: BUCKET_LAYOUT.code,
      data: config.trainingDataPrefix,
      models: JOB_OUTPUT_PREFIX,
      checkpoints: BUCKET_LAYOUT.checkpoints,
    },
    hyperparameters: trainingHyperparameters(config),
    instanceType: config.trainingInstanceType,
    instanceCount: config.trainingInstanceCount,
    volumeSizeGb: config.trainingVolumeSizeGb,
    stopping: {
      spot: config.trainingUseSpot,
      maxRuntimeSeconds: config.trainingMaxRuntimeSeconds,
      maxWaitSeconds: config.trainingMaxWaitSeconds,
    },
    tuning:
      config.trainingMode === "tune"
        ? {
            ranges: {
              learningRate: config.tuningLearningRateRange,
              batchSizes: config.tuningBatchSizeValues,
              epochs: config.tuningEpochsRange,
            },
            objectiveMetric: config.tuningObjectiveMetric,
            objectiveType: config.tuningObjectiveType as "Maximize" | "Minimize",
            maxJobs: config.tuningMaxJobs,
            maxParallelJobs: config.tuningMaxParallelJobs,
            earlyStopping: config.tuningEarlyStopping,
          }
        : undefined,
    dependsOn: deps.dependsOn,
  };
}
