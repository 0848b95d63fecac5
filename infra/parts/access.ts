// Access: one IAM role per principal (training jobs, notebook, EC2 host, model, Lambda), each with
// the inline policy its documents in iam/policies.ts grant and nothing more.
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "../components/service-role";
import {
  lambdaPolicy,
  modelPolicy,
  notebookPolicy,
  serviceTrustPolicy,
  trainingHostPolicy,
  trainingPolicy,
} from "../iam/policies";
import { frameworkRepositoryArn } from "../images";
import { BUCKET_LAYOUT } from "../naming";
import type { StackContext } from "./context";

/** The role of training and tuning jobs; the notebook passes it too, so either needs it. */
export function trainingRole(ctx: StackContext): ServiceRole | undefined {
  const { config, names, env, bucket, kmsKeyArn } = ctx;
  if (config.trainingMode === "none" && !config.notebookEnabled) return undefined;
  return new ServiceRole(
    "training-role",
    {
      roleName: names.trainingRole,
      description: "SageMaker training and tuning jobs of the dog-breed classifier",
      trustPolicy: ctx.sagemakerTrust,
      policy: pulumi.all([env, bucket, kmsKeyArn]).apply(([e, b, k]) =>
        trainingPolicy({
          env: e,
          bucket: b,
          prefixes: BUCKET_LAYOUT,
          imageRepositoryArn: frameworkRepositoryArn(config.region, "training"),
          kmsKeyArn: k,
        }),
      ),
    },
    ctx.withProvider,
  );
}

/** The notebook's role: data, jobs run as the training role, and the stack's endpoint. */
export function notebookRole(
  ctx: StackContext,
  training: ServiceRole | undefined,
): ServiceRole | undefined {
  const { config, names, env, bucket, kmsKeyArn } = ctx;
  if (!config.notebookEnabled || !training) return undefined;
  return new ServiceRole(
    "notebook-role",
    {
      roleName: names.notebookRole,
      description: "SageMaker notebook instance of the dog-breed classifier",
      // SageMaker does not document source conditions for notebook instances.
      trustPolicy: serviceTrustPolicy("sagemaker.amazonaws.com"),
      policy: pulumi.all([env, bucket, kmsKeyArn, training.arn]).apply(([e, b, k, t]) =>
        notebookPolicy({
          env: e,
          bucket: b,
          prefixes: BUCKET_LAYOUT,
          notebookName: names.notebook,
          jobPrefix: names.jobPrefix,
          trainingRoleArn: t,
          endpointName: names.endpoint,
          kmsKeyArn: k,
        }),
      ),
    },
    ctx.withProvider,
  );
}

/** The EC2 training host's role and instance profile (ec2Enabled). */
export function trainingHostRole(ctx: StackContext): ServiceRole | undefined {
  const { config, names, env, bucket, kmsKeyArn } = ctx;
  if (!config.ec2Enabled) return undefined;
  return new ServiceRole(
    "training-host-role",
    {
      roleName: names.trainingHostRole,
      description: "EC2 training host of the dog-breed classifier",
      trustPolicy: serviceTrustPolicy("ec2.amazonaws.com"),
      policy: pulumi.all([env, bucket, kmsKeyArn]).apply(([e, b, k]) =>
        trainingHostPolicy({
          env: e,
          bucket: b,
          // The host reads the dataset the jobs read, and nothing else under data/.
          prefixes: {
            data: config.trainingDataPrefix,
            code: BUCKET_LAYOUT.hostCode,
            output: BUCKET_LAYOUT.hostModels,
          },
          kmsKeyArn: k,
        }),
      ),
      instanceProfile: true,
    },
    ctx.withProvider,
  );
}

/**
 * The model's role: the served and retained releases, the inference image, with capture on its
 * prefix, and with blue/green the rollback alarms.
 */
export function modelRole(
  ctx: StackContext,
  releases: pulumi.Input<string>[],
  captureOn: boolean,
  rollbackAlarms: boolean,
): ServiceRole {
  const { config, names, env, bucket, kmsKeyArn } = ctx;
  return new ServiceRole(
    "model-role",
    {
      roleName: names.modelRole,
      description: "SageMaker model and endpoint of the dog-breed classifier",
      trustPolicy: ctx.sagemakerTrust,
      policy: pulumi.all([env, bucket, kmsKeyArn, pulumi.all(releases)]).apply(([e, b, k, r]) =>
        modelPolicy({
          env: e,
          releases: r,
          imageRepositoryArn: frameworkRepositoryArn(config.region, "inference"),
          endpointName: names.endpoint,
          rollbackAlarmNames: rollbackAlarms ? [names.errorAlarm, names.latencyAlarm] : undefined,
          capture: captureOn ? { bucket: b, prefix: BUCKET_LAYOUT.capture } : undefined,
          kmsKeyArn: k,
        }),
      ),
    },
    ctx.withProvider,
  );
}

/** The Lambda function's role: its log group and InvokeEndpoint on the stack's endpoint. */
export function lambdaRole(ctx: StackContext): ServiceRole {
  const { names, env } = ctx;
  return new ServiceRole(
    "lambda-role",
    {
      roleName: names.lambdaRole,
      description: "Lambda function in front of the dog-breed classifier endpoint",
      trustPolicy: serviceTrustPolicy("lambda.amazonaws.com"),
      policy: env.apply((e) =>
        lambdaPolicy({
          env: e,
          logGroupName: `/aws/lambda/${names.function}`,
          endpointName: names.endpoint,
        }),
      ),
    },
    ctx.withProvider,
  );
}
