// The training host's user data, rendered as the program renders it and executed under bash with
// stand-in commands first on its PATH: what the host does on every way out of the script.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BUCKET, Host, REGION, Run, boot, run, trainingHost } from "./sandbox";

const PINS = "torch==2.1.2 torchvision==0.16.2 numpy==1.26.4";

const shutdowns = (h: Host) => h.box.calls().filter((c) => c.startsWith("shutdown"));

// The scenario table the tests fill in, printed at the end.
const table: [string, string][] = [];
function observe(exitPath: string, h: Host, r: Run): void {
  // What this run printed (the script tees everything it prints into its log file too).
  const lines = r.output.trim().split("\n");
  const said = lines
    .filter((l) => / training-host: /.test(l))
    .map((l) => l.split("training-host: ")[1]);
  const down = shutdowns(h).length > 0 ? "shutdown -h now" : "no shutdown (host stays up)";
  // The cause a failed step printed itself, when there is one.
  const cause = lines.filter((l) => /Error|AccessDenied/.test(l)).at(-1);
  const shown = [...(cause ? [cause] : []), ...said.slice(-2)];
  table.push([exitPath, `exit ${r.status}; ${down}; log: ${shown.join(" | ")}`]);
}

/** Every AWS CLI call names the region, on its command line or (training code) in its environment. */
function assertRegionExplicit(h: Host): void {
  for (const call of h.box.calls().filter((c) => c.startsWith("aws "))) {
    const own = call.includes(` --region ${REGION} `);
    const inherited = call.endsWith(`[AWS_REGION=${REGION}]`);
    assert.ok(inherited, `the environment names the region: ${call}`);
    if (!call.startsWith("aws s3 cp ")) assert.ok(own, `the call names --region: ${call}`);
  }
}

describe("training host user data, executed", function () {
  const hosts: Host[] = [];
  const make = (stop = true) => {
    const h = trainingHost(stop);
    hosts.push(h);
    return h;
  };
  after(() => {
    for (const h of hosts) h.box.remove();
    const width = Math.max(...table.map(([p]) => p.length));
    console.log("\n    exit path -> observed outcome");
    for (const [p, o] of table) console.log(`    ${p.padEnd(width)} -> ${o}`);
  });

  it("first boot without a dataset: logs what it waits for, registers for later boots, stops", async () => {
    const h = make();
    h.box.scenario({ DATASET: "absent" });
    const r = await boot(h);
    observe("no dataset (first deploy)", h, r);
    assert.strictEqual(r.status, 0, r.output);
    assert.deepStrictEqual(shutdowns(h), ["shutdown -h now"]);
    const log = fs.readFileSync(h.logFile, "utf8");
    assert.ok(
      log.includes(
        `waiting for the dataset: s3://${BUCKET}/data/dog-images/ has no train/ split yet. Upload ` +
          "train/, valid/ and test/ there (one folder per breed, see training/README.md), then start " +
          "this instance (dog-breed-classifier-dev-training-host) again: it trains at that boot.",
      ),
      log,
    );
    assert.deepStrictEqual(
      h.box.calls().filter((c) => !c.startsWith("shutdown")),
      [
        `aws s3api list-objects-v2 --region ${REGION} --bucket ${BUCKET} --prefix data/dog-images/train/ ` +
          `--max-items 1 --query Contents[0].Key --output text [AWS_REGION=${REGION}]`,
      ],
      "nothing is installed or trained before the dataset is there",
    );
    assert.strictEqual(fs.readFileSync(h.perBoot, "utf8"), fs.readFileSync(h.script, "utf8"));
    assert.strictEqual(fs.statSync(h.perBoot).mode & 0o777, 0o700);
  });

  it("a later boot with the dataset: installs the pinned set, trains, uploads, stops; then leaves the host alone", async () => {
    const h = make();
    h.box.scenario({ DATASET: "absent" });
    await boot(h);
    // The dataset arrives and the host is started again: cloud-init runs the per-boot copy.
    h.box.scenario({ DATASET: "present" });
    h.box.clearCalls();
    const r = await boot(h, h.perBoot);
    observe("success (boot after the dataset arrived)", h, r);
    assert.strictEqual(r.status, 0, r.output);
    const calls = h.box.calls();
    const code = path.join(h.workDir, "code");
    assert.deepStrictEqual(calls.slice(0, 3), [
      `aws s3api list-objects-v2 --region ${REGION} --bucket ${BUCKET} --prefix data/dog-images/train/ ` +
        `--max-items 1 --query Contents[0].Key --output text [AWS_REGION=${REGION}]`,
      "dnf install -y python3.11 python3.11-pip",
      `python3.11 -m venv ${h.workDir}/venv`,
    ]);
    assert.ok(
      calls.includes(
        `pip install --no-input --index-url https://download.pytorch.org/whl/cpu ${PINS}`,
      ),
      calls.join("\n"),
    );
    // The code's own requirements cannot move the pinned set.
    assert.ok(calls.includes(`constraints ${PINS.split(" ").join(" ")} `), calls.join("\n"));
    assert.ok(
      calls.includes(
        `aws s3 sync s3://${BUCKET}/code/training/ ${code} --region ${REGION} --only-show-errors [AWS_REGION=${REGION}]`,
      ),
    );
    assert.ok(
      calls.includes(
        `aws s3 sync s3://${BUCKET}/data/dog-images/ ${h.workDir}/data --region ${REGION} --only-show-errors [AWS_REGION=${REGION}]`,
      ),
    );
    const train = calls.find((c) => c.startsWith("train "));
    assert.match(
      String(train),
      new RegExp(
        `^train cwd=${code} ec2_train\\.py --data-dir ${h.workDir}/data --model-dir ${h.workDir}/model ` +
          `--checkpoint-dir ${h.workDir}/checkpoints --epochs 3 --batch-size 64 --learning-rate 0\\.001 ` +
          `--arch resnet18 --pretrained true --upload-to s3://${BUCKET}/models/ec2/\\d{8}T\\d{6}Z/model\\.tar\\.gz$`,
      ),
    );
    const uri = String(train).split("--upload-to ")[1];
    assert.strictEqual(
      calls.at(-2),
      `aws s3 cp ${h.workDir}/model.tar.gz ${uri} --only-show-errors [AWS_REGION=${REGION}]`,
    );
    assert.strictEqual(calls.at(-1), "shutdown -h now");
    assertRegionExplicit(h);
    assert.match(
      fs.readFileSync(h.logFile, "utf8"),
      new RegExp(`trained; the model is at ${uri}\n`),
    );

    // A boot after the upload: nothing to do, and the host is not stopped under whoever started it.
    h.box.clearCalls();
    const again = await boot(h, h.perBoot);
    observe("boot after a successful run", h, again);
    assert.strictEqual(again.status, 0);
    assert.deepStrictEqual(h.box.calls(), []);
    assert.match(fs.readFileSync(h.logFile, "utf8"), /a model is already uploaded to s3:\/\//);
  });

  const failures: [string, Record<string, string>, RegExp][] = [
    [
      "training failure",
      { TRAIN_STATUS: "1" },
      /FAILED while training and uploading the model to s3:\/\/\S+ \(exit status 1\)/,
    ],
    [
      "upload failure",
      { UPLOAD_STATUS: "1" },
      /AccessDenied[\s\S]*FAILED while training and uploading the model to s3:\/\/\S+ \(exit status 1\)/,
    ],
    [
      "PyTorch install failure",
      { PIP_STATUS: "1" },
      new RegExp(`FAILED while installing ${PINS} \\(exit status 1\\)`),
    ],
    [
      "dataset sync failure",
      { DATA_SYNC_STATUS: "2" },
      /FAILED while syncing the dataset from s3:\/\/\S+ \(exit status 2\)/,
    ],
    ["dnf failure", { DNF_STATUS: "1" }, /FAILED while installing Python 3\.11 \(exit status 1\)/],
  ];
  it("training failure, then a boot after the fix: trains again", async () => {
    const h = make();
    h.box.scenario({ DATASET: "present", TRAIN_STATUS: "1" });
    assert.strictEqual((await boot(h)).status, 1);
    h.box.scenario({ DATASET: "present" });
    h.box.clearCalls();
    const r = await boot(h, h.perBoot);
    observe("boot after a failed run", h, r);
    assert.strictEqual(r.status, 0);
    assert.ok(h.box.calls().some((c) => c.startsWith("train ")));
    assert.strictEqual(h.box.calls().at(-1), "shutdown -h now");
  });

  for (const [what, scenario, message] of failures) {
    it(`${what}: logs the failed step and stops`, async () => {
      const h = make();
      h.box.scenario({ DATASET: "present", ...scenario });
      const r = await boot(h);
      observe(what, h, r);
      assert.notStrictEqual(r.status, 0);
      assert.deepStrictEqual(shutdowns(h), ["shutdown -h now"]);
      assert.match(fs.readFileSync(h.logFile, "utf8"), message);
      assert.ok(!fs.existsSync(path.join(h.workDir, "model-uploaded")));
      assertRegionExplicit(h);
    });
  }

  it("with ec2StopAfterTraining false, the host stays up on failure and on success", async () => {
    const h = make(false);
    h.box.scenario({ DATASET: "present", TRAIN_STATUS: "1" });
    const failed = await boot(h);
    observe("training failure, ec2StopAfterTraining false", h, failed);
    assert.notStrictEqual(failed.status, 0);
    h.box.scenario({ DATASET: "present" });
    const ok = await boot(h, h.perBoot);
    observe("success, ec2StopAfterTraining false", h, ok);
    assert.strictEqual(ok.status, 0);
    assert.deepStrictEqual(shutdowns(h), []);
    assert.match(
      fs.readFileSync(h.logFile, "utf8"),
      /ec2StopAfterTraining is false: the host stays up/,
    );
  });

  it("stops when the host is shut down mid-run (SIGTERM) too", async () => {
    const h = make();
    h.box.scenario({ DATASET: "present" });
    // A training step that runs until the test lets it end (bounded: at most 5 s).
    const release = path.join(h.box.dir, "release");
    fs.writeFileSync(
      path.join(h.box.bin, "venv-python"),
      "#!/bin/bash\n" +
        `if [ "$1" = ec2_train.py ]; then echo training >>${h.box.dir}/calls.log; ` +
        `for _ in $(seq 50); do [ -e ${release} ] && break; sleep 0.1; done; fi\n`,
    );
    const r = await run(h.script, [], { HOME: "/root" }, "/", (child) => {
      const poll = setInterval(() => {
        if (!h.box.calls().includes("training")) return;
        clearInterval(poll);
        // What a shutdown does: TERM to the script and to the training process.
        child.kill("SIGTERM");
        fs.writeFileSync(release, "");
      }, 20);
    });
    observe("SIGTERM during training", h, r);
    assert.strictEqual(r.status, 143, r.output);
    assert.deepStrictEqual(shutdowns(h), ["shutdown -h now"]);
  });
});
