import * as assert from "assert";
import { endpointAutoscaling } from "../../policies/autoscaling";
import { requiredTags } from "../../policies/tags";
import { CAP_6, endpointSet, RESOURCE_ID } from "./autoscaling-fixtures";
import { checkStack, clone, Fixture, UNKNOWN } from "./harness";

describe("sagemaker-endpoint-require-autoscaling", () => {
  it("accepts an instance variant with a target and a target-tracking policy within the cap", async () => {
    assert.deepStrictEqual(await checkStack(endpointAutoscaling, endpointSet(), CAP_6), []);
  });

  it("reports an endpoint without autoscaling", async () => {
    assert.deepStrictEqual(
      await checkStack(endpointAutoscaling, endpointSet().slice(0, 2), CAP_6),
      [
        {
          name: "inference-endpoint",
          message:
            `Endpoint "inference-endpoint" variant "primary" has no aws.appautoscaling.Target (resourceId "${RESOURCE_ID}", ` +
            'scalableDimension "sagemaker:variant:DesiredInstanceCount"), so it cannot follow load. Add one with minCapacity ' +
            "and maxCapacity, and a TargetTrackingScaling policy on SageMakerVariantInvocationsPerInstance.",
        },
      ],
    );
  });

  it("reports a target without a target-tracking policy, and a step policy does not count", async () => {
    const step = clone(endpointSet());
    step[3].props.policyType = "StepScaling";
    assert.deepStrictEqual(await checkStack(endpointAutoscaling, step, CAP_6), [
      {
        name: "inference-scaling-target",
        message:
          'Endpoint "inference-endpoint" variant "primary" has a scalable target but no target-tracking policy. Add an ' +
          'aws.appautoscaling.Policy with policyType "TargetTrackingScaling" and predefinedMetricType "SageMakerVariantInvocationsPerInstance".',
      },
    ]);
  });

  it("reports max capacity above the stack's cap, configurable per stack", async () => {
    const big = clone(endpointSet());
    big[2].props.maxCapacity = 10;
    assert.deepStrictEqual(await checkStack(endpointAutoscaling, big, CAP_6), [
      {
        name: "inference-scaling-target",
        message:
          'Target "inference-scaling-target" for Endpoint "inference-endpoint" variant "primary" has maxCapacity 10, above ' +
          "this stack's cap of 6. Set maxCapacity to at most 6, or raise maxInstances for the stack in the policy config.",
      },
    ]);
    assert.deepStrictEqual(
      await checkStack(endpointAutoscaling, big, { maxInstances: { production: 10 } }),
      [],
    );
  });

  it("needs nothing for serverless variants, and follows engine dependencies when names are unknown", async () => {
    const sls = clone(endpointSet().slice(0, 2));
    sls[0].props.productionVariants = [
      { variantName: "primary", serverlessConfig: { maxConcurrency: 2, memorySizeInMb: 3072 } },
    ];
    assert.deepStrictEqual(await checkStack(endpointAutoscaling, sls, CAP_6), []);
    const unknown = clone(endpointSet());
    unknown[1].props.endpointConfigName = UNKNOWN;
    unknown[1].deps = { endpointConfigName: ["inference-config"] };
    unknown[2].props.resourceId = UNKNOWN;
    unknown[2].deps = { resourceId: ["inference-endpoint"] };
    unknown[3].props.resourceId = UNKNOWN;
    unknown[3].deps = { resourceId: ["inference-scaling-target"] };
    assert.deepStrictEqual(await checkStack(endpointAutoscaling, unknown, CAP_6), []);
  });
});

describe("aws-resource-require-tags", () => {
  const defaultTags = JSON.stringify({
    tags: {
      project: "dog-breed-classifier",
      environment: "prod",
      owner: "ml-platform",
      "cost-center": "ml-research",
    },
  });
  const bucket: Fixture = {
    type: "aws:s3/bucket:Bucket",
    name: "data-bucket",
    stack: "production",
    props: { bucket: "b", tags: { Name: "data" } },
    provider: { region: "us-east-1", defaultTags },
  };

  it("counts the provider's default tags (sent as JSON) and the resource's own", async () => {
    assert.deepStrictEqual(await checkStack(requiredTags, [bucket]), []);
    const own = clone(bucket);
    own.provider = {
      region: "us-east-1",
      defaultTags: JSON.stringify({ tags: { project: "p", environment: "prod" } }),
    };
    own.props.tags = { owner: "ml-platform", "cost-center": "ml-research" };
    assert.deepStrictEqual(await checkStack(requiredTags, [own]), []);
  });

  it("reports missing tags, and a resource on a provider without default tags", async () => {
    const partial = clone(bucket);
    partial.provider = {
      region: "us-east-1",
      defaultTags: JSON.stringify({ tags: { project: "p", environment: "prod" } }),
    };
    assert.deepStrictEqual(await checkStack(requiredTags, [partial]), [
      {
        name: "data-bucket",
        message:
          'Bucket "data-bucket" lacks tag(s) "owner", "cost-center" (its provider\'s defaultTags do not set them). Set them ' +
          "in the aws.Provider's defaultTags.tags, or in the resource's tags.",
      },
    ]);
    const bare = clone(bucket);
    delete bare.provider;
    assert.match(
      (await checkStack(requiredTags, [bare]))[0].message,
      /lacks tag\(s\) "project", "environment", "owner", "cost-center" and uses no provider with defaultTags/,
    );
  });

  it("skips untaggable types and unknown tags, and takes the tag list from config", async () => {
    const attachment: Fixture = { type: "aws:iam/rolePolicy:RolePolicy", name: "p", props: {} };
    assert.deepStrictEqual(await checkStack(requiredTags, [attachment]), []);
    const unknown = clone(bucket);
    unknown.provider = { defaultTags: UNKNOWN };
    assert.deepStrictEqual(await checkStack(requiredTags, [unknown]), []);
    assert.strictEqual(
      (await checkStack(requiredTags, [bucket], { requiredTags: ["data-classification"] })).length,
      1,
    );
  });
});

describe("aws-resource-require-tags on Auto Scaling groups", () => {
  const group = (tags: unknown): Fixture => ({
    type: "aws:autoscaling/group:Group",
    name: "hosts",
    props: { maxSize: 1, minSize: 0, tags },
  });
  const block = (key: string, value: string) => ({ key, value, propagateAtLaunch: true });

  it("reads the group's own list of tag blocks", async () => {
    const tags = ["project", "environment", "owner", "cost-center"].map((k) => block(k, "x"));
    assert.deepStrictEqual(await checkStack(requiredTags, [group(tags)]), []);
  });

  it("reports the tags a group's blocks leave out", async () => {
    const found = await checkStack(requiredTags, [group([block("project", "x")])]);
    assert.match(found[0].message, /lacks tag\(s\) "environment", "owner", "cost-center"/);
  });
});
