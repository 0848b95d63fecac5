// shared/props.ts reads the policy SDK's sentinels for unknown values from its internal module, by
// name. The sentinels are found here without those names, as the SDK itself tells them: every
// UUID-shaped string in @pulumi/policy/proxy that its unknown-checking proxy refuses to read.
import * as assert from "assert";
import * as fs from "fs";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import { UNKNOWN_SENTINEL_EXPORTS, isUnknown, plain, readProp, valuesAt } from "../../shared/props";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const UUID = /"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g;

/** The values the SDK's proxy treats as unknown, from the strings its module holds. */
function sdkSentinels(): string[] {
  const source = fs.readFileSync(require.resolve("@pulumi/policy/proxy"), "utf8");
  const strings = [...new Set((source.match(UUID) ?? []).map((s) => JSON.parse(s) as string))];
  return strings.filter((v) => {
    try {
      void (unknownCheckingProxy({ v }) as { v: unknown }).v;
      return false;
    } catch (e) {
      return e instanceof UnknownValueError;
    }
  });
}

describe("the policy SDK's unknown-value sentinels (shared/props.ts)", () => {
  it("are read by name as seven distinct strings", () => {
    const values = UNKNOWN_SENTINEL_EXPORTS.map((k) => sdkProxy[k]);
    values.forEach((v, i) =>
      assert.strictEqual(
        typeof v,
        "string",
        `@pulumi/policy/proxy exports no ${UNKNOWN_SENTINEL_EXPORTS[i]}`,
      ),
    );
    assert.strictEqual(new Set(values).size, UNKNOWN_SENTINEL_EXPORTS.length);
  });

  it("recognizes every value the SDK's proxy refuses as unknown, and only those", () => {
    const sentinels = sdkSentinels();
    assert.ok(sentinels.length >= UNKNOWN_SENTINEL_EXPORTS.length, `found ${sentinels}`);
    for (const v of sentinels)
      assert.ok(isUnknown(v), `${v} is unknown to the SDK, not to isUnknown`);
    assert.deepStrictEqual(
      [...sentinels].sort(),
      UNKNOWN_SENTINEL_EXPORTS.map((k) => sdkProxy[k] as string).sort(),
    );
    assert.strictEqual(isUnknown("04da6b54-80e4-46f7-96ec-b56ff0331ba8"), false);
  });

  it("reads around the SDK's proxy: each sentinel gives undefined, never an error", () => {
    for (const v of sdkSentinels()) {
      const props = unknownCheckingProxy({ known: "x", nested: { v } });
      assert.strictEqual(plain(props).known, "x");
      assert.strictEqual(readProp(plain(plain(props).nested), "v"), undefined);
    }
  });

  it("reads argument paths through blocks and lists, leaving out what is absent or unknown", () => {
    const [unknown] = sdkSentinels();
    const props = unknownCheckingProxy({
      details: { policy: "{}" },
      permissions: [{ principal: "a" }, { principal: unknown }, {}, { principal: "b" }],
      single: { principal: "c" },
    });
    assert.deepStrictEqual(valuesAt(plain(props), "details.policy"), [
      { at: "details.policy", value: "{}" },
    ]);
    assert.deepStrictEqual(valuesAt(plain(props), "permissions[].principal"), [
      { at: "permissions[0].principal", value: "a" },
      { at: "permissions[3].principal", value: "b" },
    ]);
    // A block given where the typings say list reads as a list of one.
    assert.deepStrictEqual(valuesAt(plain(props), "single[].principal"), [
      { at: "single[0].principal", value: "c" },
    ]);
    assert.deepStrictEqual(valuesAt(plain(props), "missing[].principal"), []);
  });
});
