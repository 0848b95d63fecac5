// Dynamic provider that checks, after each endpoint update, that the endpoint serves the endpoint
// configuration the program declared. When blue/green auto-rollback (on the program's alarms) or
// a failed health check returns the endpoint to its previous configuration, the AWS provider still
// records the update as a success (hashicorp/terraform-provider-aws#48997 and #46663, both open);
// this resource turns that into a failed `pulumi up` with the reason.
//
// Like the job artifact provider, Pulumi serializes it into the stack state and runs it from
// there (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/): the module stays
// self-contained, and the SDK is required inside the function that builds the client. It only
// ever calls DescribeEndpoint.
import type * as pulumi from "@pulumi/pulumi";
import type { DescribeEndpointCommandOutput, SageMakerClient } from "@aws-sdk/client-sagemaker";

/** Inputs of the check. */
export interface EndpointCheckInputs {
  endpointName: string;
  /** The endpoint's ARN; the check describes the endpoint in the ARN's region. */
  endpointArn: string;
  /** The endpoint configuration the program declared for the endpoint. */
  endpointConfigName: string;
  /** Give up waiting for a settling endpoint after this many seconds. */
  timeoutSeconds: number;
  /** Seconds between two DescribeEndpoint calls while the endpoint settles. */
  pollSeconds: number;
}

/** Outputs: the inputs plus what the endpoint reported when it passed. */
export interface EndpointCheckOutputs extends EndpointCheckInputs {
  endpointStatus: string;
}

/** The one read-only call the check makes; the SageMaker client answers it in practice. */
export interface EndpointDescriber {
  describeEndpoint(name: string): Promise<DescribeEndpointCommandOutput>;
}

/** A SageMaker client for `region`, with the SDK's usual credentials and endpoint settings. */
export function sagemakerEndpointDescriber(region: string): EndpointDescriber {
  // Required here, not at the top: the serialized provider loads the SDK only when it runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-sagemaker") as typeof import("@aws-sdk/client-sagemaker");
  const client: SageMakerClient = new sdk.SageMakerClient({ region });
  return {
    describeEndpoint: (name) =>
      client.send(new sdk.DescribeEndpointCommand({ EndpointName: name })),
  };
}

/** `arn:<partition>:sagemaker:<region>:<account>:endpoint/<name>` -> region. */
export function regionOfArn(arn: string): string {
  const region = arn.split(":")[3];
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region ?? "")) {
    throw new Error(`endpointArn ${JSON.stringify(arn)} names no region`);
  }
  return region;
}

// Endpoint states: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html#sagemaker-DescribeEndpoint-response-EndpointStatus
// Transitional ones end by themselves; the rest need someone to act.
const SETTLING = ["Creating", "Updating", "SystemUpdating", "RollingBack"];
const BROKEN: Record<string, string> = {
  Failed:
    "the endpoint could not be created or updated; SageMaker accepts only DeleteEndpoint on it",
  UpdateRollbackFailed:
    "both the update and its automatic rollback failed, so the endpoint serves a mix of the old and the new configuration",
  OutOfService: "the endpoint takes no requests",
  Deleting: "the endpoint is being deleted",
};

function reasonOf(d: DescribeEndpointCommandOutput): string {
  return d.FailureReason ? ` SageMaker's reason: "${d.FailureReason}".` : "";
}

/**
 * Reads the endpoint until it has settled and returns its description when it is InService on
 * the declared configuration. Throws a message for the person running `pulumi up` when the
 * endpoint rolled back to another configuration, is in a state that needs action, or does not
 * settle within the time limit.
 */
export async function checkEndpoint(
  inputs: EndpointCheckInputs,
  api: EndpointDescriber,
): Promise<DescribeEndpointCommandOutput> {
  const name = inputs.endpointName;
  const declared = inputs.endpointConfigName;
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  for (;;) {
    const d = await api.describeEndpoint(name);
    const status = d.EndpointStatus ?? "Unknown";
    const serving = d.EndpointConfigName ?? "no configuration";
    if (status === "InService") {
      if (serving === declared) return d;
      throw new Error(
        `SageMaker endpoint ${name} rolled back: it is InService on endpoint configuration ` +
          `${serving}, not on ${declared} that this update deployed.${reasonOf(d)} ` +
          `The endpoint keeps serving ${serving}; that configuration and its model stay in place. ` +
          "Find the cause in the endpoint's CloudWatch logs and alarms, fix it, and run " +
          "`pulumi up` again.",
      );
    }
    if (status in BROKEN) {
      throw new Error(
        `SageMaker endpoint ${name} is ${status} on endpoint configuration ${serving} ` +
          `(declared: ${declared}): ${BROKEN[status]}.${reasonOf(d)}`,
      );
    }
    if (!SETTLING.includes(status)) {
      throw new Error(`SageMaker endpoint ${name} is in an unexpected state: ${status}`);
    }
    if (Date.now() + inputs.pollSeconds * 1000 > deadline) {
      throw new Error(
        `SageMaker endpoint ${name} is still ${status} after ${inputs.timeoutSeconds} s ` +
          `(declared configuration: ${declared}); run \`pulumi up\` again to check it once it settles`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, inputs.pollSeconds * 1000));
  }
}

function checkInputs(i: EndpointCheckInputs): void {
  if (!i.endpointName) throw new Error("endpointName is required");
  if (!i.endpointConfigName) throw new Error("endpointConfigName is required");
  regionOfArn(i.endpointArn ?? "");
  if (!(i.timeoutSeconds > 0))
    throw new Error(`timeoutSeconds must be > 0, got ${i.timeoutSeconds}`);
  if (!(i.pollSeconds > 0)) throw new Error(`pollSeconds must be > 0, got ${i.pollSeconds}`);
}

async function run(inputs: EndpointCheckInputs): Promise<EndpointCheckOutputs> {
  checkInputs(inputs);
  const d = await checkEndpoint(
    inputs,
    sagemakerEndpointDescriber(regionOfArn(inputs.endpointArn)),
  );
  return { ...inputs, endpointStatus: d.EndpointStatus ?? "InService" };
}

const KEYS = [
  "endpointName",
  "endpointArn",
  "endpointConfigName",
  "timeoutSeconds",
  "pollSeconds",
] as const;

/** The provider object Pulumi serializes (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/). */
export const endpointCheckProvider: pulumi.dynamic.ResourceProvider<
  EndpointCheckInputs,
  EndpointCheckOutputs
> = {
  async create(inputs: EndpointCheckInputs) {
    return { id: inputs.endpointName, outs: await run(inputs) };
  },

  async diff(_id: string, olds: EndpointCheckOutputs, news: EndpointCheckInputs) {
    // Any change, in particular a new endpoint configuration, means another check; nothing is
    // ever replaced, since the check owns nothing in the cloud.
    const changed = KEYS.some((k) => olds[k] !== news[k]);
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },

  async update(_id: string, _olds: EndpointCheckOutputs, news: EndpointCheckInputs) {
    return { outs: await run(news) };
  },

  async read(id: string, props?: EndpointCheckOutputs) {
    // Refresh: record the configuration the endpoint really serves, so that the next `up` checks
    // again when it differs from the declared one.
    if (props === undefined) return { id };
    let d: DescribeEndpointCommandOutput;
    try {
      d = await sagemakerEndpointDescriber(regionOfArn(props.endpointArn)).describeEndpoint(
        props.endpointName,
      );
    } catch (error) {
      // No endpoint, nothing to check: a blank id tells the engine the resource is gone.
      if (/^Could not find endpoint/.test(String((error as Error).message))) return {};
      throw error;
    }
    return {
      id,
      props: {
        ...props,
        endpointConfigName: d.EndpointConfigName ?? props.endpointConfigName,
        endpointStatus: d.EndpointStatus ?? props.endpointStatus,
      },
    };
  },

  async delete() {
    // Nothing to remove: the check owns nothing in the cloud.
  },
};
