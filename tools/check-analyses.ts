// The cost estimate with the stack's budget, one of the analyses the offline check runs on each
// stack's resource graph, and the policy config a stack's previews use (the policy analysis, in
// policy-analysis.ts, sends it).
import * as fs from "fs";
import * as path from "path";
import type { CostEstimate } from "../cost/estimate";
import { policyConfigFromStackConfig } from "../cost/usage";
import type { StackBudget } from "../cost/budget";
import type { PolicyConfig } from "./analyzer-config";
import { packDir } from "./pack-process";
import type { StackRun } from "./stack-run";
import { PROJECT, resolveEnvironment } from "../shared/project";

/**
 * The policy-pack config a stack's previews use, what `--policy-pack-config` is given: the pack's
 * own file for the stack's environment (`policies/config.<environment>.json`, when there is one),
 * with the budget policy's usage assumptions from the stack config merged in.
 */
export function stackPolicyConfig(run: Pick<StackRun, "stack" | "config">): PolicyConfig {
  // The environment as the program decides it (and tags the provider with, which the pack reads).
  const environment = resolveEnvironment(
    run.stack,
    run.config[`${PROJECT}:environment`] ?? run.config.environment ?? "",
  );
  const file = path.join(packDir(), `config.${environment}.json`);
  const config: PolicyConfig = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfig)
    : {};
  for (const [name, props] of Object.entries(policyConfigFromStackConfig(run.config))) {
    const own = config[name];
    config[name] =
      typeof own === "string" ? { enforcementLevel: own, ...props } : { ...(own ?? {}), ...props };
  }
  return config;
}

export interface CostReport extends CostEstimate {
  budget: (Omit<StackBudget, "urn"> & { urn: string; overBy: number }) | null;
}

// The estimator and its price tables load on first use: that is once the program has run and the
// other analyses have sent their work off (see `apply`), not before the program.
/* eslint-disable @typescript-eslint/no-require-imports */
const estimator = () => require("../cost/estimate") as typeof import("../cost/estimate");
const budgets = () => require("../cost/budget") as typeof import("../cost/budget");
/* eslint-enable @typescript-eslint/no-require-imports */

/** An `Analysis` (check-types.ts): it fills in the report's cost. */
export class CostAnalysis {
  readonly label = "estimating the monthly cost";
  async apply(run: StackRun, report: { cost?: CostReport }): Promise<void> {
    // The estimate is computed in this process, in one go: it first lets the analyses that run
    // alongside it (the policy pack, in its own process) send their requests.
    await new Promise((resolve) => setImmediate(resolve));
    const estimate = estimator().estimateStackRun(run);
    const budget = budgets().stackBudget(run.resources);
    report.cost = {
      ...estimate,
      budget: budget
        ? { ...budget, overBy: Math.max(0, estimate.totals.max - budget.monthlyUsd) }
        : null,
    };
  }
}
