// The endpoint, configuration, scaling target and target-tracking policy of a production stack,
// shared by the autoscaling policy's tests.
import type { Fixture } from "./harness";

// The cap these cases were written against (production's default is 4, see MAX_INSTANCES).
export const CAP_6 = { maxInstances: { production: 6, default: 2 } };

export const ENDPOINT = "dog-breed-classifier-prod-endpoint";
export const RESOURCE_ID = `endpoint/${ENDPOINT}/variant/primary`;

export function endpointSet(): Fixture[] {
  return [
    {
      type: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      name: "inference-config",
      stack: "production",
      props: {
        name: "classifier-config",
        productionVariants: [
          { variantName: "primary", instanceType: "ml.m5.xlarge", initialInstanceCount: 2 },
        ],
      },
    },
    {
      type: "aws:sagemaker/endpoint:Endpoint",
      name: "inference-endpoint",
      stack: "production",
      props: { name: ENDPOINT, endpointConfigName: "classifier-config" },
    },
    target("inference-scaling-target", {}),
    {
      type: "aws:appautoscaling/policy:Policy",
      name: "inference-scaling-policy",
      stack: "production",
      props: {
        policyType: "TargetTrackingScaling",
        resourceId: RESOURCE_ID,
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        targetTrackingScalingPolicyConfiguration: {
          targetValue: 30,
          predefinedMetricSpecification: {
            predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
          },
        },
      },
    },
  ];
}

/** A SageMaker scalable target on the endpoint's variant, with `props` over its defaults. */
export function target(name: string, props: Record<string, unknown>): Fixture {
  return {
    type: "aws:appautoscaling/target:Target",
    name,
    stack: "production",
    props: {
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: RESOURCE_ID,
      minCapacity: 2,
      maxCapacity: 3,
      ...props,
    },
  };
}
