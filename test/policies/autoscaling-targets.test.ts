// sagemaker-endpoint-require-autoscaling holds every SageMaker scaling target to the stack's cap,
// not only the first one found for a variant.
import * as assert from "assert";
import { endpointAutoscaling } from "../../policies/autoscaling";
import { CAP_6, endpointSet, RESOURCE_ID, target } from "./autoscaling-fixtures";
import { checkStack, Fixture } from "./harness";

const base: Fixture[] = endpointSet();

describe("sagemaker-endpoint-require-autoscaling on every target", () => {
  it("reports a second target for the same variant with maxCapacity 100", async () => {
    const findings = await checkStack(
      endpointAutoscaling,
      [...base, target("burst-target", { maxCapacity: 100 })],
      CAP_6,
    );
    assert.deepStrictEqual(findings, [
      {
        name: "burst-target",
        message:
          'Target "burst-target" for Endpoint "inference-endpoint" variant "primary" has maxCapacity 100, above ' +
          "this stack's cap of 6. Set maxCapacity to at most 6, or raise maxInstances for the stack in the policy config.",
      },
    ]);
  });

  it("reports a target whose resource id matches no variant in the stack", async () => {
    const findings = await checkStack(
      endpointAutoscaling,
      [
        ...base,
        target("other-target", {
          resourceId: "endpoint/elsewhere/variant/AllTraffic",
          maxCapacity: 40,
        }),
      ],
      CAP_6,
    );
    assert.deepStrictEqual(
      findings.map((f) => [f.name, f.message.slice(0, 80)]),
      [
        [
          "other-target",
          'Target "other-target" for resourceId "endpoint/elsewhere/variant/AllTraffic" has',
        ],
      ],
    );
  });

  it("reports an inference component's copy count above the cap", async () => {
    const findings = await checkStack(
      endpointAutoscaling,
      [
        ...base,
        target("copies", {
          resourceId: "inference-component/classifier-ic",
          scalableDimension: "sagemaker:inference-component:DesiredCopyCount",
          maxCapacity: 64,
        }),
      ],
      CAP_6,
    );
    assert.strictEqual(findings.length, 1);
    assert.match(findings[0].message, /has maxCapacity 64, above this stack's cap of 6/);
  });

  it("reports a second target whose minimum is above its maximum", async () => {
    const findings = await checkStack(
      endpointAutoscaling,
      [...base, target("inverted", { minCapacity: 5, maxCapacity: 4 })],
      CAP_6,
    );
    assert.match(findings[0].message, /^Target "inverted" has minCapacity 5 above maxCapacity 4/);
  });

  it("reports a scheduled action raising the maximum above the cap", async () => {
    const findings = await checkStack(
      endpointAutoscaling,
      [
        ...base,
        {
          type: "aws:appautoscaling/scheduledAction:ScheduledAction",
          name: "weekday-peak",
          stack: "production",
          props: {
            serviceNamespace: "sagemaker",
            resourceId: RESOURCE_ID,
            scalableDimension: "sagemaker:variant:DesiredInstanceCount",
            schedule: "cron(0 8 ? * MON-FRI *)",
            scalableTargetAction: { minCapacity: 2, maxCapacity: 100 },
          },
        },
      ],
      CAP_6,
    );
    assert.deepStrictEqual(findings, [
      {
        name: "weekday-peak",
        message:
          `ScheduledAction "weekday-peak" for resourceId "${RESOURCE_ID}" sets capacity up to 100 when it runs, above ` +
          "this stack's cap of 6. Set scalableTargetAction.maxCapacity to at most 6, or raise maxInstances for the " +
          "stack in the policy config.",
      },
    ]);
  });

  it("reports a variant starting above the cap, and reads capacities written as strings", async () => {
    const big = structuredClone(base);
    (big[0].props.productionVariants as Record<string, unknown>[])[0].initialInstanceCount = 40;
    const found = await checkStack(
      endpointAutoscaling,
      [...big, target("stringly", { maxCapacity: "100" })],
      CAP_6,
    );
    assert.deepStrictEqual(
      found.map((f) => f.name),
      ["inference-config", "stringly"],
    );
    assert.match(
      found[0].message,
      /^EndpointConfiguration "inference-config" variant "primary" has initialInstanceCount 40, above this stack's cap of 6 instances/,
    );
  });

  it("reports managed instance scaling above the cap", async () => {
    const managed = structuredClone(base);
    (managed[0].props.productionVariants as Record<string, unknown>[])[0].managedInstanceScaling = {
      status: "ENABLED",
      minInstanceCount: 1,
      maxInstanceCount: 50,
    };
    const found = await checkStack(endpointAutoscaling, managed, CAP_6);
    assert.strictEqual(found.length, 1);
    assert.match(
      found[0].message,
      /variant "primary" has managedInstanceScaling\.maxInstanceCount 50, above this stack's cap of 6/,
    );
  });

  it("passes two targets within the cap, and targets of other services", async () => {
    assert.deepStrictEqual(
      await checkStack(
        endpointAutoscaling,
        [
          ...base,
          target("second", { maxCapacity: 6 }),
          {
            type: "aws:appautoscaling/target:Target",
            name: "table-reads",
            stack: "production",
            props: {
              serviceNamespace: "dynamodb",
              scalableDimension: "dynamodb:table:ReadCapacityUnits",
              resourceId: "table/orders",
              minCapacity: 5,
              maxCapacity: 1000,
            },
          },
        ],
        CAP_6,
      ),
      [],
    );
  });
});
