// Serves the policy pack the way the Pulumi CLI does and talks to it over the analyzer gRPC
// protocol, so tests and the offline check see exactly what `pulumi preview --policy-pack` would.
//
// What the CLI does (pkg/resource/plugin/analyzer_plugin.go in pulumi/pulumi): it starts
// `pulumi-analyzer-policy <engine-address> .` in the pack's folder, a script that runs
// `node @pulumi/pulumi/cmd/run-policy-pack`; the pack prints the port of its analyzer service.
// The CLI then calls Handshake (the Node.js pack does not implement it), ConfigureStack,
// GetAnalyzerInfo, Configure with the policy config reconciled over the schema defaults, Analyze
// once per resource with its inputs, and AnalyzeStack once with every resource's outputs, parent,
// dependencies and provider (the provider's inputs). run-policy-pack drops the engine address
// before loading the pack and nothing in the pack dials it, so no engine service is needed here.
import {
  type EnforcementLevel,
  LEVEL_CODES,
  levelOf,
  type PolicyConfig,
  type PolicyInfo,
  reconcileConfig,
} from "./analyzer-config";
import { providerOf } from "./analyzer-marshal";
import { unaryClient } from "./analyzer-http2";
import { analyzerProto, emptyProto, structProto } from "./analyzer-proto";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "./analyzer-wire";
import { type PackProcess, packDir, spawnPolicyPack } from "./pack-process";
import type { StackResource } from "./stack-run";

export type { EnforcementLevel, PolicyConfig, PolicyInfo };

/** A policy's finding as the analyzer reports it (AnalyzeDiagnostic in analyzer.proto). */
export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  urn: string;
  enforcementLevel: EnforcementLevel;
}

export interface StartOptions {
  /** The pack folder; defaults to the pack that ships with this code (`packDir()`). */
  packDir?: string;
  config?: PolicyConfig;
  /** What ConfigureStack carries; the CLI sends the stack being previewed. */
  stack?: {
    project: string;
    stack: string;
    organization?: string;
    dryRun?: boolean;
    tags?: Record<string, string>;
  };
  /** Milliseconds to wait for the pack to print its port. */
  startTimeoutMs?: number;
  /** Extra node options for the pack's process (for example `--cpu-prof`). */
  nodeArgs?: string[];
  /** A pack process already spawned with `spawnPolicyPack`; `packDir` and the rest then do not apply. */
  process?: PackProcess;
}

/** The answer of an Analyze call already made for this very resource, if one was. */
export type Analyzed = (r: StackResource) => Promise<Diagnostic[]> | undefined;

export interface PolicyPackClient {
  name: string;
  version: string;
  policies: PolicyInfo[];
  /** Milliseconds from spawning the pack to its port. */
  startupMs: number;
  /** Sends Configure with `config` reconciled over the policies' defaults, as the CLI does. */
  configure(config?: PolicyConfig): Promise<void>;
  /**
   * One Analyze call per resource, with its inputs, as during a preview; `analyzed` gives the
   * answer of a call already made for a resource (see `analyzeResource`), if there is one.
   */
  analyze(resources: StackResource[], analyzed?: Analyzed): Promise<Diagnostic[]>;
  /**
   * One Analyze call, as the engine makes it when the program registers the resource; `provider`
   * is the provider resource its reference names (see `providerOf`).
   */
  analyzeResource(r: StackResource, provider?: StackResource): Promise<Diagnostic[]>;
  /** One AnalyzeStack call with every resource's outputs. */
  analyzeStack(resources: StackResource[]): Promise<Diagnostic[]>;
  /** Analyze and AnalyzeStack: what a preview reports, Analyze's diagnostics first. */
  check(resources: StackResource[], analyzed?: Analyzed): Promise<Diagnostic[]>;
  /**
   * Closes the connection and stops the pack: resolves once it has exited, or at once with
   * `{ wait: false }` (the pack is sent SIGTERM and no longer keeps this process alive).
   */
  close(opts?: { wait?: boolean }): Promise<void>;
}

function diagnostics(resp: { getDiagnosticsList(): unknown[] }, urn?: string): Diagnostic[] {
  return resp.getDiagnosticsList().map((d: unknown) => {
    const x = d as Record<string, () => unknown>;
    return {
      policyName: x.getPolicyname() as string,
      policyPackName: x.getPolicypackname() as string,
      policyPackVersion: x.getPolicypackversion() as string,
      description: x.getDescription() as string,
      message: x.getMessage() as string,
      // As the engine does for Analyze: the analyzed resource's URN when the policy gave none.
      urn: (x.getUrn() as string) || urn || "",
      enforcementLevel: levelOf(x.getEnforcementlevel() as number),
    };
  });
}

/**
 * How many Analyze calls are in flight at once. On the 3,000-resource graph of `bench:check`, 16,
 * 64 and 256 gave the same rate within the noise of a shared 2-core machine (1,800-2,500
 * resources/s); the bound keeps a bigger graph from piling up as pending calls and buffers.
 */
const ANALYZE_IN_FLIGHT = 256;

/** Starts the pack as the CLI does and connects to it. */
export async function startPolicyPack(opts: StartOptions = {}): Promise<PolicyPackClient> {
  const pack =
    opts.process ??
    spawnPolicyPack({
      packDir: opts.packDir ?? packDir(),
      startTimeoutMs: opts.startTimeoutMs,
      nodeArgs: opts.nodeArgs,
    });
  const { child } = pack;
  const started = pack.startedAt;
  const port = await pack.port.catch((e: unknown) => {
    // A pack that stays silent is not left running.
    child.kill();
    throw e;
  });
  const startupMs = Date.now() - started;
  // The largest message either way: a whole graph in one AnalyzeStack request.
  const client = unaryClient(`127.0.0.1:${port}`, 400 * 1024 * 1024);
  /** One call of the Analyzer service: a message's bytes in, the answer decoded. */
  const call = async <T>(method: string, bytes: Uint8Array, decode: (b: Uint8Array) => T) =>
    decode(await client.call(`/pulumirpc.Analyzer/${method}`, bytes));

  const close = async ({ wait = true }: { wait?: boolean } = {}) => {
    if (!wait) {
      client.destroy();
      child.kill();
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      return;
    }
    client.close();
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill();
      });
    }
  };

  try {
    if (opts.stack) {
      const req = new analyzerProto.AnalyzerStackConfigureRequest();
      req.setStack(opts.stack.stack);
      req.setProject(opts.stack.project);
      req.setOrganization(opts.stack.organization ?? "organization");
      req.setDryRun(opts.stack.dryRun ?? true);
      for (const [k, v] of Object.entries(opts.stack.tags ?? {})) req.getTagsMap().set(k, v);
      await call("ConfigureStack", req.serializeBinary(), (b) => b);
    }
    const info = (await call("GetAnalyzerInfo", new emptyProto.Empty().serializeBinary(), (b) =>
      analyzerProto.AnalyzerInfo.deserializeBinary(b),
    )) as Record<string, () => unknown>;
    const policies: PolicyInfo[] = (info.getPoliciesList() as Record<string, () => unknown>[]).map(
      (p) => {
        const schema = p.getConfigschema() as
          { getProperties(): { toJavaScript(): unknown } } | undefined;
        return {
          name: p.getName() as string,
          description: p.getDescription() as string,
          enforcementLevel: levelOf(p.getEnforcementlevel() as number),
          configSchema: schema?.getProperties()
            ? (schema.getProperties().toJavaScript() as PolicyInfo["configSchema"])
            : undefined,
        };
      },
    );

    const configure = async (config?: PolicyConfig) => {
      const req = new analyzerProto.ConfigureAnalyzerRequest();
      for (const [name, c] of Object.entries(reconcileConfig(policies, config))) {
        const pc = new analyzerProto.PolicyConfig();
        pc.setEnforcementlevel(LEVEL_CODES[c.enforcementLevel]);
        pc.setProperties(structProto.Struct.fromJavaScript(c.properties));
        req.getPolicyconfigMap().set(name, pc);
      }
      await call("Configure", req.serializeBinary(), (b) => b);
    };
    await configure(opts.config);

    const decodeResponse = (b: Uint8Array) =>
      analyzerProto.AnalyzeResponse.deserializeBinary(b) as { getDiagnosticsList(): unknown[] };

    // A bounded number of Analyze calls in flight (ANALYZE_IN_FLIGHT): enough to keep the pack
    // busy, few enough that thousands of resources do not pile up as pending calls and buffers (a
    // request is encoded once it has its slot). A finished call hands its slot to the next.
    let inFlight = 0;
    const queued: (() => void)[] = [];
    const acquire = async () => {
      if (inFlight < ANALYZE_IN_FLIGHT) inFlight++;
      else await new Promise<void>((resolve) => queued.push(resolve));
    };
    const release = () => {
      const next = queued.shift();
      if (next) next();
      else inFlight--;
    };
    const analyzeResource = async (r: StackResource, provider?: StackResource) => {
      await acquire();
      try {
        const bytes = await encodeAnalyzeRequest(r, provider);
        return diagnostics(await call("Analyze", bytes, decodeResponse), r.urn);
      } finally {
        release();
      }
    };

    const analyze = async (resources: StackResource[], analyzed?: Analyzed) => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const all = await Promise.all(
        resources.map((r) => analyzed?.(r) ?? analyzeResource(r, providerOf(r, byUrn))),
      );
      return all.flat();
    };

    const analyzeStack = async (resources: StackResource[]) => {
      const bytes = await encodeAnalyzeStackRequest(resources);
      return diagnostics(await call("AnalyzeStack", bytes, decodeResponse));
    };

    return {
      name: info.getName() as string,
      version: info.getVersion() as string,
      policies,
      startupMs,
      configure,
      analyze,
      analyzeResource,
      analyzeStack,
      // Both at once: the pack handles AnalyzeStack between the Analyze calls, and the client
      // encodes the next request while the pack works. The diagnostics keep the CLI's order.
      check: async (resources, analyzed) =>
        (await Promise.all([analyze(resources, analyzed), analyzeStack(resources)])).flat(),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
