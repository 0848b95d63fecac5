// The policies learn a resource's environment from its provider's `environment` default tag, the
// tag the program sets from the same decision as the rest of the stack; the stack name in the URN
// is the fallback. Per-environment limits live in the policies' config defaults, keyed by it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { endpointAutoscaling, MAX_INSTANCES } from "../../policies/autoscaling";
import { environmentOf, forStack, inStacks } from "../../policies/common";
import { ENVIRONMENT_TAG } from "../../shared/project";
import { checkStack, Fixture, urnOf } from "./harness";

const PACK = path.resolve(__dirname, "../../policies");

function tagged(environment: unknown, stack = "prod") {
  return {
    urn: urnOf({ type: "aws:s3/bucket:Bucket", name: "data", stack }),
    provider: {
      props: { defaultTags: JSON.stringify({ tags: { [ENVIRONMENT_TAG]: environment } }) },
    },
  };
}

describe("a resource's environment", () => {
  it("is its provider's environment tag, whatever the stack is called", () => {
    assert.strictEqual(environmentOf(tagged("production")), "production");
    assert.strictEqual(environmentOf(tagged("production", "blue")), "production");
    assert.ok(inStacks(["production"], tagged("production")));
    assert.strictEqual(forStack({ production: 4, default: 2 }, tagged("production")), 4);
  });

  it("falls back to the stack name when the provider has no such tag", () => {
    assert.strictEqual(environmentOf(tagged("")), "prod");
    assert.strictEqual(environmentOf({ urn: tagged("x").urn }), "prod");
    assert.strictEqual(environmentOf(tagged("x").urn), "prod");
    assert.strictEqual(forStack({ production: 4, default: 2 }, tagged("")), 2);
  });
});

describe("the autoscaling cap", () => {
  const endpointSet = (stack: string, provider?: Record<string, unknown>): Fixture[] => [
    {
      type: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      name: "inference-config",
      stack,
      provider,
      props: {
        name: "classifier-config",
        productionVariants: [
          { variantName: "primary", instanceType: "ml.m5.xlarge", initialInstanceCount: 1 },
        ],
      },
    },
    {
      type: "aws:sagemaker/endpoint:Endpoint",
      name: "inference-endpoint",
      stack,
      provider,
      props: { name: "ep", endpointConfigName: "classifier-config" },
    },
    {
      type: "aws:appautoscaling/target:Target",
      name: "inference-scaling-target",
      stack,
      provider,
      props: {
        resourceId: "endpoint/ep/variant/primary",
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        minCapacity: 1,
        maxCapacity: 4,
      },
    },
    {
      type: "aws:appautoscaling/policy:Policy",
      name: "inference-scaling-policy",
      stack,
      provider,
      props: {
        policyType: "TargetTrackingScaling",
        resourceId: "endpoint/ep/variant/primary",
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      },
    },
  ];

  it("has one home, the policy's config default: production 4, every other environment 2", () => {
    assert.deepStrictEqual(MAX_INSTANCES, { production: 4, default: 2 });
    const schema = endpointAutoscaling.configSchema?.properties?.maxInstances as {
      default: unknown;
    };
    assert.deepStrictEqual(schema.default, MAX_INSTANCES);
    // No policy config file repeats it, so deleting one changes nothing.
    for (const f of fs.readdirSync(PACK).filter((n) => /^config\..+\.json$/.test(n))) {
      const cfg = JSON.parse(fs.readFileSync(path.join(PACK, f), "utf8"));
      assert.strictEqual(cfg[endpointAutoscaling.name], undefined, f);
    }
  });

  it("lets production's provider-tagged stack scale to 4, and holds other environments to 2", async () => {
    const production = { defaultTags: { tags: { [ENVIRONMENT_TAG]: "production" } } };
    assert.deepStrictEqual(
      await checkStack(endpointAutoscaling, endpointSet("prod", production)),
      [],
    );
    const [finding] = await checkStack(endpointAutoscaling, endpointSet("staging"));
    assert.match(finding.message, /above this stack's cap of 2/);
  });
});
