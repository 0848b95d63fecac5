// How the Pulumi CLI starts a Node.js program, as pure functions: the engine's program directory
// and entry point for the project's `main`, and the command line and environment the Node.js
// language host gives `@pulumi/pulumi/cmd/run`. Each mirrors the Pulumi source it names, so the
// local engine (local-engine.ts) spawns the program exactly as `pulumi preview` and `pulumi up` do.
import * as fs from "fs";
import * as path from "path";

/**
 * The engine's working directory and entry point for a project: `main` names a directory (here
 * `infra/`) that becomes the program's working directory with `.` as the entry point, so that
 * cmd/run resolves the entry from package.json's `main` (pulumi/pulumi pkg/engine/project.go,
 * `getPwdMain`); a file becomes the entry point, run from the project root.
 */
export function programLocation(
  root: string,
  main: string | undefined,
  isDirectory: (p: string) => boolean,
): { programDirectory: string; entryPoint: string } {
  if (!main) return { programDirectory: root, entryPoint: "." };
  const full = path.resolve(root, main);
  if (isDirectory(full)) return { programDirectory: full, entryPoint: "." };
  return { programDirectory: root, entryPoint: path.relative(root, full) };
}

/** What the engine puts in the language host's RunRequest (pulumi/pulumi proto/language.proto). */
export interface RunRequest {
  monitorAddress: string;
  engineAddress: string;
  /** The directory of the synchronous-invoke pipes the language host creates. */
  syncDirectory: string;
  organization: string;
  project: string;
  stack: string;
  programDirectory: string;
  entryPoint: string;
  dryRun: boolean;
  queryMode: boolean;
  parallel: number;
  /** Qualified keys (`project:key`, `aws:region`) to their string values. */
  config: Record<string, string>;
  configSecretKeys: string[];
  /** Pulumi.yaml's `runtime.options`. */
  options: { typescript?: boolean; tsconfig?: string; nodeargs?: string };
}

/**
 * `pulumi up`'s default `--parallel`: unbounded, sent as MaxInt32 (pulumi/pulumi
 * pkg/cmd/pulumi/operations/up.go: "Defaults to unbounded").
 */
export const DEFAULT_PARALLEL = 2147483647;

/**
 * The arguments after the node binary (sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * `constructArguments`, and `execNodejs`, which puts the `nodeargs` option first): each flag only
 * when its value is not empty, `--dry-run` only in a preview, then the entry point.
 */
export function constructArguments(req: RunRequest, runPath: string): string[] {
  const args = [...splitNodeArgs(req.options.nodeargs ?? ""), runPath];
  const maybe = (k: string, v: string) => {
    if (v !== "") args.push(`--${k}`, v);
  };
  maybe("monitor", req.monitorAddress);
  maybe("engine", req.engineAddress);
  maybe("sync", req.syncDirectory);
  maybe("organization", req.organization);
  maybe("project", req.project);
  maybe("stack", req.stack);
  maybe("pwd", req.programDirectory);
  if (req.dryRun) args.push("--dry-run");
  maybe("query-mode", String(req.queryMode));
  maybe("parallel", String(req.parallel));
  args.push(req.entryPoint);
  return args;
}

/**
 * The config as the program reads it from PULUMI_CONFIG: each `namespace:key` written in the old
 * `namespace:config:key` form (main.go, `constructConfig`).
 */
export function constructConfig(config: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const i = key.indexOf(":");
    if (i <= 0) throw new Error(`config key ${key} is not of the form namespace:name`);
    out[`${key.slice(0, i)}:config:${key.slice(i + 1)}`] = value;
  }
  return JSON.stringify(out);
}

/**
 * The program's environment: the language host's own, then the config, its secret keys, and the
 * TypeScript options (main.go, `execNodejs`; `parseOptions` defaults `typescript` to true).
 */
export function constructEnv(
  req: RunRequest,
  base: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  env.PULUMI_CONFIG = constructConfig(req.config);
  env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(req.configSecretKeys);
  if (req.options.typescript ?? true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (req.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = req.options.tsconfig;
  return env;
}

/** `nodeargs` split as shell words (main.go uses shlex); quotes group, backslashes escape. */
export function splitNodeArgs(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === "\\" && i + 1 < s.length) {
      cur += s[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(cur);
      cur = "";
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (quote) throw new Error(`nodeargs: unterminated quote in ${JSON.stringify(s)}`);
  if (started) out.push(cur);
  return out;
}

/** `node` as the language host finds it: the first on PATH (main.go, `exec.LookPath`). */
export function nodeOnPath(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "node");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  throw new Error("could not find node on the $PATH");
}
