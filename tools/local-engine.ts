// A local engine: the program run by Pulumi's own entry point, `@pulumi/pulumi/cmd/run`, spawned
// exactly as the Node.js language host spawns it for `pulumi preview` and `pulumi up`
// (language-host.ts), against the engine and resource-monitor gRPC services served here on
// 127.0.0.1 with the SDK's own service definitions and @grpc/grpc-js.
//
// Two modes, as the engine runs a fresh stack:
// - preview: `--dry-run`; a custom resource's id and every property its provider computes are
//   unknown (the engine answers a registration with the checked inputs only), as a real
//   `pulumi preview` of a new stack sees them;
// - update: each resource answers with its inputs plus what the cloud's edge computes
//   (mock-cloud.ts: ids, ARNs, names), as after `pulumi up`.
// Data sources (invokes) and stack references are answered in both modes, as the engine does.
import { ChildProcess, spawn } from "child_process";
export { nodeOnPath } from "./language-host";
import { CONFIG_ERROR_TITLE, DEPLOY_REFUSED_TITLE } from "../shared/program-errors";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudContext, MOCK_ACCOUNT, invokeResult, resourceState } from "./mock-cloud";
import {
  DEFAULT_PARALLEL,
  nodeOnPath,
  RunRequest,
  constructArguments,
  constructEnv,
  programLocation,
} from "./language-host";
import { grpc, struct, toJs } from "./sdk-wire";
import { findProjectRoot, listStacks, loadStackConfig } from "./stack-config";
import type { StackResource, StackRun } from "./stack-run";

/* eslint-disable @typescript-eslint/no-require-imports */
// The SDK's generated services and its property codec.
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const rpc = require("@pulumi/pulumi/runtime/rpc");
/* eslint-enable @typescript-eslint/no-require-imports */

interface Message {
  [setter: string]: (v: unknown) => void;
}
type Service = Record<string, { responseType: new () => Message }>;
/**
 * A new answer of a method, of the type the SDK's service definition declares for it: the
 * messages differ between SDK releases (Invoke answers a ResourceInvokeResponse since 3.2xx).
 */
const answer = (service: Service, method: string): Message => new service[method].responseType();
const monitorAnswer = (m: string) => answer(resourceGrpc.ResourceMonitorService, m);
const engineAnswer = (m: string) => answer(engineGrpc.EngineService, m);

/** The wire's unknown value: what a preview sends and receives for a value not known yet. */
export const UNKNOWN: string = rpc.unknownValue;
const SIG: string = rpc.specialSigKey;

/** The organization of every stack in a self-managed (DIY) backend. */
export const LOCAL_ORGANIZATION = "organization";

export type EngineMode = "preview" | "update";

/** A program that failed: its error as the CLI shows it, and whether it is a config error. */
export class ProgramError extends Error {
  constructor(
    message: string,
    readonly kind: "config" | "program" | "refused",
  ) {
    super(message);
    this.name = kind === "config" ? "ConfigError" : "ProgramError";
  }
}

export interface EngineRunOptions {
  /** Project root holding Pulumi.yaml; defaults to this checkout's. */
  root?: string;
  stack: string;
  mode: EngineMode;
  /** Config set on top of the stack file, as `pulumi config set` would. */
  overrides?: Record<string, unknown>;
  /**
   * Outputs of referenced stacks by name, as deployed. A referenced stack of this project that is
   * not listed and has a stack file is run first (update mode, from its own file) and its
   * outputs answer; any other exports nothing, as one not deployed yet.
   */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Runs of this project's stacks made from their own files in update mode, by stack name. */
  earlierRuns?: Map<string, Promise<StackRun>>;
  /** Called with each resource as the program registers it. */
  onResource?: (resource: StackResource) => void;
  /** Extra environment for the program's process (a ts-node cache directory, say). */
  env?: Record<string, string>;
  /** Milliseconds the program may run; it is killed after. */
  timeoutMs?: number;
  /**
   * Runs of one process to share: a run of the same program, stack, mode, config and answers
   * already made (or under way) is reused. For callers that check the same stacks repeatedly.
   */
  memo?: RunMemo;
  /** The status the mocked SageMaker reports for the stack's job (CloudContext.jobStatus). */
  jobStatus?: string;
}

export type RunMemo = Map<string, Promise<StackRun>>;

/** How deep stacks referencing stacks are followed. */
const MAX_REFERENCE_DEPTH = 3;

type Wire = unknown;

/** A wire value made plain, the way the engine hands properties to analyzers and state. */
export function plain(v: Wire, keepSecrets = false): unknown {
  if (Array.isArray(v)) return v.map((x) => plain(x, keepSecrets));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  switch (o[SIG]) {
    case rpc.specialOutputValueSig: {
      const value = "value" in o ? plain(o.value, keepSecrets) : UNKNOWN;
      return keepSecrets && o.secret ? { [SIG]: rpc.specialSecretSig, value } : value;
    }
    case rpc.specialSecretSig:
      return keepSecrets
        ? { [SIG]: rpc.specialSecretSig, value: plain(o.value, keepSecrets) }
        : plain(o.value);
    case rpc.specialResourceSig:
      // A reference is sent as its id (a custom resource) or URN, as to an analyzer.
      if (typeof o.id === "string") return o.id === "" ? UNKNOWN : o.id;
      return o.urn;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = plain(x, keepSecrets);
  return out;
}

interface Registered {
  type: string;
  qualifiedType: string;
}

/** One program run: the services' state for it. */
class Deployment {
  readonly resources: StackResource[] = [];
  readonly byUrn = new Map<string, Registered>();
  rootUrn = "";
  outputs: Record<string, unknown> = {};
  readonly errors: string[] = [];
  readonly logs: string[] = [];
  readonly pending = new Set<Promise<unknown>>();
  constructor(
    readonly opts: EngineRunOptions,
    readonly project: string,
    readonly ctx: CloudContext,
    readonly reference: (name: string) => Promise<Record<string, unknown>>,
  ) {}

  get preview(): boolean {
    return this.opts.mode === "preview";
  }

  /** A URN as the engine makes it: the parent's type chain, unless the parent is the stack. */
  urn(type: string, name: string, parent: string): string {
    const p = parent ? this.byUrn.get(parent) : undefined;
    const qualified = p && p.type !== "pulumi:pulumi:Stack" ? `${p.qualifiedType}$${type}` : type;
    return `urn:pulumi:${this.opts.stack}::${this.project}::${qualified}::${name}`;
  }

  remember(urn: string, type: string, parent: string): void {
    const p = parent ? this.byUrn.get(parent) : undefined;
    const qualifiedType =
      p && p.type !== "pulumi:pulumi:Stack" ? `${p.qualifiedType}$${type}` : type;
    this.byUrn.set(urn, { type, qualifiedType });
  }
}

type Callback = (err: unknown, resp?: unknown) => void;
interface Call<T> {
  request: T;
}
type Req = Record<string, () => unknown>;

/**
 * The engine and resource-monitor services for one run. Every handler answers from the run's
 * state; a handler that fails answers the program with the error, as the engine would.
 */
function services(d: Deployment) {
  const handle =
    <T>(fn: (req: T) => Promise<unknown> | unknown) =>
    (call: Call<T>, callback: Callback) => {
      const p = Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (resp) => callback(null, resp),
          (err: Error) =>
            callback({ code: grpc.status.UNKNOWN, details: err.message ?? String(err) }),
        );
      d.pending.add(p);
      void p.finally(() => d.pending.delete(p));
    };

  const monitor = {
    supportsFeature: handle((req: Req) => {
      const resp = monitorAnswer("supportsFeature");
      // Every feature the SDK asks about (settings.js, awaitFeatureSupport), as the engine has
      // them all.
      resp.setHassupport(FEATURES.has(String(req.getId())));
      return resp;
    }),
    registerPackage: handle(() => {
      const resp = monitorAnswer("registerPackage");
      resp.setRef(`package-${d.byUrn.size}`);
      return resp;
    }),
    registerResource: handle((req: Req) => registerResource(d, req)),
    registerResourceOutputs: handle((req: Req) => {
      if (req.getUrn() === d.rootUrn) d.outputs = plain(toJs(req.getOutputs())) as never;
      return monitorAnswer("registerResourceOutputs");
    }),
    readResource: handle((req: Req) => readResource(d, req)),
    invoke: handle((req: Req) => {
      const resp = monitorAnswer("invoke");
      const args = plain(toJs(req.getArgs())) as Record<string, unknown>;
      const result = invokeResult(String(req.getTok()), args, d.ctx);
      resp.setReturn(struct(result));
      return resp;
    }),
    call: handle((req: Req) => {
      throw new Error(`method calls are not served offline (${String(req.getTok())})`);
    }),
    signalAndWaitForShutdown: handle(() => monitorAnswer("signalAndWaitForShutdown")),
  };

  const engine = {
    log: handle((req: Req) => {
      const message = String(req.getMessage());
      // Severity: 0 debug, 1 info, 2 warning, 3 error (proto/engine.proto).
      const severity = Number(req.getSeverity());
      if (severity === 3) d.errors.push(message);
      else if (severity > 0) d.logs.push(message);
      return engineAnswer("log");
    }),
    getRootResource: handle(() => {
      const resp = engineAnswer("getRootResource");
      resp.setUrn(d.rootUrn);
      return resp;
    }),
    setRootResource: handle((req: Req) => {
      d.rootUrn = String(req.getUrn());
      return engineAnswer("setRootResource");
    }),
  };
  return { monitor, engine };
}

const FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "replaceWith",
  "aliasSpecs",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
]);

function registerResource(d: Deployment, req: Req): unknown {
  const type = String(req.getType());
  const name = String(req.getName());
  const parent = String(req.getParent() ?? "");
  const custom = Boolean(req.getCustom());
  const urn = d.urn(type, name, parent);
  d.remember(urn, type, parent);
  const wire = toJs(req.getObject());
  const inputs = plain(wire) as Record<string, unknown>;
  let id = "";
  let object: Record<string, unknown> = {};
  if (custom) {
    if (d.preview) {
      // The checked inputs come back; what the provider computes (what the cloud's edge adds to
      // the inputs once created), and the id, are unknown.
      object = plain(wire, true) as Record<string, unknown>;
      const created = resourceState(type, name, inputs, d.ctx).state;
      for (const k of Object.keys(created)) if (!(k in inputs)) object[k] = UNKNOWN;
    } else {
      const state = resourceState(type, name, inputs, d.ctx);
      id = state.id;
      object = state.state;
    }
  }
  const propertyDependencies: Record<string, string[]> = {};
  (
    req.getPropertydependenciesMap() as {
      forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void;
    }
  ).forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
  const resource: StackResource = {
    urn,
    type,
    name,
    custom,
    parent: parent || undefined,
    provider: String(req.getProvider() ?? "") || undefined,
    inputs,
    outputs: custom ? (plain(object) as Record<string, unknown>) : {},
    id: custom ? id || (d.preview ? UNKNOWN : "") : "",
    protect: Boolean(req.getProtect()),
    retainOnDelete: Boolean(req.getRetainondelete()),
    dependencies: req.getDependenciesList() as string[],
    propertyDependencies,
    ignoreChanges: req.getIgnorechangesList() as string[],
    replaceOnChanges: req.getReplaceonchangesList() as string[],
    deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
  };
  if (type !== "pulumi:pulumi:Stack") {
    d.resources.push(resource);
    d.opts.onResource?.(resource);
  }
  const resp = monitorAnswer("registerResource");
  resp.setUrn(urn);
  resp.setId(id);
  resp.setObject(struct(object));
  return resp;
}

async function readResource(d: Deployment, req: Req): Promise<unknown> {
  const type = String(req.getType());
  const name = String(req.getName());
  const parent = String(req.getParent() ?? "");
  const urn = d.urn(type, name, parent);
  d.remember(urn, type, parent);
  const props = plain(toJs(req.getProperties())) as Record<string, unknown>;
  let state: Record<string, unknown>;
  if (type === "pulumi:pulumi:StackReference") {
    const ref = String(props.name ?? req.getId());
    state = { name: ref, outputs: await d.reference(ref), secretOutputNames: [] };
  } else {
    state = resourceState(type, name, { ...props, id: req.getId() }, d.ctx).state;
  }
  const resp = monitorAnswer("readResource");
  resp.setUrn(urn);
  resp.setProperties(struct(state));
  return resp;
}

/** A gRPC server on 127.0.0.1 with the two services for one deployment; resolves its address. */
async function serve(d: Deployment): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server({
    // The SDK sends whole resource graphs in one message at most; the engine's own limit.
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
  });
  const { monitor, engine } = services(d);
  // Methods left out answer UNIMPLEMENTED, which the SDK takes as "not supported".
  server.addService(resourceGrpc.ResourceMonitorService, monitor as never);
  server.addService(engineGrpc.EngineService, engine as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // A client still connected must not keep the check alive.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}

/**
 * The engine service alone, for a plugin the engine starts (the dynamic-provider host): what it
 * logs is kept, as `pulumi up` shows it.
 */
export async function serveEngine(): Promise<{
  address: string;
  logs: string[];
  close(): Promise<void>;
}> {
  const d = new Deployment(
    { stack: "", mode: "update" },
    "",
    { region: "", account: MOCK_ACCOUNT },
    async () => ({}),
  );
  const server = await serve(d);
  return { address: server.address, logs: d.logs, close: server.close };
}

/**
 * The error the CLI shows for a failed program: what it logged as errors, else its output. A
 * config error and an up's refusal (RunErrors, logged without a stack) keep their kind.
 */
function programError(d: Deployment, code: number | null, output: string): ProgramError {
  const logged = d.errors.join("\n").trim();
  if (logged.startsWith(`${CONFIG_ERROR_TITLE} (`)) return new ProgramError(logged, "config");
  if (logged.startsWith(`${DEPLOY_REFUSED_TITLE}: `)) return new ProgramError(logged, "refused");
  const text = logged || output.trim() || `the program exited with code ${code}`;
  return new ProgramError(text, "program");
}

/** Runs the program of one stack on the CLI's path against this engine; returns its graph. */
export function runOnEngine(opts: EngineRunOptions, depth = 0): Promise<StackRun> {
  if (!opts.memo) return runProgram(opts, depth);
  const root = fs.realpathSync(opts.root ?? findProjectRoot(__dirname));
  const { config } = loadStackConfig(root, opts.stack, opts.overrides);
  const key = JSON.stringify([
    root,
    opts.stack,
    opts.mode,
    config,
    opts.stackOutputs ?? null,
    opts.jobStatus ?? null,
  ]);
  let run = opts.memo.get(key);
  if (!run) {
    run = runProgram(opts, depth);
    // A failure is kept too: the same program with the same config fails the same way.
    opts.memo.set(key, run);
  }
  return run;
}

async function runProgram(opts: EngineRunOptions, depth: number): Promise<StackRun> {
  const root = opts.root ?? findProjectRoot(__dirname);
  const { project, config, secretKeys } = loadStackConfig(root, opts.stack, opts.overrides);
  const region = config["aws:region"] ?? "us-east-1";
  const earlier = opts.earlierRuns ?? new Map<string, Promise<StackRun>>();
  const stacks = listStacks(root);
  const reference = async (full: string): Promise<Record<string, unknown>> => {
    const given = opts.stackOutputs?.[full];
    if (given) return given;
    const parts = full.split("/");
    const stack = parts[parts.length - 1];
    const sameProject = parts.length === 1 || parts[parts.length - 2] === project.name;
    if (!sameProject || stack === opts.stack || !stacks.includes(stack)) return {};
    if (depth >= MAX_REFERENCE_DEPTH) return {};
    // A referenced stack is deployed: its outputs are those of an update from its own file.
    let run = earlier.get(stack);
    if (!run) {
      run = runOnEngine(
        { root, stack, mode: "update", earlierRuns: earlier, env: opts.env, memo: opts.memo },
        depth + 1,
      );
      earlier.set(stack, run);
    }
    return (await run).outputs;
  };
  const ctx: CloudContext = { region, account: MOCK_ACCOUNT, jobStatus: opts.jobStatus };
  const d = new Deployment(opts, project.name, ctx, reference);
  const server = await serve(d);
  const sync = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-sync-"));
  const runtime = project.runtime as { options?: RunRequest["options"] } | string;
  const { programDirectory, entryPoint } = programLocation(root, project.main, (p) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
  const req: RunRequest = {
    monitorAddress: server.address,
    engineAddress: server.address,
    syncDirectory: sync,
    organization: LOCAL_ORGANIZATION,
    project: project.name,
    stack: opts.stack,
    programDirectory,
    entryPoint,
    dryRun: opts.mode === "preview",
    queryMode: false,
    parallel: DEFAULT_PARALLEL,
    config,
    configSecretKeys: secretKeys,
    options: (typeof runtime === "object" && runtime?.options) || {},
  };
  // The SDK's runner as the language host locates it: resolved from the program's directory.
  const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDirectory] });
  const env = constructEnv(req, { ...process.env, ...opts.env });
  let output = "";
  let child: ChildProcess | undefined;
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child = spawn(nodeOnPath(env), constructArguments(req, runPath), {
        cwd: programDirectory,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (b) => (output += b.toString()));
      child.stderr?.on("data", (b) => (output += b.toString()));
      child.on("error", reject);
      child.on("exit", (c) => resolve(c));
      if (opts.timeoutMs) {
        setTimeout(() => child?.kill("SIGKILL"), opts.timeoutMs).unref();
      }
    });
    await Promise.allSettled([...d.pending]);
    if (code !== 0) throw programError(d, code, output);
  } finally {
    child?.kill();
    await server.close();
    fs.rmSync(sync, { recursive: true, force: true });
  }
  d.resources.sort((a, b) => a.urn.localeCompare(b.urn));
  return {
    project: project.name,
    stack: opts.stack,
    region,
    config,
    resources: d.resources,
    outputs: d.outputs,
  };
}
