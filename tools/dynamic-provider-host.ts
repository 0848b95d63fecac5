// The SDK's host of dynamic providers, `@pulumi/pulumi/cmd/dynamic-provider`, started as the
// engine starts the `pulumi-nodejs` provider plugin (node, that script, the engine's address, in
// the program's directory) and driven over its ResourceProvider gRPC service as the engine drives
// it. Each call carries the provider serialized by the SDK (`__provider`), exactly as the program
// registered it, so what is tested is what `pulumi up` deserializes and runs.
import { spawn } from "child_process";
import { nodeOnPath, serveEngine } from "./local-engine";
import { grpc, struct, toJs } from "./sdk-wire";

/* eslint-disable @typescript-eslint/no-require-imports */
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const statusPb = require("@pulumi/pulumi/proto/status_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

type Props = Record<string, unknown>;
interface Msg {
  [k: string]: (...a: unknown[]) => unknown;
}

export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A failed call: the gRPC status details, and for a partial create or update, what was made. */
export class ProviderCallError extends Error {
  constructor(
    message: string,
    readonly partial?: { id: string; properties: Props; reasons: string[] },
  ) {
    super(message);
    this.name = "ProviderCallError";
  }
}

export interface DynamicProviderHost {
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: string[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffResult>;
  create(urn: string, properties: Props): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, properties: Props): Promise<{ id: string; properties: Props }>;
  update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }>;
  delete(urn: string, id: string, properties: Props): Promise<void>;
  /** Everything the host printed. */
  output(): string;
  close(): Promise<void>;
}

const CALL_DEADLINE_MS = 60_000;

/** Diff's `changes` field (proto/provider.proto DiffResponse.DiffChanges). */
const CHANGES = ["unknown", "none", "some"] as const;

/**
 * Starts the host from `programDirectory` with `env` on top of this process's environment (the
 * AWS SDK's endpoint overrides, say), configured as the engine configures it.
 */
export async function startDynamicProviderHost(
  programDirectory: string,
  env: Record<string, string> = {},
): Promise<DynamicProviderHost> {
  const engine = await serveEngine();
  const runner = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", {
    paths: [programDirectory],
  });
  const childEnv = { ...process.env, ...env };
  const child = spawn(nodeOnPath(childEnv), [runner, engine.address], {
    cwd: programDirectory,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr?.on("data", (b) => (out += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (b) => {
      stdout += b.toString();
      out += b.toString();
      const m = /^(\d+)\s*$/m.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`dynamic-provider exited with ${code}\n${out}`)));
  });
  const client = new providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) =>
      // A call that gets no answer fails after a minute rather than hanging.
      client[method](
        req,
        { deadline: Date.now() + CALL_DEADLINE_MS },
        (err: (Error & { metadata?: unknown }) | null, resp: T) => {
          if (!err) return resolve(resp);
          // As the engine reads it: the structured status when there is one (a partial create
          // or update), whose message the host puts there and not in the plain status.
          const status = statusOf(err);
          const message = status?.message ?? err.message;
          reject(new ProviderCallError(`${method}: ${message}`, status?.partial));
        },
      ),
    );
  const request = (type: string, fields: Record<string, unknown>) => {
    const req = new providerPb[type]() as Msg;
    for (const [k, v] of Object.entries(fields)) req[`set${k}`](v);
    return req;
  };

  // The engine configures a provider before any other call; the dynamic host keeps the config
  // for each provider it deserializes.
  // The engine always sends the provider's config as `args` (empty for `pulumi-nodejs`); the host
  // refuses a request without it.
  await call(
    "configure",
    request("ConfigureRequest", { Args: struct({}), Acceptsecrets: true, Acceptresources: true }),
  );

  return {
    async check(urn, olds, news) {
      const r = await call<Msg>(
        "check",
        request("CheckRequest", { Urn: urn, Olds: struct(olds), News: struct(news) }),
      );
      const failures = (r.getFailuresList() as Msg[]).map(
        (f) => `${String(f.getProperty())}: ${String(f.getReason())}`,
      );
      return { inputs: toJs(r.getInputs()), failures };
    },
    async diff(urn, id, olds, news) {
      const r = await call<Msg>(
        "diff",
        request("DiffRequest", { Urn: urn, Id: id, Olds: struct(olds), News: struct(news) }),
      );
      return {
        changes: CHANGES[Number(r.getChanges())],
        replaces: r.getReplacesList() as string[],
        deleteBeforeReplace: Boolean(r.getDeletebeforereplace()),
      };
    },
    async create(urn, properties) {
      const r = await call<Msg>(
        "create",
        request("CreateRequest", { Urn: urn, Properties: struct(properties) }),
      );
      return { id: String(r.getId()), properties: toJs(r.getProperties()) };
    },
    async read(urn, id, properties) {
      const r = await call<Msg>(
        "read",
        request("ReadRequest", { Urn: urn, Id: id, Properties: struct(properties) }),
      );
      return { id: String(r.getId()), properties: toJs(r.getProperties()) };
    },
    async update(urn, id, olds, news) {
      const r = await call<Msg>(
        "update",
        request("UpdateRequest", { Urn: urn, Id: id, Olds: struct(olds), News: struct(news) }),
      );
      return { properties: toJs(r.getProperties()) };
    },
    async delete(urn, id, properties) {
      await call(
        "delete",
        request("DeleteRequest", { Urn: urn, Id: id, Properties: struct(properties) }),
      );
    },
    output: () => out,
    async close() {
      client.close();
      child.kill();
      await engine.close();
    },
  };
}

/** The structured status a failed call carries, if any: its message and partial resource. */
function statusOf(err: {
  metadata?: unknown;
}): { message: string; partial?: ProviderCallError["partial"] } | undefined {
  const md = err.metadata as { get(k: string): unknown[] } | undefined;
  const raw = md?.get("grpc-status-details-bin")?.[0] as Uint8Array | undefined;
  if (!raw) return undefined;
  const status = statusPb.Status.deserializeBinary(raw);
  const detail = status.getDetailsList()[0];
  if (!detail) return { message: String(status.getMessage()) };
  const init = providerPb.ErrorResourceInitFailed.deserializeBinary(detail.getValue());
  return {
    message: String(status.getMessage()),
    partial: {
      id: String(init.getId()),
      properties: toJs(init.getProperties()),
      reasons: init.getReasonsList() as string[],
    },
  };
}
