// Property marshalling, as the engine does it for the analyzer (KeepUnknowns, KeepSecrets,
// SkipInternalKeys; no resource references or output values: those are sent as the ID or URN and
// the plain value), and the provider a resource's reference names.
import * as pulumi from "@pulumi/pulumi";
import type { StackResource } from "./stack-run";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");

/** A resource's properties as plain JSON-like values, every Output and promise resolved. */
export async function marshal(v: unknown): Promise<unknown> {
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

/** A value that marshalling resolves later (an Output, an asset's path); filled in before encoding. */
export class Later {
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

/**
 * What `marshal` gives, without a promise per value: plain objects and arrays (nearly all of a
 * resource's properties) are copied synchronously; other values (Outputs, assets, resources) are
 * left as `Later`s, all filled in by the time this resolves.
 */
export async function marshalled(props: Record<string, unknown>): Promise<unknown> {
  const pending: Promise<void>[] = [];
  const value = marshalNow(props, pending);
  await Promise.all(pending);
  return value;
}

/** The provider resource a `urn::id` reference names. */
export function providerOf(
  r: StackResource,
  byUrn: Map<string, StackResource>,
): StackResource | undefined {
  if (!r.provider) return undefined;
  const i = r.provider.lastIndexOf("::");
  return byUrn.get(i >= 0 ? r.provider.slice(0, i) : r.provider);
}
