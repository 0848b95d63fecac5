// Dynamic provider that checks, after each endpoint update, that the endpoint serves the endpoint
// configuration the program declared. When blue/green auto-rollback (on the program's alarms) or
// a failed health check returns the endpoint to its previous configuration, the AWS provider still
// records the update as a success (hashicorp/terraform-provider-aws#48997 and #46663, both open);
// this resource turns that into a failed `pulumi up` with the reason.
//
// After such a rollback the endpoint resource's state names the declared configuration while the
// endpoint serves the old one, so no later `up` would call UpdateEndpoint again. The check records
// the rollback in its own state (a partial failure, which the engine keeps with the resource), and
// the next `up` that still declares that configuration re-applies it with UpdateEndpoint, keeping
// the endpoint's blue/green deployment and alarms, then checks it as any update.
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
  /**
   * Set when SageMaker rolled the endpoint back from `endpointConfigName`: the configuration it
   * went back to. The next `up` that declares the same configuration deploys it again.
   */
  rolledBackTo?: string;
}

/** The calls the check makes; the SageMaker client answers them in practice. */
export interface EndpointDescriber {
  describeEndpoint(name: string): Promise<DescribeEndpointCommandOutput>;
  /** UpdateEndpoint to `configName`, reusing the endpoint's last deployment configuration. */
  redeploy(name: string, configName: string): Promise<void>;
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
    redeploy: async (name, configName) => {
      // RetainDeploymentConfig reuses the endpoint's blue/green policy and rollback alarms
      // (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpoint.html).
      await client.send(
        new sdk.UpdateEndpointCommand({
          EndpointName: name,
          EndpointConfigName: configName,
          RetainDeploymentConfig: true,
        }),
      );
    },
  };
}

/**
 * The error of a rolled-back update, shaped as the dynamic provider host reports a resource that
 * exists but failed to initialize (`id`, `properties`, `reasons`): the engine keeps `properties`
 * as the resource's state, so the next `up` knows the rollback happened.
 */
export class EndpointRolledBackError extends Error {
  readonly id: string;
  readonly properties: EndpointCheckOutputs;
  readonly reasons: string[];
  constructor(message: string, properties: EndpointCheckOutputs) {
    super(message);
    // Serialized into the dynamic-provider host, the class calls Error as a function, which
    // leaves `this` without a message: the engine would show an empty error.
    this.message = message;
    this.name = "EndpointRolledBackError";
    this.id = properties.endpointName;
    this.properties = properties;
    this.reasons = [message];
  }
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
      throw new EndpointRolledBackError(
        `SageMaker endpoint ${name} rolled back: it is InService on endpoint configuration ` +
          `${serving}, not on ${declared} that this update deployed.${reasonOf(d)} ` +
          `The endpoint keeps serving ${serving}; that configuration and its model stay in place. ` +
          "Find the cause in the endpoint's CloudWatch logs and alarms and fix it: the next " +
          `\`pulumi up\` deploys ${declared} again (blue/green, with the same alarms). To stay on ` +
          "the running model instead, revert the change that made this configuration (for a " +
          "promotion, the pin) and run `pulumi up`.",
        { ...inputs, endpointStatus: "RolledBack", rolledBackTo: serving },
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

/**
 * Deploys the declared configuration again when the previous `up` saw SageMaker roll it back and
 * nothing has updated the endpoint since (it still serves another configuration, InService), then
 * checks the endpoint as after any update.
 */
export async function checkOrRedeploy(
  inputs: EndpointCheckInputs,
  olds: EndpointCheckOutputs | undefined,
  api: EndpointDescriber,
): Promise<EndpointCheckOutputs> {
  checkInputs(inputs);
  const declared = inputs.endpointConfigName;
  if (olds?.rolledBackTo !== undefined && olds.endpointConfigName === declared) {
    const d = await api.describeEndpoint(inputs.endpointName);
    if (d.EndpointStatus === "InService" && d.EndpointConfigName !== declared) {
      await api.redeploy(inputs.endpointName, declared);
    }
  }
  const d = await checkEndpoint(inputs, api);
  return { ...inputs, endpointStatus: d.EndpointStatus ?? "InService" };
}

/** The provider over `describerFor`; the deployed one builds a SageMaker client per region. */
export function endpointCheckProviderWith(
  describerFor: (region: string) => EndpointDescriber,
): pulumi.dynamic.ResourceProvider<EndpointCheckInputs, EndpointCheckOutputs> {
  const run = (inputs: EndpointCheckInputs, olds?: EndpointCheckOutputs) => {
    checkInputs(inputs);
    return checkOrRedeploy(inputs, olds, describerFor(regionOfArn(inputs.endpointArn)));
  };
  return {
    async create(inputs: EndpointCheckInputs) {
      return { id: inputs.endpointName, outs: await run(inputs) };
    },

    async diff(_id: string, olds: EndpointCheckOutputs, news: EndpointCheckInputs) {
      // Any change, in particular a new endpoint configuration, means another check, and so does
      // a rollback recorded by the last `up`; nothing is ever replaced, since the check owns
      // nothing in the cloud.
      const changed = KEYS.some((k) => olds[k] !== news[k]) || olds.rolledBackTo !== undefined;
      return { changes: changed, replaces: [], deleteBeforeReplace: false };
    },

    async update(_id: string, olds: EndpointCheckOutputs, news: EndpointCheckInputs) {
      return { outs: await run(news, olds) };
    },

    async read(id: string, props?: EndpointCheckOutputs) {
      // Refresh: record the configuration the endpoint really serves, so that the next `up`
      // checks again when it differs from the declared one.
      if (props === undefined) return { id };
      let d: DescribeEndpointCommandOutput;
      try {
        d = await describerFor(regionOfArn(props.endpointArn)).describeEndpoint(props.endpointName);
      } catch (error) {
        // No endpoint, nothing to check: a blank id tells the engine the resource is gone.
        if (/^Could not find endpoint/.test(String((error as Error).message))) return {};
        throw error;
      }
      const { rolledBackTo: _recorded, ...rest } = props;
      return {
        id,
        props: {
          ...rest,
          endpointConfigName: d.EndpointConfigName ?? props.endpointConfigName,
          endpointStatus: d.EndpointStatus ?? props.endpointStatus,
        },
      };
    },

    async delete() {
      // Nothing to remove: the check owns nothing in the cloud.
    },
  };
}

const KEYS = [
  "endpointName",
  "endpointArn",
  "endpointConfigName",
  "timeoutSeconds",
  "pollSeconds",
] as const;

/** The provider object Pulumi serializes (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/). */
export const endpointCheckProvider = endpointCheckProviderWith(sagemakerEndpointDescriber);
