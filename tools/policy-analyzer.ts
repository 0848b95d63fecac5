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
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import type { StackResource } from "./stack-run";

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// The protobuf runtime the generated messages were built with (a dependency of @pulumi/pulumi).
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const structProto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
);
const emptyProto = require(
  require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] }),
);
const rpc = require("@pulumi/pulumi/runtime/rpc");
/* eslint-enable @typescript-eslint/no-require-imports */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface Violation {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  urn: string;
  enforcementLevel: EnforcementLevel;
}

/** Policy config as in a `--policy-pack-config` file: a level, or a level plus properties. */
export type PolicyConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** Config property schemas (with their defaults). */
  configSchema?: Record<string, { default?: unknown } & Record<string, unknown>>;
}

export interface StartOptions {
  /** The pack folder; defaults to `policies/` beside this file's folder. */
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
}

export interface PolicyPackClient {
  name: string;
  version: string;
  policies: PolicyInfo[];
  /** Milliseconds from spawning the pack to its port. */
  startupMs: number;
  /** Sends Configure with `config` reconciled over the policies' defaults, as the CLI does. */
  configure(config?: PolicyConfig): Promise<void>;
  /** One Analyze call per resource, with its inputs, as during a preview. */
  analyze(resources: StackResource[]): Promise<Violation[]>;
  /** One AnalyzeStack call with every resource's outputs. */
  analyzeStack(resources: StackResource[]): Promise<Violation[]>;
  /** Analyze then AnalyzeStack: what a preview reports. */
  check(resources: StackResource[]): Promise<Violation[]>;
  close(): Promise<void>;
}

const LEVELS: Record<number, EnforcementLevel> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};
const LEVEL_CODES: Record<EnforcementLevel, number> = {
  advisory: 0,
  mandatory: 1,
  disabled: 2,
  remediate: 3,
};

function projectRoot(): string {
  return path.resolve(__dirname, "..");
}

// ---------------------------------------------------------------------------------------------
// Property marshalling, as the engine does it (KeepUnknowns, KeepSecrets, SkipInternalKeys; no
// resource references or output values: those are sent as the ID or URN and the plain value).

async function marshal(v: unknown): Promise<unknown> {
  if (v === undefined) return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string")
    return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return Promise.all(v.map(async (x) => (await marshal(x)) ?? null));
  if (pulumi.Output.isInstance(v)) {
    return marshal(await new Promise((resolve) => (v as pulumi.Output<unknown>).apply(resolve)));
  }
  if (pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v)) {
    const a = v as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {
      [rpc.specialSigKey]: pulumi.asset.Asset.isInstance(v)
        ? rpc.specialAssetSig
        : rpc.specialArchiveSig,
    };
    for (const k of ["path", "text", "uri", "assets"]) {
      if (a[k] !== undefined) out[k] = await marshal(await a[k]);
    }
    return out;
  }
  if (pulumi.CustomResource.isInstance(v)) return marshal((v as pulumi.CustomResource).id);
  if (pulumi.Resource.isInstance(v)) return marshal((v as pulumi.Resource).urn);
  if (typeof (v as PromiseLike<unknown>).then === "function")
    return marshal(await (v as PromiseLike<unknown>));
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k.startsWith("__")) continue;
    const m = await marshal(x);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

async function toStruct(props: Record<string, unknown>): Promise<unknown> {
  return structProto.Struct.fromJavaScript((await marshal(props)) ?? {});
}

/** The provider resource a `urn::id` reference names. */
function providerOf(
  r: StackResource,
  byUrn: Map<string, StackResource>,
): StackResource | undefined {
  if (!r.provider) return undefined;
  const i = r.provider.lastIndexOf("::");
  return byUrn.get(i >= 0 ? r.provider.slice(0, i) : r.provider);
}

async function providerMessage(p: StackResource | undefined): Promise<unknown> {
  if (!p) return undefined;
  const m = new analyzerProto.AnalyzerProviderResource();
  m.setUrn(p.urn);
  m.setType(p.type);
  m.setName(p.name);
  m.setProperties(await toStruct(p.inputs));
  return m;
}

function optionsMessage(r: StackResource): unknown {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  o.setIgnorechangesList(r.ignoreChanges ?? []);
  o.setDeletebeforereplace(r.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(r.deleteBeforeReplace);
  o.setAdditionalsecretoutputsList([]);
  o.setAliasesList([]);
  if (r.parent) o.setParent(r.parent);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Config reconciliation (pulumi/pulumi ReconcilePolicyPackConfig): schema defaults, then the
// config's `all` level, then each policy's level and properties.

export function reconcileConfig(
  policies: PolicyInfo[],
  config: PolicyConfig = {},
): Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
  const out: Record<
    string,
    { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }
  > = {};
  const all = config.all;
  const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema ?? {})) {
      if (s.default !== undefined) properties[k] = s.default;
    }
    let enforcementLevel = allLevel ?? p.enforcementLevel;
    const given = config[p.name];
    if (typeof given === "string") enforcementLevel = given;
    else if (given) {
      const { enforcementLevel: level, ...props } = given;
      if (level) enforcementLevel = level;
      Object.assign(properties, props);
    }
    out[p.name] = { enforcementLevel, properties };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function call<T>(client: grpc.Client, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    (
      client as unknown as Record<
        string,
        (r: unknown, cb: (e: Error | null, res: T) => void) => void
      >
    )[method](req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function violations(resp: { getDiagnosticsList(): unknown[] }, urn?: string): Violation[] {
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
      enforcementLevel: LEVELS[x.getEnforcementlevel() as number] ?? "advisory",
    };
  });
}

/** Starts the pack as the CLI does and connects to it. */
export async function startPolicyPack(opts: StartOptions = {}): Promise<PolicyPackClient> {
  const packDir = path.resolve(opts.packDir ?? path.join(projectRoot(), "policies"));
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const started = Date.now();
  // The engine address is the CLI's own gRPC server; run-policy-pack discards it unused.
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), runner, "127.0.0.1:0", packDir],
    {
      cwd: packDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env },
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `policy pack did not print a port within ${opts.startTimeoutMs ?? 30000} ms\n${stderr}`,
          ),
        ),
      opts.startTimeoutMs ?? 30000,
    );
    child.stdout?.on("data", (d) => {
      out += d.toString();
      const m = /^\s*(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with code ${code} before printing a port\n${stderr}`));
    });
  });
  const startupMs = Date.now() - started;
  const client = new analyzerRpc.AnalyzerClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    },
  ) as grpc.Client;

  const close = async () => {
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
      await call(client, "configureStack", req);
    }
    const info = await call<Record<string, () => unknown>>(
      client,
      "getAnalyzerInfo",
      new emptyProto.Empty(),
    );
    const policies: PolicyInfo[] = (info.getPoliciesList() as Record<string, () => unknown>[]).map(
      (p) => {
        const schema = p.getConfigschema() as
          { getProperties(): { toJavaScript(): unknown } } | undefined;
        return {
          name: p.getName() as string,
          description: p.getDescription() as string,
          enforcementLevel: LEVELS[p.getEnforcementlevel() as number] ?? "advisory",
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
      await call(client, "configure", req);
    };
    await configure(opts.config);

    const analyze = async (resources: StackResource[]) => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const all = await Promise.all(
        resources.map(async (r) => {
          const req = new analyzerProto.AnalyzeRequest();
          req.setUrn(r.urn);
          req.setType(r.type);
          req.setName(r.name);
          req.setProperties(await toStruct(r.inputs));
          req.setOptions(optionsMessage(r));
          const provider = await providerMessage(providerOf(r, byUrn));
          if (provider) req.setProvider(provider);
          return violations(await call(client, "analyze", req), r.urn);
        }),
      );
      return all.flat();
    };

    const analyzeStack = async (resources: StackResource[]) => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const req = new analyzerProto.AnalyzeStackRequest();
      const list = await Promise.all(
        resources.map(async (r) => {
          const m = new analyzerProto.AnalyzerResource();
          m.setUrn(r.urn);
          m.setType(r.type);
          m.setName(r.name);
          m.setProperties(await toStruct(r.outputs));
          m.setOptions(optionsMessage(r));
          const provider = await providerMessage(providerOf(r, byUrn));
          if (provider) m.setProvider(provider);
          if (r.parent) m.setParent(r.parent);
          m.setDependenciesList(r.dependencies ?? []);
          for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            if (urns.length === 0) continue;
            const deps = new analyzerProto.AnalyzerPropertyDependencies();
            deps.setUrnsList(urns);
            m.getPropertydependenciesMap().set(k, deps);
          }
          return m;
        }),
      );
      req.setResourcesList(list);
      return violations(await call(client, "analyzeStack", req));
    };

    return {
      name: info.getName() as string,
      version: info.getVersion() as string,
      policies,
      startupMs,
      configure,
      analyze,
      analyzeStack,
      check: async (resources) => [
        ...(await analyze(resources)),
        ...(await analyzeStack(resources)),
      ],
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
