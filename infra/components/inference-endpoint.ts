// The model, its endpoint configuration (serverless or instance-based variant) and the endpoint,
// with the 5XX and latency alarms that watch it and roll back blue/green deployments.
import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hasLocalNvmeStorage } from "../../shared/aws-facts";
import { EndpointCheck } from "./endpoint-check";

export const VARIANT_NAME = "AllTraffic";

export type VariantSpec =
  | { kind: "serverless"; memoryMb: number; maxConcurrency: number }
  | { kind: "instance"; instanceType: string; initialInstanceCount: number };

export interface InferenceEndpointArgs {
  /** Model name from a fingerprint of what the model is made of (models are immutable). */
  modelName: (fingerprint: string) => string;
  endpointName: string;
  /** Endpoint configurations are immutable: each change makes a new one with this prefix. */
  endpointConfigPrefix: string;
  imageUri: string;
  /** `s3://.../model.tar.gz`. */
  modelDataUrl: pulumi.Input<string>;
  executionRoleArn: pulumi.Input<string>;
  variant: VariantSpec;
  /** Instance-based only: no network for the model container. */
  networkIsolation: boolean;
  /** Instance-based only: KMS key for the instance storage volume and captured data. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Instance-based only: capture requests and responses to this S3 prefix. */
  dataCapture?: { destinationS3Uri: pulumi.Input<string>; samplingPercent: number };
  /** Instance-based only: blue/green with a canary of whole instances, rolled back on the alarms. */
  blueGreen?: { canaryInstances: number; bakeSeconds: number };
  alarms: {
    errorAlarmName: string;
    errorsPerMinute: number;
    latencyAlarmName: string;
    latencyMs: number;
  };
}

/**
 * How long the post-deploy check waits for a settling endpoint, and how often it looks. The
 * provider's own update already waits for InService, so the check usually reads a settled
 * endpoint at once; the limit covers one still updating (SystemUpdating, or another update).
 */
export const ENDPOINT_CHECK_WAIT = { timeoutSeconds: 1800, pollSeconds: 30 } as const;

/**
 * Whether the hosting instance takes a KMS key for its storage volume. Instance types with local
 * NVMe storage (the `d` families such as ml.m5d or ml.g4dn, and g5, g6, p5, trn1) encrypt it in
 * hardware, and CreateEndpointConfig rejects a KmsKeyId for them
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html#sagemaker-CreateEndpointConfig-request-KmsKeyId,
 * instance store families: https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-store-volumes.html).
 */
export function takesVolumeKmsKey(instanceType: string): boolean {
  return !hasLocalNvmeStorage(instanceType);
}

/** A short digest of the model's parts, so that a change yields a new model name. */
export function modelFingerprint(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 8);
}

export class InferenceEndpoint extends pulumi.ComponentResource {
  readonly model: aws.sagemaker.Model;
  readonly endpointConfig: aws.sagemaker.EndpointConfiguration;
  readonly endpoint: aws.sagemaker.Endpoint;
  /** Fails the `up` unless the endpoint ends InService on `endpointConfig`. */
  readonly check: EndpointCheck;
  readonly endpointName: pulumi.Output<string>;
  readonly endpointArn: pulumi.Output<string>;
  readonly variantName = VARIANT_NAME;

  constructor(name: string, args: InferenceEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:sagemaker:InferenceEndpoint", name, {}, opts);
    const parent = { parent: this };
    const instance = args.variant.kind === "instance" ? args.variant : undefined;
    const serverless = args.variant.kind === "serverless" ? args.variant : undefined;
    if (!instance && (args.networkIsolation || args.dataCapture || args.blueGreen)) {
      throw new Error(
        `${name}: network isolation, data capture and blue/green deployment need an instance-based variant`,
      );
    }

    const environment = {
      // The inference functions ship inside model.tar.gz under code/, which the PyTorch serving
      // container loads from the model directory (no download at start, so isolation works).
      SAGEMAKER_PROGRAM: "inference.py",
      SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
      SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
    };
    const modelName = pulumi
      .all([args.modelDataUrl, args.executionRoleArn])
      .apply(([data, role]) =>
        args.modelName(
          modelFingerprint([args.imageUri, data, role, args.networkIsolation, environment]),
        ),
      );

    this.model = new aws.sagemaker.Model(
      `${name}-model`,
      {
        name: modelName,
        executionRoleArn: args.executionRoleArn,
        enableNetworkIsolation: instance !== undefined && args.networkIsolation,
        primaryContainer: {
          image: args.imageUri,
          modelDataUrl: args.modelDataUrl,
          mode: "SingleModel",
          environment,
        },
      },
      // Superseded models and configurations stay in the account (see the endpoint
      // configuration below and the README's operations section).
      { ...parent, retainOnDelete: true },
    );

    this.endpointConfig = new aws.sagemaker.EndpointConfiguration(
      `${name}-config`,
      {
        namePrefix: args.endpointConfigPrefix,
        // Serverless variants accept no KMS key for storage; instance-based ones encrypt with it
        // unless their local storage is encrypted in hardware.
        kmsKeyArn:
          instance && takesVolumeKmsKey(instance.instanceType) ? args.kmsKeyArn : undefined,
        productionVariants: [
          instance !== undefined
            ? {
                variantName: VARIANT_NAME,
                modelName: this.model.name,
                instanceType: instance.instanceType,
                initialInstanceCount: instance.initialInstanceCount,
                initialVariantWeight: 1,
              }
            : {
                variantName: VARIANT_NAME,
                modelName: this.model.name,
                serverlessConfig: {
                  memorySizeInMb: serverless?.memoryMb ?? 0,
                  maxConcurrency: serverless?.maxConcurrency ?? 0,
                },
              },
        ],
        dataCaptureConfig: args.dataCapture
          ? {
              enableCapture: true,
              initialSamplingPercentage: args.dataCapture.samplingPercent,
              destinationS3Uri: args.dataCapture.destinationS3Uri,
              kmsKeyId: args.kmsKeyArn,
              captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
              captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
            }
          : undefined,
      },
      {
        ...parent,
        // A superseded configuration (and its model) is never deleted by the program: when an
        // update rolls back, the endpoint keeps serving it, while the provider records the new one
        // (hashicorp/terraform-provider-aws#48997, #46663). Deleting it would break the endpoint
        // and fail the next update with "Could not find endpoint configuration".
        retainOnDelete: true,
        // With deletion a no-op, replacing delete-first costs nothing, and it makes the engine
        // remove the scalable target, which depends on this configuration, before the endpoint
        // update: UpdateEndpoint fails when it would change the instance type of a variant that
        // is an autoscaling target
        // (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html).
        // The engine deletes the dependents of a delete-first replacement before it and creates
        // them again when the program registers them, after the endpoint update (the order
        // pulumi/pulumi's tests/integration/delete_before_create pins down).
        deleteBeforeReplace: true,
      },
    );

    // Alarms on the endpoint's variant (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html):
    // ModelLatency is reported in microseconds.
    const dimensions = { EndpointName: args.endpointName, VariantName: VARIANT_NAME };
    const errorAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-5xx-alarm`,
      {
        name: args.alarms.errorAlarmName,
        alarmDescription: `5XX errors of endpoint ${args.endpointName}`,
        namespace: "AWS/SageMaker",
        metricName: "Invocation5XXErrors",
        dimensions,
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: args.alarms.errorsPerMinute,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
      },
      parent,
    );
    const latencyAlarm = new aws.cloudwatch.MetricAlarm(
      `${name}-latency-alarm`,
      {
        name: args.alarms.latencyAlarmName,
        alarmDescription: `Average model latency of endpoint ${args.endpointName} above ${args.alarms.latencyMs} ms`,
        namespace: "AWS/SageMaker",
        metricName: "ModelLatency",
        dimensions,
        statistic: "Average",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: args.alarms.latencyMs * 1000,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      },
      parent,
    );

    this.endpoint = new aws.sagemaker.Endpoint(
      `${name}-endpoint`,
      {
        name: args.endpointName,
        endpointConfigName: this.endpointConfig.name,
        deploymentConfig: args.blueGreen
          ? {
              blueGreenUpdatePolicy: {
                trafficRoutingConfiguration: {
                  type: "CANARY",
                  canarySize: { type: "INSTANCE_COUNT", value: args.blueGreen.canaryInstances },
                  waitIntervalInSeconds: args.blueGreen.bakeSeconds,
                },
                terminationWaitInSeconds: 300,
              },
              autoRollbackConfiguration: {
                alarms: [{ alarmName: errorAlarm.name }, { alarmName: latencyAlarm.name }],
              },
            }
          : undefined,
      },
      parent,
    );

    this.check = new EndpointCheck(
      `${name}-check`,
      {
        endpointName: this.endpoint.name,
        endpointArn: this.endpoint.arn,
        endpointConfigName: this.endpoint.endpointConfigName,
        ...ENDPOINT_CHECK_WAIT,
      },
      parent,
    );

    this.endpointName = this.endpoint.name;
    this.endpointArn = this.endpoint.arn;
    this.registerOutputs({ endpointName: this.endpointName, endpointArn: this.endpointArn });
  }
}
