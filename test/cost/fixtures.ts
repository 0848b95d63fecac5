// Resource graphs in the shape a recorded stack run gives (type, name, URN, inputs, outputs), small
// enough to compute their cost by hand.
import type { ResourceLike } from "../../cost/estimate";
import { USAGE_DEFAULTS, Usage } from "../../cost/usage";
import { TYPES } from "../../shared/resource-types";

export function urn(stack: string, type: string, name: string, parentType?: string): string {
  const t = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::dog-breed-classifier::${t}::${name}`;
}

export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  opts: { stack?: string; parent?: ResourceLike; outputs?: Record<string, unknown> } = {},
): ResourceLike {
  const stack = opts.stack ?? "dev";
  return {
    type,
    name,
    urn: urn(stack, type, name, opts.parent?.type),
    inputs,
    outputs: { ...inputs, ...(opts.outputs ?? {}) },
    ...(opts.parent ? { parent: opts.parent.urn } : {}),
  };
}

/** Usage with every figure at Pulumi.yaml's defaults, training off. */
export function usage(overrides: Partial<Usage> = {}): Usage {
  return { ...USAGE_DEFAULTS, training: { ...USAGE_DEFAULTS.training }, ...overrides };
}

export const T = {
  notebook: "aws:sagemaker/notebookInstance:NotebookInstance",
  ec2: "aws:ec2/instance:Instance",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  target: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  fn: "aws:lambda/function:Function",
  pc: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
  bucket: "aws:s3/bucket:Bucket",
  kms: "aws:kms/key:Key",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  trainingJob: TYPES.trainingJob,
  tuningJob: TYPES.tuningJob,
  budget: "aws:budgets/budget:Budget",
  role: "aws:iam/role:Role",
} as const;

/** An instance-based endpoint with autoscaling from `min` to `max` instances. */
export function instanceEndpoint(
  stack: string,
  type: string,
  min: number,
  max: number,
  extra: Record<string, unknown> = {},
): ResourceLike[] {
  return [
    res(
      T.endpointConfig,
      "model-config",
      {
        name: `dbc-${stack}-config`,
        productionVariants: [
          { variantName: "AllTraffic", instanceType: type, initialInstanceCount: min },
        ],
        ...extra,
      },
      { stack },
    ),
    res(
      T.endpoint,
      "model-endpoint",
      { name: `dbc-${stack}-endpoint`, endpointConfigName: `dbc-${stack}-config` },
      { stack },
    ),
    res(
      T.target,
      "model-scaling-target",
      {
        resourceId: `endpoint/dbc-${stack}-endpoint/variant/AllTraffic`,
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        serviceNamespace: "sagemaker",
        minCapacity: min,
        maxCapacity: max,
      },
      { stack },
    ),
  ];
}

/** A serverless endpoint with `memoryMb` of memory. */
export function serverlessEndpoint(stack: string, memoryMb: number): ResourceLike[] {
  return [
    res(
      T.endpointConfig,
      "model-config",
      {
        name: `dbc-${stack}-config`,
        productionVariants: [
          {
            variantName: "AllTraffic",
            serverlessConfig: { memorySizeInMb: memoryMb, maxConcurrency: 5 },
          },
        ],
      },
      { stack },
    ),
    res(
      T.endpoint,
      "model-endpoint",
      { name: `dbc-${stack}-endpoint`, endpointConfigName: `dbc-${stack}-config` },
      { stack },
    ),
  ];
}

/** A Lambda function with `memoryMb` on arm64, and provisioned concurrency when `provisioned` > 0. */
export function lambda(stack: string, memoryMb: number, provisioned = 0): ResourceLike[] {
  const fn = res(
    T.fn,
    "classifier",
    {
      name: `dbc-${stack}-classifier`,
      memorySize: memoryMb,
      architectures: ["arm64"],
      reservedConcurrentExecutions: 5,
    },
    { stack },
  );
  return provisioned > 0
    ? [
        fn,
        res(
          T.pc,
          "classifier-live-pc",
          {
            functionName: `dbc-${stack}-classifier`,
            qualifier: "live",
            provisionedConcurrentExecutions: provisioned,
          },
          { stack },
        ),
      ]
    : [fn];
}
