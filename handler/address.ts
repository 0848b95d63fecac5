// Which IP addresses the function may fetch images from: public unicast only.
//
// The check is an allowlist in spirit: IPv6 must be global unicast (2000::/3) and outside the
// special-purpose blocks inside it; IPv4 must be outside every special-purpose, private, shared,
// multicast and reserved block. Only canonical spellings parse, so an address that reaches this
// module in an odd form ("0177.0.0.1", "2130706433", "127.1", "::ffff:7f00:1") is refused rather
// than interpreted. Registries the blocks come from:
// https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry.xhtml
// https://www.iana.org/assignments/iana-ipv6-special-registry/iana-ipv6-special-registry.xhtml

/** An address in network byte order. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEXTET = /^[0-9a-f]{1,4}$/i;

/** Parses dotted-quad IPv4 with no leading zeros; anything else is undefined. */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => IPV4_PART.test(part))) return undefined;
  return { family: 4, bytes: Uint8Array.from(parts.map(Number)) };
}

/** Parses RFC 4291 text form (with "::" and an optional dotted-quad tail); no zone ids. */
export function parseIpv6(text: string): IpAddress | undefined {
  if (text.length > 45 || text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;

  const toHextets = (half: string, allowV4Tail: boolean): number[] | undefined => {
    if (half === "") return [];
    const groups = half.split(":");
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      if (allowV4Tail && i === groups.length - 1 && group.includes(".")) {
        const v4 = parseIpv4(group);
        if (!v4) return undefined;
        out.push((v4.bytes[0] << 8) | v4.bytes[1], (v4.bytes[2] << 8) | v4.bytes[3]);
      } else if (HEXTET.test(group)) {
        out.push(parseInt(group, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };

  const head = toHextets(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? toHextets(halves[1], true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;

  const hextets = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  hextets.forEach((value, i) => {
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return { family: 6, bytes };
}

/** Parses either family; brackets around IPv6 (as in URL hosts) are accepted. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return bare.includes(":") ? parseIpv6(bare) : parseIpv4(bare);
}

interface Block {
  readonly prefix: Uint8Array;
  readonly bits: number;
}

function block(cidr: string): Block {
  const [address, bits] = cidr.split("/");
  const parsed = parseIp(address);
  if (!parsed) throw new Error(`bad block ${cidr}`);
  return { prefix: parsed.bytes, bits: Number(bits) };
}

function inBlock(bytes: Uint8Array, { prefix, bits }: Block): boolean {
  if (bytes.length !== prefix.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== prefix[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole] & mask) === (prefix[whole] & mask);
}

const REFUSED_V4: readonly Block[] = [
  "0.0.0.0/8", // "this network", including 0.0.0.0 which Linux routes to the local host
  "10.0.0.0/8", // private
  "100.64.0.0/10", // shared address space (carrier-grade NAT)
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local, including the EC2 (169.254.169.254) and Lambda/ECS (169.254.170.2) metadata endpoints
  "172.16.0.0/12", // private
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // documentation
  "192.31.196.0/24", // AS112
  "192.52.193.0/24", // AMT
  "192.88.99.0/24", // deprecated 6to4 relay anycast
  "192.168.0.0/16", // private
  "192.175.48.0/24", // direct delegation AS112
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // documentation
  "203.0.113.0/24", // documentation
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, including the limited broadcast 255.255.255.255
].map(block);

const GLOBAL_UNICAST_V6 = block("2000::/3");
const REFUSED_V6: readonly Block[] = [
  "2001::/23", // IETF protocol assignments: Teredo (embeds IPv4), benchmarking, ORCHID
  "2001:db8::/32", // documentation
  "2002::/16", // 6to4 (embeds an IPv4 address, possibly a private one)
  "3fff::/20", // documentation
].map(block);
// Everything outside 2000::/3 is refused, which covers ::, ::1, IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96, NAT64 64:ff9b::/96, unique-local fc00::/7, link-local fe80::/10 and
// multicast ff00::/8.

/** True when `text` is a canonical address that the public internet could route to. */
export function isPublicAddress(text: string): boolean {
  const ip = parseIp(text);
  if (!ip) return false;
  if (ip.family === 4) return !REFUSED_V4.some((b) => inBlock(ip.bytes, b));
  return inBlock(ip.bytes, GLOBAL_UNICAST_V6) && !REFUSED_V6.some((b) => inBlock(ip.bytes, b));
}
