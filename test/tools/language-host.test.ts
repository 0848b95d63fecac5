// The command line and environment the local engine gives cmd/run, as the Node.js language host
// builds them (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go), and what the
// program then sees of them: the config in the CLI's `project:config:key` form, and --dry-run.
import * as assert from "assert";
import * as path from "path";
import {
  DEFAULT_PARALLEL,
  RunRequest,
  constructArguments,
  constructConfig,
  constructEnv,
  programLocation,
  splitNodeArgs,
} from "../../tools/language-host";

const request = (over: Partial<RunRequest> = {}): RunRequest => ({
  monitorAddress: "127.0.0.1:1001",
  engineAddress: "127.0.0.1:1002",
  syncDirectory: "/tmp/sync",
  organization: "organization",
  project: "dog-breed-classifier",
  stack: "dev",
  programDirectory: "/repo/infra",
  entryPoint: ".",
  dryRun: false,
  queryMode: false,
  parallel: DEFAULT_PARALLEL,
  config: { "dog-breed-classifier:owner": "ml-platform", "aws:region": "us-east-1" },
  configSecretKeys: [],
  options: { typescript: true },
  ...over,
});

describe("language host", () => {
  it("runs a main folder in that folder with `.` as the entry point, and a main file from the root", () => {
    const dirs = new Set(["/repo/infra"]);
    const isDir = (p: string) => dirs.has(p);
    assert.deepStrictEqual(programLocation("/repo", "infra/", isDir), {
      programDirectory: path.resolve("/repo/infra"),
      entryPoint: ".",
    });
    assert.deepStrictEqual(programLocation("/repo", "bin/main.js", isDir), {
      programDirectory: "/repo",
      entryPoint: "bin/main.js",
    });
    assert.deepStrictEqual(programLocation("/repo", undefined, isDir), {
      programDirectory: "/repo",
      entryPoint: ".",
    });
  });

  it("builds cmd/run's arguments in the host's order, --dry-run only in a preview", () => {
    const up = constructArguments(request(), "/repo/node_modules/@pulumi/pulumi/cmd/run/index.js");
    assert.deepStrictEqual(up, [
      "/repo/node_modules/@pulumi/pulumi/cmd/run/index.js",
      "--monitor",
      "127.0.0.1:1001",
      "--engine",
      "127.0.0.1:1002",
      "--sync",
      "/tmp/sync",
      "--organization",
      "organization",
      "--project",
      "dog-breed-classifier",
      "--stack",
      "dev",
      "--pwd",
      "/repo/infra",
      "--query-mode",
      "false",
      "--parallel",
      "2147483647",
      ".",
    ]);
    const preview = constructArguments(
      request({
        dryRun: true,
        options: { nodeargs: "--max-old-space-size=4096 --trace-warnings" },
      }),
      "run",
    );
    assert.deepStrictEqual(preview.slice(0, 3), [
      "--max-old-space-size=4096",
      "--trace-warnings",
      "run",
    ]);
    assert.ok(preview.includes("--dry-run"));
    assert.ok(preview.indexOf("--dry-run") < preview.indexOf("--query-mode"));
  });

  it("hands the config over as PULUMI_CONFIG in the namespace:config:key form, with the TypeScript switch", () => {
    const env = constructEnv(request({ configSecretKeys: ["dog-breed-classifier:token"] }), {
      PATH: "/bin",
    });
    assert.deepStrictEqual(JSON.parse(env.PULUMI_CONFIG!), {
      "dog-breed-classifier:config:owner": "ml-platform",
      "aws:config:region": "us-east-1",
    });
    assert.strictEqual(env.PULUMI_CONFIG_SECRET_KEYS, '["dog-breed-classifier:token"]');
    assert.strictEqual(env.PULUMI_NODEJS_TYPESCRIPT, "true");
    assert.strictEqual(env.PULUMI_NODEJS_TSCONFIG_PATH, undefined);
    assert.strictEqual(env.PATH, "/bin");
    const js = constructEnv(request({ options: { typescript: false, tsconfig: "x.json" } }), {});
    assert.strictEqual(js.PULUMI_NODEJS_TYPESCRIPT, undefined);
    assert.strictEqual(js.PULUMI_NODEJS_TSCONFIG_PATH, "x.json");
    assert.throws(() => constructConfig({ owner: "x" }), /not of the form namespace:name/);
  });

  it("splits nodeargs as shell words", () => {
    assert.deepStrictEqual(splitNodeArgs(` --a  "b c" 'd e' f\\ g ""`), [
      "--a",
      "b c",
      "d e",
      "f g",
      "",
    ]);
    assert.throws(() => splitNodeArgs(`"open`), /unterminated quote/);
  });
});
