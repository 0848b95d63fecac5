// The clean-up script for kept endpoint configurations and models, executed under bash with a
// stub `aws` on PATH that answers from fixture files and records every call.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/prune-endpoint-history.sh");

// The AWS CLI's text output: a list on one line, tab-separated.
const STUB = `#!/usr/bin/env bash
echo "$*" >>"$STUB_DIR/calls"
[ "$1" = sagemaker ] || { echo "stub aws: unexpected $*" >&2; exit 1; }
case "$2" in
  describe-endpoint)
    [ -f "$STUB_DIR/status" ] || { echo "An error occurred (ValidationException): Could not find endpoint" >&2; exit 254; }
    case "$*" in
      *"--query EndpointStatus"*) cat "$STUB_DIR/status" ;;
      *"--query EndpointConfigName"*) cat "$STUB_DIR/serving" ;;
      *) exit 1 ;;
    esac ;;
  describe-endpoint-config) cat "$STUB_DIR/serving-models" ;;
  list-endpoint-configs) cat "$STUB_DIR/configs" ;;
  list-models) cat "$STUB_DIR/models" ;;
  delete-model | delete-endpoint-config) ;;
  *) echo "stub aws: unexpected $*" >&2; exit 1 ;;
esac
`;

const P = "dog-breed-classifier-prod";
const SERVING = `${P}-20261101000000000000000001`;
const OLD = `${P}-20261001000000000000000001`;
const NEWER = `${P}-20261201000000000000000002`;
const OTHER_STACK = "dog-breed-classifier-prod2-20261201000000000000000003";

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

function run(fixtures: Record<string, string>, ...args: string[]): Outcome {
  const dir = mkdtempSync(path.join(tmpdir(), "prune-endpoint-history-"));
  try {
    const bin = path.join(dir, "bin");
    writeFileSync(path.join(dir, "calls"), "");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "aws"), STUB);
    chmodSync(path.join(bin, "aws"), 0o755);
    for (const [name, text] of Object.entries(fixtures))
      writeFileSync(path.join(dir, name), `${text}\n`);
    const result = spawnSync("bash", [SCRIPT, ...args], {
      env: { PATH: `${bin}:/usr/bin:/bin`, STUB_DIR: dir },
      encoding: "utf8",
      timeout: 20_000,
    });
    const calls = readFileSync(path.join(dir, "calls"), "utf8").split("\n").filter(Boolean);
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HISTORY = {
  status: "InService",
  serving: SERVING,
  "serving-models": `${P}-model-aaaaaaaa`,
  configs: [OLD, SERVING, NEWER, OTHER_STACK].join("\t"),
  models: [
    `${P}-model-aaaaaaaa`,
    `${P}-model-bbbbbbbb`,
    "dog-breed-classifier-prod2-model-cccccccc",
  ].join("\t"),
};

describe("scripts/prune-endpoint-history.sh (bash, stub aws)", () => {
  it("lists what the endpoint no longer uses and deletes nothing without --delete", () => {
    const out = run(HISTORY, "prod");
    assert.strictEqual(out.status, 0, out.stderr);
    assert.strictEqual(
      out.stdout,
      [
        `${P}-endpoint serves ${SERVING} (models: ${P}-model-aaaaaaaa)`,
        `would delete endpoint-config ${OLD}`,
        `would delete endpoint-config ${NEWER}`,
        `would delete model ${P}-model-bbbbbbbb`,
        "run again with --delete to delete them",
        "",
      ].join("\n"),
    );
    assert.ok(!out.calls.some((c) => c.includes("delete-")), out.calls.join("\n"));
  });

  it("with --delete deletes exactly those, and never the serving configuration or model", () => {
    const out = run(HISTORY, "prod", "--delete");
    assert.strictEqual(out.status, 0, out.stderr);
    assert.deepStrictEqual(
      out.calls.filter((c) => c.includes(" delete-")),
      [
        `sagemaker delete-endpoint-config --endpoint-config-name ${OLD}`,
        `sagemaker delete-endpoint-config --endpoint-config-name ${NEWER}`,
        `sagemaker delete-model --model-name ${P}-model-bbbbbbbb`,
      ],
    );
    // It asked about this stack's endpoint and names only.
    assert.ok(
      out.calls.includes(
        `sagemaker describe-endpoint --endpoint-name ${P}-endpoint --query EndpointStatus --output text`,
      ),
    );
    assert.ok(
      out.calls.some((c) => c.startsWith(`sagemaker list-endpoint-configs --name-contains ${P}- `)),
    );
  });

  it("refuses to prune while the endpoint is updating", () => {
    const out = run({ ...HISTORY, status: "Updating" }, "prod", "--delete");
    assert.strictEqual(out.status, 1);
    assert.strictEqual(out.stderr, `${P}-endpoint is Updating; prune only once it is InService\n`);
    assert.ok(!out.calls.some((c) => c.includes("delete-") || c.includes("list-")));
  });

  it("says so when there is nothing to prune", () => {
    const out = run(
      { ...HISTORY, configs: SERVING, models: `${P}-model-aaaaaaaa` },
      "prod",
      "--delete",
    );
    assert.strictEqual(out.status, 0, out.stderr);
    assert.match(out.stdout, /\nnothing to prune\n$/);
    assert.ok(!out.calls.some((c) => c.includes(" delete-")));
  });

  it("stops on the CLI's error when the endpoint does not exist", () => {
    const { status, ...rest } = HISTORY;
    void status;
    const out = run(rest, "prod", "--delete");
    assert.notStrictEqual(out.status, 0);
    assert.match(out.stderr, /Could not find endpoint/);
    assert.ok(!out.calls.some((c) => c.includes(" delete-")));
  });

  it("refuses bad arguments", () => {
    assert.strictEqual(run(HISTORY).status, 2);
    assert.strictEqual(run(HISTORY, "prod", "--yes").status, 2);
    assert.strictEqual(run(HISTORY, "prod;rm -rf /").status, 2);
  });
});
