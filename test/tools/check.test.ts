import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { main, parseArgs } from "../../tools/check";
import { projectCopy } from "../project-copy";
import type { RunMemo } from "../../tools/local-engine";
import { spawnPolicyPack } from "../../tools/pack-process";
import { PolicyPackClient, startPolicyPack } from "../../tools/policy-analyzer";
import { PACK_DIR } from "../policies/harness";

const ROOT = path.resolve(__dirname, "..", "..");

/** A model artifact that exists before the stacks do, in a release bucket. */
const RELEASE = "s3://dog-breed-classifier-releases-123456789012/2026-11-01/model.tar.gz";

/**
 * A copy of the project's Pulumi files with both stacks serving that artifact (the stack files
 * alone leave the inference tier waiting), plus stacks derived from it with some keys changed.
 */
function projectWith(stacks: Record<string, Record<string, unknown>>): string {
  const dir = projectCopy("check-");
  for (const [stack, serving] of Object.entries({
    dev: { modelArtifactUri: RELEASE, ec2Enabled: true },
    prod: { modelArtifactUri: RELEASE, modelPromoteSource: undefined },
  })) {
    const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    for (const [k, v] of Object.entries(serving)) doc.config[`dog-breed-classifier:${k}`] = v;
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  }
  const dev = parse(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8"));
  for (const [name, changes] of Object.entries(stacks)) {
    const config = { ...dev.config };
    for (const [k, v] of Object.entries(changes)) config[`dog-breed-classifier:${k}`] = v;
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
  }
  return dir;
}

/** The program's runs, shared by the checks of this file: each stack and mode runs once. */
const RUNS: RunMemo = new Map();
/** One policy pack for the checks of this file, served as the CLI serves it. */
let PACK: Promise<PolicyPackClient> | undefined;

/** Checks already made by this file, by folder and arguments: the same check is made once. */
const CHECKS = new Map<string, ReturnType<typeof checkOnce>>();

function check(cwd: string, ...argv: string[]) {
  // A report file may change between two checks that render it.
  if (argv.includes("--render")) return checkOnce(cwd, ...argv);
  const key = JSON.stringify([cwd, argv]);
  if (!CHECKS.has(key)) CHECKS.set(key, checkOnce(cwd, ...argv));
  return CHECKS.get(key)!;
}

async function checkOnce(cwd: string, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd,
    runs: RUNS,
    pack: (PACK ??= startPolicyPack({ process: spawnPolicyPack({ packDir: PACK_DIR }) })),
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  });
  return { code, stdout, stderr };
}

describe("offline check", function () {
  this.timeout(180_000);
  let root: string;
  after(async () => (await PACK)?.close());
  before(() => {
    root = projectWith({
      overbudget: { budgetMonthlyUsd: 1 },
      badtweak: { lambdaMemoryMb: 64, endpointMaxInstanes: 3 },
    });
  });

  describe("arguments", () => {
    it("needs a stack or --all, and refuses unknown flags", () => {
      assert.throws(() => parseArgs([]), /name a stack or --all/);
      assert.throws(() => parseArgs(["--stack"]), /--stack needs a value/);
      assert.throws(() => parseArgs(["--all", "--stack", "dev"]), /exclude each other/);
      assert.throws(() => parseArgs(["--stak", "dev"]), /unknown argument '--stak'/);
    });

    it("exits 2 on bad arguments", async () => {
      const r = await check(root, "--bogus");
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /usage: npm run check/);
    });
  });

  describe("a clean stack", () => {
    it("prints resources, outputs, cost and no mandatory violation, and exits 0", async () => {
      const r = await check(root, "--stack", "dev");
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Stack dev \(dog-breed-classifier, us-east-1\)/);
      assert.match(r.stdout, /Resources \(\d+\)/);
      assert.match(r.stdout, /lambda\.Function\s+classifier-function\s+runtime=nodejs/);
      assert.match(r.stdout, /Monthly cost estimate \(USD, us-east-1\)/);
      assert.match(r.stdout, /Total: \$[\d,.]+( – \$[\d,.]+)? per month/);
      assert.match(r.stdout, /Policy violations \(0 mandatory/);
      assert.match(r.stdout, /Result: stack dev passes/);
    });
  });

  describe("a fresh stack, as its stack file declares it", () => {
    it("shows its inference tier waiting for a model, why, and the next commands", async () => {
      const r = await check(ROOT, "--stack", "dev", "--no-color");
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /sagemaker\.(Model|Endpoint)|lambda\.Function/);
      const waiting = r.stdout.slice(r.stdout.indexOf("Waiting (2)"));
      assert.match(waiting, /^Waiting \(2\)\n {2}inference tier: model role, model, endpoint/);
      // The budget's alerts need the team's address: a step still to do before `pulumi up`.
      assert.match(
        waiting,
        /\n {2}budget alerts: the address that receives them\n {4}why: budgetMonthlyUsd is 50 but budgetAlertEmail and budgetAlertSnsTopicArn are empty: the budget's alerts would reach nobody; `pulumi up` refuses to deploy until it is a real address \(or an SNS topic\)\n {4}next:\n {6}pulumi config set dog-breed-classifier:budgetAlertEmail <your team's address> --stack dev\n/,
      );
      assert.match(
        waiting,
        /why: no model source: modelArtifactUri and modelPromoteSource are empty/,
      );
      assert.match(
        waiting,
        /next:\n {6}aws s3 sync \.\/dogImages "s3:\/\/\$\(pulumi stack output bucketName --stack dev\)\/data\/dog-images\/"\n {6}pulumi config set dog-breed-classifier:trainingMode tune --stack dev\n {6}pulumi up --stack dev\n/,
      );
      const prod = await check(ROOT, "--stack", "prod", "--no-color");
      assert.strictEqual(prod.code, 0, prod.stdout + prod.stderr);
      assert.match(prod.stdout, /why: modelPromoteSource is dev but modelPromoteEtag is empty/);
      assert.match(prod.stdout, /npm run promote -- --from dev --stack prod/);
    });
  });

  describe("a stack over its budget", () => {
    it("reports the budget policy as mandatory and exits 1", async () => {
      const r = await check(root, "--stack", "overbudget");
      assert.strictEqual(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /\[mandatory\] cost-budget-enforce: /);
      assert.match(r.stdout, /Budget: \$1\.00 per month .*upper bound over by/);
    });
  });

  describe("a stack with a bad tweak", () => {
    it("prints every bad key with its value and exits 2", async () => {
      const r = await check(root, "--stack", "badtweak");
      assert.strictEqual(r.code, 2);
      assert.match(r.stdout, /Config error:/);
      assert.match(r.stdout, /lambdaMemoryMb/);
      assert.match(r.stdout, /64/);
      assert.match(r.stdout, /endpointMaxInstanes/);
    });
  });

  describe("--json", () => {
    it("follows the documented schema for every stack and carries the worst exit code", async () => {
      const r = await check(root, "--all", "--json");
      assert.strictEqual(r.code, 2);
      const doc = JSON.parse(r.stdout);
      assert.strictEqual(doc.schemaVersion, 1);
      assert.strictEqual(doc.exitCode, 2);
      assert.deepStrictEqual(
        doc.stacks.map((s: { stack: string }) => s.stack),
        ["badtweak", "dev", "overbudget", "prod"],
      );
      const [bad, dev, over] = doc.stacks;
      assert.strictEqual(bad.status, "error");
      assert.strictEqual(bad.error.kind, "config");
      assert.strictEqual(dev.status, "ok");
      assert.strictEqual(over.status, "violations");
      for (const s of [dev, over]) {
        assert.ok(s.resources.length > 10);
        for (const res of s.resources) {
          assert.deepStrictEqual(Object.keys(res).sort(), [
            "component",
            "name",
            "settings",
            "type",
            "urn",
          ]);
        }
        assert.strictEqual(typeof s.outputs.endpointName, "string");
        assert.strictEqual(s.cost.currency, "USD");
        assert.ok(s.cost.lines.length > 0);
        for (const l of s.cost.lines) {
          for (const k of [
            "resource",
            "name",
            "type",
            "item",
            "formula",
            "inputs",
            "monthlyMin",
            "monthlyMax",
          ]) {
            assert.ok(k in l, `cost line lacks ${k}`);
          }
          assert.ok(l.monthlyMin <= l.monthlyMax);
        }
        const sum = s.cost.lines.reduce(
          (a: number, l: { monthlyMax: number }) => a + l.monthlyMax,
          0,
        );
        assert.ok(Math.abs(sum - s.cost.totals.max) < 0.01);
        for (const v of s.violations) {
          assert.deepStrictEqual(Object.keys(v).sort(), [
            "level",
            "message",
            "name",
            "policy",
            "seenAt",
            "type",
            "urn",
          ]);
          assert.ok(["preview", "up"].includes(v.seenAt), v.seenAt);
        }
      }
      assert.ok(
        over.violations.some(
          (v: { policy: string; level: string }) =>
            v.policy === "cost-budget-enforce" && v.level === "mandatory",
        ),
      );
    });
  });

  describe("--render", () => {
    async function rendered(...argv: string[]) {
      const text = await check(root, ...argv, "--no-color");
      const json = await check(root, ...argv, "--json");
      const file = path.join(root, "report.json");
      fs.writeFileSync(file, json.stdout);
      return { text, render: await check(root, "--render", "report.json", "--no-color") };
    }

    it("prints a --json report as the text mode prints it, with the same exit code", async () => {
      const { text, render } = await rendered("--all");
      assert.strictEqual(render.stderr, "");
      assert.strictEqual(render.stdout, text.stdout);
      assert.strictEqual(render.code, text.code);
      assert.strictEqual(render.code, 2);
    });

    it("prints the diff of a --json report as the text mode prints it", async () => {
      const { text, render } = await rendered("--stack", "overbudget", "--diff", "dev");
      assert.match(text.stdout, /Diff dev -> overbudget/);
      assert.strictEqual(render.stdout, text.stdout);
      assert.strictEqual(render.code, text.code);
    });

    it("takes nothing but the report, and exits 2 on a file that is not one", async () => {
      assert.throws(() => parseArgs(["--render", "r.json", "--all"]), /nothing else/);
      fs.writeFileSync(path.join(root, "not-a-report.json"), "{}");
      const r = await check(root, "--render", "not-a-report.json");
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /not a report of schemaVersion 1/);
    });
  });

  describe("--diff", () => {
    it("shows the resources and the cost one stack adds over another", async () => {
      const r = await check(root, "--stack", "prod", "--diff", "dev", "--no-color");
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);
      const diff = r.stdout.slice(r.stdout.indexOf("Diff dev -> prod"));
      assert.match(diff, /\+ appautoscaling\.Target /);
      assert.match(diff, /- sagemaker\.NotebookInstance notebook-instance/);
      assert.match(
        diff,
        /cost: \$[\d,.]+( – \$[\d,.]+)? -> \$[\d,.]+ – \$[\d,.]+ per month \(min \+\$[\d,.]+, max \+\$[\d,.]+\)/,
      );
      assert.match(
        diff,
        /\+ classifier-provisioned Lambda provisioned concurrency \(arm64\): \$0\.00 -> \$[\d,.]+ \(max\)/,
      );
    });

    it("puts the structured diff in --json", async () => {
      const r = await check(root, "--stack", "dev", "--diff", "prod", "--json");
      const doc = JSON.parse(r.stdout);
      assert.strictEqual(doc.diff.length, 1);
      const [d] = doc.diff;
      assert.strictEqual(d.base, "prod");
      assert.strictEqual(d.head, "dev");
      assert.ok(
        d.added.some(
          (x: { type: string }) => x.type === "aws:sagemaker/notebookInstance:NotebookInstance",
        ),
      );
      assert.ok(d.cost.after.max < d.cost.before.max);
    });

    it("compares with the same stack at a git ref, checked with that revision's code", async () => {
      const r = await check(ROOT, "--stack", "dev", "--diff", "HEAD", "--json");
      assert.strictEqual(r.code, 0, r.stderr);
      const [d] = JSON.parse(r.stdout).diff;
      assert.strictEqual(d.base, "dev@base");
      assert.strictEqual(d.error, undefined);
      assert.ok(d.cost.before.max > 0 && d.cost.after.max > 0);
    });

    it("refuses a target that is neither a stack nor a git ref", async () => {
      const r = await check(root, "--stack", "dev", "--diff", "no-such-thing");
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /'no-such-thing' is neither a stack/);
    });
  });

  describe("--policy-config", () => {
    it("prints the pack config a preview of the stack needs, from the stack's config", async () => {
      const r = await check(root, "--stack", "overbudget", "--policy-config");
      assert.strictEqual(r.code, 0);
      const cfg = JSON.parse(r.stdout);
      assert.deepStrictEqual(Object.keys(cfg), ["cost-budget-enforce"]);
      // dev's usage assumptions, as the stack file sets them.
      assert.strictEqual(cfg["cost-budget-enforce"].monthlyRequests, 2000);
      assert.strictEqual(cfg["cost-budget-enforce"].region, "us-east-1");
    });

    it("starts from the pack's own config file for the stack, when there is one", async () => {
      const r = await check(root, "--stack", "prod", "--policy-config");
      assert.strictEqual(r.code, 0);
      const cfg = JSON.parse(r.stdout);
      assert.strictEqual(cfg["aws-resource-require-tags"], "mandatory");
      // The autoscaling cap is the policy's own default, not repeated in the file.
      assert.strictEqual(cfg["sagemaker-endpoint-require-autoscaling"], undefined);
      assert.strictEqual(cfg["cost-budget-enforce"].monthlyRequests, 1000000);
    });

    it("exits 2 for a stack that does not exist", async () => {
      const r = await check(root, "--stack", "nope", "--policy-config");
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /Pulumi\.nope\.yaml/);
    });
  });
});
