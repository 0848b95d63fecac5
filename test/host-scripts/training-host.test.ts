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

// Printed once both the CPU and the GPU runs are in.
after(() => {
  if (table.length === 0) return;
  const width = Math.max(...table.map(([p]) => p.length));
  console.log("\n    exit path -> observed outcome");
  for (const [p, o] of table) console.log(`    ${p.padEnd(width)} -> ${o}`);
});

describe("training host user data, executed", function () {
  const hosts: Host[] = [];
  const make = (stop = true) => {
    const h = trainingHost(stop);
    hosts.push(h);
    return h;
  };
  after(() => {
    for (const h of hosts) h.box.remove();
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

describe("training host user data on GPU types, executed", function () {
  const hosts: Host[] = [];
  const make = (instanceType: string) => {
    const h = trainingHost(true, instanceType);
    hosts.push(h);
    return h;
  };
  // The log of the 4-GPU run that succeeds, printed with the table.
  let fourGpuLog = "";
  after(() => {
    for (const h of hosts) h.box.remove();
    if (fourGpuLog) console.log(`\n    g5.12xlarge host, 4 GPUs, success: its log\n${fourGpuLog}`);
  });

  const CUDA_INDEX = "https://download.pytorch.org/whl/cu121";
  const install = `pip install --no-input --index-url ${CUDA_INDEX} ${PINS}`;

  it("a 4-GPU host (g5.12xlarge): CUDA wheels, 4 processes under torchrun, rank 0 uploads, stops", async () => {
    const h = make("g5.12xlarge");
    h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "4" });
    const r = await boot(h);
    observe("GPU success, g5.12xlarge (4 GPUs)", h, r);
    assert.strictEqual(r.status, 0, r.output);
    const calls = h.box.calls();
    const code = path.join(h.workDir, "code");
    // The GPUs are counted before anything is installed.
    assert.deepStrictEqual(calls.slice(1, 3), [
      "nvidia-smi -L",
      "dnf install -y python3.11 python3.11-pip",
    ]);
    assert.ok(calls.includes(install), calls.join("\n"));
    assert.ok(!calls.some((c) => c.includes("/whl/cpu")), "no CPU wheels on a GPU host");
    const torchrun = calls.filter((c) => c.startsWith("torchrun "));
    assert.deepStrictEqual(
      torchrun.map((c) => c.split(" -> ")[0]),
      ["torchrun --standalone --nnodes 1 --nproc_per_node 4"],
    );
    assert.match(torchrun[0], / -> ec2_train\.py --data-dir /);
    // Four training processes, one per rank, each with the same arguments.
    const ranks = calls.filter((c) => c.startsWith("train "));
    assert.deepStrictEqual(ranks.map((c) => /^train rank=(\d)\/4 /.exec(c)?.[1]).sort(), [
      "0",
      "1",
      "2",
      "3",
    ]);
    const args = new Set(ranks.map((c) => c.replace(/^train rank=\d\/4 /, "")));
    assert.strictEqual(args.size, 1, [...args].join("\n"));
    assert.match(
      [...args][0],
      new RegExp(
        `^cwd=${code} ec2_train\\.py --data-dir ${h.workDir}/data .* --upload-to s3://${BUCKET}/models/ec2/\\d{8}T\\d{6}Z/model\\.tar\\.gz$`,
      ),
    );
    // Only rank 0 uploads.
    assert.strictEqual(calls.filter((c) => c.startsWith("aws s3 cp ")).length, 1);
    assert.strictEqual(calls.at(-1), "shutdown -h now");
    assertRegionExplicit(h);
    const log = fs.readFileSync(h.logFile, "utf8");
    assert.match(log, /GPU 3: NVIDIA A10G/);
    assert.match(
      log,
      new RegExp(
        `launching 4 training processes \\(torchrun, one per GPU, DDP over NCCL\\): ${h.workDir}/venv/bin/python -m torch\\.distributed\\.run --standalone --nnodes 1 --nproc_per_node 4 ec2_train\\.py`,
      ),
    );
    assert.match(log, /trained; the model is at s3:\/\//);
    fourGpuLog = log
      .split(h.box.dir)
      .join("")
      .trimEnd()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
  });

  it("a 1-GPU host (g5.xlarge): CUDA wheels, one process without torchrun", async () => {
    const h = make("g5.xlarge");
    h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "1" });
    const r = await boot(h);
    observe("GPU success, g5.xlarge (1 GPU)", h, r);
    assert.strictEqual(r.status, 0, r.output);
    const calls = h.box.calls();
    assert.ok(calls.includes(install), calls.join("\n"));
    assert.deepStrictEqual(
      calls.filter((c) => c.startsWith("torchrun ")),
      [],
    );
    assert.deepStrictEqual(
      calls.filter((c) => c.startsWith("train")).map((c) => c.split(" ")[1].split("=")[0]),
      ["cwd"],
    );
    assert.match(fs.readFileSync(h.logFile, "utf8"), /launching 1 training process on the GPU: /);
    assert.strictEqual(calls.at(-1), "shutdown -h now");
  });

  it("a GPU host without a dataset: waits and stops before looking at its GPUs", async () => {
    const h = make("g5.12xlarge");
    h.box.scenario({ DATASET: "absent", NVIDIA_GPUS: "4" });
    const r = await boot(h);
    observe("GPU, no dataset", h, r);
    assert.strictEqual(r.status, 0, r.output);
    assert.deepStrictEqual(
      h.box.calls().map((c) => c.split(" ")[0]),
      ["aws", "shutdown"],
    );
  });

  const failures: [string, Record<string, string>, RegExp][] = [
    [
      "GPU, no GPU visible to the driver",
      { NVIDIA_GPUS: "0" },
      /the NVIDIA driver lists no GPU on this g5\.12xlarge, which has 4[\s\S]*FAILED while counting the GPUs \(nvidia-smi -L\) \(exit status 1\)/,
    ],
    [
      "GPU, no driver loaded",
      { NVIDIA_SMI_STATUS: "9" },
      /couldn't communicate with the NVIDIA driver[\s\S]*FAILED while counting the GPUs \(nvidia-smi -L\) \(exit status 9\)/,
    ],
    [
      "GPU, dataset sync failure",
      { DATA_SYNC_STATUS: "2" },
      /FAILED while syncing the dataset from s3:\/\/\S+ \(exit status 2\)/,
    ],
    [
      "GPU, CUDA wheels install failure",
      { PIP_STATUS: "1" },
      new RegExp(`FAILED while installing ${PINS} \\(exit status 1\\)`),
    ],
    [
      "GPU, training failure in every rank",
      { TRAIN_STATUS: "1" },
      /FAILED while training and uploading the model to s3:\/\/\S+ \(exit status 1\)/,
    ],
    [
      "GPU, upload failure (rank 0)",
      { UPLOAD_STATUS: "1" },
      /AccessDenied[\s\S]*FAILED while training and uploading the model to s3:\/\/\S+ \(exit status 1\)/,
    ],
  ];
  for (const [what, scenario, message] of failures) {
    it(`${what} (g5.12xlarge): logs the failed step and stops`, async () => {
      const h = make("g5.12xlarge");
      h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "4", ...scenario });
      const r = await boot(h);
      observe(what, h, r);
      assert.notStrictEqual(r.status, 0, r.output);
      assert.deepStrictEqual(shutdowns(h), ["shutdown -h now"]);
      assert.match(fs.readFileSync(h.logFile, "utf8"), message);
      assert.ok(!fs.existsSync(path.join(h.workDir, "model-uploaded")));
      assertRegionExplicit(h);
    });
  }

  it("without its GPUs a GPU host installs and trains nothing", async () => {
    const h = make("g5.12xlarge");
    h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "0" });
    await boot(h);
    assert.deepStrictEqual(
      h.box.calls().map((c) => c.split(" ")[0]),
      ["aws", "nvidia-smi", "shutdown"],
    );
  });

  it("trains on the GPUs the driver lists when they are fewer than the type has, and says so", async () => {
    const h = make("g5.12xlarge");
    h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "2" });
    const r = await boot(h);
    assert.strictEqual(r.status, 0, r.output);
    assert.match(
      fs.readFileSync(h.logFile, "utf8"),
      /the NVIDIA driver lists 2 GPUs where g5\.12xlarge has 4; training on 2/,
    );
    assert.strictEqual(h.box.calls().filter((c) => c.startsWith("train rank=")).length, 2);
  });

  it("stops when a GPU host is shut down mid-run (SIGTERM) too", async () => {
    const h = make("g5.12xlarge");
    h.box.scenario({ DATASET: "present", NVIDIA_GPUS: "4" });
    const release = path.join(h.box.dir, "release");
    // Any python call that runs the training code (here under torchrun) runs until released.
    fs.writeFileSync(
      path.join(h.box.bin, "venv-python"),
      "#!/bin/bash\n" +
        `case " $* " in *" ec2_train.py "*) echo "training $1 $2" >>${h.box.dir}/calls.log; ` +
        `for _ in $(seq 50); do [ -e ${release} ] && break; sleep 0.1; done ;; esac\n`,
    );
    const r = await run(h.script, [], { HOME: "/root" }, "/", (child) => {
      const poll = setInterval(() => {
        if (!h.box.calls().some((c) => c.startsWith("training"))) return;
        clearInterval(poll);
        child.kill("SIGTERM");
        fs.writeFileSync(release, "");
      }, 20);
    });
    observe("GPU, SIGTERM during training", h, r);
    assert.strictEqual(r.status, 143, r.output);
    assert.ok(
      h.box.calls().includes("training -m torch.distributed.run"),
      h.box.calls().join("\n"),
    );
    assert.deepStrictEqual(shutdowns(h), ["shutdown -h now"]);
  });
});
