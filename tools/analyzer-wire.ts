// Wire encoding of analyzer requests. google-protobuf builds and serializes a Struct per resource
// an order of magnitude slower than the policies run, so requests are encoded here, straight from
// the marshalled values, into the bytes the generated messages would produce (field numbers from
// analyzer.proto and google/protobuf/struct.proto). The responses are decoded by the generated
// classes; analyzer-reference.ts builds the same requests with them, which the tests compare.
import { Later, marshalled, providerOf } from "./analyzer-marshal";
import type { StackResource } from "./stack-run";

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
