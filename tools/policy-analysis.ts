// The policy pack as one of the offline check's analyses: served as the Pulumi CLI serves it,
// configured with the stack's policy config, and fed the graph the check collected once. As in a
// preview, a resource is sent to Analyze when the program registers it, while the program still
// runs; AnalyzeStack follows once the graph is complete.
import { providerOf } from "./analyzer-marshal";
import { stackPolicyConfig } from "./check-analyses";
import type { Analysis, CheckReport } from "./check-types";
import { type PackProcess, packDir, spawnPolicyPack } from "./pack-process";
import { startPolicyPack, type Diagnostic, type PolicyPackClient } from "./policy-analyzer";
import type { StackResource, StackRun } from "./stack-run";

export class PolicyAnalysis implements Analysis {
  readonly label = "checking the policy pack";
  private client?: Promise<PolicyPackClient>;
  /** The policy config the pack holds, as JSON. */
  private configured?: string;
  /** The stack the pack is configured for at its start, whose resources are analyzed as they come. */
  private firstStack?: string;
  /** Analyze calls made as resources were registered, by the registered resource. */
  private early = new Map<StackResource, Promise<Diagnostic[]>>();
  /** The resources registered so far, by URN: the providers the next ones name. */
  private registered = new Map<string, StackResource>();
  private applied = false;
  /**
   * `pack`: the pack's process when the caller spawned it early; else it is spawned here.
   * `shared`: a client to a pack that outlives this analysis (several checks in one process);
   * it is configured for each check, and left running at the end.
   */
  constructor(
    private readonly pack?: PackProcess,
    private readonly shared?: Promise<PolicyPackClient>,
  ) {}

  /** Connects, and configures the pack for the first stack while its program still runs. */
  async start(first?: Pick<StackRun, "stack" | "config">): Promise<void> {
    const config = first ? stackPolicyConfig(first) : undefined;
    this.configured = JSON.stringify(config ?? {});
    this.firstStack = first?.stack;
    if (this.shared) {
      this.client = this.shared;
      await (await this.shared).configure(config);
      return;
    }
    this.client = startPolicyPack({
      process: this.pack ?? spawnPolicyPack({ packDir: packDir() }),
      config,
    });
    await this.client;
  }

  /**
   * A resource the program registered: analyzed at once (when the pack is up) if it is of the
   * stack the pack is configured for and no stack's analysis has begun. The result is used only
   * for that very resource of the run the check analyzes; a run that is repeated (to answer a
   * stack reference) registers new resources. Returns the call when one is made.
   */
  observe(stack: string, r: StackResource): Promise<unknown> | undefined {
    if (!this.client || stack !== this.firstStack || this.applied) return undefined;
    this.registered.set(r.urn, r);
    const provider = providerOf(r, this.registered);
    const result = this.client.then((c) => c.analyzeResource(r, provider));
    // A failure is reported when `apply` awaits it.
    result.catch(() => undefined);
    this.early.set(r, result);
    return result;
  }

  async apply(run: StackRun, report: CheckReport): Promise<void> {
    this.applied = true;
    const client = await this.client!;
    // Configure only when the stack's policy config is not the one the pack holds already; what
    // was analyzed under another config does not count.
    const config = stackPolicyConfig(run);
    const json = JSON.stringify(config);
    if (json !== this.configured) {
      this.early.clear();
      await client.configure(config);
      this.configured = json;
    }
    const early = this.early;
    this.early = new Map();
    this.registered.clear();
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const perResource = new Map<StackResource, Promise<Diagnostic[]>>();
    for (const r of run.resources) {
      perResource.set(r, early.get(r) ?? client.analyzeResource(r, providerOf(r, byUrn)));
    }
    const found = Promise.all([...perResource.values(), client.analyzeStack(run.resources)]);
    // The preview's graph: a resource whose inputs and provider are the update's is judged alike,
    // so only those holding values unknown at preview go to Analyze again.
    const previewFound = run.preview
      ? this.previewDiagnostics(client, run.preview, byUrn, perResource)
      : undefined;
    const inPreview = previewFound
      ? new Set((await previewFound).map((v) => `${v.policyName}\0${v.urn}`))
      : undefined;
    const seen = new Set<string>();
    for (const v of (await found).flat()) {
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
        ...(inPreview && {
          seenAt: inPreview.has(`${v.policyName}\0${v.urn}`) ? "preview" : "up",
        }),
      });
    }
  }

  private async previewDiagnostics(
    client: PolicyPackClient,
    preview: StackRun,
    updated: Map<string, StackResource>,
    perResource: Map<StackResource, Promise<Diagnostic[]>>,
  ): Promise<Diagnostic[]> {
    const byUrn = new Map(preview.resources.map((r) => [r.urn, r]));
    const same = (a?: StackResource, b?: StackResource) =>
      a === b || (!!a && !!b && JSON.stringify(a.inputs) === JSON.stringify(b.inputs));
    const calls = preview.resources.map((p) => {
      const u = updated.get(p.urn);
      const provider = providerOf(p, byUrn);
      const known = u && same(u, p) && same(providerOf(u, updated), provider);
      return (known && perResource.get(u)) || client.analyzeResource(p, provider);
    });
    return (await Promise.all([...calls, client.analyzeStack(preview.resources)])).flat();
  }

  async stop(): Promise<void> {
    if (this.shared) return;
    const client = await this.client?.catch(() => undefined);
    // The check has what it needs: the pack is told to stop, and is not waited for.
    await client?.close({ wait: false });
  }
}
