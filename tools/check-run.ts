// One check of one or more stacks: the program run on the CLI's path against the local engine,
// as a preview of a fresh stack and as an update, then the analyses that read its resource graph.
// The update's graph is collected once per stack and shared by every analysis; the preview's tells
// which findings a real `pulumi preview` would see.
import { CostAnalysis } from "./check-analyses";
import type { Analysis, CheckReport } from "./check-types";
import type { PackProcess } from "./pack-process";
import type { PolicyPackClient } from "./policy-analyzer";
import { PolicyAnalysis } from "./policy-analysis";
import { summarize } from "./resource-summary";
import { loadStackConfig } from "./stack-config";
import { ProgramError, RunMemo, runOnEngine } from "./local-engine";
import type { StackRun } from "./stack-run";

function errorKind(e: unknown): "config" | "program" {
  if (e instanceof ProgramError) return e.kind === "config" ? "config" : "program";
  const name = (e as Error)?.name ?? "";
  return name === "ConfigError" || name === "StackConfigError" ? "config" : "program";
}

function errorText(e: unknown): string {
  if (errorKind(e) === "config" || e instanceof ProgramError) return (e as Error).message;
  return (e as Error)?.stack ?? String(e);
}

function refused(e: unknown): boolean {
  return e instanceof ProgramError && e.kind === "refused";
}

/** A preview that fails where the update passes: a real `pulumi preview` would stop there. */
function previewFailed(e: unknown): unknown {
  if (!(e instanceof ProgramError)) return e;
  return new ProgramError(`pulumi preview (values unknown until deploy): ${e.message}`, e.kind);
}

/** A stack's report before anything is known of it. */
export function emptyReport(stack: string): CheckReport {
  return {
    stack,
    project: "",
    region: "",
    status: "ok",
    resources: [],
    outputs: {},
    violations: [],
  };
}

export function exitCodeOf(report: CheckReport): number {
  if (report.status === "error") return 2;
  return report.violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

/** The analyses every check runs on each stack; they run together, and each fills in its part. */
export function defaultAnalyses(
  pack?: PackProcess,
  shared?: Promise<PolicyPackClient>,
): Analysis[] {
  return [new PolicyAnalysis(pack, shared), new CostAnalysis()];
}

/** The first stack's name and config, for the analyses' start; undefined if its file does not read. */
function firstStack(
  root: string,
  stacks: string[],
): Pick<StackRun, "stack" | "config"> | undefined {
  if (stacks.length === 0) return undefined;
  try {
    return { stack: stacks[0], config: loadStackConfig(root, stacks[0]).config };
  } catch {
    // The program's run reports it.
    return undefined;
  }
}

export async function checkStacks(
  root: string,
  stacks: string[],
  tick: (text: string) => void = () => undefined,
  analyses: Analysis[] = defaultAnalyses(),
  memo?: RunMemo,
): Promise<CheckReport[]> {
  const first = firstStack(root, stacks);
  const started = Promise.all(analyses.map((a) => a.start?.(first)));
  // Nothing unhandled while the program runs; the failure is reported when it is awaited.
  started.catch(() => undefined);
  const reports: CheckReport[] = [];
  // The analyses of one stack run while the next stack's program runs: the pack works in its own
  // process, and the first stack's analyses wait for its start, so the programs run meanwhile.
  // The stacks' analyses still run one stack after another, in order (each configures the pack
  // for its stack).
  let analysed: Promise<void> = Promise.resolve();
  const analyse = async (run: StackRun, report: CheckReport) => {
    const fail = (e: unknown) => {
      report.status = "error";
      report.error = { kind: "policy", message: (e as Error)?.message ?? String(e) };
    };
    try {
      await started;
    } catch (e) {
      return fail(e);
    }
    tick(`[${run.stack}] ${analyses.map((a) => a.label).join(", ")}…`);
    // The analyses of a stack run together: the pack works in its own process while this one
    // estimates the cost. One failing does not stop the others; the first failure is reported.
    const results = await Promise.allSettled(analyses.map((a) => a.apply(run, report)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) return fail(failed.reason);
    if (exitCodeOf(report) === 1) report.status = "violations";
  };
  // Updates already made in this check, so that a stack that references another one checked
  // before it (or run to answer a reference) reads that run's outputs instead of running it again.
  const runs = new Map<string, Promise<StackRun>>();
  try {
    for (const stack of stacks) {
      tick(`[${stack}] running the program on the CLI's path (preview and update)…`);
      const report = emptyReport(stack);
      reports.push(report);
      const update =
        runs.get(stack) ??
        runOnEngine({
          root,
          stack,
          mode: "update",
          earlierRuns: runs,
          memo,
          onResource: (r) => analyses.forEach((a) => a.observe?.(stack, r)),
        });
      runs.set(stack, update);
      const preview = runOnEngine({ root, stack, mode: "preview", earlierRuns: runs, memo });
      const [updated, previewed] = await Promise.allSettled([update, preview]);
      let run: StackRun;
      try {
        if (previewed.status === "rejected") throw previewFailed(previewed.reason);
        if (updated.status === "fulfilled") run = { ...updated.value, preview: previewed.value };
        else if (refused(updated.reason)) {
          // `pulumi up` stops before deploying (the stack's waiting output says what to do
          // first): the report is the preview's, and every finding one a preview sees.
          run = { ...previewed.value, preview: previewed.value };
        } else throw updated.reason;
      } catch (e) {
        report.status = "error";
        report.error = { kind: errorKind(e), message: errorText(e) };
        continue;
      }
      Object.assign(report, {
        project: run.project,
        region: run.region,
        resources: summarize(run.resources),
        outputs: run.outputs,
      });
      const previous = analysed;
      analysed = previous.then(() => analyse(run, report));
    }
    await analysed;
  } finally {
    // A set-up still under way (every stack failed early) must finish before it can be stopped,
    // and so must the analyses under way when a program threw.
    await started.catch(() => undefined);
    await analysed.catch(() => undefined);
    await Promise.all(analyses.map((a) => a.stop?.()));
  }
  return reports;
}
