// Starts the policy pack's process the way the Pulumi CLI does, and reads the port it prints.
// Kept free of heavy imports so that the offline check can start the pack first thing, letting
// the pack's start-up (the Pulumi SDK loading in its own process) overlap the program's run.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundlePack } from "../policies/bundle";
import { nodeOnPath } from "./language-host";
import { findProjectRoot } from "./stack-config";

export interface PackProcess {
  child: ChildProcess;
  /** Resolves with the analyzer's port; rejects if the pack exits or stays silent too long. */
  port: Promise<number>;
  /** Date.now() when the process was spawned. */
  startedAt: number;
  /** What the pack wrote to stderr so far. */
  stderr(): string;
}

export interface SpawnOptions {
  packDir: string;
  /** Milliseconds to wait for the pack to print its port. */
  startTimeoutMs?: number;
  /** Extra node options for the pack's process (for example `--cpu-prof`). */
  nodeArgs?: string[];
  /**
   * A niceness for the pack's process (os.setPriority: 0 normal, up to 19 lowest), for a pack
   * started ahead of the work it will be given, so that it yields the CPU to that work meanwhile.
   */
  niceness?: number;
}

/** The pack that ships with this code (also when it runs from dist/). */
export function packDir(): string {
  return path.join(findProjectRoot(__dirname), "policies");
}

/** Spawns `node @pulumi/pulumi/cmd/run-policy-pack <engine> <packDir>` in the pack's folder. */
export function spawnPolicyPack(opts: SpawnOptions): PackProcess {
  const packDir = path.resolve(opts.packDir);
  // The pack serves its bundle (package.json's main): build it first when it is missing or was
  // built from other sources, as `npm run build` would.
  if (fs.existsSync(path.join(packDir, "index.ts"))) bundlePack(path.dirname(packDir));
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const startedAt = Date.now();
  const timeoutMs = opts.startTimeoutMs ?? 30000;
  // As the language host runs a plugin (main.go, `RunPlugin`): `node` as found on PATH. The
  // engine address is the CLI's own gRPC server; run-policy-pack discards it unused.
  const child = spawn(nodeOnPath(), [...(opts.nodeArgs ?? []), runner, "127.0.0.1:0", packDir], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env },
  });
  if (opts.niceness !== undefined && child.pid !== undefined) {
    try {
      os.setPriority(child.pid, opts.niceness);
    } catch {
      // A system that refuses it runs the pack at the normal priority.
    }
  }
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  const port = new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`policy pack did not print a port within ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (d) => {
      out += d.toString();
      const m = /^\s*(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with code ${code} before printing a port\n${stderr}`));
    });
  });
  // The caller awaits `port`; until then a failure must not count as unhandled.
  port.catch(() => undefined);
  return { child, port, startedAt, stderr: () => stderr };
}
