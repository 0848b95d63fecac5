// The pack changes two things inside the SDKs it runs on (policies/fast-deserialize.ts and
// policies/lazy-sdk.ts), and nothing in the SDKs says when such a change stops applying: a renamed
// export or a new import leaves the pack working, only slower. So their effects are measured inside
// a pack served as the CLI serves it, through a probe preloaded into its process, during a real
// analysis of the dev and prod programs: how many property structs it converts, and which of the
// SDK's modules it loaded.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnPolicyPack, type PackProcess } from "../../tools/pack-process";
import { startPolicyPack, type PolicyPackClient } from "../../tools/policy-analyzer";
import { runStack, type StackResource } from "../../tools/stack-run";
import { SERVING } from "../infra/helpers";
import { PACK_DIR } from "./harness";

interface ProbeReport {
  /** google.protobuf.Struct conversions to JavaScript, outermost calls only. */
  conversions: number;
  modules: string[];
}

/**
 * A module preloaded into the pack's process (`node --require`): it counts the outermost
 * `Struct.prototype.toJavaScript` calls, which the policy SDK's deserializeProperties makes once per
 * conversion whatever its own name, and on SIGUSR2 writes the count and the loaded modules to
 * `report`.
 */
function probeSource(report: string): string {
  return `
const fs = require("fs");
const path = require("path");
const policy = path.dirname(require.resolve("@pulumi/policy/package.json", { paths: [process.cwd()] }));
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [policy] }));
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] }));
const toJavaScript = Struct.prototype.toJavaScript;
let conversions = 0;
let depth = 0;
Struct.prototype.toJavaScript = function () {
  if (depth === 0) conversions++;
  depth++;
  try { return toJavaScript.call(this); } finally { depth--; }
};
process.on("SIGUSR2", () => {
  const report = ${JSON.stringify(report)};
  fs.writeFileSync(report + ".part", JSON.stringify({ conversions, modules: Object.keys(require.cache) }));
  fs.renameSync(report + ".part", report);
});
`;
}

describe("the pack's changes to the SDKs, measured in a served pack", function () {
  this.timeout(120_000);
  let dir: string;
  let report: string;
  let proc: PackProcess;
  let pack: PolicyPackClient;
  let resources: StackResource[];

  /** The probe's report as of now. */
  async function snapshot(): Promise<ProbeReport> {
    fs.rmSync(report, { force: true });
    proc.child.kill("SIGUSR2");
    for (let i = 0; i < 500 && !fs.existsSync(report); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return JSON.parse(fs.readFileSync(report, "utf8")) as ProbeReport;
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-probe-"));
    report = path.join(dir, "report.json");
    const probe = path.join(dir, "probe.js");
    fs.writeFileSync(probe, probeSource(report));
    const [dev, prod] = [
      await runStack({ stack: "dev", ...SERVING.dev }),
      await runStack({ stack: "prod", ...SERVING.prod }),
    ];
    resources = [...dev.resources, ...prod.resources];
    proc = spawnPolicyPack({ packDir: PACK_DIR, nodeArgs: ["--require", probe] });
    pack = await startPolicyPack({ process: proc });
  });

  after(async () => {
    await pack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("converts each resource's properties once per Analyze, not once per policy", async () => {
    const before = await snapshot();
    await pack.analyze(resources);
    const after = await snapshot();
    const conversions = after.conversions - before.conversions;
    const n = resources.length;
    // Each Analyze request carries the resource's properties and its provider's: two structs. The
    // policy SDK converts both for each of its policies (${pack.policies.length} here) unless the
    // conversions are shared.
    assert.ok(conversions >= n, `the probe counted ${conversions} conversions for ${n} resources`);
    assert.ok(
      conversions <= 2 * n,
      `${conversions} conversions for ${n} resources and ${pack.policies.length} policies: ` +
        "policies/fast-deserialize.ts no longer shares them",
    );
  });

  it("loads none of the Pulumi SDK's automation modules through a real analysis", async () => {
    await pack.analyze(resources);
    await pack.analyzeStack(resources);
    const { modules } = await snapshot();
    const sdkModule = (p: string) =>
      modules.some((m) => m.split(path.sep).join("/").includes(`/@pulumi/${p}`));
    // The probe sees the pack's modules: the policy SDK's server and the SDK's output module.
    assert.ok(sdkModule("policy/server.js") && sdkModule("pulumi/output.js"), modules.join("\n"));
    const automation = modules.filter((m) => /[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/.test(m));
    assert.deepStrictEqual(
      automation,
      [],
      "the Pulumi SDK's index was loaded in full: policies/lazy-sdk.ts no longer defers it",
    );
  });
});
