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
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { type PackProcess, spawnPolicyPack } from "./pack-process";
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
  /** A pack process already spawned with `spawnPolicyPack`; `packDir` and the rest then do not apply. */
  process?: PackProcess;
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

// ---------------------------------------------------------------------------------------------
// Wire encoding. google-protobuf builds and serializes a Struct per resource an order of magnitude
// slower than the policies run, so requests are encoded here, straight from the marshalled values,
// into the bytes the generated messages would produce (field numbers from analyzer.proto and
// google/protobuf/struct.proto). The responses are decoded by the generated classes.

/** A value that marshalling resolves later (an Output, an asset's path); filled in before encoding. */
class Later {
  value: unknown;
}

/** Marshals synchronously where it can; asynchronous parts are queued on `pending`. */
function marshalNow(v: unknown, pending: Promise<void>[]): unknown {
  if (v === undefined) return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string")
    return v;
  if (Array.isArray(v)) return v.map((x) => marshalNow(x, pending) ?? null);
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k.startsWith("__")) continue;
      const m = marshalNow(x, pending);
      if (m !== undefined) out[k] = m;
    }
    return out;
  }
  const later = new Later();
  pending.push(marshal(v).then((m) => void (later.value = m)));
  return later;
}

async function marshalled(props: Record<string, unknown>): Promise<unknown> {
  const pending: Promise<void>[] = [];
  const value = marshalNow(props, pending);
  await Promise.all(pending);
  return value;
}

type Bytes = Buffer[];

function varint(out: number[], n: number): void {
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function head(field: number, wire: number, len?: number): Buffer {
  const out: number[] = [];
  varint(out, field * 8 + wire);
  if (len !== undefined) varint(out, len);
  return Buffer.from(out);
}

function size(parts: Bytes): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

function putString(out: Bytes, field: number, s: string | undefined, always = false): void {
  if (!s && !always) return;
  const b = Buffer.from(s ?? "", "utf8");
  out.push(head(field, 2, b.length), b);
}

function putMessage(out: Bytes, field: number, parts: Bytes): void {
  out.push(head(field, 2, size(parts)), ...parts);
}

function putBool(out: Bytes, field: number, b: boolean | undefined): void {
  if (b) out.push(head(field, 0), Buffer.from([1]));
}

function encodeValue(v: unknown): Bytes {
  if (v instanceof Later) return encodeValue(v.value);
  const out: Bytes = [];
  if (v === null || v === undefined) out.push(head(1, 0), Buffer.from([0]));
  else if (typeof v === "number") {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    out.push(head(2, 1), b);
  } else if (typeof v === "string") putString(out, 3, v, true);
  else if (typeof v === "boolean") out.push(head(4, 0), Buffer.from([v ? 1 : 0]));
  else if (Array.isArray(v)) {
    const list: Bytes = [];
    for (const x of v) putMessage(list, 1, encodeValue(x));
    putMessage(out, 6, list);
  } else putMessage(out, 5, encodeStruct(v as Record<string, unknown>));
  return out;
}

function encodeStruct(o: Record<string, unknown>): Bytes {
  const out: Bytes = [];
  for (const [k, v] of Object.entries(o)) {
    const entry: Bytes = [];
    putString(entry, 1, k, true);
    putMessage(entry, 2, encodeValue(v));
    putMessage(out, 1, entry);
  }
  return out;
}

function encodeOptions(r: StackResource): Bytes {
  const out: Bytes = [];
  putBool(out, 1, r.protect);
  for (const k of r.ignoreChanges ?? []) putString(out, 2, k, true);
  putBool(out, 3, r.deleteBeforeReplace);
  putBool(out, 4, r.deleteBeforeReplace);
  putString(out, 8, r.parent);
  return out;
}

async function encodeProvider(p: StackResource): Promise<Bytes> {
  const out: Bytes = [];
  putString(out, 1, p.type);
  putMessage(out, 2, encodeStruct((await marshalled(p.inputs)) as Record<string, unknown>));
  putString(out, 3, p.urn);
  putString(out, 4, p.name);
  return out;
}

/** Encodes the fields AnalyzeRequest and AnalyzerResource share (1-6). */
function encodeResource(r: StackResource, props: unknown, provider: Bytes | undefined): Bytes {
  const out: Bytes = [];
  putString(out, 1, r.type);
  putMessage(out, 2, encodeStruct(props as Record<string, unknown>));
  putString(out, 3, r.urn);
  putString(out, 4, r.name);
  putMessage(out, 5, encodeOptions(r));
  if (provider) putMessage(out, 6, provider);
  return out;
}

/** The bytes of an AnalyzeRequest for one resource, with its inputs. */
export async function encodeAnalyzeRequest(
  r: StackResource,
  provider?: StackResource,
): Promise<Buffer> {
  const props = await marshalled(r.inputs);
  return Buffer.concat(
    encodeResource(r, props, provider ? await encodeProvider(provider) : undefined),
  );
}

/** The bytes of an AnalyzeStackRequest for a graph, with each resource's outputs. */
export async function encodeAnalyzeStackRequest(resources: StackResource[]): Promise<Buffer> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const providers = new Map<string, Promise<Bytes>>();
  const providerBytes = (p: StackResource | undefined) => {
    if (!p) return undefined;
    let b = providers.get(p.urn);
    if (!b) providers.set(p.urn, (b = encodeProvider(p)));
    return b;
  };
  const out: Bytes = [];
  for (const r of resources) {
    const res = encodeResource(
      r,
      await marshalled(r.outputs),
      await providerBytes(providerOf(r, byUrn)),
    );
    putString(res, 7, r.parent);
    for (const d of r.dependencies ?? []) putString(res, 8, d, true);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
      if (urns.length === 0) continue;
      const deps: Bytes = [];
      for (const u of urns) putString(deps, 1, u, true);
      const entry: Bytes = [];
      putString(entry, 1, k, true);
      putMessage(entry, 2, deps);
      putMessage(res, 9, entry);
    }
    putMessage(out, 1, res);
  }
  return Buffer.concat(out);
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

/** The AnalyzeRequest the generated classes build for a resource (the reference for the encoder). */
export async function buildAnalyzeRequest(
  r: StackResource,
  provider?: StackResource,
): Promise<unknown> {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(r.type);
  req.setProperties(await toStruct(r.inputs));
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setOptions(optionsMessage(r));
  const p = await providerMessage(provider);
  if (p) req.setProvider(p);
  return req;
}

/** The AnalyzeStackRequest the generated classes build for a graph. */
export async function buildAnalyzeStackRequest(resources: StackResource[]): Promise<unknown> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const req = new analyzerProto.AnalyzeStackRequest();
  for (const r of resources) {
    const m = new analyzerProto.AnalyzerResource();
    m.setType(r.type);
    m.setProperties(await toStruct(r.outputs));
    m.setUrn(r.urn);
    m.setName(r.name);
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
    req.addResources(m);
  }
  return req;
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
  const pack =
    opts.process ??
    spawnPolicyPack({
      packDir: opts.packDir ?? path.join(projectRoot(), "policies"),
      startTimeoutMs: opts.startTimeoutMs,
      nodeArgs: opts.nodeArgs,
    });
  const { child } = pack;
  const started = pack.startedAt;
  const port = await pack.port;
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

    const raw = <T>(method: string, bytes: Buffer, decode: (b: Uint8Array) => T) =>
      new Promise<T>((resolve, reject) =>
        client.makeUnaryRequest(
          `/pulumirpc.Analyzer/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => decode(b),
          bytes,
          (err, res) => (err ? reject(err) : resolve(res as T)),
        ),
      );
    const decodeResponse = (b: Uint8Array) => analyzerProto.AnalyzeResponse.deserializeBinary(b);

    const analyze = async (resources: StackResource[]) => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const all = await Promise.all(
        resources.map(async (r) => {
          const bytes = await encodeAnalyzeRequest(r, providerOf(r, byUrn));
          return violations(await raw("Analyze", bytes, decodeResponse), r.urn);
        }),
      );
      return all.flat();
    };

    const analyzeStack = async (resources: StackResource[]) => {
      const bytes = await encodeAnalyzeStackRequest(resources);
      return violations(await raw("AnalyzeStack", bytes, decodeResponse));
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
