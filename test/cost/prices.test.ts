import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import * as prices from "../../policies/cost/prices";
import { policyConfigForStack } from "../../policies/cost/policy-config-cli";
import { BUDGET_POLICY } from "../../policies/cost/usage";

const ROOT = path.resolve(__dirname, "../..");

/** Every Price in the module, with where it sits. */
function allPrices(): [string, prices.Price][] {
  const out: [string, prices.Price][] = [];
  const walk = (where: string, v: unknown) => {
    if (v && typeof v === "object" && "usd" in v && "source" in v)
      out.push([where, v as prices.Price]);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(`${where}.${k}`, x);
  };
  for (const [k, v] of Object.entries(prices)) walk(k, v);
  return out;
}

describe("price table", () => {
  it("gives every figure an AWS source page, the day it was taken and how it was checked", () => {
    const all = allPrices();
    assert.ok(all.length > 40, `${all.length} prices`);
    for (const [where, p] of all) {
      assert.match(p.source, /^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//, where);
      assert.match(p.taken, /^\d{4}-\d{2}-\d{2}$/, where);
      assert.ok(["stored copy", "cross-checked", "public figure"].includes(p.check), where);
      assert.ok(p.usd > 0 && Number.isFinite(p.usd), where);
    }
  });

  it("uses a 730-hour month", () => {
    assert.strictEqual(prices.HOURS_PER_MONTH, 730);
    assert.strictEqual(prices.SECONDS_PER_MONTH, 2628000);
  });

  it("derives each region's multiplier from its m5.xlarge price, us-east-1 being 1", () => {
    for (const [region, m] of Object.entries(prices.REGION_MULTIPLIERS)) {
      assert.ok(Math.abs(m.multiplier - m.m5XlargeUsd / 0.192) < 0.0005, region);
    }
    assert.strictEqual(prices.regionMultiplier("us-east-1").multiplier, 1);
    assert.strictEqual(prices.regionMultiplier("us-east-1").warning, undefined);
  });

  it("documents a spot saving below the documented maximum", () => {
    assert.ok(prices.SPOT_TRAINING_SAVING.assumed < prices.SPOT_TRAINING_SAVING.documentedMaximum);
    assert.match(prices.SPOT_TRAINING_SAVING.source, /model-managed-spot-training/);
  });
});

describe("policy config of a stack", () => {
  it("is built from Pulumi.yaml and the stack file", () => {
    const config = JSON.parse(policyConfigForStack(ROOT, "prod"));
    assert.deepStrictEqual(Object.keys(config), [BUDGET_POLICY]);
    assert.strictEqual(typeof config[BUDGET_POLICY].monthlyRequests, "number");
    assert.strictEqual(config[BUDGET_POLICY].region, "us-east-1");
  });

  it("is printed by the command line for a stack, and a missing stack exits 2", function () {
    this.timeout(60000);
    const cli = path.join(ROOT, "policies/cost/policy-config-cli.ts");
    const tsx = require.resolve("tsx/cli");
    const out = execFileSync(process.execPath, [tsx, cli, "--stack", "dev"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.deepStrictEqual(JSON.parse(out), JSON.parse(policyConfigForStack(ROOT, "dev")));
    assert.throws(
      () =>
        execFileSync(process.execPath, [tsx, cli, "--stack", "nope"], { cwd: ROOT, stdio: "pipe" }),
      (e: { status: number; stderr: Buffer }) =>
        e.status === 2 && /Pulumi\.nope\.yaml/.test(e.stderr.toString()),
    );
  });
});
