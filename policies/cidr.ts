// CIDR blocks as address ranges: how much of the public internet a set of blocks lets in,
// whatever the spelling (`0::/0`, `::0/0`, `0.0.0.0/1` + `128.0.0.0/1`, IPv4-mapped IPv6).

export type Family = "IPv4" | "IPv6";

export interface Range {
  family: Family;
  start: bigint;
  end: bigint;
}

const BITS: Record<Family, number> = { IPv4: 32, IPv6: 128 };

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let text = s.toLowerCase();
  // A trailing dotted quad (`::ffff:1.2.3.4`) is the last 32 bits.
  let tail: bigint | undefined;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail = parseV4(dotted[2]);
    if (tail === undefined) return undefined;
    text = `${dotted[1]}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === "" ? [] : h.split(":"));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return tail === undefined ? v : (v & ~0xffffffffn) | tail;
}

const V4_MAPPED = { start: 0xffff00000000n, end: 0xffffffffffffn };

/**
 * The addresses a CIDR block covers, or undefined when it is not one. The host bits are ignored,
 * as EC2 reads them. An IPv6 block inside `::ffff:0:0/96` is the IPv4 block it maps.
 */
export function parseCidr(cidr: string): Range | undefined {
  const m = /^\s*([^/\s]+)\/(\d{1,3})\s*$/.exec(cidr);
  if (!m) return undefined;
  const family: Family = m[1].includes(":") ? "IPv6" : "IPv4";
  const bits = BITS[family];
  const prefix = Number(m[2]);
  if (prefix > bits) return undefined;
  const addr = family === "IPv4" ? parseV4(m[1]) : parseV6(m[1]);
  if (addr === undefined) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = addr & ~(size - 1n);
  const end = start + size - 1n;
  if (family === "IPv6" && start >= V4_MAPPED.start && end <= V4_MAPPED.end) {
    return { family: "IPv4", start: start - V4_MAPPED.start, end: end - V4_MAPPED.start };
  }
  return { family, start, end };
}

function block(cidr: string): { start: bigint; end: bigint } {
  const r = parseCidr(cidr)!;
  return { start: r.start, end: r.end };
}

/**
 * The public internet of each family. IPv4: every address but the special-purpose blocks that
 * never route on it (RFC 6890: this network, private, shared, loopback, link-local, multicast,
 * reserved). IPv6: global unicast, 2000::/3 (RFC 4291 section 2.4); the rest is link-local,
 * unique-local, multicast or unassigned.
 */
const PUBLIC: Record<Family, { start: bigint; end: bigint }[]> = {
  IPv4: complement(
    ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"]
      .concat(["172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"])
      .map(block),
    32,
  ),
  IPv6: [block("2000::/3")],
};

function merge(ranges: { start: bigint; end: bigint }[]): { start: bigint; end: bigint }[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: { start: bigint; end: bigint }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

function complement(ranges: { start: bigint; end: bigint }[], bits: number) {
  const out: { start: bigint; end: bigint }[] = [];
  let next = 0n;
  for (const r of merge(ranges)) {
    if (r.start > next) out.push({ start: next, end: r.start - 1n });
    next = r.end + 1n;
  }
  const max = (1n << BigInt(bits)) - 1n;
  if (next <= max) out.push({ start: next, end: max });
  return out;
}

/**
 * The addresses of `ranges` that none of `minus` covers, family by family, as disjoint ranges in
 * ascending order: what a later rule still decides once earlier rules have taken their blocks.
 */
export function subtract(ranges: Range[], minus: Range[]): Range[] {
  const out: Range[] = [];
  for (const family of ["IPv4", "IPv6"] as const) {
    const cuts = merge(minus.filter((r) => r.family === family));
    for (const r of merge(ranges.filter((x) => x.family === family))) {
      let start = r.start;
      for (const c of cuts) {
        if (c.end < start) continue;
        if (c.start > r.end) break;
        if (c.start > start) out.push({ family, start, end: c.start - 1n });
        start = c.end + 1n;
        if (start > r.end) break;
      }
      if (start <= r.end) out.push({ family, start, end: r.end });
    }
  }
  return out;
}

function size(ranges: { start: bigint; end: bigint }[]): bigint {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1n), 0n);
}

/** How many public addresses of `family` the union of `ranges` covers, and out of how many. */
export function publicCoverage(
  ranges: Range[],
  family: Family,
): { covered: bigint; total: bigint } {
  const union = merge(ranges.filter((r) => r.family === family));
  const pub = PUBLIC[family];
  let covered = 0n;
  for (const u of union) {
    for (const p of pub) {
      const s = u.start > p.start ? u.start : p.start;
      const e = u.end < p.end ? u.end : p.end;
      if (s <= e) covered += e - s + 1n;
    }
  }
  return { covered, total: size(pub) };
}

/**
 * The widest public reach a set of blocks may have before it counts as open to the internet: a
 * /8 of IPv4 (16.7 million addresses, more than any one organisation's range but a few) or a /32
 * of IPv6 (a whole provider's allocation).
 */
export const BROAD: Record<Family, bigint> = { IPv4: 1n << 24n, IPv6: 1n << 96n };

export interface Exposure {
  family: Family;
  /** The whole public internet of the family. */
  whole: boolean;
  /** Public addresses covered. */
  covered: bigint;
}

/**
 * Whether the union of `ranges` opens to the internet: all of a family's public addresses, or at
 * least `BROAD` of them. One entry per family that does.
 */
export function exposure(ranges: Range[]): Exposure[] {
  const out: Exposure[] = [];
  for (const family of ["IPv4", "IPv6"] as const) {
    const { covered, total } = publicCoverage(ranges, family);
    if (covered >= BROAD[family]) out.push({ family, whole: covered === total, covered });
  }
  return out;
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 255n)).join(".");
}

/**
 * A public IPv4 address inside the union of `ranges`, and one outside it (either may not exist):
 * the addresses a caller of the internet may come from, to test a condition on `aws:SourceIp`.
 */
export function publicAddresses(ranges: Range[]): { inside?: string; outside?: string } {
  const pub: Range[] = PUBLIC.IPv4.map((r) => ({ family: "IPv4", ...r }));
  const outside = subtract(pub, ranges)[0];
  const inside = subtract(pub, subtract(pub, ranges))[0];
  return {
    inside: inside && formatV4(inside.start),
    outside: outside && formatV4(outside.start),
  };
}

/** The share of the family's public internet an exposure covers, for messages: "43.4%". */
export function share(e: Exposure): string {
  const total = PUBLIC_TOTAL[e.family];
  const tenths = Number((e.covered * 1000n) / total);
  return tenths >= 1 ? `${(tenths / 10).toFixed(1)}%` : "under 0.1%";
}

const PUBLIC_TOTAL: Record<Family, bigint> = { IPv4: size(PUBLIC.IPv4), IPv6: size(PUBLIC.IPv6) };
