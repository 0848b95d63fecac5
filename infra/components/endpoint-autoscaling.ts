// Autoscaling of an instance-based endpoint variant: instance count between min and max, driven
// by target tracking on invocations per instance.
// https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EndpointAutoscalingArgs {
  endpointName: pulumi.Input<string>;
  /**
   * The endpoint configuration the endpoint is updated to. The scalable target depends on it, so
   * that a new configuration (replaced delete-first, see InferenceEndpoint) takes the target and
   * its policy down before the endpoint update and registers them again after it.
   */
  endpointConfigName: pulumi.Input<string>;
  variantName: string;
  minInstances: number;
  maxInstances: number;
  /** Invocations per instance per minute that the policy keeps the variant at. */
  targetInvocations: number;
  scaleInCooldownSeconds: number;
  scaleOutCooldownSeconds: number;
}

export class EndpointAutoscaling extends pulumi.ComponentResource {
  readonly target: aws.appautoscaling.Target;
  readonly policy: aws.appautoscaling.Policy;

  constructor(name: string, args: EndpointAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:sagemaker:EndpointAutoscaling", name, {}, opts);

    // Application Auto Scaling uses its SageMaker service-linked role, so no role is passed here.
    this.target = new aws.appautoscaling.Target(
      `${name}-target`,
      {
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        resourceId: pulumi
          .all([args.endpointName, args.endpointConfigName])
          .apply(([endpoint]) => `endpoint/${endpoint}/variant/${args.variantName}`),
        minCapacity: args.minInstances,
        maxCapacity: args.maxInstances,
      },
      { parent: this },
    );

    this.policy = new aws.appautoscaling.Policy(
      `${name}-policy`,
      {
        name: pulumi.interpolate`${args.endpointName}-invocations-per-instance`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.target.serviceNamespace,
        scalableDimension: this.target.scalableDimension,
        resourceId: this.target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: {
            predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
          },
          targetValue: args.targetInvocations,
          scaleInCooldown: args.scaleInCooldownSeconds,
          scaleOutCooldown: args.scaleOutCooldownSeconds,
        },
      },
      { parent: this },
    );

    this.registerOutputs({ resourceId: this.target.resourceId });
  }
}
