// The analyses the offline check runs on each stack's resource graph: the policy pack, served as
// the Pulumi CLI serves it, and the cost estimate with the stack's budget. Each reads the graph
// that the check collected once.
import * as fs from "fs";
import * as path from "path";
import { estimateStackRun, type CostEstimate } from "../cost/estimate";
import { policyConfigFromStackConfig } from "../cost/usage";
import { stackBudget, type StackBudget } from "../cost/budget";
import type { Analysis, CheckReport } from "./check-run";
import { startPolicyPack, type PolicyConfig, type PolicyPackClient } from "./policy-analyzer";
import { type PackProcess, packDir, spawnPolicyPack } from "./pack-process";
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

export class PolicyAnalysis implements Analysis {
  readonly label = "checking the policy pack";
  private client?: PolicyPackClient;
  /** `pack`: the pack's process when the caller spawned it early; else it is spawned here. */
  constructor(private readonly pack?: PackProcess) {}

  async start(): Promise<void> {
    this.client = await startPolicyPack(
      this.pack ? { process: this.pack } : { process: spawnPolicyPack({ packDir: packDir() }) },
    );
  }

  async apply(run: StackRun, report: CheckReport): Promise<void> {
    const client = this.client!;
    await client.configure(stackPolicyConfig(run));
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    for (const v of await client.check(run.resources)) {
      // A rule may be reported by Analyze and again by AnalyzeStack for the same resource.
      const key = `${v.policyName}\0${v.urn}\0${v.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const r = byUrn.get(v.urn);
      // The policy SDK sends "<description>\n<message>"; the report shows the description once,
      // as the policy's name already says what it checks.
      const message = v.message.startsWith(`${v.description}\n`)
        ? v.message.slice(v.description.length + 1)
        : v.message;
      report.violations.push({
        policy: v.policyName,
        level: v.enforcementLevel,
        urn: v.urn,
        name: r?.name ?? "",
        type: r?.type ?? "",
        message,
      });
    }
  }

  async stop(): Promise<void> {
    await this.client?.close();
  }
}

export interface CostReport extends CostEstimate {
  budget: (Omit<StackBudget, "urn"> & { urn: string; overBy: number }) | null;
}

export class CostAnalysis implements Analysis {
  readonly label = "estimating the monthly cost";
  async apply(run: StackRun, report: CheckReport): Promise<void> {
    const estimate = estimateStackRun(run);
    const budget = stackBudget(run.resources);
    report.cost = {
      ...estimate,
      budget: budget
        ? { ...budget, overBy: Math.max(0, estimate.totals.max - budget.monthlyUsd) }
        : null,
    };
  }
}
