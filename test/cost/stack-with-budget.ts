// The real program for a stack, plus the stack's budget as infra/budget.ts declares it, run under
// mocks: the resource graph the budget policy sees.
import { type BudgetConfig, StackBudget, budgetArgsFromConfig } from "../../infra/budget";
import { type StackResource, type StackRun, runStack } from "../../tools/stack-run";

/* eslint-disable @typescript-eslint/no-require-imports */
function program() {
  const config = require("../../infra/config");
  const stack = require("../../infra/stack");
  return {
    loadConfig: config.loadConfig,
    buildStack: (cfg: BudgetConfig) => {
      const outputs = stack.buildStack(cfg);
      const args = budgetArgsFromConfig(cfg);
      if (args) new StackBudget(`${cfg.prefix}-budget`, args);
      return outputs;
    },
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Runs `stack` with `overrides`, declaring a budget when `budgetMonthlyUsd` is above 0. */
export function runWithBudget(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  return runStack({ stack, overrides, program: program() });
}

/** The graph as the policy SDK hands it to a stack policy: `props` and a resolved `parent`. */
export function asPolicyResources(resources: readonly StackResource[]) {
  const byUrn = new Map<
    string,
    { type: string; name: string; urn: string; props: Record<string, unknown>; parent?: unknown }
  >();
  for (const r of resources)
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: r.outputs });
  for (const r of resources) {
    if (r.parent && byUrn.has(r.parent)) byUrn.get(r.urn)!.parent = byUrn.get(r.parent);
  }
  return [...byUrn.values()];
}
