// The post-deploy check of an endpoint, as a resource: created with the endpoint and updated with
// every change of its configuration, it fails the `up` unless the endpoint is InService on the
// declared configuration (see endpoint-check-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { endpointCheckProvider } from "./endpoint-check-provider";

export interface EndpointCheckArgs {
  endpointName: pulumi.Input<string>;
  /** The endpoint's ARN; its region is where the check looks. */
  endpointArn: pulumi.Input<string>;
  /** The configuration the endpoint must serve once the update is done. */
  endpointConfigName: pulumi.Input<string>;
  /** Give up waiting for a settling endpoint after this many seconds. */
  timeoutSeconds: number;
  /** Seconds between two DescribeEndpoint calls while it settles. */
  pollSeconds: number;
}

export class EndpointCheck extends pulumi.dynamic.Resource {
  /** The endpoint's status when it passed: InService. */
  declare readonly endpointStatus: pulumi.Output<string>;

  constructor(name: string, args: EndpointCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      endpointCheckProvider,
      name,
      { ...args, endpointStatus: undefined },
      opts,
      "sagemaker",
      "EndpointCheck",
    );
  }
}
