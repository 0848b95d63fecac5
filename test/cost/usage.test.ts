import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  BUDGET_POLICY,
  USAGE_DEFAULTS,
  UsageError,
  budgetFromConfig,
  policyConfigFromStackConfig,
  usageConfigSchema,
  usageFromConfig,
  usageFromPolicyConfig,
} from "../../cost/usage";

const ROOT = path.resolve(__dirname, "../..");

describe("usage assumptions", () => {
  it("keeps the defaults of Pulumi.yaml", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { default?: unknown }>;
    };
    const d = (key: string) => project.config[key]?.default;
    const t = USAGE_DEFAULTS.training;
    assert.deepStrictEqual(
      {
        notebookActiveHoursPerMonth: d("notebookActiveHoursPerMonth"),
        ec2HoursPerMonth: d("ec2HoursPerMonth"),
        trainingRunsPerMonth: d("trainingRunsPerMonth"),
        monthlyRequests: d("monthlyRequests"),
        inferenceDurationMs: d("inferenceDurationMs"),
        lambdaDurationMs: d("lambdaDurationMs"),
        storageGb: d("storageGb"),
        logIngestGbPerMonth: d("logIngestGbPerMonth"),
        trainingMode: d("trainingMode"),
        trainingInstanceType: d("trainingInstanceType"),
        trainingInstanceCount: d("trainingInstanceCount"),
        trainingUseSpot: d("trainingUseSpot"),
        trainingMaxRuntimeSeconds: d("trainingMaxRuntimeSeconds"),
        tuningMaxJobs: d("tuningMaxJobs"),
        tuningMaxParallelJobs: d("tuningMaxParallelJobs"),
      },
      {
        notebookActiveHoursPerMonth: USAGE_DEFAULTS.notebookActiveHoursPerMonth,
        ec2HoursPerMonth: USAGE_DEFAULTS.ec2HoursPerMonth,
        trainingRunsPerMonth: USAGE_DEFAULTS.trainingRunsPerMonth,
        monthlyRequests: USAGE_DEFAULTS.monthlyRequests,
        inferenceDurationMs: USAGE_DEFAULTS.inferenceDurationMs,
        lambdaDurationMs: USAGE_DEFAULTS.lambdaDurationMs,
        storageGb: USAGE_DEFAULTS.storageGb,
        logIngestGbPerMonth: USAGE_DEFAULTS.logIngestGbPerMonth,
        trainingMode: t.mode,
        trainingInstanceType: t.instanceType,
        trainingInstanceCount: t.instanceCount,
        trainingUseSpot: t.useSpot,
        trainingMaxRuntimeSeconds: t.maxRuntimeSeconds,
        tuningMaxJobs: t.tuningMaxJobs,
        tuningMaxParallelJobs: t.tuningMaxParallelJobs,
      },
    );
  });

  it("maps the project's config keys, qualified or bare, and defaults the rest", () => {
    const u = usageFromConfig({
      "dog-breed-classifier:monthlyRequests": "250000",
      "dog-breed-classifier:trainingMode": "tune",
      "dog-breed-classifier:trainingUseSpot": "false",
      "dog-breed-classifier:tuningMaxJobs": "12",
      storageGb: "200",
      "aws:region": "eu-west-1",
    });
    assert.strictEqual(u.monthlyRequests, 250000);
    assert.strictEqual(u.storageGb, 200);
    assert.strictEqual(u.training.mode, "tune");
    assert.strictEqual(u.training.useSpot, false);
    assert.strictEqual(u.training.tuningMaxJobs, 12);
    assert.strictEqual(u.notebookActiveHoursPerMonth, USAGE_DEFAULTS.notebookActiveHoursPerMonth);
  });

  it("names the key of a value it cannot read", () => {
    assert.throws(
      () => usageFromConfig({ "dog-breed-classifier:monthlyRequests": "lots" }),
      (e: Error) => e instanceof UsageError && /monthlyRequests: "lots"/.test(e.message),
    );
    assert.throws(
      () => usageFromConfig({ "dog-breed-classifier:trainingMode": "always" }),
      /trainingMode: "always" is not one of none, train, tune/,
    );
  });

  it("reads the budget, 0 when unset", () => {
    assert.strictEqual(budgetFromConfig({}), 0);
    assert.strictEqual(budgetFromConfig({ "dog-breed-classifier:budgetMonthlyUsd": "400" }), 400);
  });

  it("builds the policy config from the stack config, and reads it back to the same usage", () => {
    const raw = {
      "dog-breed-classifier:monthlyRequests": "5000",
      "dog-breed-classifier:trainingMode": "train",
      "aws:region": "us-west-2",
    };
    const config = policyConfigFromStackConfig(raw);
    const c = config[BUDGET_POLICY];
    assert.strictEqual(c.monthlyRequests, 5000);
    assert.strictEqual(c.trainingMode, "train");
    assert.strictEqual(c.region, "us-west-2");
    assert.deepStrictEqual(usageFromPolicyConfig(c), usageFromConfig(raw));
    // Plain JSON, as --policy-pack-config takes it.
    assert.deepStrictEqual(JSON.parse(JSON.stringify(config)), config);
  });

  it("declares a config schema whose defaults are the defaults above", () => {
    const { properties } = usageConfigSchema();
    const defaults = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.default]));
    assert.deepStrictEqual(defaults, policyConfigFromStackConfig({})[BUDGET_POLICY]);
    assert.deepStrictEqual(properties.trainingMode.enum, ["none", "train", "tune"]);
  });
});
