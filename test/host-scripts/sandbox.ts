// Runs a rendered host script for real under bash, in a temporary folder whose bin/ holds the
// stand-in commands of stubs/ (the cloud's edge: AWS CLI, dnf, pip, python, nvidia-smi,
// shutdown). The stubs append every call to calls.log and read their scenario from stub.env.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { idleStopScript } from "../../infra/components/notebook";
import { TrainingUserDataArgs, trainingUserData } from "../../infra/components/training-host";

const STUBS = path.join(__dirname, "stubs");

export interface Sandbox {
  dir: string;
  bin: string;
  /** Rewrites the scenario the stubs read. */
  scenario(values: Record<string, string>): void;
  calls(): string[];
  clearCalls(): void;
  remove(): void;
}

export function sandbox(prefix: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const name of fs.readdirSync(STUBS)) {
    fs.copyFileSync(path.join(STUBS, name), path.join(bin, name));
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  const log = path.join(dir, "calls.log");
  return {
    dir,
    bin,
    scenario(values) {
      const lines = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      fs.writeFileSync(path.join(dir, "stub.env"), lines.join("\n") + "\n");
    },
    calls: () =>
      fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [],
    clearCalls: () => fs.rmSync(log, { force: true }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Run {
  status: number | null;
  output: string;
}

/**
 * Runs `file` (or a shell command with `-c`) with exactly `env`, nothing inherited, and waits until
 * every process holding its output has closed it (a `tee` the script started included).
 */
export function run(
  shell: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  started: (child: ChildProcess) => void = () => {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    started(child);
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** The dev stack's values, which the scripts are rendered with in these tests. */
export const REGION = "us-east-1";
export const BUCKET = "dog-breed-classifier-dev-123456789012";
export const NOTEBOOK = "dog-breed-classifier-dev-notebook";
/** How the dev stack's EC2 host trains: its bucket prefixes, PyTorch version and hyperparameters. */
export const DEV_TRAINING: Pick<
  TrainingUserDataArgs,
  "prefixes" | "frameworkVersion" | "hyperparameters"
> = {
  prefixes: { code: "code/training/", data: "data/dog-images/", output: "models/ec2/" },
  frameworkVersion: "2.1",
  hyperparameters: {
    epochs: 3,
    batchSize: 64,
    learningRate: "0.001",
    arch: "resnet18",
    pretrained: true,
  },
};
export const IDLE_MINUTES = 30;

export interface Host {
  box: Sandbox;
  script: string;
  logFile: string;
  workDir: string;
  perBoot: string;
}

/**
 * The training host's user data, rendered into a sandbox whose folders stand for the host's, for
 * the dev stack's CPU type unless another type is given.
 */
export function trainingHost(stopAfterTraining = true, instanceType = "m5.xlarge"): Host {
  const box = sandbox("training-host");
  const workDir = path.join(box.dir, "opt", "dog-breed");
  const logFile = path.join(box.dir, "var", "log", "dog-breed-training.log");
  const perBootDir = path.join(box.dir, "var", "lib", "cloud", "scripts", "per-boot");
  const text = trainingUserData({
    region: REGION,
    instanceType,
    bucket: BUCKET,
    ...DEV_TRAINING,
    stopAfterTraining,
    codeDigest: "0123456789abcdef",
    hostName: "dog-breed-classifier-dev-training-host",
    // The stand-ins first, then the system's own folders; /usr/sbin (the real shutdown) is absent.
    layout: { workDir, logFile, perBootDir, path: `${box.bin}:/usr/bin:/bin` },
  });
  // Where cloud-init puts the user data of an instance.
  const script = path.join(box.dir, "var", "lib", "cloud", "instance", "scripts", "part-001");
  fs.mkdirSync(path.dirname(script), { recursive: true });
  fs.writeFileSync(script, text, { mode: 0o700 });
  return { box, script, logFile, workDir, perBoot: path.join(perBootDir, "dog-breed-training.sh") };
}

/** One boot: the script runs with no inherited environment, as cloud-init's children nearly do. */
export function boot(h: Host, script = h.script): Promise<Run> {
  return run(script, [], { HOME: "/root" }, "/");
}

// The PATH SageMaker gives lifecycle scripts (API_NotebookInstanceLifecycleHook), and cron's
// default environment: neither holds the stand-in AWS CLI, so only absolute paths reach it.
export const LIFECYCLE_ENV = { PATH: "/sbin:bin:/usr/sbin:/usr/bin", HOME: "/root" };
export const CRON_ENV = { PATH: "/usr/bin:/bin", SHELL: "/bin/sh", HOME: "/root", LOGNAME: "root" };

export interface Notebook {
  box: Sandbox;
  script: string;
  cronFile: string;
  checker: string;
  logFile: string;
}

/** The notebook's on-start script, rendered into a sandbox whose folders stand for the notebook's. */
export function notebookBox(
  jupyterUrl: string,
  candidates?: { python?: string[]; aws?: string[] },
): Notebook {
  const box = sandbox("notebook");
  const cronFile = path.join(box.dir, "etc", "cron.d", "notebook-idle-stop");
  const checker = path.join(box.dir, "usr", "local", "bin", "notebook-idle-stop.py");
  const logFile = path.join(box.dir, "var", "log", "notebook-idle-stop.log");
  const text = idleStopScript({
    region: REGION,
    notebookName: NOTEBOOK,
    idleMinutes: IDLE_MINUTES,
    layout: {
      pythonCandidates: candidates?.python ?? [
        path.join(box.dir, "no", "python3"),
        "/usr/bin/python3",
      ],
      awsCliCandidates: candidates?.aws ?? [
        path.join(box.dir, "no", "aws"),
        path.join(box.bin, "aws"),
      ],
      jupyterUrl,
      checkerPath: checker,
      cronFile,
      logFile,
    },
  });
  const script = path.join(box.dir, "on-start.sh");
  fs.writeFileSync(script, text, { mode: 0o700 });
  return { box, script, cronFile, checker, logFile };
}

/** The on-start script as SageMaker runs it: bash, as root, with the lifecycle PATH. */
export const onStart = (n: Notebook): Promise<Run> =>
  run("/bin/bash", [n.script], LIFECYCLE_ENV, "/");

/** The command of the cron line, after its schedule and user fields. */
export function cronCommand(n: Notebook): string {
  const line = fs.readFileSync(n.cronFile, "utf8");
  const m = /^\* \* \* \* \* root (.+)\n$/.exec(line);
  if (!m) throw new Error(`not a system crontab line that runs every minute as root: ${line}`);
  return m[1];
}

/** One cron tick: the job's command under cron's environment. */
export const cronTick = (n: Notebook): Promise<Run> =>
  run("/bin/sh", ["-c", cronCommand(n)], CRON_ENV, "/");
