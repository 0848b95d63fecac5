// The policy pack as one of the offline check's analyses: served as the Pulumi CLI serves it,
// configured with the stack's policy config, and fed the graph the check collected once.
import { stackPolicyConfig } from "./check-analyses";
import type { Analysis, CheckReport } from "./check-types";
import { type PackProcess, packDir, spawnPolicyPack } from "./pack-process";
import { startPolicyPack, type PolicyPackClient } from "./policy-analyzer";
import type { StackRun } from "./stack-run";

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
