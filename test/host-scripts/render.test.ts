// Rendering the host scripts: parameters arrive in the shell exactly as given, templates and
// parameters must agree, limits hold, and every script that runs on a machine passes shellcheck.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LIFECYCLE_CONTENT_MAX_CHARS } from "../../shared/aws-limits";
import {
  NOTEBOOK_LAYOUT,
  checkLifecycleContent,
  idleStopRouteWarning,
  idleStopScript,
  lifecycleContent,
} from "../../infra/components/notebook";
import { HOST_LAYOUT, trainingUserData } from "../../infra/components/training-host";
import { renderScript, renderedParameters } from "../../infra/host-scripts/render";

const TEMPLATE = '#!/bin/bash\nset -eu\n# @parameters A B\nprintf "%s\\n" "$A" "$B"\n';

const userData = (frameworkVersion = "2.1", instanceType = "m5.xlarge") =>
  trainingUserData({
    region: "eu-west-1",
    instanceType,
    bucket: "bucket-1",
    prefixes: { code: "code/training/", data: "data/dog-images/", output: "models/ec2/" },
    frameworkVersion,
    hyperparameters: {
      epochs: 5,
      batchSize: 32,
      learningRate: "0.01",
      arch: "resnet50",
      pretrained: false,
    },
    stopAfterTraining: true,
    codeDigest: "feedfacefeedface",
    hostName: "host",
  });

describe("host script rendering", () => {
  it("hands every value to the shell unchanged, quotes, dollars and newlines included", () => {
    const tricky = `it's $(touch /tmp/pwned) \`x\` "q" \\ $HOME\nsecond line`;
    const script = renderScript(TEMPLATE, { A: tricky, B: 42 });
    const out = execFileSync("/bin/bash", ["-c", script], { encoding: "utf8" });
    assert.strictEqual(out, `${tricky}\n42\n`);
    assert.deepStrictEqual(renderedParameters(script, ["A", "B"]), { A: tricky, B: "42" });
  });

  it("refuses parameters the template does not declare, and declared ones left out", () => {
    assert.throws(
      () => renderScript(TEMPLATE, { A: "x", C: "y" }),
      /script parameters do not match the template: missing B, not declared C/,
    );
    assert.throws(() => renderScript("#!/bin/bash\n", {}), /no `# @parameters NAME ...` line/);
  });

  it("includes a file into its quoted heredoc, and refuses one that would end the heredoc", () => {
    const t = "#!/bin/bash\n# @parameters A\ncat <<'PY'\n# @include x.py\nPY\necho \"$A\"\n";
    const files: Record<string, string> = { "x.py": "print('$A')\n" };
    const out = execFileSync("/bin/bash", ["-c", renderScript(t, { A: "a" }, (n) => files[n])], {
      encoding: "utf8",
    });
    assert.strictEqual(out, "print('$A')\na\n");
    files["x.py"] = "x = 1\nPY\nrm -rf /\n";
    assert.throws(
      () => renderScript(t, { A: "a" }, (n) => files[n]),
      /contains its heredoc terminator/,
    );
  });

  it("renders the user data with the region, the pinned set and the host's paths", () => {
    const p = renderedParameters(userData(), [
      "REGION",
      "PYTORCH_PINS",
      "PIP_INDEX_URL",
      "WORK_DIR",
      "PER_BOOT_DIR",
      "HOST_PATH",
    ]);
    assert.deepStrictEqual(p, {
      REGION: "eu-west-1",
      PYTORCH_PINS: "torch==2.1.2 torchvision==0.16.2 numpy==1.26.4",
      PIP_INDEX_URL: "https://download.pytorch.org/whl/cpu",
      WORK_DIR: HOST_LAYOUT.workDir,
      PER_BOOT_DIR: "/var/lib/cloud/scripts/per-boot",
      HOST_PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    });
    assert.strictEqual(
      renderedParameters(userData("2.4.0"), ["PYTORCH_PINS"]).PYTORCH_PINS,
      "torch==2.4.1 torchvision==0.19.1 numpy==1.26.4",
    );
  });

  it("renders a GPU type's user data with the CUDA build of the row and the type's GPUs", () => {
    const names = ["INSTANCE_TYPE", "INSTANCE_GPUS", "PYTORCH_PINS", "PIP_INDEX_URL"];
    assert.deepStrictEqual(renderedParameters(userData("2.4", "g5.12xlarge"), names), {
      INSTANCE_TYPE: "g5.12xlarge",
      INSTANCE_GPUS: "4",
      PYTORCH_PINS: "torch==2.4.1 torchvision==0.19.1 numpy==1.26.4",
      PIP_INDEX_URL: "https://download.pytorch.org/whl/cu124",
    });
    assert.deepStrictEqual(renderedParameters(userData("2.0", "g4dn.xlarge"), names), {
      INSTANCE_TYPE: "g4dn.xlarge",
      INSTANCE_GPUS: "1",
      PYTORCH_PINS: "torch==2.0.1 torchvision==0.15.2 numpy==1.26.4",
      PIP_INDEX_URL: "https://download.pytorch.org/whl/cu118",
    });
    assert.ok(Buffer.byteLength(userData("2.1", "g5.12xlarge")) < 16 * 1024);
  });

  it("measures the lifecycle limit on the base64 Content, not on the script", () => {
    // 12,288 bytes encode to exactly 16,384 characters; one byte more no longer fits, although
    // the script itself is far below 16,384 characters.
    assert.strictEqual(lifecycleContent("x".repeat(12_288)).length, 16_384);
    assert.doesNotThrow(() => checkLifecycleContent("x".repeat(12_288)));
    assert.throws(
      () => checkLifecycleContent("x".repeat(12_289)),
      /12289 bytes, 16388 characters once base64-encoded; SageMaker takes a lifecycle Content of at most 16384 characters \(a script of at most 12288 bytes\)/,
    );
    // Multi-byte characters count by their UTF-8 bytes.
    assert.throws(() => checkLifecycleContent("é".repeat(6_145)), /12290 bytes/);
  });

  it("refuses a PyTorch version with no pinned set, and keeps within the size limits", () => {
    assert.throws(
      () => userData("1.13"),
      /no pinned torch, torchvision and numpy for PyTorch 1\.13; known: 2\.0, 2\.1/,
    );
    // EC2 user data: 16 KB; a lifecycle hook's base64 Content: 16384 characters.
    assert.ok(Buffer.byteLength(userData()) < 16 * 1024);
    const onStart = idleStopScript({ region: "us-east-1", notebookName: "nb", idleMinutes: 60 });
    assert.ok(lifecycleContent(onStart).length <= LIFECYCLE_CONTENT_MAX_CHARS);
    assert.deepStrictEqual(
      renderedParameters(onStart, [
        "REGION",
        "IDLE_MINUTES",
        "JUPYTER_URL",
        "PYTHON_CANDIDATES",
        "CRON_FILE",
      ]),
      {
        REGION: "us-east-1",
        IDLE_MINUTES: "60",
        JUPYTER_URL: "https://localhost:8443",
        PYTHON_CANDIDATES: NOTEBOOK_LAYOUT.pythonCandidates.join(" "),
        CRON_FILE: "/etc/cron.d/notebook-idle-stop",
      },
    );
  });

  it("says what a notebook without direct internet access needs for its idle stop", () => {
    const args = { region: "eu-west-1", notebookName: "nb", subnetId: "subnet-0abc" };
    assert.strictEqual(idleStopRouteWarning({ ...args, directInternetAccess: true }), undefined);
    assert.strictEqual(
      idleStopRouteWarning({ ...args, directInternetAccess: false }),
      "notebook nb has no direct internet access: its idle stop calls the SageMaker API through " +
        "subnet subnet-0abc, which needs a NAT gateway or an interface VPC endpoint for " +
        "com.amazonaws.eu-west-1.sagemaker.api (with private DNS). Without one the notebook fails to " +
        "start, with the reason in CloudWatch Logs (/aws/sagemaker/NotebookInstances, " +
        "nb/LifecycleConfigOnStart).",
    );
  });
});

describe("shellcheck", () => {
  before(function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      throw new Error(
        "shellcheck is not installed: run scripts/setup.sh (Debian package shellcheck)",
      );
    }
  });

  it("passes the rendered user data (CPU and GPU types), the on-start script and the stand-ins", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shellcheck-"));
    try {
      const files = [
        path.join(dir, "user-data.sh"),
        path.join(dir, "on-start.sh"),
        path.join(dir, "user-data-gpu.sh"),
        ...fs
          .readdirSync(path.join(__dirname, "stubs"))
          .map((f) => path.join(__dirname, "stubs", f)),
      ];
      fs.writeFileSync(files[0], userData());
      fs.writeFileSync(files[2], userData("2.1", "g5.12xlarge"));
      fs.writeFileSync(
        files[1],
        idleStopScript({ region: "us-east-1", notebookName: "nb", idleMinutes: 30 }),
      );
      const r = spawnSync("shellcheck", ["--shell=bash", "--severity=style", ...files], {
        encoding: "utf8",
      });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
