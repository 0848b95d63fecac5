import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { StackValidationArgs } from "@pulumi/policy";
import {
  BUDGET_ALERTS,
  BudgetArgsError,
  StackBudget,
  StackBudgetArgs,
  budgetArgsFromConfig,
} from "../../infra/budget";
import { costBudgetEnforce } from "../../policies/cost";
import { budgetViolation, stackBudget } from "../../cost/budget";
import { estimateCost } from "../../cost/estimate";
import { BUDGET_POLICY, policyConfigFromStackConfig } from "../../cost/usage";
import { runStack } from "../../tools/stack-run";
import { T, instanceEndpoint, res, usage } from "./fixtures";
import { PINNED_PROD, asPolicyResources, runWithBudget } from "./stack-with-budget";

function budgetProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "budget-"));
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: dog-breed-classifier\nruntime: nodejs\n");
  fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n");
  return root;
}

/** A program that declares only the dev budget, with `args` over its name, limit and tags. */
function budgetProgram(args: Partial<StackBudgetArgs>) {
  return {
    loadConfig: () => null,
    buildStack: () => {
      new StackBudget("dev-budget", {
        budgetName: "dog-breed-classifier-dev-monthly",
        monthlyLimitUsd: 50,
        project: "dog-breed-classifier",
        environment: "dev",
        ...args,
      });
      return {};
    },
  };
}

async function declareBudget(args: Partial<StackBudgetArgs>, preview = true) {
  const run = await runStack({
    root: budgetProject(),
    stack: "dev",
    program: budgetProgram(args),
    preview,
  });
  return run.resources.find((r) => r.type === T.budget)!;
}

describe("StackBudget", () => {
  it("declares a monthly USD cost budget over the project and environment tags, alerting at 80% actual and 100% forecast", async () => {
    const budget = await declareBudget({ alertEmail: "ml-platform@example.com" });
    const i = budget.inputs;
    assert.strictEqual(i.name, "dog-breed-classifier-dev-monthly");
    assert.strictEqual(i.budgetType, "COST");
    assert.strictEqual(i.timeUnit, "MONTHLY");
    assert.strictEqual(i.limitAmount, "50");
    assert.strictEqual(i.limitUnit, "USD");
    assert.deepStrictEqual(i.filterExpression, {
      ands: [
        { tags: { key: "project", values: ["dog-breed-classifier"], matchOptions: ["EQUALS"] } },
        { tags: { key: "environment", values: ["dev"], matchOptions: ["EQUALS"] } },
      ],
    });
    assert.deepStrictEqual(
      (i.notifications as Record<string, unknown>[]).map((n) => [
        n.notificationType,
        n.comparisonOperator,
        n.threshold,
        n.thresholdType,
        n.subscriberEmailAddresses,
      ]),
      [
        [
          "ACTUAL",
          "GREATER_THAN",
          BUDGET_ALERTS.actualPercent,
          "PERCENTAGE",
          ["ml-platform@example.com"],
        ],
        [
          "FORECASTED",
          "GREATER_THAN",
          BUDGET_ALERTS.forecastedPercent,
          "PERCENTAGE",
          ["ml-platform@example.com"],
        ],
      ],
    );
    assert.deepStrictEqual(
      [BUDGET_ALERTS.actualPercent, BUDGET_ALERTS.forecastedPercent],
      [80, 100],
    );
    assert.match(budget.parent ?? "", /dog-breed-classifier:cost:StackBudget::dev-budget$/);
  });

  it("refuses a budget without a subscriber in an update, since its alerts would reach nobody", async () => {
    await assert.rejects(
      declareBudget({}, false),
      /alertEmail or alertSnsTopicArn: a budget needs a subscriber/,
    );
    // A preview still shows it (the stack lists the missing address as a step to do).
    const previewed = await declareBudget({});
    for (const n of previewed.inputs.notifications as Record<string, unknown>[]) {
      assert.strictEqual(n.subscriberEmailAddresses, undefined);
      assert.strictEqual(n.subscriberSnsTopicArns, undefined);
    }
  });

  it("alerts an SNS topic, and activates the cost allocation tags only when asked", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:budget-alerts";
    const program = (activateCostTags: boolean) =>
      budgetProgram({ alertSnsTopicArn: topic, activateCostTags });
    const off = await runStack({ root: budgetProject(), stack: "dev", program: program(false) });
    const budget = off.resources.find((r) => r.type === T.budget)!;
    for (const n of budget.inputs.notifications as Record<string, unknown>[]) {
      assert.deepStrictEqual(n.subscriberSnsTopicArns, [topic]);
      assert.strictEqual(n.subscriberEmailAddresses, undefined);
    }
    const TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag";
    assert.deepStrictEqual(
      off.resources.filter((r) => r.type === TAG),
      [],
    );
    const on = await runStack({ root: budgetProject(), stack: "dev", program: program(true) });
    const tags = on.resources.filter((r) => r.type === TAG);
    assert.deepStrictEqual(
      tags.map((t) => [t.inputs.tagKey, t.inputs.status, t.retainOnDelete]),
      [
        ["environment", "Active", true],
        ["project", "Active", true],
      ],
    );
  });

  it("takes its arguments from the stack config, and none for a budget of 0", () => {
    const tags = { project: "dog-breed-classifier", environment: "prod", owner: "ml" };
    assert.deepStrictEqual(
      budgetArgsFromConfig({
        prefix: "dog-breed-classifier-prod",
        budgetMonthlyUsd: 600,
        tags,
        budgetAlertEmail: "a@example.com",
      }),
      {
        budgetName: "dog-breed-classifier-prod-monthly",
        monthlyLimitUsd: 600,
        project: "dog-breed-classifier",
        environment: "prod",
        alertEmail: "a@example.com",
      },
    );
    assert.strictEqual(budgetArgsFromConfig({ prefix: "p", budgetMonthlyUsd: 0, tags }), undefined);
  });

  it("rejects a limit that is not a positive whole number, a bad address and empty tags, naming each", () => {
    assert.throws(
      () =>
        new StackBudget("b", {
          budgetName: "x",
          monthlyLimitUsd: 0,
          project: "",
          environment: "dev",
          alertEmail: "nobody",
        }),
      (e: Error) =>
        e instanceof BudgetArgsError &&
        /monthlyLimitUsd: 0 must be a whole number of dollars above 0/.test(e.message) &&
        /project: must not be empty/.test(e.message) &&
        /alertEmail: "nobody" is not an email address/.test(e.message),
    );
  });
});

describe("budget", () => {
  it("reads the strictest cost budget as a monthly limit, whatever its period", () => {
    const graph = [
      res(T.budget, "yearly", {
        budgetType: "COST",
        limitAmount: "1200",
        limitUnit: "USD",
        timeUnit: "ANNUALLY",
      }),
      res(T.budget, "monthly", {
        budgetType: "COST",
        limitAmount: "150",
        limitUnit: "USD",
        timeUnit: "MONTHLY",
      }),
      res(T.budget, "usage", {
        budgetType: "USAGE",
        limitAmount: "1",
        limitUnit: "GB",
        timeUnit: "MONTHLY",
      }),
    ];
    const b = stackBudget(graph)!;
    assert.strictEqual(b.name, "yearly"); // 1200 / 12 = 100 a month < 150
    assert.strictEqual(b.monthlyUsd, 100);
    assert.strictEqual(
      stackBudget([res(T.budget, "usage", { budgetType: "USAGE", limitAmount: "1" })]),
      undefined,
    );
  });

  it("says nothing within budget and names the figures and the three biggest items over it", () => {
    const graph = [
      ...instanceEndpoint("prod", "ml.m5.xlarge", 2, 4),
      res(T.kms, "key", {}),
      res(T.bucket, "data", {}),
    ];
    const est = estimateCost(
      graph,
      usage({ logIngestGbPerMonth: 0, payloadKbPerRequest: 0, storageGb: 100 }),
      "us-east-1",
    );
    // min: 335.80 + 0 + 1 + 2.30 = 339.10; max: 671.60 + 0 + 1 + 2.30 = 674.90
    assert.deepStrictEqual(est.totals, { min: 339.1, max: 674.9 });
    const budget = (limit: string) =>
      stackBudget([
        res(
          T.budget,
          "budget",
          {
            name: "dbc-prod-monthly",
            budgetType: "COST",
            limitAmount: limit,
            limitUnit: "USD",
            timeUnit: "MONTHLY",
          },
          { stack: "prod" },
        ),
      ])!;
    assert.strictEqual(budgetViolation(est, budget("675")), undefined);
    assert.strictEqual(
      budgetViolation(est, budget("500")),
      "Budget budget (dbc-prod-monthly): stack prod is estimated at $339.10–$674.90 a month, over its limit of " +
        "$500.00 a month (500 USD per MONTHLY) by $174.90 at the top of the range. Biggest items: " +
        "1. model-endpoint endpoint instances (variant AllTraffic) $671.60 (2–4 × ml.m5.xlarge × 730 h × $0.23/h); " +
        "2. data S3 Standard storage $2.30 (100 GB × $0.023/GB-month); " +
        "3. key KMS key $1.00 (1 key × $1.00/key-month). " +
        "Lower these (fewer or smaller instances, a lower autoscaling maximum, less provisioned concurrency, " +
        "serverless inference, fewer hours or runs) or raise dog-breed-classifier:budgetMonthlyUsd to at least 675.",
    );
  });
});

describe("cost-budget-enforce on the program's stacks", function () {
  this.timeout(60000);

  type Violation = { message: string; urn?: string };

  async function check(
    stack: string,
    overrides: Record<string, unknown>,
    policyConfig?: Record<string, unknown>,
  ): Promise<Violation[]> {
    const run = await runWithBudget(stack, overrides);
    const config = policyConfig ?? policyConfigFromStackConfig(run.config)[BUDGET_POLICY];
    const violations: Violation[] = [];
    const args = {
      resources: asPolicyResources(run.resources),
      stackTags: new Map(),
      getConfig: () => config,
      notApplicable: (reason?: string): never => {
        throw new Error(`not applicable: ${reason}`);
      },
    } as unknown as StackValidationArgs;
    await costBudgetEnforce.validateStack(args, (message, urn) =>
      violations.push({ message, urn }),
    );
    return violations;
  }

  const prod = PINNED_PROD;

  it("is mandatory and carries the usage keys with Pulumi.yaml's defaults", () => {
    assert.strictEqual(costBudgetEnforce.name, "cost-budget-enforce");
    assert.strictEqual(costBudgetEnforce.enforcementLevel, "mandatory");
    assert.strictEqual(costBudgetEnforce.configSchema?.properties.monthlyRequests.default, 10000);
  });

  it("reports nothing for a stack without a budget", async () => {
    assert.deepStrictEqual(await check("prod", { ...prod, budgetMonthlyUsd: 0 }), []);
  });

  it("reports nothing for prod within its budget", async () => {
    // Top of the range: 3 × 730 h × $0.23 = $503.70 for the endpoint, plus a few dollars more.
    assert.deepStrictEqual(await check("prod", { ...prod, budgetMonthlyUsd: 600 }), []);
  });

  it("fails prod over its budget, on the budget, naming the biggest items with their amounts", async () => {
    const violations = await check("prod", { ...prod, budgetMonthlyUsd: 400 });
    assert.strictEqual(violations.length, 1);
    const [v] = violations;
    assert.match(v.urn ?? "", /aws:budgets\/budget:Budget::cost-budget$/);
    assert.match(
      v.message,
      /^Budget cost-budget \(dog-breed-classifier-prod-monthly\): stack prod is estimated at \$[\d,.]+–\$[\d,.]+ a month, over its limit of \$400\.00 a month/,
    );
    // 3 × 730 h × $0.23 = $503.70; 2 × 1 GB × 2,628,000 s × $0.0000033334 = $17.52;
    // 1,000,000 × 0.5 s × 1 GB × $0.0000133334 = $6.67 at the on-demand rate.
    assert.match(
      v.message,
      /Biggest items: 1\. inference-endpoint endpoint instances \(variant AllTraffic\) \$503\.70 \(2–3 × ml\.m5\.xlarge × 730 h × \$0\.23\/h\); 2\. \S+ Lambda provisioned concurrency \(arm64\) \$17\.52 \(2 × 1 GB × 2,628,000 s \(730 h\) × \$0\.0000033334\/GB-s\); 3\. \S+ Lambda duration \(arm64\) \$6\.67 /,
    );
    assert.match(v.message, /raise dog-breed-classifier:budgetMonthlyUsd to at least \d+\.$/);
  });

  it("takes the usage from its policy config: more requests push prod over the same budget", async () => {
    const run = await runWithBudget("prod", { ...prod, budgetMonthlyUsd: 600 });
    const config = {
      ...policyConfigFromStackConfig(run.config)[BUDGET_POLICY],
      monthlyRequests: 50000000,
    };
    // 50,000,000 × 0.5 s × 1 GB × $0.0000133334 = $333.34 of Lambda duration alone.
    const violations = await check("prod", { ...prod, budgetMonthlyUsd: 600 }, config);
    assert.strictEqual(violations.length, 1);
    assert.match(violations[0].message, /Lambda duration \(arm64\) \$333\.34 /);
  });

  it("fails dev when a tweak puts an always-on endpoint on it", async () => {
    const dev = {
      budgetMonthlyUsd: 50,
      endpointServerless: false,
      endpointInstanceType: "ml.m5.large",
      endpointAutoscaling: false,
      endpointInstanceCount: 1,
    };
    const violations = await check("dev", dev);
    assert.strictEqual(violations.length, 1);
    // 1 × 730 h × $0.115 = $83.95
    assert.match(
      violations[0].message,
      /1\. inference-endpoint endpoint instances \(variant AllTraffic\) \$83\.95 \(1 × ml\.m5\.large × 730 h × \$0\.115\/h\)/,
    );
    assert.deepStrictEqual(await check("dev", { budgetMonthlyUsd: 50 }), []);
  });
});
