// The pure parts of a training run: the code archive, hyperparameters as the containers read them,
// tuning ranges, metric definitions against the training code's documented lines, job names and
// the wait bound.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
  JOB_NAME_LIMITS,
  codeHyperparameters,
  encodeDecimal,
  gpusPerInstance,
  jobName,
  loadMetricDefinitions,
  parameterRanges,
  supportsTorchDistributed,
  trainingJobHyperparameters,
  tuningStaticHyperparameters,
} from "../../infra/training/job-spec";
import { packSourceDir, tarArchive } from "../../infra/training/source-package";
import { findProjectRoot } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);
const TRAINING_DIR = path.join(ROOT, "training");

/** A copy of training/ in a temporary folder, with tests and caches, to pack and change. */
function copyTraining(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sourcedir-"));
  fs.cpSync(TRAINING_DIR, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "__pycache__"), { recursive: true });
  fs.writeFileSync(path.join(dir, "__pycache__", "trainer.cpython-311.pyc"), "bytecode");
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  fs.writeFileSync(path.join(dir, "tests", "test_extra.py"), "def test_x():\n    pass\n");
  fs.writeFileSync(path.join(dir, "conftest.py"), "# pytest fixtures\n");
  return dir;
}

describe("training code archive (sourcedir.tar.gz)", () => {
  let dir: string;
  beforeEach(() => {
    dir = copyTraining();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("holds the code files and requirements.txt at its root, no tests, caches or docs", () => {
    const pkg = packSourceDir(dir, "code/");
    const listed = execFileSync("tar", ["-tzf", "-"], { input: pkg.archive })
      .toString()
      .trim()
      .split("\n");
    const expected = fs
      .readdirSync(TRAINING_DIR, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== "README.md")
      .map((e) => e.name)
      .sort();
    assert.ok(
      expected.includes("train.py") &&
        expected.includes("trainer.py") &&
        expected.includes("inference.py"),
    );
    assert.deepStrictEqual(listed, expected);
    assert.deepStrictEqual(pkg.files, expected);
    // Extracted by a standard tar, every file is byte for byte the source.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "sourcedir-x-"));
    try {
      execFileSync("tar", ["-xzf", "-", "-C", out], { input: pkg.archive });
      for (const f of expected)
        assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(dir, f))), f);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("gives the same bytes and key for the same code, whatever the files' times and modes", () => {
    const a = packSourceDir(dir, "code/");
    fs.utimesSync(path.join(dir, "train.py"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    fs.chmodSync(path.join(dir, "trainer.py"), 0o755);
    const b = packSourceDir(dir, "code/");
    assert.ok(a.archive.equals(b.archive));
    assert.strictEqual(a.key, b.key);
    assert.match(a.key, /^code\/sourcedir-[0-9a-f]{12}\.tar\.gz$/);
    assert.strictEqual(a.key, `code/sourcedir-${a.sha256.slice(0, 12)}.tar.gz`);
    // The key is named after the uncompressed tar's content.
    assert.strictEqual(zlib.gunzipSync(a.archive).length % 512, 0);
  });

  it("changes the key when one byte of the code changes, and not for a change to tests", () => {
    const before = packSourceDir(dir, "code/");
    fs.appendFileSync(path.join(dir, "tests", "test_extra.py"), "# more\n");
    fs.writeFileSync(path.join(dir, "README.md"), "changed docs\n");
    assert.strictEqual(packSourceDir(dir, "code/").key, before.key);
    const file = path.join(dir, "trainer.py");
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const after = packSourceDir(dir, "code/");
    assert.notStrictEqual(after.key, before.key);
    assert.notStrictEqual(after.sha256, before.sha256);
  });

  it("refuses a folder without the entry point", () => {
    fs.rmSync(path.join(dir, "train.py"));
    assert.throws(() => packSourceDir(dir, "code/"), /has no train\.py/);
  });

  it("writes ustar entries in name order with fixed metadata", () => {
    const tar = tarArchive([
      { name: "b.py", data: Buffer.from("b") },
      { name: "a.py", data: Buffer.from("a".repeat(600)) },
    ]);
    assert.strictEqual(tar.length, 512 + 1024 + 512 + 512 + 1024);
    assert.strictEqual(tar.subarray(0, 4).toString(), "a.py");
    assert.strictEqual(tar.subarray(257, 263).toString(), "ustar\0");
    assert.strictEqual(tar.subarray(100, 107).toString(), "0000644");
    assert.strictEqual(
      tar.subarray(136, 147).toString(),
      (946684800).toString(8).padStart(11, "0"),
    );
    assert.strictEqual(tar.subarray(1536, 1540).toString(), "b.py");
    assert.throws(() => tarArchive([{ name: "../x.py", data: Buffer.alloc(0) }]), /relative path/);
    assert.throws(
      () =>
        tarArchive([
          { name: "a", data: Buffer.alloc(0) },
          { name: "a", data: Buffer.alloc(0) },
        ]),
      /duplicate/,
    );
  });
});

describe("training hyperparameters", () => {
  const hp = {
    epochs: 5,
    batchSize: 64,
    learningRate: "0.001",
    arch: "resnet50",
    pretrained: true,
  };
  const fw = { submitDirectory: "s3://b/code/sourcedir-0123456789ab.tar.gz", region: "us-east-1" };

  it("are JSON-encoded strings, as the SDK writes them and the training toolkit decodes them", () => {
    assert.deepStrictEqual(trainingJobHyperparameters(hp, fw), {
      arch: '"resnet50"',
      "batch-size": "64",
      epochs: "5",
      "learning-rate": "0.001",
      pretrained: "true",
      sagemaker_container_log_level: "20",
      sagemaker_program: '"train.py"',
      sagemaker_region: '"us-east-1"',
      sagemaker_submit_directory: '"s3://b/code/sourcedir-0123456789ab.tar.gz"',
    });
    // Each decodes to the value the training code gets as `--name value`.
    const decoded = Object.fromEntries(
      Object.entries(trainingJobHyperparameters(hp, fw)).map(([k, v]) => [k, JSON.parse(v)]),
    );
    assert.strictEqual(decoded.sagemaker_program, "train.py");
    assert.strictEqual(decoded["learning-rate"], 0.001);
    assert.strictEqual(codeHyperparameters({ ...hp, learningRate: ".5" })["learning-rate"], "0.5");
    assert.strictEqual(encodeDecimal("1e-4"), "0.0001");
    assert.throws(() => encodeDecimal("fast"), /not a decimal/);
  });

  it("add the torch_distributed launch only for several processes: instances or GPUs", () => {
    const launch = (instanceType: string, instanceCount: number) => {
      const all = trainingJobHyperparameters(hp, { ...fw, instanceType, instanceCount });
      return [all.sagemaker_torch_distributed_enabled, all.sagemaker_instance_type];
    };
    assert.deepStrictEqual(launch("ml.g5.xlarge", 2), ["true", '"ml.g5.xlarge"']);
    assert.deepStrictEqual(launch("ml.p3.16xlarge", 1), ["true", '"ml.p3.16xlarge"']);
    assert.deepStrictEqual(launch("ml.g5.xlarge", 1), [undefined, undefined]);
    assert.deepStrictEqual(launch("ml.m5.xlarge", 1), [undefined, undefined]);
    assert.deepStrictEqual(
      [gpusPerInstance("ml.m5.24xlarge"), gpusPerInstance("ml.g4dn.xlarge")],
      [0, 1],
    );
    assert.deepStrictEqual(["1.12", "1.13", "1.13.1", "2.0", "2.1"].map(supportsTorchDistributed), [
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it("leave the searched ones out of a tuning job's static hyperparameters", () => {
    const s = tuningStaticHyperparameters(hp, fw);
    assert.deepStrictEqual(Object.keys(s), [
      "arch",
      "pretrained",
      "sagemaker_container_log_level",
      "sagemaker_program",
      "sagemaker_region",
      "sagemaker_submit_directory",
    ]);
  });

  it("search learning rate logarithmically, epochs as integers and batch sizes as choices", () => {
    assert.deepStrictEqual(
      parameterRanges({
        learningRate: ["0.0001", "0.1"],
        batchSizes: ["32", "64", "128"],
        epochs: [2, 6],
      }),
      {
        continuousParameterRanges: [
          {
            name: "learning-rate",
            minValue: "0.0001",
            maxValue: "0.1",
            scalingType: "Logarithmic",
          },
        ],
        integerParameterRanges: [
          { name: "epochs", minValue: "2", maxValue: "6", scalingType: "Linear" },
        ],
        categoricalParameterRanges: [{ name: "batch-size", values: ["32", "64", "128"] }],
      },
    );
  });
});

describe("metric definitions", () => {
  const defs = loadMetricDefinitions(path.join(TRAINING_DIR, "metric_definitions.json"));
  // Lines in the format training/README.md documents under "Metrics".
  const epochLine =
    "epoch=2 train_loss=1.320771 train_accuracy=0.628125 valid_loss=1.287310 valid_accuracy=0.618705";
  const finalLine =
    "final selected_epoch=2 valid_loss=1.287310 valid_accuracy=0.618705 test_loss=1.301285 test_accuracy=0.610048";
  const first = (name: string, line: string) => {
    const d = defs.find((x) => x.Name === name);
    assert.ok(d, `no metric ${name}`);
    const m = new RegExp(d.Regex).exec(line);
    return m ? Number(m[1]) : undefined;
  };

  it("are read from training/metric_definitions.json and match the README's documented lines", () => {
    assert.deepStrictEqual(
      defs.map((d) => d.Name),
      [
        "train_loss",
        "train_accuracy",
        "valid_loss",
        "valid_accuracy",
        "test_loss",
        "test_accuracy",
      ],
    );
    const readme = fs.readFileSync(path.join(TRAINING_DIR, "README.md"), "utf8");
    assert.ok(
      readme.includes(epochLine) && readme.includes(finalLine),
      "README documents these lines",
    );
    assert.deepStrictEqual(
      ["train_loss", "train_accuracy", "valid_loss", "valid_accuracy"].map((n) =>
        first(n, epochLine),
      ),
      [1.320771, 0.628125, 1.28731, 0.618705],
    );
    assert.deepStrictEqual(
      ["valid_loss", "valid_accuracy", "test_loss", "test_accuracy"].map((n) =>
        first(n, finalLine),
      ),
      [1.28731, 0.618705, 1.301285, 0.610048],
    );
    // The test metrics never come from an epoch line, and train ones never from the final line.
    assert.strictEqual(first("test_accuracy", epochLine), undefined);
    assert.strictEqual(first("train_loss", finalLine), undefined);
  });

  it("reject a malformed definitions file", () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "metrics-")), "m.json");
    fs.writeFileSync(f, JSON.stringify([{ Name: "x" }]));
    assert.throws(() => loadMetricDefinitions(f), /entry 0 must be/);
    fs.writeFileSync(f, JSON.stringify([{ Name: "x", Regex: "x=([0-9]+" }]));
    assert.throws(() => loadMetricDefinitions(f), /Invalid regular expression/);
  });
});

describe("job names", () => {
  const hash = "0123456789abcdef0123456789abcdef";

  it("fit the API's limits: 63 characters for training jobs, 32 for tuning jobs", () => {
    assert.strictEqual(
      jobName("dog-breed-classifier-dev", hash, JOB_NAME_LIMITS.training, 12),
      "dog-breed-classifier-dev-0123456789ab",
    );
    assert.strictEqual(
      jobName("dog-breed-classifier-dev", hash, JOB_NAME_LIMITS.tuning, 7),
      "dog-breed-classifier-dev-0123456",
    );
    const long = "dog-breed-classifier-feature-branch-with-a-long-name";
    const t = jobName(long, hash, JOB_NAME_LIMITS.tuning, 7);
    assert.strictEqual(t, "dog-breed-classifier-fea-0123456");
    assert.ok(t.length <= 32);
    assert.ok(jobName(long, hash, JOB_NAME_LIMITS.training, 12).length <= 63);
    assert.strictEqual(jobName("Stack_Name.x", hash, 63, 12), "stack-name-x-0123456789ab");
  });
});
