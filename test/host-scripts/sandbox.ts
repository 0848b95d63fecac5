// Runs a rendered host script for real under bash, in a temporary folder whose bin/ holds the
// stand-in commands of stubs/ (the cloud's edge: AWS CLI, dnf, pip, python, shutdown). The stubs
// append every call to calls.log and read their scenario from stub.env.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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
