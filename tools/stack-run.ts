// Runs the Pulumi program for one stack under mocks, in this process, and records every resource
// it registers: type, name, URN, parent, inputs and resource options. Tests, the offline check and
// the policy pack's end-to-end run all take the resource graph from here.
import * as pulumi from "@pulumi/pulumi";
import { CloudContext, MOCK_ACCOUNT, cloudMocks } from "./mock-cloud";
import { findProjectRoot, listStacks, loadStackConfig } from "./stack-config";

export { findProjectRoot };

// Internal modules of @pulumi/pulumi: the monitor the mocks install, and the property codec.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");

export interface StackResource {
  urn: string;
  type: string;
  name: string;
  /** Custom resources are managed by a provider; components only group them. */
  custom: boolean;
  parent?: string;
  /** Provider reference `urn::id`, when one was set explicitly or by default. */
  provider?: string;
  inputs: Record<string, unknown>;
  /** Inputs plus what the mocked cloud computed (ids, ARNs). */
  outputs: Record<string, unknown>;
  id: string;
  protect: boolean;
  retainOnDelete: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
}

export interface StackRun {
  project: string;
  stack: string;
  region: string;
  config: Record<string, string>;
  resources: StackResource[];
  outputs: Record<string, unknown>;
  /**
   * The same stack as a preview of a fresh stack sees it (ids and computed properties unknown),
   * when it was run that way too: which findings a real `pulumi preview` would see.
   */
  preview?: StackRun;
}

/** The parts of the engine's RegisterResource messages (resource_pb) that are recorded. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getObject(): unknown;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void;
  };
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
}

interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): unknown;
}

/** The program's entry points, loaded lazily so that mocks are set before `@pulumi/aws` is used. */
export interface Program {
  loadConfig(): unknown;
  /** The stack's outputs, or their promise (the program reads a job's status before it is done). */
  buildStack(config: never): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export interface RunOptions {
  /** Project root holding Pulumi.yaml; defaults to the repository root. */
  root?: string;
  stack: string;
  /** Config set on top of the stack file, as `pulumi config set` would. */
  overrides?: Record<string, unknown>;
  /** Defaults to the modules in infra/. */
  program?: Program;
  /**
   * Outputs of the stacks the program references, by stack name. By default a referenced stack of
   * the same project that has a stack file is run first (under mocks, from its own file) and its
   * outputs answer the reference, as the deployed stack's would; any other exports nothing.
   */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /**
   * Runs of this project's stacks already made from their own files (no overrides), by stack name:
   * a reference to one of them is answered with its outputs, without running it again.
   */
  earlierRuns?: ReadonlyMap<string, StackRun>;
  /**
   * Called with each resource as the program registers it (the same object the run returns),
   * for this stack's runs, not those of stacks it references.
   */
  onResource?: (resource: StackResource) => void;
  /**
   * Run as a preview (the default: what the check and `pulumi preview` see) or, with false, as
   * an update (`pulumi up`), which is where the program refuses what must not be deployed.
   */
  preview?: boolean;
  /** The status the mocked SageMaker reports for the stack's job (CloudContext.jobStatus). */
  jobStatus?: string;
}

/** How deep stacks referencing stacks are followed. */
const MAX_REFERENCE_DEPTH = 3;

function defaultProgram(): Program {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const config = require("../infra/config");
  const stack = require("../infra/stack");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { loadConfig: config.loadConfig, buildStack: stack.buildStack };
}

async function resolveOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply((v) => resolve(v)));
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(v)] as const),
    );
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/**
 * Runs the program for `stack` under mocks and returns what it declared. Throws whatever the
 * program throws (config validation errors included) before any resource is recorded.
 */
export async function runStack(opts: RunOptions, depth = 0): Promise<StackRun> {
  if (opts.stackOutputs !== undefined) return runOnce(opts);
  const root = opts.root ?? findProjectRoot(__dirname);
  // The stack of this project with a stack file that a reference names, other than this one.
  const localStack = (full: string): string | undefined => {
    const parts = full.split("/");
    const stack = parts[parts.length - 1];
    const projectName = loadStackConfig(root, opts.stack, opts.overrides).project.name;
    const sameProject = parts.length === 1 || parts[parts.length - 2] === projectName;
    return sameProject && listStacks(root).includes(stack) && stack !== opts.stack
      ? stack
      : undefined;
  };
  const earlier = (full: string) => {
    const stack = opts.earlierRuns?.size ? localStack(full) : undefined;
    return stack === undefined ? undefined : opts.earlierRuns?.get(stack)?.outputs;
  };
  // A first run finds the stacks the program references that no earlier run answers; they run
  // one after the other (the mocks are process-wide), then this stack again with their outputs.
  const unresolved = new Set<string>();
  let first: StackRun | undefined;
  let failure: unknown;
  try {
    first = await runOnce(opts, unresolved, earlier);
  } catch (e) {
    failure = e;
  }
  if (unresolved.size === 0 || depth >= MAX_REFERENCE_DEPTH) {
    if (first) return first;
    throw failure;
  }
  const stackOutputs: Record<string, Record<string, unknown>> = {};
  for (const full of unresolved) {
    const stack = localStack(full);
    stackOutputs[full] =
      stack === undefined
        ? {}
        : (await runStack({ root, stack, program: opts.program }, depth + 1)).outputs;
  }
  return runOnce({ ...opts, stackOutputs }, undefined, earlier);
}

async function runOnce(
  opts: RunOptions,
  unresolvedReferences?: Set<string>,
  referenceOutputs?: CloudContext["referenceOutputs"],
): Promise<StackRun> {
  const root = opts.root ?? findProjectRoot(__dirname);
  const { project, config, secretKeys } = loadStackConfig(root, opts.stack, opts.overrides);
  const region = config["aws:region"] ?? "us-east-1";
  const ctx: CloudContext = {
    region,
    account: MOCK_ACCOUNT,
    stackOutputs: opts.stackOutputs,
    referenceOutputs,
    unresolvedReferences,
    jobStatus: opts.jobStatus,
  };

  pulumi.runtime.setAllConfig(config, secretKeys);
  // "organization" is the organization of every stack in a DIY (self-managed) backend.
  await pulumi.runtime.setMocks(
    cloudMocks(ctx),
    project.name,
    opts.stack,
    opts.preview ?? true,
    "organization",
  );

  const resources: StackResource[] = [];
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  // Wrap the mock monitor so that the request's parent and options are recorded with the URN.
  monitor.registerResource = (
    req: RegisterRequest,
    callback: (err: unknown, resp?: RegisterResponse) => void,
  ) => {
    register(req, (err: unknown, resp?: RegisterResponse) => {
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => {
          propertyDependencies[k] = v.getUrnsList();
        });
        const resource: StackResource = {
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          inputs: rpc.deserializeProperties(req.getObject()),
          outputs: rpc.deserializeProperties(resp.getObject()),
          id: resp.getId(),
          protect: Boolean(req.getProtect()),
          retainOnDelete: Boolean(req.getRetainondelete()),
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          ignoreChanges: req.getIgnorechangesList(),
          replaceOnChanges: req.getReplaceonchangesList(),
          deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        };
        resources.push(resource);
        opts.onResource?.(resource);
      }
      callback(err, resp);
    });
  };

  const program = opts.program ?? defaultProgram();
  const cfg = program.loadConfig();
  // An error raised while an input resolves (an `apply` that throws) fails the run, as it fails a
  // preview, instead of leaving its outputs unresolved.
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const onRejection = (reason: unknown) => fail(reason);
  process.on("unhandledRejection", onRejection);
  let outputs: Record<string, unknown>;
  try {
    outputs = await Promise.race([
      (async () => {
        const exported = await program.buildStack(cfg as never);
        const resolved = (await resolveOutputs(exported)) as Record<string, unknown>;
        await settings.waitForRPCs();
        return resolved;
      })(),
      failed,
    ]);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  // Registration order can interleave across components; present the graph in a stable order.
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  return { project: project.name, stack: opts.stack, region, config, resources, outputs };
}

/** Resources of one type, for assertions. */
export function ofType(run: StackRun, type: string): StackResource[] {
  return run.resources.filter((r) => r.type === type);
}
