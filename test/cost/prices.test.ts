import * as assert from "assert";
import * as prices from "../../cost/prices";

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
