// How an endpoint update is declared, under mocks: superseded models and configurations stay in
// the account, a new configuration takes the scalable target down before the endpoint update and
// puts it back after, and every update is followed by the post-deploy check.
import * as assert from "assert";
import { StackResource, StackRun } from "../../tools/stack-run";
import { one, servingRun } from "./helpers";

const MODEL = "aws:sagemaker/model:Model";
const CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const ENDPOINT = "aws:sagemaker/endpoint:Endpoint";
const CHECK = "pulumi-nodejs:dynamic/sagemaker:EndpointCheck";
const TARGET = "aws:appautoscaling/target:Target";
const POLICY = "aws:appautoscaling/policy:Policy";

function dependsOn(r: StackResource, property: string, on: StackResource): boolean {
  return (r.propertyDependencies[property] ?? []).includes(on.urn);
}

for (const [stack, overrides] of [
  ["prod", {}],
  // An instance-type change: the configuration that carries it is replaced like any other.
  ["prod", { endpointInstanceType: "ml.c5.xlarge" }],
] as const) {
  const label = `${stack}${Object.keys(overrides).length ? ` with ${JSON.stringify(overrides)}` : ""}`;
  describe(`endpoint updates: ${label}`, () => {
    let run: StackRun;
    let model: StackResource;
    let config: StackResource;
    let endpoint: StackResource;
    before(async () => {
      run = await servingRun(stack, overrides);
      model = one(run, MODEL);
      config = one(run, CONFIG);
      endpoint = one(run, ENDPOINT);
    });

    it("keeps superseded models and configurations (retainOnDelete), never the endpoint", () => {
      assert.strictEqual(model.retainOnDelete, true);
      assert.strictEqual(config.retainOnDelete, true);
      assert.strictEqual(endpoint.retainOnDelete, false);
      // Each change yields new names, so a kept one never blocks its successor.
      assert.ok(!("name" in config.inputs) && typeof config.inputs.namePrefix === "string");
      assert.match(String(model.inputs.name), /^dog-breed-classifier-prod-model-[0-9a-f]{8}$/);
    });

    it("replaces a configuration delete-first, which only forgets the old one", () => {
      assert.strictEqual(config.deleteBeforeReplace, true);
      assert.strictEqual(model.deleteBeforeReplace, false);
      assert.strictEqual(endpoint.deleteBeforeReplace, false);
      assert.ok(dependsOn(endpoint, "endpointConfigName", config));
    });

    it("hangs the scalable target, and through it the policy, on the configuration", () => {
      const target = one(run, TARGET);
      const policy = one(run, POLICY);
      // A replaced configuration takes the target (and its policy) down first: the engine deletes
      // the dependents of a delete-first replacement before it, that is before the endpoint
      // update, and registers them again once the endpoint is updated.
      assert.ok(dependsOn(target, "resourceId", config), "target.resourceId depends on the config");
      assert.ok(
        dependsOn(target, "resourceId", endpoint),
        "target.resourceId depends on the endpoint",
      );
      assert.ok(dependsOn(policy, "resourceId", target), "policy.resourceId depends on the target");
      assert.strictEqual(
        target.inputs.resourceId,
        "endpoint/dog-breed-classifier-prod-endpoint/variant/AllTraffic",
      );
    });

    it("checks every update of the endpoint against the configuration it declared", () => {
      const check = one(run, CHECK);
      const { __provider, ...inputs } = check.inputs;
      assert.ok(__provider !== undefined, "the dynamic resource carries its serialized provider");
      assert.deepStrictEqual(inputs, {
        endpointName: "dog-breed-classifier-prod-endpoint",
        endpointArn: endpoint.outputs.arn,
        endpointConfigName: config.outputs.name,
        timeoutSeconds: 1800,
        pollSeconds: 30,
      });
      assert.ok(dependsOn(check, "endpointConfigName", endpoint));
      // Updated with the endpoint, never replaced with the configuration.
      assert.ok(!dependsOn(check, "endpointConfigName", config));
      assert.strictEqual(check.parent, run.resources.find((r) => r.name === "inference")?.urn);
    });
  });
}

describe("endpoint updates: dev (serverless)", () => {
  it("keeps and checks the serverless endpoint the same way", async () => {
    const run = await servingRun("dev");
    assert.strictEqual(one(run, MODEL).retainOnDelete, true);
    assert.strictEqual(one(run, CONFIG).retainOnDelete, true);
    const check = one(run, CHECK);
    assert.strictEqual(check.inputs.endpointName, "dog-breed-classifier-dev-endpoint");
    assert.strictEqual(check.inputs.endpointConfigName, one(run, CONFIG).outputs.name);
  });
});
