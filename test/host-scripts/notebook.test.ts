// The notebook's on-start script, rendered as the program renders it and executed under bash with
// SageMaker's lifecycle PATH; then the cron job it installs, executed the way cron runs it (its
// own minimal environment) against a local Jupyter server whose clock the test moves.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FakeJupyter } from "./fake-jupyter";
import {
  IDLE_MINUTES,
  Notebook,
  NOTEBOOK as NAME,
  REGION,
  Sandbox,
  cronCommand,
  cronTick,
  notebookBox,
  onStart,
} from "./sandbox";

const T0 = new Date("2026-12-01T12:00:00.000Z");
const at = (minutes: number, seconds = 0) =>
  new Date(T0.getTime() + (minutes * 60 + seconds) * 1000);
const STOP =
  `aws sagemaker stop-notebook-instance --region ${REGION} --notebook-instance-name ${NAME} ` +
  "--cli-connect-timeout 10 [AWS_REGION=]";

const table: [string, string][] = [];

describe("notebook idle stop, executed", function () {
  const jupyter = new FakeJupyter();
  const boxes: Sandbox[] = [];
  const make = (c?: { python?: string[]; aws?: string[] }) => {
    const n = notebookBox(jupyter.url, c);
    boxes.push(n.box);
    return n;
  };
  before(() => jupyter.start());
  after(async () => {
    await jupyter.stop();
    for (const b of boxes) b.remove();
    const width = Math.max(...table.map(([p]) => p.length));
    console.log("\n    exit path -> observed outcome");
    for (const [p, o] of table) console.log(`    ${p.padEnd(width)} -> ${o}`);
  });

  /** One cron tick at `now`: whether it stopped the notebook, and what it logged. */
  async function tick(n: Notebook, now: Date): Promise<{ stopped: boolean; said: string }> {
    jupyter.now = now;
    n.box.clearCalls();
    const r = await cronTick(n);
    const said = fs.readFileSync(n.logFile, "utf8").trim().split("\n").at(-1) ?? "";
    assert.strictEqual(r.status, 0, `${r.output}\n${said}`);
    const calls = n.box.calls();
    assert.ok(
      calls.every((c) => c === STOP),
      calls.join("\n"),
    );
    return { stopped: calls.length === 1, said };
  }

  it("on start: installs a cron job with absolute paths, after checking the SageMaker API is reachable", async () => {
    const n = make();
    n.box.scenario({ SAGEMAKER_API: "reachable" });
    const r = await onStart(n);
    table.push(["on-start, all present", `exit ${r.status}; ${r.output.trim()}`]);
    assert.strictEqual(r.status, 0, r.output);
    assert.deepStrictEqual(n.box.calls(), [
      `aws sagemaker describe-notebook-instance --region ${REGION} --notebook-instance-name ${NAME} ` +
        "--query NotebookInstanceStatus --output text --cli-connect-timeout 10 --cli-read-timeout 20 [AWS_REGION=]",
    ]);
    assert.strictEqual(
      cronCommand(n),
      `'/usr/bin/python3' -I -S '${n.checker}' --idle-minutes '30' --region '${REGION}' --notebook-name '${NAME}' ` +
        `--aws '${n.box.bin}/aws' --jupyter '${jupyter.url}' >> '${n.logFile}' 2>&1`,
    );
    assert.strictEqual(fs.statSync(n.cronFile).mode & 0o777, 0o644);
    assert.strictEqual(fs.statSync(n.checker).mode & 0o777, 0o755);
    assert.strictEqual(
      fs.readFileSync(n.checker, "utf8"),
      fs.readFileSync(
        path.join(__dirname, "../../infra/host-scripts/notebook-idle-stop.py"),
        "utf8",
      ),
    );
  });

  const refusals: [string, () => Notebook, Record<string, string>, RegExp][] = [
    [
      "on-start, no route to the SageMaker API",
      () => make(),
      { SAGEMAKER_API: "unreachable" },
      /cannot reach the SageMaker API in us-east-1: Connect timeout[\s\S]*interface VPC endpoint for com\.amazonaws\.us-east-1\.sagemaker\.api/,
    ],
    [
      "on-start, no Python",
      () => make({ python: ["/nonexistent/python3"] }),
      {},
      /no Python 3\.6 or later at any of: \/nonexistent\/python3\. The idle stop cannot run\./,
    ],
    [
      "on-start, no AWS CLI",
      () => make({ aws: ["/nonexistent/aws", "/nonexistent/bin/aws"] }),
      {},
      /no AWS CLI at any of: \/nonexistent\/aws \/nonexistent\/bin\/aws\. The idle stop cannot run\./,
    ],
  ];
  for (const [what, build, scenario, message] of refusals) {
    it(`${what}: fails the start with the reason, installs nothing`, async () => {
      const n = build();
      n.box.scenario(scenario);
      const r = await onStart(n);
      table.push([what, `exit ${r.status}; ${r.output.trim().replace(/\n/g, " | ")}`]);
      assert.strictEqual(r.status, 1, r.output);
      assert.match(r.output, message);
      assert.ok(!fs.existsSync(n.cronFile));
    });
  }

  it(`stops after exactly ${IDLE_MINUTES} idle minutes, and not before`, async () => {
    const n = make();
    n.box.scenario({});
    assert.strictEqual((await onStart(n)).status, 0);
    jupyter.kernels = [{ id: "k1", execution_state: "idle", last_activity: at(0) }];
    jupyter.lastActivity = at(0);
    jupyter.requests.length = 0;
    for (const [m, s] of [
      [0, 0],
      [15, 0],
      [29, 59],
    ]) {
      const t = await tick(n, at(m, s));
      table.push([
        `cron tick, idle ${m}m${String(s).padStart(2, "0")}s`,
        t.stopped ? "stop-notebook-instance" : `no stop; ${t.said}`,
      ]);
      assert.ok(!t.stopped, `stopped after only ${m}m${s}s`);
    }
    const t = await tick(n, at(IDLE_MINUTES));
    table.push([
      `cron tick, idle ${IDLE_MINUTES}m00s`,
      t.stopped ? `${STOP}; ${t.said}` : "no stop",
    ]);
    assert.ok(t.stopped, t.said);
    assert.strictEqual(t.said, `2026-12-01T12:30:00Z idle 1800s of 1800s: stopping ${NAME}`);
    // Its own requests never count as activity.
    assert.ok(jupyter.requests.length > 0);
    for (const r of jupyter.requests)
      assert.match(r, /^GET \/api\/(status|sessions)\?no_track_activity=1$/);
  });

  it("counts a busy kernel and the latest kernel activity as activity", async () => {
    const n = make();
    n.box.scenario({});
    assert.strictEqual((await onStart(n)).status, 0);
    jupyter.lastActivity = at(0);
    // A cell that runs for 45 minutes without output: busy, its last message at 0.
    jupyter.kernels = [{ id: "k1", execution_state: "busy", last_activity: at(0) }];
    let t = await tick(n, at(45));
    table.push([
      "cron tick, kernel busy for 45m",
      t.stopped ? "stop-notebook-instance" : `no stop; ${t.said}`,
    ]);
    assert.ok(!t.stopped);
    assert.match(t.said, /a kernel is busy: not idle$/);
    // The cell finishes at 45m: the idle time counts from there.
    jupyter.kernels = [{ id: "k1", execution_state: "idle", last_activity: at(45) }];
    t = await tick(n, at(74, 59));
    table.push([
      "cron tick, 29m59s after the kernel's last activity",
      t.stopped ? "stop-notebook-instance" : `no stop; ${t.said}`,
    ]);
    assert.ok(!t.stopped, t.said);
    t = await tick(n, at(75));
    table.push([
      "cron tick, 30m00s after the kernel's last activity",
      t.stopped ? `${STOP}; ${t.said}` : "no stop",
    ]);
    assert.ok(t.stopped, t.said);
  });

  it("fails the tick, without stopping, when Jupyter does not answer", async () => {
    const n = notebookBox("https://127.0.0.1:1");
    boxes.push(n.box);
    n.box.scenario({});
    assert.strictEqual((await onStart(n)).status, 0);
    n.box.clearCalls();
    const r = await cronTick(n);
    const said = fs.readFileSync(n.logFile, "utf8").trim().split("\n").at(-1) ?? "";
    table.push(["cron tick, Jupyter not answering", `exit ${r.status}; no stop; ${said}`]);
    assert.notStrictEqual(r.status, 0);
    assert.deepStrictEqual(n.box.calls(), []);
  });
});
