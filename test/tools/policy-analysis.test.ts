// The policy pack as the check's analysis: resources are sent to Analyze as the program registers
// them, and a result counts only for the very resource object it was computed for; the run the
// check analyzes decides what is reported.
import * as assert from "assert";
import { emptyReport } from "../../tools/check-run";
import { PolicyAnalysis } from "../../tools/policy-analysis";
import { runStack, StackResource, StackRun } from "../../tools/stack-run";
import { PACK_DIR } from "../policies/harness";
import { spawnPolicyPack } from "../../tools/pack-process";

const RULE = "sagemaker-notebook-disable-root-access";

/** The run's resources with the notebook's root access turned on, as new objects. */
function rootAccess(run: StackRun): StackResource[] {
  return run.resources.map((r) =>
    r.name === "notebook-instance"
      ? { ...r, inputs: { ...r.inputs, rootAccess: "Enabled" }, outputs: { ...r.outputs } }
      : r,
  );
}

describe("policy analysis of the check", function () {
  this.timeout(60_000);
  let dev: StackRun;
  before(async () => {
    dev = await runStack({ stack: "dev" });
  });

  async function analysed(observed: StackResource[], applied: StackResource[], stack = "dev") {
    const analysis = new PolicyAnalysis(spawnPolicyPack({ packDir: PACK_DIR }));
    await analysis.start({ stack: "dev", config: dev.config });
    try {
      for (const r of observed) analysis.observe(stack, r);
      const out = emptyReport("dev");
      await analysis.apply({ ...dev, resources: applied }, out);
      return out.violations.filter((v) => v.policy === RULE).map((v) => v.name);
    } finally {
      await analysis.stop();
    }
  }

  it("reports what the analyzed run declares, not what an earlier run registered", async () => {
    // A repeated run registers new objects: the earlier run's results are not used for them.
    assert.deepStrictEqual(await analysed(rootAccess(dev), dev.resources), []);
    assert.deepStrictEqual(await analysed(dev.resources, rootAccess(dev)), ["notebook-instance"]);
  });

  it("uses what was analyzed as the program registered it", async () => {
    const registered = rootAccess(dev);
    assert.deepStrictEqual(await analysed(registered, registered), ["notebook-instance"]);
    // Analyzed at registration, changed after: the result of the registration stands (which
    // shows it is the one used; a program does not change a resource once registered).
    const analysis = new PolicyAnalysis(spawnPolicyPack({ packDir: PACK_DIR }));
    await analysis.start({ stack: "dev", config: dev.config });
    try {
      const resources = dev.resources.map((r) => ({ ...r, inputs: { ...r.inputs } }));
      await Promise.all(resources.map((r) => analysis.observe("dev", r)));
      resources.find((r) => r.name === "notebook-instance")!.inputs.rootAccess = "Enabled";
      const out = emptyReport("dev");
      await analysis.apply({ ...dev, resources }, out);
      assert.deepStrictEqual(
        out.violations.filter((v) => v.policy === RULE && v.urn.includes("notebook-instance")),
        [],
      );
    } finally {
      await analysis.stop();
    }
  });

  it("analyzes on registration only the stack the pack was configured for", async () => {
    const analysis = new PolicyAnalysis(spawnPolicyPack({ packDir: PACK_DIR }));
    await analysis.start({ stack: "dev", config: dev.config });
    try {
      assert.strictEqual(analysis.observe("prod", dev.resources[0]), undefined);
      assert.ok(analysis.observe("dev", dev.resources[0]));
    } finally {
      await analysis.stop();
    }
    // Resources of another stack are left for its own turn (here: analyzed when applied).
    assert.deepStrictEqual(await analysed(rootAccess(dev), dev.resources, "prod"), []);
  });
});
