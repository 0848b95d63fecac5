// `--diff`: what the checked stacks add, remove or change against a baseline, which is either
// another stack of this tree or the same stacks at a git ref (checked out into a temporary folder
// and checked there with that revision's own code).
import type { RunMemo } from "./local-engine";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStacks, defaultAnalyses } from "./check-run";
import type { PolicyPackClient } from "./policy-analyzer";
import type { CheckReport } from "./check-types";
import type { ResourceRow } from "./resource-summary";
import { listStacks } from "./stack-config";

export interface StackDiff {
  base: string;
  head: string;
  error?: string;
  added: ResourceRow[];
  removed: ResourceRow[];
  changed: {
    type: string;
    name: string;
    settings: Record<string, [string | undefined, string | undefined]>;
  }[];
  /** Monthly totals before and after, and the cost lines that changed (by their upper bound). */
  cost?: {
    before: { min: number; max: number };
    after: { min: number; max: number };
    lines: {
      change: "+" | "-" | "~";
      name: string;
      item: string;
      beforeMax: number;
      afterMax: number;
    }[];
  };
}

const key = (r: ResourceRow) => `${r.type}::${r.name}`;

export function diffReports(base: CheckReport, head: CheckReport): StackDiff {
  const d: StackDiff = {
    base: base.stack === head.stack ? `${base.stack}@base` : base.stack,
    head: head.stack,
    added: [],
    removed: [],
    changed: [],
  };
  if (base.error || head.error) {
    d.error = `cannot compare: ${base.error ? `${d.base} has a ${base.error.kind} error` : `${d.head} has a ${head.error!.kind} error`}`;
    return d;
  }
  const before = new Map(base.resources.map((r) => [key(r), r]));
  const after = new Map(head.resources.map((r) => [key(r), r]));
  for (const [k, r] of after) if (!before.has(k)) d.added.push(r);
  for (const [k, r] of before) if (!after.has(k)) d.removed.push(r);
  for (const [k, r] of after) {
    const old = before.get(k);
    if (!old) continue;
    const settings: Record<string, [string | undefined, string | undefined]> = {};
    for (const s of new Set([...Object.keys(old.settings), ...Object.keys(r.settings)])) {
      // Physical names differ between stacks by design; they are not a change.
      if (s === "bucket") continue;
      if (old.settings[s] !== r.settings[s]) settings[s] = [old.settings[s], r.settings[s]];
    }
    if (Object.keys(settings).length) d.changed.push({ type: r.type, name: r.name, settings });
  }
  if (base.cost && head.cost)
    d.cost = diffCost(base.cost.lines, head.cost.lines, base.cost.totals, head.cost.totals);
  return d;
}

type Line = NonNullable<CheckReport["cost"]>["lines"][number];

function diffCost(
  before: Line[],
  after: Line[],
  beforeTotals: { min: number; max: number },
  afterTotals: { min: number; max: number },
): StackDiff["cost"] {
  // Lines are matched by resource name and item: URNs carry the stack name, which differs.
  const k = (l: Line) => `${l.name}\0${l.item}`;
  const old = new Map(before.map((l) => [k(l), l]));
  const now = new Map(after.map((l) => [k(l), l]));
  const lines: NonNullable<StackDiff["cost"]>["lines"] = [];
  const cents = (n: number) => Math.round(n * 100);
  for (const [key, l] of now) {
    const o = old.get(key);
    if (!o)
      lines.push({ change: "+", name: l.name, item: l.item, beforeMax: 0, afterMax: l.monthlyMax });
    else if (
      cents(o.monthlyMax) !== cents(l.monthlyMax) ||
      cents(o.monthlyMin) !== cents(l.monthlyMin)
    )
      lines.push({
        change: "~",
        name: l.name,
        item: l.item,
        beforeMax: o.monthlyMax,
        afterMax: l.monthlyMax,
      });
  }
  for (const [key, o] of old) {
    if (!now.has(key))
      lines.push({ change: "-", name: o.name, item: o.item, beforeMax: o.monthlyMax, afterMax: 0 });
  }
  return { before: beforeTotals, after: afterTotals, lines };
}

function gitRefExists(root: string, ref: string): boolean {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
      cwd: root,
      stdio: "pipe",
    });
    return true;
  } catch {
    return false;
  }
}

/** Runs the check of `stacks` in a checkout of `ref`, with that revision's code, and reads its JSON. */
function checkAtRef(root: string, ref: string, stacks: string[]): CheckReport[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-base-"));
  try {
    const archive = execFileSync("git", ["archive", "--format=tar", ref], {
      cwd: root,
      maxBuffer: 1 << 30,
    });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    // The revision's own dependencies would need an install; the current ones stand in for them.
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    if (!fs.existsSync(path.join(dir, "scripts", "run-check.mjs"))) {
      throw new Error(`${ref} has no offline check to compare with`);
    }
    // The program deploys the handler bundle and refuses to run without it: build that revision's.
    if (fs.existsSync(path.join(dir, "scripts", "build.mjs"))) {
      execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, stdio: "pipe" });
    }
    const args = ["scripts/run-check.mjs", "--json", ...stacks.flatMap((s) => ["--stack", s])];
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, args, {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 1 << 28,
      }).toString();
    } catch (e) {
      // Exit codes 1 and 2 still print the report.
      stdout = ((e as { stdout?: Buffer }).stdout ?? Buffer.alloc(0)).toString();
      if (!stdout.trim())
        throw new Error(`the check at ${ref} failed: ${(e as Error).message}`, { cause: e });
    }
    return (JSON.parse(stdout) as { stacks: CheckReport[] }).stacks;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The baseline report for each head report: the other stack when `target` names one, else the
 * same stack at the git ref `target`.
 */
export async function loadBaseline(
  root: string,
  target: string,
  heads: CheckReport[],
  memo?: RunMemo,
  pack?: Promise<PolicyPackClient>,
): Promise<CheckReport[]> {
  if (listStacks(root).includes(target)) {
    const [other] = await checkStacks(
      root,
      [target],
      undefined,
      defaultAnalyses(undefined, pack),
      memo,
    );
    return heads.map(() => other);
  }
  if (!gitRefExists(root, target)) {
    throw new Error(
      `'${target}' is neither a stack (${listStacks(root).join(", ")}) nor a git ref`,
    );
  }
  const bases = checkAtRef(
    root,
    target,
    heads.map((h) => h.stack),
  );
  return heads.map((h) => {
    const base = bases.find((b) => b.stack === h.stack);
    if (!base) throw new Error(`stack ${h.stack} does not exist at ${target}`);
    return base;
  });
}
