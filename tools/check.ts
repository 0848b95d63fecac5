// The offline check: runs the program for one or more stacks under mocks, exactly as
// `pulumi preview` would evaluate it, and reports what each stack would create.
//
//   npm run check -- --stack dev          one stack
//   npm run check -- --all                every Pulumi.<stack>.yaml in the project root
//   npm run check -- --stack dev --json   machine-readable report (schema in README.md)
//   npm run check -- --stack dev --diff prod      compare with another stack
//   npm run check -- --stack dev --diff main      compare with the same stack at a git ref
//   npm run check -- --stack prod --policy-config  the pack's config for `pulumi preview
//                                                  --policy-pack policies --policy-pack-config`
//   npm run check -- --render report.json   the text of a report saved with --json, and its code
//
// Exit codes: 0 clean (advisory findings allowed), 1 a mandatory policy violation, 2 a config or
// program error (or bad arguments).
import * as fs from "fs";
import * as path from "path";
import type { CheckDocument } from "./check-render";
import type { CheckReport } from "./check-types";
import type { RunMemo } from "./local-engine";
import type { PolicyPackClient } from "./policy-analyzer";
import { packDir, spawnPolicyPack } from "./pack-process";
import { findProjectRoot, listStacks, loadStackConfig } from "./stack-config";

// The modules below load the Pulumi SDK, the program and the estimator: they are loaded once the
// policy pack's process is started, so that its own start-up runs alongside.
/* eslint-disable @typescript-eslint/no-require-imports */
const modules = {
  analyses: () => require("./check-analyses") as typeof import("./check-analyses"),
  run: () => require("./check-run") as typeof import("./check-run"),
  diff: () => require("./check-diff") as typeof import("./check-diff"),
  render: () => require("./check-render") as typeof import("./check-render"),
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface CheckArgs {
  stacks: string[];
  all: boolean;
  json: boolean;
  diff?: string;
  color: boolean;
  policyConfig: boolean;
  /** A `--json` document to print as text, instead of checking. */
  render?: string;
}

export class UsageError extends Error {}

const USAGE = [
  "usage: npm run check -- (--stack <name> | --all) [--json] [--diff <stack-or-git-ref>] [--no-color]",
  "       npm run check -- --stack <name> --policy-config",
  "       npm run check -- --render <report.json> [--no-color]",
].join("\n");

export function parseArgs(argv: string[], tty = false): CheckArgs {
  const args: CheckArgs = {
    stacks: [],
    all: false,
    json: false,
    color: tty,
    policyConfig: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--"))
        throw new UsageError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--stack" || a === "-s") args.stacks.push(value());
    else if (a.startsWith("--stack=")) args.stacks.push(a.slice("--stack=".length));
    else if (a === "--all") args.all = true;
    else if (a === "--json") args.json = true;
    else if (a === "--diff") args.diff = value();
    else if (a.startsWith("--diff=")) args.diff = a.slice("--diff=".length);
    else if (a === "--no-color") args.color = false;
    else if (a === "--policy-config") args.policyConfig = true;
    else if (a === "--render") args.render = value();
    else if (a.startsWith("--render=")) args.render = a.slice("--render=".length);
    else if (a === "--help" || a === "-h") throw new UsageError(USAGE);
    else throw new UsageError(`unknown argument '${a}'\n${USAGE}`);
  }
  if (args.render !== undefined) {
    if (args.all || args.stacks.length || args.json || args.diff || args.policyConfig)
      throw new UsageError(`--render takes a report file and nothing else\n${USAGE}`);
    return args;
  }
  if (!args.all && args.stacks.length === 0)
    throw new UsageError(`name a stack or --all\n${USAGE}`);
  if (args.all && args.stacks.length > 0)
    throw new UsageError(`--all and --stack exclude each other\n${USAGE}`);
  if (args.policyConfig && (args.all || args.stacks.length !== 1 || args.json || args.diff)) {
    throw new UsageError(`--policy-config takes exactly one --stack and nothing else\n${USAGE}`);
  }
  if (args.json) args.color = false;
  return args;
}

/** Where the check reads and writes: the process's own streams, or a test's. */
export interface CheckIO {
  cwd: string;
  stdout: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
  stderr: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
  /**
   * Program runs to share with other checks in this process (see `RunMemo`); by default one
   * check shares its runs only with itself (a diff's baseline stack, a referenced stack).
   */
  runs?: RunMemo;
  /** A policy pack already served, for checks made one after another in one process. */
  pack?: Promise<PolicyPackClient>;
}

/** A one-line progress indicator on a terminal; silent when stderr is a file or pipe. */
function progress(stderr: CheckIO["stderr"]): (text: string) => void {
  if (!stderr.isTTY) return () => undefined;
  return (text) => stderr.write(`\r\x1b[2K${text}`);
}

export async function main(
  argv: string[],
  io: CheckIO = { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { stdout, stderr } = io;
  let args: CheckArgs;
  try {
    args = parseArgs(argv, Boolean(stdout.isTTY));
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.render !== undefined) {
    // The text of a report the check printed with --json, and the exit code it carries.
    let doc: CheckDocument;
    try {
      doc = JSON.parse(fs.readFileSync(path.resolve(io.cwd, args.render), "utf8")) as CheckDocument;
      if (doc?.schemaVersion !== 1 || !Array.isArray(doc.stacks))
        throw new Error("not a report of schemaVersion 1");
    } catch (e) {
      stderr.write(`check: --render ${args.render}: ${(e as Error).message}\n`);
      return 2;
    }
    stdout.write(modules.render().renderText(doc.stacks, doc.diff, args.color));
    return doc.exitCode;
  }
  const root = findProjectRoot(io.cwd);
  if (args.policyConfig) {
    try {
      const { config } = loadStackConfig(root, args.stacks[0]);
      const stack = args.stacks[0];
      const policyConfig = modules.analyses().stackPolicyConfig({ stack, config });
      stdout.write(`${JSON.stringify(policyConfig, null, 2)}\n`);
      return 0;
    } catch (e) {
      stderr.write(`check: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const stacks = args.all ? listStacks(root) : args.stacks;
  const tick = progress(stderr);
  // The pack starts first and is ready about when the program has run; meanwhile both want the
  // CPU, and the program, in this process, has the larger share of the work, so the pack runs at
  // a lower priority (on two shared cores: 25 ms off a check of one stack, 80 ms off --all).
  const pack = io.pack ? undefined : spawnPolicyPack({ packDir: packDir(), niceness: 10 });
  const { checkStacks, defaultAnalyses, exitCodeOf } = modules.run();
  const { diffReports, loadBaseline } = modules.diff();
  const { renderText } = modules.render();
  const memo: RunMemo = io.runs ?? new Map();
  const reports: CheckReport[] = await checkStacks(root, stacks, tick, defaultAnalyses(pack), memo);
  let code = Math.max(...reports.map(exitCodeOf));

  let diffs = undefined;
  if (args.diff !== undefined) {
    tick(`diff: checking ${args.diff}…`);
    try {
      const baselines = await loadBaseline(root, args.diff, reports, memo, io.pack);
      diffs = reports.map((r, i) => diffReports(baselines[i], r));
    } catch (e) {
      tick("");
      stderr.write(`check: --diff ${args.diff}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  tick("");

  if (args.json) {
    const doc: CheckDocument = { schemaVersion: 1, exitCode: code, stacks: reports };
    if (diffs) doc.diff = diffs;
    stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    stdout.write(renderText(reports, diffs, args.color));
  }
  if (reports.length === 0) {
    stderr.write(`check: no stacks found in ${root}\n`);
    code = 2;
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`check: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
