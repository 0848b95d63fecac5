// The post-deploy endpoint check against a local server that speaks the SageMaker JSON protocol:
// the exact request, the wait through Updating, a rolled-back update (blue/green alarm, and a
// failed health check that leaves no reason), the states that need action, the time limit,
// refresh, and what Pulumi serializes of the provider.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  EndpointCheckInputs,
  EndpointCheckOutputs,
  EndpointRolledBackError,
  endpointCheckProvider,
} from "../../infra/components/endpoint-check-provider";
import { FakeSageMakerApi, serveForSuite } from "./fake-sagemaker-json";

const DESCRIBE = "SageMaker.DescribeEndpoint";
const ENDPOINT = "dog-breed-classifier-prod-endpoint";
const REGION = "eu-west-1";
const ARN = `arn:aws:sagemaker:${REGION}:123456789012:endpoint/${ENDPOINT}`;
// Configuration names as the provider makes them: the prefix and a 26-digit unique suffix.
const OLD_CONFIG = "dog-breed-classifier-prod-20261101120000000000000001";
const NEW_CONFIG = "dog-breed-classifier-prod-20261201120000000000000002";

function inputs(over: Partial<EndpointCheckInputs> = {}): EndpointCheckInputs {
  return {
    endpointName: ENDPOINT,
    endpointArn: ARN,
    endpointConfigName: NEW_CONFIG,
    timeoutSeconds: 30,
    pollSeconds: 0.001,
    ...over,
  };
}

/** A DescribeEndpoint answer as the service shapes it. */
function described(status: string, config: string, extra: Record<string, unknown> = {}) {
  return {
    EndpointName: ENDPOINT,
    EndpointArn: ARN,
    EndpointConfigName: config,
    EndpointStatus: status,
    CreationTime: 1_793_491_200,
    LastModifiedTime: 1_796_083_200,
    ProductionVariants: [
      {
        VariantName: "AllTraffic",
        CurrentInstanceCount: 2,
        DesiredInstanceCount: 2,
        CurrentWeight: 1,
        DesiredWeight: 1,
      },
    ],
    ...extra,
  };
}

const BLUE_GREEN = {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: "CANARY",
      CanarySize: { Type: "INSTANCE_COUNT", Value: 1 },
      WaitIntervalInSeconds: 600,
    },
    TerminationWaitInSeconds: 300,
  },
  AutoRollbackConfiguration: {
    Alarms: [{ AlarmName: "dog-breed-classifier-prod-endpoint-5xx" }],
  },
};

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail("the check passed");
}

describe("endpoint check provider (local SageMaker JSON endpoint)", () => {
  const api = new FakeSageMakerApi();
  // No region or config files of the machine: the region comes from the endpoint's ARN alone.
  serveForSuite(api, {
    AWS_REGION: "",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  });

  it("waits through Updating and passes when the endpoint is InService on the declared configuration", async () => {
    api.reset({
      [`${DESCRIBE}:${ENDPOINT}`]: [
        described("Updating", OLD_CONFIG, {
          PendingDeploymentSummary: { EndpointConfigName: NEW_CONFIG },
        }),
        described("Updating", OLD_CONFIG),
        described("InService", NEW_CONFIG, { LastDeploymentConfig: BLUE_GREEN }),
      ],
    });
    const res = await endpointCheckProvider.create!(inputs());
    assert.strictEqual(res.id, ENDPOINT);
    assert.deepStrictEqual(res.outs, { ...inputs(), endpointStatus: "InService" });

    assert.strictEqual(api.calls.length, 3);
    for (const call of api.calls) {
      assert.strictEqual(call.method, "POST");
      assert.strictEqual(call.path, "/");
      assert.strictEqual(call.target, DESCRIBE);
      assert.strictEqual(call.contentType, "application/x-amz-json-1.1");
      assert.deepStrictEqual(call.body, { EndpointName: ENDPOINT });
      // Signed for SageMaker in the endpoint's own region, taken from its ARN.
      assert.match(
        call.authorization,
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY\/\d{8}\/eu-west-1\/sagemaker\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
    }
  });

  it("fails the update when a blue/green alarm rolled the endpoint back to its old configuration", async () => {
    api.reset({
      [`${DESCRIBE}:${ENDPOINT}`]: [
        described("Updating", OLD_CONFIG, {
          PendingDeploymentSummary: { EndpointConfigName: NEW_CONFIG },
        }),
        described("RollingBack", OLD_CONFIG),
        described("InService", OLD_CONFIG, {
          LastDeploymentConfig: BLUE_GREEN,
          FailureReason:
            "Deployment rolled back: alarm dog-breed-classifier-prod-endpoint-5xx entered ALARM during the canary (fake service text)",
        }),
      ],
    });
    const olds: EndpointCheckOutputs = {
      ...inputs({ endpointConfigName: OLD_CONFIG }),
      endpointStatus: "InService",
    };
    const message = await failure(endpointCheckProvider.update!(ENDPOINT, olds, inputs()));
    // The transcript of a rolled-back `pulumi up`: this is what the check prints.
    console.log(`      check printed: ${message}`);
    assert.strictEqual(
      message,
      `SageMaker endpoint ${ENDPOINT} rolled back: it is InService on endpoint configuration ` +
        `${OLD_CONFIG}, not on ${NEW_CONFIG} that this update deployed. SageMaker's reason: ` +
        '"Deployment rolled back: alarm dog-breed-classifier-prod-endpoint-5xx entered ALARM during the canary (fake service text)". ' +
        `The endpoint keeps serving ${OLD_CONFIG}; that configuration and its model stay in place. ` +
        "Find the cause in the endpoint's CloudWatch logs and alarms and fix it: the next " +
        `\`pulumi up\` deploys ${NEW_CONFIG} again (blue/green, with the same alarms). To stay on ` +
        "the running model instead, revert the change that made this configuration (for a " +
        "promotion, the pin) and run `pulumi up`.",
    );
    assert.strictEqual(api.calls.length, 3);
  });

  it("after a rollback, the next up deploys the declared configuration again and converges", async () => {
    const UPDATE = "SageMaker.UpdateEndpoint";
    const before: EndpointCheckOutputs = {
      ...inputs({ endpointConfigName: OLD_CONFIG }),
      endpointStatus: "InService",
    };
    // The `up` that deployed NEW_CONFIG: SageMaker rolled it back.
    api.reset({ [`${DESCRIBE}:${ENDPOINT}`]: [described("InService", OLD_CONFIG)] });
    let rolledBack: EndpointRolledBackError | undefined;
    try {
      await endpointCheckProvider.update!(ENDPOINT, before, inputs());
    } catch (e) {
      rolledBack = e as EndpointRolledBackError;
    }
    // What the dynamic provider host sends the engine as a partial failure, kept as the state.
    assert.ok(rolledBack instanceof EndpointRolledBackError);
    assert.strictEqual(rolledBack.id, ENDPOINT);
    assert.deepStrictEqual(rolledBack.reasons, [rolledBack.message]);
    assert.match(
      rolledBack.message,
      /the next `pulumi up` deploys .*20261201.* again \(blue\/green, with the same alarms\)/,
    );
    const state = rolledBack.properties;
    assert.deepStrictEqual(state, {
      ...inputs(),
      endpointStatus: "RolledBack",
      rolledBackTo: OLD_CONFIG,
    });
    assert.deepStrictEqual(
      api.calls.map((c) => c.target),
      [DESCRIBE],
      "the failing up itself deploys nothing again",
    );

    // The next `up`, with the same program: the endpoint resource sees no change, the check does.
    assert.strictEqual(
      (await endpointCheckProvider.diff!(ENDPOINT, state, inputs())).changes,
      true,
    );
    api.reset({
      [`${DESCRIBE}:${ENDPOINT}`]: [
        described("InService", OLD_CONFIG),
        described("Updating", OLD_CONFIG, {
          PendingDeploymentSummary: { EndpointConfigName: NEW_CONFIG },
        }),
        described("InService", NEW_CONFIG, { LastDeploymentConfig: BLUE_GREEN }),
      ],
      [`${UPDATE}:${ENDPOINT}`]: [{ EndpointArn: ARN }],
    });
    const res = await endpointCheckProvider.update!(ENDPOINT, state, inputs());
    assert.deepStrictEqual(
      api.calls.map((c) => c.target),
      [DESCRIBE, UPDATE, DESCRIBE, DESCRIBE],
    );
    assert.deepStrictEqual(api.calls[1].body, {
      EndpointName: ENDPOINT,
      EndpointConfigName: NEW_CONFIG,
      RetainDeploymentConfig: true,
    });
    assert.deepStrictEqual(res.outs, { ...inputs(), endpointStatus: "InService" });
    // Converged: the up after that changes nothing.
    assert.strictEqual(
      (await endpointCheckProvider.diff!(ENDPOINT, res.outs!, inputs())).changes,
      false,
    );
  });

  it("records a second rollback of the re-deployed configuration, and never re-deploys another one", async () => {
    const UPDATE = "SageMaker.UpdateEndpoint";
    const state: EndpointCheckOutputs = {
      ...inputs(),
      endpointStatus: "RolledBack",
      rolledBackTo: OLD_CONFIG,
    };
    api.reset({
      [`${DESCRIBE}:${ENDPOINT}`]: [
        described("InService", OLD_CONFIG),
        described("RollingBack", OLD_CONFIG),
        described("InService", OLD_CONFIG),
      ],
      [`${UPDATE}:${ENDPOINT}`]: [{ EndpointArn: ARN }],
    });
    const again = await failure(endpointCheckProvider.update!(ENDPOINT, state, inputs()));
    assert.match(again, / rolled back: /);
    assert.strictEqual(api.calls.filter((c) => c.target === UPDATE).length, 1);

    // The change reverted instead (a third configuration, declared by the endpoint resource's own
    // update): the check only checks it.
    const reverted = "dog-breed-classifier-prod-20261202120000000000000003";
    api.reset({ [`${DESCRIBE}:${ENDPOINT}`]: [described("InService", reverted)] });
    const res = await endpointCheckProvider.update!(
      ENDPOINT,
      state,
      inputs({ endpointConfigName: reverted }),
    );
    assert.strictEqual(res.outs?.endpointConfigName, reverted);
    assert.deepStrictEqual(
      api.calls.map((c) => c.target),
      [DESCRIBE],
    );
  });

  it("fails the update when a failed health check rolled it back without a reason", async () => {
    api.reset({
      [`${DESCRIBE}:${ENDPOINT}`]: [described("InService", OLD_CONFIG)],
    });
    const message = await failure(endpointCheckProvider.create!(inputs()));
    assert.match(
      message,
      new RegExp(
        `^SageMaker endpoint ${ENDPOINT} rolled back: it is InService on endpoint configuration ${OLD_CONFIG}, not on ${NEW_CONFIG} that this update deployed\\. The endpoint keeps serving`,
      ),
    );
    assert.doesNotMatch(message, /SageMaker's reason/);
  });

  const broken: [string, string, string][] = [
    [
      "UpdateRollbackFailed",
      "Rollback failed: new instances could not be stopped (fake service text)",
      "both the update and its automatic rollback failed, so the endpoint serves a mix of the old and the new configuration",
    ],
    [
      "Failed",
      "The primary container for production variant AllTraffic did not pass the ping health check (fake service text)",
      "the endpoint could not be created or updated; SageMaker accepts only DeleteEndpoint on it",
    ],
    ["OutOfService", "", "the endpoint takes no requests"],
  ];
  for (const [status, reason, why] of broken) {
    it(`fails with the reason when the endpoint is ${status}`, async () => {
      api.reset({
        [`${DESCRIBE}:${ENDPOINT}`]: [
          described(status, NEW_CONFIG, reason ? { FailureReason: reason } : {}),
        ],
      });
      const message = await failure(endpointCheckProvider.create!(inputs()));
      assert.strictEqual(
        message,
        `SageMaker endpoint ${ENDPOINT} is ${status} on endpoint configuration ${NEW_CONFIG} ` +
          `(declared: ${NEW_CONFIG}): ${why}.${reason ? ` SageMaker's reason: "${reason}".` : ""}`,
      );
      assert.strictEqual(api.calls.length, 1);
    });
  }

  it("gives up on an endpoint that stays Updating past the time limit, and says what to do", async () => {
    api.reset({ [`${DESCRIBE}:${ENDPOINT}`]: [described("Updating", OLD_CONFIG)] });
    const message = await failure(
      endpointCheckProvider.create!(inputs({ timeoutSeconds: 0.05, pollSeconds: 0.01 })),
    );
    assert.strictEqual(
      message,
      `SageMaker endpoint ${ENDPOINT} is still Updating after 0.05 s (declared configuration: ` +
        `${NEW_CONFIG}); run \`pulumi up\` again to check it once it settles`,
    );
    // Bounded: at most one call per poll interval within the limit, plus the first.
    assert.ok(api.calls.length >= 1 && api.calls.length <= 6, `${api.calls.length} calls`);
  });

  it("passes the service's error on when the endpoint does not exist", async () => {
    api.reset({});
    const message = await failure(endpointCheckProvider.create!(inputs()));
    assert.match(message, new RegExp(`^Could not find endpoint "${ENDPOINT}"\\.`));
  });

  it("refuses inputs without a region in the ARN before calling anything", async () => {
    api.reset({});
    const message = await failure(endpointCheckProvider.create!(inputs({ endpointArn: "arn" })));
    assert.strictEqual(message, 'endpointArn "arn" names no region');
    assert.strictEqual(api.calls.length, 0);
  });

  it("checks again on any change, in particular a new configuration, and never replaces", async () => {
    const olds: EndpointCheckOutputs = { ...inputs(), endpointStatus: "InService" };
    const diff = endpointCheckProvider.diff!;
    assert.deepStrictEqual(await diff(ENDPOINT, olds, inputs()), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepStrictEqual(
      await diff(
        ENDPOINT,
        olds,
        inputs({ endpointConfigName: "dog-breed-classifier-prod-20261203120000000000000004" }),
      ),
      { changes: true, replaces: [], deleteBeforeReplace: false },
    );
    assert.strictEqual((await diff(ENDPOINT, olds, inputs({ pollSeconds: 5 }))).changes, true);
  });

  it("records on refresh the configuration the endpoint really serves", async () => {
    api.reset({ [`${DESCRIBE}:${ENDPOINT}`]: [described("InService", OLD_CONFIG)] });
    const recorded: EndpointCheckOutputs = { ...inputs(), endpointStatus: "InService" };
    const read = await endpointCheckProvider.read!(ENDPOINT, recorded);
    assert.deepStrictEqual(read, {
      id: ENDPOINT,
      props: { ...recorded, endpointConfigName: OLD_CONFIG },
    });
    // So the next `up` sees a change and checks again.
    assert.strictEqual(
      (await endpointCheckProvider.diff!(ENDPOINT, read.props!, inputs())).changes,
      true,
    );
  });

  it("reports itself gone on refresh when the endpoint no longer exists", async () => {
    api.reset({});
    const recorded: EndpointCheckOutputs = { ...inputs(), endpointStatus: "InService" };
    assert.deepStrictEqual(await endpointCheckProvider.read!(ENDPOINT, recorded), {});
    assert.deepStrictEqual(
      api.calls.map((c) => c.target),
      [DESCRIBE],
    );
  });

  it("serializes to a small closure that loads the SageMaker SDK by name", async () => {
    const sf = await pulumi.runtime.serializeFunction(() => endpointCheckProvider, {
      allowSecrets: false,
    });
    assert.match(sf.text, /require\("@aws-sdk\/client-sagemaker"\)/);
    assert.doesNotMatch(sf.text, /@pulumi\/pulumi|@pulumi\/aws|parseConfig/);
    assert.ok(sf.text.length < 30000, `serialized provider is ${sf.text.length} characters`);
  });
});
