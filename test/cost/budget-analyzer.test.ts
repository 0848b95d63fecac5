// cost-budget-enforce end to end: the pack served as the Pulumi CLI serves it, configured with the
// policy config built from the stack config, analyzing the program's resource graph plus its budget.
import * as assert from "assert";
import { BUDGET_POLICY, policyConfigFromStackConfig } from "../../cost/usage";
import {
  type PolicyPackClient,
  type Diagnostic,
  startPolicyPack,
} from "../../tools/policy-analyzer";
import { PINNED_PROD, runWithBudget } from "./stack-with-budget";

describe("cost-budget-enforce through the analyzer protocol", function () {
  this.timeout(120000);
  let pack: PolicyPackClient;

  before(async () => {
    pack = await startPolicyPack({ stack: { project: "dog-breed-classifier", stack: "prod" } });
  });

  after(async () => {
    await pack?.close();
  });

  async function analyze(
    stack: string,
    overrides: Record<string, unknown>,
    usage: Record<string, unknown> = {},
  ): Promise<Diagnostic[]> {
    const run = await runWithBudget(stack, overrides);
    const config = policyConfigFromStackConfig(run.config);
    await pack.configure({ [BUDGET_POLICY]: { ...config[BUDGET_POLICY], ...usage } });
    const violations = await pack.analyzeStack(run.resources);
    return violations.filter((v) => v.policyName === BUDGET_POLICY);
  }

  const prod = PINNED_PROD;

  it("is in the pack, mandatory, with the usage keys in its config schema", () => {
    const info = pack.policies.find((p) => p.name === BUDGET_POLICY);
    assert.ok(info, `${BUDGET_POLICY} is served by the pack`);
    assert.strictEqual(info.enforcementLevel, "mandatory");
    assert.strictEqual(info.configSchema?.monthlyRequests?.default, 10000);
  });

  it("reports nothing for prod within its budget, nor for a stack without one", async () => {
    assert.deepStrictEqual(await analyze("prod", { ...prod, budgetMonthlyUsd: 600 }), []);
    assert.deepStrictEqual(await analyze("prod", { ...prod, budgetMonthlyUsd: 0 }), []);
  });

  it("fails prod over its budget with a mandatory violation naming the biggest items", async () => {
    const [v, ...rest] = await analyze("prod", { ...prod, budgetMonthlyUsd: 400 });
    assert.deepStrictEqual(rest, []);
    assert.strictEqual(v.enforcementLevel, "mandatory");
    assert.match(v.urn, /aws:budgets\/budget:Budget::cost-budget$/);
    assert.match(v.message, /over its limit of \$400\.00 a month/);
    // 3 × 730 h × $0.23 = $503.70; 2 × 1 GB × 2,628,000 s × $0.0000033334 = $17.52;
    // 1,000,000 × 0.5 s × 1 GB × $0.0000133334 = $6.67.
    assert.match(
      v.message,
      /1\. inference-endpoint endpoint instances \(variant AllTraffic\) \$503\.70 /,
    );
    assert.match(v.message, /2\. \S+ Lambda provisioned concurrency \(arm64\) \$17\.52 /);
    assert.match(v.message, /3\. \S+ Lambda duration \(arm64\) \$6\.67 /);
  });

  it("takes the usage from the policy config sent with Configure", async () => {
    // 50,000,000 × 0.5 s × 1 GB × $0.0000133334 = $333.34 of Lambda duration pushes $600 over.
    const [v] = await analyze(
      "prod",
      { ...prod, budgetMonthlyUsd: 600 },
      { monthlyRequests: 50000000 },
    );
    assert.ok(v, "a violation");
    assert.match(v.message, /Lambda duration \(arm64\) \$333\.34 /);
  });
  it("holds dev to its budget: fine as declared, failing with an always-on endpoint", async () => {
    assert.deepStrictEqual(await analyze("dev", { budgetMonthlyUsd: 50 }), []);
    const [v] = await analyze("dev", {
      budgetMonthlyUsd: 50,
      endpointServerless: false,
      endpointInstanceType: "ml.m5.large",
      endpointAutoscaling: false,
      endpointInstanceCount: 1,
    });
    assert.ok(v, "a violation");
    assert.strictEqual(v.enforcementLevel, "mandatory");
    // 1 × 730 h × $0.115 = $83.95
    assert.match(v.message, /\nBudget \S+ \(dog-breed-classifier-dev-monthly\): stack dev /);
    assert.match(
      v.message,
      /1\. inference-endpoint endpoint instances \(variant AllTraffic\) \$83\.95 /,
    );
  });
});
