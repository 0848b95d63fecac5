// Inference: the model's and the function's roles, the model, endpoint configuration and endpoint
// (with autoscaling when asked), and the Lambda function in front of it. Declared only once a model
// exists to serve.
import * as pulumi from "@pulumi/pulumi";
import { INVOKE_ENDPOINT_MAX_BYTES, SERVERLESS_INVOKE_MAX_BYTES } from "../../shared/aws-limits";
import { ClassifierFunction } from "../components/classifier-function";
import { EndpointAutoscaling } from "../components/endpoint-autoscaling";
import { InferenceEndpoint } from "../components/inference-endpoint";
import { bundleHandler } from "../handler-bundle";
import { frameworkImageUri } from "../images";
import { BUCKET_LAYOUT } from "../naming";
import { lambdaRole, modelRole } from "./access";
import type { StackContext } from "./context";

/** The inference image of the stack's framework version, for its variant's kind. */
export function inferenceImage(ctx: StackContext): string {
  const { config } = ctx;
  return frameworkImageUri({
    region: config.region,
    scope: "inference",
    frameworkVersion: config.trainingFrameworkVersion,
    pythonVersion: config.trainingPythonVersion,
    instanceType: config.endpointServerless ? undefined : config.endpointInstanceType,
  });
}

/** What the inference tier adds to the stack's outputs. */
export interface InferenceOutputs {
  modelDataUrl: pulumi.Input<string>;
  endpointName: pulumi.Output<string>;
  endpointArn: pulumi.Output<string>;
  functionName: pulumi.Output<string>;
  aliasArn: pulumi.Output<string>;
  functionUrl?: pulumi.Output<string>;
  modelRoleArn: pulumi.Output<string>;
  lambdaRoleArn: pulumi.Output<string>;
}

/**
 * The inference tier serving `modelDataUrl` with `imageUri`; its model role reads `releases`,
 * the current model and those a rollback may return to.
 */
export function inferencePart(
  ctx: StackContext,
  modelDataUrl: pulumi.Input<string>,
  releases: pulumi.Input<string>[],
  imageUri: string,
): InferenceOutputs {
  const { config, names, bucket } = ctx;
  const serverless = config.endpointServerless;
  const captureOn = !serverless && config.endpointDataCapture;
  const blueGreen = !serverless && config.endpointBlueGreen;
  const model = modelRole(ctx, releases, captureOn, blueGreen);
  const fnRole = lambdaRole(ctx);

  // Model, endpoint configuration and endpoint.
  const inference = new InferenceEndpoint(
    "inference",
    {
      modelName: names.model,
      endpointName: names.endpoint,
      endpointConfigPrefix: names.endpointConfigPrefix,
      imageUri,
      modelDataUrl,
      executionRoleArn: model.arn,
      variant: serverless
        ? {
            kind: "serverless",
            memoryMb: config.endpointServerlessMemoryMb,
            maxConcurrency: config.endpointServerlessMaxConcurrency,
          }
        : {
            kind: "instance",
            instanceType: config.endpointInstanceType,
            initialInstanceCount: config.endpointInstanceCount,
          },
      networkIsolation: !serverless && config.endpointNetworkIsolation,
      kmsKeyArn: ctx.kmsKeyArn,
      dataCapture: captureOn
        ? {
            destinationS3Uri: pulumi.interpolate`s3://${bucket}/${BUCKET_LAYOUT.capture}`,
            samplingPercent: config.endpointDataCapturePercent,
          }
        : undefined,
      blueGreen: blueGreen
        ? {
            canaryInstances: config.endpointCanaryInstances,
            bakeSeconds: config.endpointBakeSeconds,
          }
        : undefined,
      alarms: {
        errorAlarmName: names.errorAlarm,
        errorsPerMinute: config.endpointErrorAlarmThreshold,
        latencyAlarmName: names.latencyAlarm,
        latencyMs: config.endpointLatencyAlarmMs,
      },
    },
    ctx.withProvider,
  );

  if (!serverless && config.endpointAutoscaling) {
    new EndpointAutoscaling(
      "autoscaling",
      {
        endpointName: inference.endpointName,
        endpointConfigName: inference.endpointConfig.name,
        variantName: inference.variantName,
        minInstances: config.endpointMinInstances,
        maxInstances: config.endpointMaxInstances,
        targetInvocations: config.endpointTargetInvocations,
        scaleInCooldownSeconds: config.endpointScaleInCooldownSeconds,
        scaleOutCooldownSeconds: config.endpointScaleOutCooldownSeconds,
      },
      ctx.withProvider,
    );
  }

  // Lambda function.
  const classifier = new ClassifierFunction(
    "classifier",
    {
      functionName: names.function,
      roleArn: fnRole.arn,
      // Built from handler/ when the bundle on disk is not built from the sources beside it.
      bundleDir: bundleHandler(ctx.root).bundleDir,
      runtime: config.lambdaRuntime,
      memoryMb: config.lambdaMemoryMb,
      timeoutSeconds: config.lambdaTimeoutSeconds,
      reservedConcurrency: config.lambdaReservedConcurrency,
      provisionedConcurrency: config.lambdaProvisionedConcurrency,
      functionUrl: config.lambdaFunctionUrl,
      urlInvokers: config.lambdaUrlInvokers,
      logRetentionDays: config.lambdaLogRetentionDays,
      environment: {
        ENDPOINT_NAME: inference.endpointName,
        TOP_K: String(config.lambdaTopK),
        // The largest request the endpoint takes: less behind a serverless endpoint.
        MAX_IMAGE_BYTES: String(
          serverless ? SERVERLESS_INVOKE_MAX_BYTES : INVOKE_ENDPOINT_MAX_BYTES,
        ),
      },
    },
    ctx.withProvider,
  );

  return {
    modelDataUrl,
    endpointName: inference.endpointName,
    endpointArn: inference.endpointArn,
    functionName: classifier.functionName,
    aliasArn: classifier.aliasArn,
    functionUrl: classifier.functionUrl,
    modelRoleArn: model.arn,
    lambdaRoleArn: fnRole.arn,
  };
}
