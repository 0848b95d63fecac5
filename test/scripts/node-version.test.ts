// One Node.js line: package.json's engines names the oldest the project runs on, scripts/node pins
// the build the setup script provides where the machine's own is older, and CI runs the same line.
// The npm scripts (this suite among them) must run on a Node.js that engines accepts.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { packBuildOptions } from "../../policies/bundle";

const ROOT = path.resolve(__dirname, "../..");

interface NodeVersion {
  requiredMajor(): number;
  isSupported(version: string, major?: number): boolean;
}

/** scripts/node/package.json's pinned version of each platform's build. */
function providedVersions(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "scripts/node/package.json"), "utf8"));
  return Object.values(pkg.optionalDependencies as Record<string, string>);
}

describe("the Node.js the project runs on", () => {
  let nv: NodeVersion;
  before(async () => {
    // A dynamic import that TypeScript's CommonJS output keeps as one.
    const load = new Function("u", "return import(u)") as (u: string) => Promise<NodeVersion>;
    nv = await load(pathToFileURL(path.join(ROOT, "scripts", "node-version.mjs")).href);
  });

  it("is the one this suite runs on: engines accepts it", () => {
    assert.ok(
      nv.isSupported(process.version),
      `${process.version} (${process.execPath}) is older than engines' ${nv.requiredMajor()}`,
    );
    assert.strictEqual(nv.isSupported("v20.19.0", 22), false);
    assert.strictEqual(nv.isSupported("22.0.0", 22), true);
  });

  it("is the provided build wherever the setup script linked it", function () {
    const link = path.join(ROOT, "node_modules", ".bin", "node");
    if (!fs.existsSync(link)) this.skip(); // the machine's own Node.js is new enough
    assert.strictEqual(fs.realpathSync(process.execPath), fs.realpathSync(link));
    assert.ok(providedVersions().includes(process.versions.node), process.version);
  });

  it("pins one build per platform, of one version that engines accepts", () => {
    const versions = new Set(providedVersions());
    assert.strictEqual(versions.size, 1, [...versions].join(", "));
    assert.ok(nv.isSupported([...versions][0]));
  });

  it("is what CI's container and setup-node run: the provided build's major release", () => {
    const major = Number(providedVersions()[0].split(".")[0]);
    const workflow = fs.readFileSync(
      path.join(ROOT, ".github", "workflows", "pull-request.yml"),
      "utf8",
    );
    const named = [
      ...[...workflow.matchAll(/container: node:(\d+)-/g)].map((m) => Number(m[1])),
      ...[...workflow.matchAll(/node-version: (\d+)/g)].map((m) => Number(m[1])),
    ];
    assert.ok(named.length >= 3, `CI names Node.js ${named}`);
    assert.deepStrictEqual(new Set(named), new Set([major]));
  });

  it("is the oldest the bundles are built for", () => {
    assert.strictEqual(packBuildOptions(ROOT, "out").target, `node${nv.requiredMajor()}`);
  });
});
