// EC2 guardrails: IMDSv2 only, encrypted volumes, no inbound traffic from the whole internet, no
// network ACL that admits remote administration from it, no public address in the listed stacks,
// and the instance types each stack may use. Each rule holds, in one table, every resource type
// that carries its setting and where that type keeps it.
import { exposure, Exposure, parseCidr, publicCoverage, Range, share, subtract } from "./cidr";
import {
  inStacks,
  instanceTypeAllowlist,
  isUnknown,
  label,
  list,
  num,
  obj,
  Props,
  resourcePolicy,
  schema,
  stackPolicy,
  StackItem,
  refersVia,
  str,
} from "./common";
import { TYPES } from "../shared/resource-types";

export const EC2 = {
  instance: TYPES.instance,
  spotInstance: TYPES.spotInstanceRequest,
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
  spotFleet: "aws:ec2/spotFleetRequest:SpotFleetRequest",
  volume: TYPES.volume,
  securityGroup: TYPES.securityGroup,
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  networkAcl: "aws:ec2/networkAcl:NetworkAcl",
  defaultNetworkAcl: "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
  networkAclRule: "aws:ec2/networkAclRule:NetworkAclRule",
  eip: TYPES.eip,
  eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
} as const;

/**
 * Whether an instance or spot request launches from a launch template: a setting it leaves unset
 * is then the template's, which these rules judge on the template itself.
 */
function fromTemplate(p: Props): boolean {
  const lt = p.launchTemplate;
  return isUnknown(lt) || (obj(lt) !== undefined && Object.keys(obj(lt)!).length > 0);
}

/** True for `true` and for the string "true", which launch templates take for their flags. */
function isTrue(v: unknown): boolean {
  return v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
}

// ---------------------------------------------------------------------------------------------
// ec2-instance-require-imdsv2: every type that launches instances with instance metadata options
// of its own (the same `metadataOptions` block on each).

const IMDS_TYPES = [EC2.instance, EC2.spotInstance, EC2.launchTemplate, EC2.launchConfiguration];

/**
 * The account's defaults for new instances carry the same setting at the top level; "optional"
 * there makes IMDSv1 the default of every launch that does not choose
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataDefaults.html).
 */
const METADATA_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults";

export const imdsV2 = resourcePolicy({
  name: "ec2-instance-require-imdsv2",
  description:
    "Requires EC2 instances, spot instance requests, launch templates, launch configurations and the account's instance metadata defaults to use IMDSv2 (session tokens) only.",
  enforcementLevel: "mandatory",
  types: [...IMDS_TYPES, METADATA_DEFAULTS],
  check: (r) => {
    if (r.type === METADATA_DEFAULTS) {
      // Unset is "no-preference": each launch decides, and is judged where it is declared.
      const tokens = r.props.httpTokens;
      if (tokens !== "optional") return;
      r.report(
        `${label(r.type, r.name)} has httpTokens "optional", making IMDSv1 the account's default for new ` +
          `instances. Set httpTokens: "required".`,
      );
      return;
    }
    const mo = r.props.metadataOptions;
    if (isUnknown(mo) || (mo === undefined && fromTemplate(r.props))) return;
    const o = obj(mo);
    const tokens = o?.httpTokens;
    if (isUnknown(tokens) || tokens === "required" || o?.httpEndpoint === "disabled") return;
    r.report(
      `${label(r.type, r.name)} has metadataOptions.httpTokens ${tokens === undefined ? "unset (IMDSv1 allowed)" : `"${String(tokens)}"`}; ` +
        `IMDSv1 lets an SSRF in any process read the instance role's credentials. Set ` +
        `metadataOptions: {httpTokens: "required", httpEndpoint: "enabled"}.`,
    );
  },
});

// ---------------------------------------------------------------------------------------------
// ec2-instance-require-encrypted-volumes: where each type declares its volumes.

interface VolumeSetting {
  /** Where the setting is, for the message: `rootBlockDevice`, `ebsBlockDevices "/dev/sdf"`. */
  where: string;
  encrypted: unknown;
  /** What to set, for the message. */
  fix: string;
  /** Set when the volume is absent from the declaration: why that leaves it unencrypted. */
  absent?: string;
}

/** Root and EBS devices in the Instance shape (`rootBlockDevice`, `ebsBlockDevices`). */
function instanceVolumes(p: Props, prefix = "", roots = [p.rootBlockDevice]): VolumeSetting[] {
  const out: VolumeSetting[] = [];
  for (const root of roots) {
    if (isUnknown(root) || ((root === undefined || root === null) && fromTemplate(p))) continue;
    out.push({
      where: `${prefix}rootBlockDevice`,
      encrypted: obj(root)?.encrypted,
      fix: `${prefix}rootBlockDevice: {encrypted: true, kmsKeyId: <key ARN>}`,
      absent:
        obj(root) === undefined
          ? "so the root volume (code, data, cached credentials) is stored unencrypted"
          : undefined,
    });
  }
  list(p.ebsBlockDevices).forEach((d, i) => {
    const dev = obj(d);
    if (!dev) return;
    out.push({
      where: `${prefix}ebsBlockDevices "${str(dev.deviceName) ?? `#${i}`}"`,
      encrypted: dev.encrypted,
      fix: "encrypted: true",
    });
  });
  return out;
}

/** Each type's volumes: the one place this rule learns where a type keeps them. */
const VOLUME_READERS: Record<string, (p: Props) => VolumeSetting[]> = {
  [EC2.instance]: (p) => instanceVolumes(p),
  [EC2.spotInstance]: (p) => instanceVolumes(p),
  [EC2.launchConfiguration]: (p) => instanceVolumes(p),
  [EC2.volume]: (p) => [{ where: "", encrypted: p.encrypted, fix: "encrypted: true" }],
  [EC2.launchTemplate]: (p) => {
    if (isUnknown(p.blockDeviceMappings)) return [];
    const mappings = list(p.blockDeviceMappings)
      .map((m, i) => ({ m: obj(m), i }))
      .filter((x) => x.m && x.m.ebs !== undefined && x.m.ebs !== null);
    if (mappings.length === 0) {
      return [
        {
          where: "blockDeviceMappings",
          encrypted: undefined,
          fix: 'blockDeviceMappings: [{deviceName: <root device>, ebs: {encrypted: "true", kmsKeyId: <key ARN>}}]',
          absent:
            "so its instances' volumes come from the AMI's snapshots, encrypted only if those are",
        },
      ];
    }
    return mappings.map(({ m, i }) => ({
      where: `blockDeviceMappings "${str(m!.deviceName) ?? `#${i}`}" ebs`,
      encrypted: isUnknown(m!.ebs) ? m!.ebs : obj(m!.ebs)?.encrypted,
      fix: 'ebs: {encrypted: "true", kmsKeyId: <key ARN>}',
    }));
  },
  [EC2.spotFleet]: (p) =>
    list(p.launchSpecifications).flatMap((s, i) => {
      const spec = obj(s);
      if (!spec) return [];
      const roots = list(spec.rootBlockDevices);
      return instanceVolumes(spec, `launchSpecifications[${i}].`, roots.length ? roots : [null]);
    }),
};

/**
 * The account's EBS encryption default, one setting per Region: once enabled, "the EBS volumes that
 * you create are always encrypted", volumes from unencrypted snapshots and AMIs included
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html,
 * https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html). The provider's
 * `enabled` defaults to true.
 */
const ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault";

function isFalse(v: unknown): boolean {
  return v === false || (typeof v === "string" && v.trim().toLowerCase() === "false");
}

/**
 * The Region a resource is declared in: its own `region` argument (provider v7), else its
 * provider's; the provider's URN when neither is known, so two resources of one provider match.
 */
function regionOf(it: StackItem): string {
  const own = it.props.region;
  if (typeof own === "string" && own !== "" && !isUnknown(own)) return own;
  const provider = it.resource.provider;
  const region = provider?.props?.region;
  if (typeof region === "string" && region !== "" && !isUnknown(region)) return region;
  return provider?.urn ?? "";
}

function volumeMessage(r: { type: string; name: string }, v: VolumeSetting): string {
  const unset = v.encrypted === undefined || v.encrypted === null;
  const value = unset ? "unset" : String(v.encrypted);
  const orDefault = unset
    ? ", or declare aws.ebs.EncryptionByDefault (enabled: true) for this Region in the stack"
    : "";
  if (v.where === "") {
    return (
      `${label(r.type, r.name)} has encrypted ${value}. Set encrypted: true (and kmsKeyId for a ` +
      `customer-managed key)${orDefault}.`
    );
  }
  if (v.absent) {
    return (
      `${label(r.type, r.name)} has ${v.where}${v.where.endsWith("Mappings") ? " without an encrypted EBS volume" : ".encrypted unset"}, ` +
      `${v.absent}. Set ${v.fix}${orDefault}.`
    );
  }
  if (v.where.endsWith("rootBlockDevice")) {
    return (
      `${label(r.type, r.name)} has ${v.where}.encrypted ${value}, so the root volume (code, data, cached ` +
      `credentials) is stored unencrypted. Set ${v.fix}${orDefault}.`
    );
  }
  return `${label(r.type, r.name)} has ${v.where} with encrypted ${value}. Set ${v.fix}${orDefault}.`;
}

/**
 * A stack rule: whether a volume that leaves `encrypted` unset is encrypted depends on the
 * account's default for its Region, declared (or not) elsewhere in the stack. An explicit
 * `encrypted: false` stays a finding even then: the declaration asks for plaintext, and it becomes
 * plaintext the day the default is turned off.
 */
export const encryptedVolumes = stackPolicy({
  name: "ec2-instance-require-encrypted-volumes",
  description:
    "Requires the root and EBS volumes of EC2 instances, spot requests and fleets, launch templates and configurations, and standalone EBS volumes, to be encrypted, by their own setting or by the account's EBS encryption default declared in the stack for their Region, and that default to stay on.",
  enforcementLevel: "mandatory",
  check: (items, report) => {
    const byDefault = items.filter((it) => it.type === ENCRYPTION_BY_DEFAULT);
    for (const it of byDefault) {
      if (!isFalse(it.props.enabled)) continue;
      report(
        it.urn,
        `${label(it.type, it.name)} has enabled false, so new EBS volumes of the account are stored ` +
          `unencrypted unless each one asks. Set enabled: true.`,
      );
    }
    // Regions whose default the stack turns on (an unknown `enabled` is taken as on: judged once known).
    const covered = new Set(byDefault.filter((it) => !isFalse(it.props.enabled)).map(regionOf));
    for (const it of items) {
      const read = VOLUME_READERS[it.type];
      if (!read) continue;
      const settings = read(it.props);
      if (settings.length === 0) continue;
      const inCoveredRegion = covered.size > 0 && covered.has(regionOf(it));
      for (const v of settings) {
        if (isTrue(v.encrypted) || isUnknown(v.encrypted)) continue;
        if (inCoveredRegion && (v.encrypted === undefined || v.encrypted === null)) continue;
        report(it.urn, volumeMessage(it, v));
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// ec2-security-group-disallow-public-ingress: inbound rules of every security-group type, their
// CIDR blocks judged as address ranges.

interface IngressConfig {
  allowedPublicPorts: number[];
}

const INGRESS_CONFIG = {
  allowedPublicPorts: {
    type: "array" as const,
    items: { type: "number" as const },
    description:
      "Ports that may be open to the internet (for example 443 behind a public load balancer).",
    default: [],
  },
};

interface IngressRule {
  where: string;
  fromPort: unknown;
  toPort: unknown;
  protocol: unknown;
  cidrs: unknown[];
  /** Managed prefix lists the rule admits, by id. */
  prefixLists: unknown[];
}

function groupRules(p: Props): IngressRule[] {
  return list(p.ingress).flatMap((x, i) => {
    const rule = obj(x);
    if (!rule) return [];
    return [
      {
        where: `ingress rule ${i}`,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        protocol: rule.protocol,
        cidrs: [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)],
        prefixLists: list(rule.prefixListIds),
      },
    ];
  });
}

/** Each type's inbound rules: the one place this rule learns where a type keeps them. */
const INGRESS_READERS: Record<string, (p: Props) => IngressRule[]> = {
  [EC2.securityGroup]: groupRules,
  [EC2.defaultSecurityGroup]: groupRules,
  [EC2.securityGroupRule]: (p) =>
    p.type !== "ingress"
      ? []
      : [
          {
            where: "rule",
            fromPort: p.fromPort,
            toPort: p.toPort,
            protocol: p.protocol,
            cidrs: [...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)],
            prefixLists: list(p.prefixListIds),
          },
        ],
  [EC2.ingressRule]: (p) => [
    {
      where: "rule",
      fromPort: p.fromPort,
      toPort: p.toPort,
      protocol: p.ipProtocol,
      cidrs: [p.cidrIpv4, p.cidrIpv6],
      prefixLists: list(p.prefixListId),
    },
  ],
};

/** Protocol "-1" (or "all", which the provider takes too): every protocol and port, whatever the ports say. */
function everyProtocol(protocol: unknown): boolean {
  return ["-1", "all"].includes(String(protocol).toLowerCase());
}

function portRange(from: unknown, to: unknown, protocol: unknown): string {
  if (everyProtocol(protocol)) return "all ports";
  const f = num(from);
  const t = num(to);
  return f === t ? `port ${f}` : `ports ${f}-${t}`;
}

function reach(e: Exposure[]): string {
  // Both families open: each named, "open to the whole IPv4 internet and the whole IPv6 internet".
  const family = (x: Exposure) => (e.length > 1 ? `${x.family} ` : "");
  const parts = e.map((x) =>
    x.whole ? `the whole ${family(x)}internet` : `${share(x)} of the public ${x.family} internet`,
  );
  return `open to ${parts.join(" and ")}`;
}

/** A single port the config lets the internet reach (443 behind a public load balancer). */
function allowedPort(rule: IngressRule, ports: number[]): boolean {
  const f = num(rule.fromPort);
  return (
    f !== undefined && f === num(rule.toPort) && !everyProtocol(rule.protocol) && ports.includes(f)
  );
}

/** The CIDR blocks of a rule read as ranges (unknown and unreadable ones left out). */
function rangesOf(cidrs: unknown[]): Range[] {
  return cidrs.flatMap((x) => {
    const r = typeof x === "string" && !isUnknown(x) ? parseCidr(x) : undefined;
    return r ? [r] : [];
  });
}

const INGRESS_FIX =
  "Allow only the callers' CIDR or security group, or use SSM Session Manager instead of SSH.";

export const publicIngress = resourcePolicy<IngressConfig>({
  name: "ec2-security-group-disallow-public-ingress",
  description:
    "Forbids inbound security group rules whose CIDR blocks, alone or together, open a port to the whole internet or a /8 of it.",
  enforcementLevel: "mandatory",
  types: Object.keys(INGRESS_READERS),
  config: INGRESS_CONFIG,
  check: (r, c) => {
    const judged = INGRESS_READERS[r.type](r.props)
      .filter((rule) => !allowedPort(rule, c.allowedPublicPorts))
      .map((rule) => {
        const given = rule.cidrs.filter(
          (x): x is string => typeof x === "string" && !isUnknown(x) && x !== "",
        );
        const ranges = given.map((x) => ({ cidr: x, range: parseCidr(x) }));
        return { rule, ranges };
      });
    let reported = false;
    for (const { rule, ranges } of judged) {
      const ports = portRange(rule.fromPort, rule.toPort, rule.protocol);
      for (const { cidr } of ranges.filter((x) => !x.range)) {
        reported = true;
        r.report(
          `${label(r.type, r.name)} ${rule.where} allows inbound ${ports} from "${cidr}", which is not a ` +
            `CIDR block this policy can read as an address range. Write it as address/prefix (for ` +
            `example "10.0.0.0/16" or "2001:db8::/48").`,
        );
      }
      const parsed = ranges.filter((x) => x.range);
      const e = exposure(parsed.map((x) => x.range!));
      if (e.length === 0) continue;
      reported = true;
      const from = parsed
        .filter((x) => e.some((f) => f.family === x.range!.family))
        .map((x) => x.cidr);
      r.report(
        `${label(r.type, r.name)} ${rule.where} allows inbound ${ports} from ${from.join(", ")}, ${reach(e)}. ` +
          INGRESS_FIX,
      );
    }
    if (reported || judged.length < 2) return;
    // Rules each narrower than the threshold may still add up to the internet.
    const together = judged.filter((x) => x.ranges.some((y) => y.range));
    const e = exposure(
      together.flatMap((x) => x.ranges.flatMap((y) => (y.range ? [y.range] : []))),
    );
    if (e.length === 0) return;
    r.report(
      `${label(r.type, r.name)} ${together.map((x) => x.rule.where).join(", ")} together allow inbound from ` +
        `${together.flatMap((x) => x.ranges.map((y) => y.cidr)).join(", ")}, ${reach(e)}. ${INGRESS_FIX}`,
    );
  },
});

const PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList";
const PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry";
const GROUP_TYPES: string[] = [EC2.securityGroup, EC2.defaultSecurityGroup];

/** The CIDR blocks a managed prefix list in the stack holds: its entries and standalone ones. */
function prefixListRanges(items: StackItem[], id: unknown, rule: StackItem): Range[] | undefined {
  const found = items.find(
    (it) =>
      it.type === PREFIX_LIST &&
      ((typeof id === "string" && !isUnknown(id) && it.props.id === id) ||
        (isUnknown(id) && refersVia(rule, "prefixListIds", it, [])) ||
        (isUnknown(id) && refersVia(rule, "prefixListId", it, [])) ||
        (isUnknown(id) && refersVia(rule, "ingress", it, []))),
  );
  if (!found) return undefined;
  const entries = [
    ...list(found.props.entries).map((e) => obj(e)?.cidr),
    ...items
      .filter(
        (it) =>
          it.type === PREFIX_LIST_ENTRY && refersVia(it, "prefixListId", found, [found.props.id]),
      )
      .map((it) => it.props.cidr),
  ];
  return rangesOf(entries);
}

/**
 * What standalone rules belong to, for a message: the group or ACL in the stack, the one named by
 * the literal id, or (an id unknown and nothing in the stack referred to) the first rule's.
 */
function ownerName(key: StackItem | string, first: StackItem, kind: string): string {
  if (typeof key !== "string") return label(key.type, key.name);
  if (key.startsWith("urn:")) return `The ${kind} of ${label(first.type, first.name)}`;
  return `${kind[0].toUpperCase()}${kind.slice(1)} "${key}"`;
}

export const combinedIngress = stackPolicy<IngressConfig>({
  name: "ec2-security-group-disallow-combined-public-ingress",
  description:
    "Forbids inbound rules of one security group, inline or standalone, whose CIDR blocks and managed prefix lists together open it to the whole internet or a /8 of it.",
  enforcementLevel: "mandatory",
  config: INGRESS_CONFIG,
  check: (items, report, c) => {
    const groups = items.filter((it) => GROUP_TYPES.includes(it.type));
    // Rules by the security group they belong to (the group's item, or its id when not in the stack).
    const byGroup = new Map<StackItem | string, { item: StackItem; rule: IngressRule }[]>();
    const push = (key: StackItem | string, item: StackItem, rule: IngressRule) =>
      byGroup.set(key, [...(byGroup.get(key) ?? []), { item, rule }]);
    for (const it of items) {
      if (!INGRESS_READERS[it.type]) continue;
      const rules = INGRESS_READERS[it.type](it.props).filter(
        (rule) => !allowedPort(rule, c.allowedPublicPorts),
      );
      if (GROUP_TYPES.includes(it.type)) {
        rules.forEach((rule) => push(it, it, rule));
        continue;
      }
      const sgId = it.props.securityGroupId;
      const group = groups.find((g) =>
        refersVia(it, "securityGroupId", g, [g.props.id, g.props.name]),
      );
      const key = group ?? (typeof sgId === "string" && !isUnknown(sgId) ? sgId : undefined);
      rules.forEach((rule) => push(key ?? it.urn, it, rule));
    }
    for (const [key, members] of byGroup) {
      // What one resource opens alone is ec2-security-group-disallow-public-ingress's finding.
      const resources = [...new Set(members.map((m) => m.item))];
      if (
        resources.some(
          (res) =>
            exposure(members.filter((m) => m.item === res).flatMap((m) => rangesOf(m.rule.cidrs)))
              .length > 0,
        )
      )
        continue;
      const sources: string[] = [];
      const ranges: Range[] = [];
      for (const { item, rule } of members) {
        const own = rangesOf(rule.cidrs);
        ranges.push(...own);
        sources.push(
          ...rule.cidrs.filter((x): x is string => typeof x === "string" && !isUnknown(x)),
        );
        for (const id of rule.prefixLists) {
          const pl = prefixListRanges(items, id, item);
          if (!pl || pl.length === 0) continue;
          ranges.push(...pl);
          sources.push(
            `prefix list ${typeof id === "string" && !isUnknown(id) ? `"${id}"` : "(known after deploy)"}`,
          );
        }
      }
      const e = exposure(ranges);
      if (e.length === 0) continue;
      const where = members.map(({ item, rule }) =>
        GROUP_TYPES.includes(item.type) ? rule.where : label(item.type, item.name),
      );
      const first = members[0].item;
      const groupName = ownerName(key, first, "security group");
      report(
        (typeof key === "string" ? first : key).urn,
        `${groupName} admits inbound traffic through ${[...new Set(where)].join(", ")} from ` +
          `${[...new Set(sources)].join(", ")}, which together are ${reach(e)}. ${INGRESS_FIX}`,
      );
    }
  },
});

// ---------------------------------------------------------------------------------------------
// ec2-network-acl-disallow-public-admin-ingress: the inbound entries of each network ACL, wherever
// they are declared, evaluated as AWS evaluates them, on the remote administration ports.
//
// A network ACL only narrows what security groups admit: traffic must pass both. AWS's own example
// ACL for a public subnet admits HTTP, HTTPS and the ephemeral ports from 0.0.0.0/0
// (https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html; clients may use
// 1024-65535: https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html), and a
// VPC's default ACL admits everything
// (https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html), so an ACL is not
// judged like a security group. AWS holds ACLs to the remote administration ports only: AWS Config's
// nacl-no-unrestricted-ssh-rdp reports an inbound entry that admits TCP or UDP to port 22 or 3389
// from anywhere (https://docs.aws.amazon.com/config/latest/developerguide/nacl-no-unrestricted-ssh-rdp.html),
// which Security Hub runs as EC2.21
// (https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21).
//
// Rules are evaluated lowest number first, and the first rule that matches the traffic decides;
// what none matches is denied (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html,
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-basics.html). So an allow admits only the
// addresses no lower-numbered rule for the same traffic has matched, and a deny numbered above it
// takes nothing back.

interface AclConfig {
  adminPorts: number[];
}

/** One inbound entry of a network ACL as declared; any value may be unknown at preview. */
interface AclEntry {
  /** Where, for the message: `ingress rule 0 (ruleNo 100)`, or the standalone rule's label. */
  where: string;
  ruleNo: unknown;
  action: unknown;
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[];
  /** Whether it is an inbound entry: a standalone rule's direction may be unknown. */
  inbound: boolean | "unknown";
  /** Declared inline in the ACL (read back there too once standalone rules exist). */
  inline: boolean;
}

/** The inline `ingress` entries of NetworkAcl and DefaultNetworkAcl. */
function inlineAclEntries(p: Props): AclEntry[] {
  // A whole list unknown at preview is the provider's read-back of the entries the ACL ends up
  // with (the argument is computed when the program leaves it unset), which the standalone rules in
  // the stack declare; an entry of a known list that is itself unknown is judged as unknown.
  return list(p.ingress).map((x, i) => {
    const e = obj(x) ?? {};
    const value = (k: string) => (isUnknown(x) ? x : e[k]);
    // Only entries whose number is known are named in a message.
    return {
      where: `ingress rule ${i} (ruleNo ${String(value("ruleNo"))})`,
      ruleNo: value("ruleNo"),
      action: value("action"),
      protocol: value("protocol"),
      fromPort: value("fromPort"),
      toPort: value("toPort"),
      cidrs: [value("cidrBlock"), value("ipv6CidrBlock")],
      inbound: true,
      inline: true,
    };
  });
}

/** Each type's inbound ACL entries: the one place this rule learns where a type keeps them. */
const ACL_ENTRY_READERS: Record<string, (p: Props) => AclEntry[]> = {
  [EC2.networkAcl]: inlineAclEntries,
  [EC2.defaultNetworkAcl]: inlineAclEntries,
  [EC2.networkAclRule]: (p) => [
    {
      where: ` (ruleNumber ${String(p.ruleNumber)})`,
      ruleNo: p.ruleNumber,
      action: p.ruleAction,
      protocol: p.protocol,
      fromPort: p.fromPort,
      toPort: p.toPort,
      cidrs: [p.cidrBlock, p.ipv6CidrBlock],
      inbound: isUnknown(p.egress) ? "unknown" : !isTrue(p.egress),
      inline: false,
    },
  ],
};

const ACL_TYPES: string[] = [EC2.networkAcl, EC2.defaultNetworkAcl];

type Transport = "tcp" | "udp";
type Match = "yes" | "no" | "unknown";

/**
 * The transports an entry's protocol covers: every protocol both, whatever its ports say; IANA
 * numbers 6 and 17 or their names one; any other protocol (ICMP) neither.
 */
function transports(protocol: unknown): Transport[] | "unknown" {
  if (isUnknown(protocol)) return "unknown";
  const p = String(protocol).trim().toLowerCase();
  if (everyProtocol(p)) return ["tcp", "udp"];
  if (p === "6" || p === "tcp") return ["tcp"];
  if (p === "17" || p === "udp") return ["udp"];
  return [];
}

/** Whether an entry matches inbound `transport` traffic to `port`, as far as its values are known. */
function matches(e: AclEntry, transport: Transport, port: number): Match {
  if (e.inbound === false) return "no";
  const t = transports(e.protocol);
  if (t === "unknown") return "unknown";
  if (!t.includes(transport)) return "no";
  if (t.length === 1) {
    if (isUnknown(e.fromPort) || isUnknown(e.toPort)) return "unknown";
    const from = num(e.fromPort);
    const to = num(e.toPort);
    if (from === undefined || to === undefined || port < from || port > to) return "no";
  }
  return e.inbound === "unknown" ? "unknown" : "yes";
}

function actionOf(v: unknown): "allow" | "deny" | undefined {
  const a = str(v)?.trim().toLowerCase();
  return a === "allow" || a === "deny" ? a : undefined;
}

/** An entry's blocks, when every one it sets is known and reads as a range. */
function allRanges(cidrs: unknown[]): Range[] | undefined {
  const given = cidrs.filter((x) => x !== undefined && x !== null && x !== "");
  const ranges = rangesOf(given);
  return given.length > 0 && ranges.length === given.length ? ranges : undefined;
}

interface Admitted {
  entry: AclEntry;
  /** The entry's own blocks. */
  ranges: Range[];
  /** What it admits: its blocks less what lower-numbered rules matched first. */
  admits: Range[];
  ruleNo: number;
}

/**
 * The allow entries that admit `transport` traffic to `port`, each with the addresses it decides,
 * walking the entries lowest rule number first.
 *
 * Values unknown at preview never make a finding: an allow not fully known is left out (an allow
 * only adds addresses, so the rest are admitted at least as written). A rule that may match and may
 * deny, but is not fully known (its action, number, blocks, protocol, ports or direction), could
 * take any address back from the allows numbered above it; those allows are not judged until the
 * values are known (the update judges them again), rather than judged as if it denied nothing.
 */
function admitted(entries: AclEntry[], transport: Transport, port: number): Admitted[] {
  let barrier = Infinity;
  const known: { entry: AclEntry; ruleNo: number; allow: boolean; ranges: Range[] }[] = [];
  for (const entry of entries) {
    const m = matches(entry, transport, port);
    if (m === "no") continue;
    const ruleNo = num(entry.ruleNo);
    const action = actionOf(entry.action);
    if (action === "allow") {
      const ranges = rangesOf(entry.cidrs);
      if (m === "yes" && ruleNo !== undefined && ranges.length > 0) {
        known.push({ entry, ruleNo, allow: true, ranges });
      }
      continue;
    }
    const ranges = allRanges(entry.cidrs);
    if (m === "yes" && action === "deny" && ruleNo !== undefined && ranges) {
      known.push({ entry, ruleNo, allow: false, ranges });
      continue;
    }
    barrier = Math.min(barrier, ruleNo ?? -Infinity);
  }
  const out: Admitted[] = [];
  const taken: Range[] = [];
  for (const k of known.filter((x) => x.ruleNo < barrier).sort((a, b) => a.ruleNo - b.ruleNo)) {
    const admits = subtract(k.ranges, taken);
    taken.push(...k.ranges);
    if (k.allow && admits.length > 0) {
      out.push({ entry: k.entry, ranges: k.ranges, admits, ruleNo: k.ruleNo });
    }
  }
  return out;
}

const ADMIN_SERVICES: Record<number, string> = { 22: "SSH", 3389: "RDP" };

/**
 * An ACL holds one inbound entry per rule number (ReplaceNetworkAclEntry names an entry by its
 * number: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceNetworkAclEntry.html).
 * Once standalone rules exist, the provider reads them back into the ACL's `ingress`, so an inline
 * entry with a standalone rule's number is that rule.
 */
function withoutReadBack(entries: { item: StackItem; entry: AclEntry }[]): AclEntry[] {
  const standalone = new Set(
    entries
      .filter((x) => !x.entry.inline && x.entry.inbound === true)
      .flatMap((x) => num(x.entry.ruleNo) ?? []),
  );
  return entries
    .map((x) => x.entry)
    .filter((e) => !e.inline || !standalone.has(num(e.ruleNo) ?? NaN));
}

export const networkAclAdminIngress = stackPolicy<AclConfig>({
  name: "ec2-network-acl-disallow-public-admin-ingress",
  description:
    "Forbids network ACLs whose inbound entries, inline or standalone and evaluated lowest rule number first, admit TCP or UDP traffic to a remote administration port from the whole internet or a /8 of it.",
  enforcementLevel: "mandatory",
  config: {
    adminPorts: {
      type: "array",
      items: { type: "number" },
      description:
        "Remote administration ports no network ACL may open to the internet (AWS Config's nacl-no-unrestricted-ssh-rdp: 22 and 3389).",
      default: [22, 3389],
    },
  },
  check: (items, report, c) => {
    const acls = items.filter((it) => ACL_TYPES.includes(it.type));
    // Entries by the ACL they belong to (its item, or its id when it is not in the stack).
    const byAcl = new Map<StackItem | string, { item: StackItem; entry: AclEntry }[]>();
    for (const it of items) {
      const read = ACL_ENTRY_READERS[it.type];
      if (!read) continue;
      let key: StackItem | string = it;
      if (!ACL_TYPES.includes(it.type)) {
        const id = it.props.networkAclId;
        const acl = acls.find((a) =>
          refersVia(it, "networkAclId", a, [a.props.id, a.props.defaultNetworkAclId]),
        );
        key = acl ?? (typeof id === "string" && id !== "" && !isUnknown(id) ? id : it.urn);
      }
      const entries = read(it.props).map((entry) => ({
        item: it,
        entry: entry.inline ? entry : { ...entry, where: label(it.type, it.name) + entry.where },
      }));
      byAcl.set(key, [...(byAcl.get(key) ?? []), ...entries]);
    }
    for (const [key, members] of byAcl) {
      const declared = withoutReadBack(members);
      // An ACL without entries admits nothing; a key that is no ACL item has at least one rule.
      if (declared.length === 0) continue;
      const first = members[0].item;
      const aclName = ownerName(key, first, "network ACL");
      for (const port of c.adminPorts) {
        const open: { transport: Transport; e: Exposure[]; by: Admitted[] }[] = [];
        for (const transport of ["tcp", "udp"] as const) {
          const by = admitted(declared, transport, port);
          const e = exposure(by.flatMap((a) => a.admits));
          if (e.length > 0) open.push({ transport, e, by });
        }
        if (open.length === 0) continue;
        // The entries that admit public addresses of an exposed family, and the blocks they name.
        const families = new Set(open.flatMap((o) => o.e.map((x) => x.family)));
        const by = open
          .flatMap((o) => o.by)
          .filter((a) => [...families].some((f) => publicCoverage(a.admits, f).covered > 0));
        const entries = [...new Set(by.map((a) => a.entry))];
        const cidrs = entries.flatMap((e) =>
          e.cidrs.flatMap((x) => {
            const r = typeof x === "string" && !isUnknown(x) ? parseCidr(x) : undefined;
            return r && families.has(r.family) ? [x as string] : [];
          }),
        );
        const narrowed = by.some((a) => subtract(a.ranges, a.admits).length > 0);
        const reaches = [...new Set(open.map((o) => reach(o.e)))];
        const service = ADMIN_SERVICES[port] ? ` (${ADMIN_SERVICES[port]})` : "";
        const at =
          typeof key !== "string" ? key : members.find((m) => m.entry === entries[0])!.item;
        report(
          at.urn,
          `${aclName} admits inbound ${open.map((o) => o.transport).join(" and ")} port ${port}${service} ` +
            `through ${entries.map((e) => e.where).join(", ")} from ${[...new Set(cidrs)].join(", ")}` +
            `${narrowed ? " (less what lower-numbered rules match)" : ""}, ` +
            `${reaches.length === 1 ? reaches[0] : open.map((o) => `${o.transport} ${reach(o.e)}`).join("; ")}. ` +
            `Allow port ${port} only from the callers' CIDR, or use SSM Session Manager instead; or ` +
            `deny it from 0.0.0.0/0 and ::/0 in a rule numbered below ` +
            `${Math.min(...by.map((a) => a.ruleNo))}.`,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// ec2-instance-disallow-public-ip: every way a public address reaches an instance.

interface StacksConfig {
  stacks: string[];
}

interface AddressSetting {
  where: string;
  value: unknown;
  /** Whether an unset value gets a public address (subnet defaults) or not. */
  unsetIsPublic: boolean;
}

const ADDRESS_FIX =
  "Set associatePublicIpAddress: false and place it in a private subnet; reach it through SSM.";

/** The setting of each entry of a list of interfaces or launch specifications (unset: not public). */
function eachAddressSetting(p: Props, field: string): AddressSetting[] {
  return list(p[field]).flatMap((e, i) => {
    const entry = obj(e);
    return entry
      ? [
          {
            where: `${field}[${i}].associatePublicIpAddress`,
            value: entry.associatePublicIpAddress,
            unsetIsPublic: false,
          },
        ]
      : [];
  });
}

/** Each type's public-address settings: the one place this rule learns where a type keeps them. */
const ADDRESS_READERS: Record<string, (p: Props) => AddressSetting[]> = {
  [EC2.instance]: (p) => [
    {
      where: "associatePublicIpAddress",
      value: p.associatePublicIpAddress,
      unsetIsPublic: !fromTemplate(p),
    },
  ],
  [EC2.spotInstance]: (p) => [
    {
      where: "associatePublicIpAddress",
      value: p.associatePublicIpAddress,
      unsetIsPublic: !fromTemplate(p),
    },
  ],
  [EC2.launchConfiguration]: (p) => [
    {
      where: "associatePublicIpAddress",
      value: p.associatePublicIpAddress,
      unsetIsPublic: !fromTemplate(p),
    },
  ],
  // A launch template without network interfaces leaves the choice to the subnet or the launch.
  [EC2.launchTemplate]: (p) => eachAddressSetting(p, "networkInterfaces"),
  [EC2.spotFleet]: (p) => eachAddressSetting(p, "launchSpecifications"),
};

/** Elastic IPs: an address attached to an instance or network interface is a public address. */
function elasticIpTarget(type: string, p: Props): string | undefined {
  const keys =
    type === EC2.eip ? ["instance", "networkInterface"] : ["instanceId", "networkInterfaceId"];
  for (const k of keys) {
    const v = p[k];
    if (isUnknown(v)) return `${k} (known after deploy)`;
    if (typeof v === "string" && v !== "") return `${k} "${v}"`;
  }
  return undefined;
}

export const noPublicIp = resourcePolicy<StacksConfig>({
  name: "ec2-instance-disallow-public-ip",
  description:
    "Requires EC2 instances, spot requests, launch templates and configurations in the listed stacks to have no public IP address, and no Elastic IP attached to an instance.",
  enforcementLevel: "mandatory",
  types: [...Object.keys(ADDRESS_READERS), EC2.eip, EC2.eipAssociation],
  config: {
    stacks: schema.strings("Environments whose instances must not have a public address.", [
      "production",
    ]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r)) return;
    if (r.type === EC2.eip || r.type === EC2.eipAssociation) {
      const target = elasticIpTarget(r.type, r.props);
      if (!target) return;
      r.report(
        `${label(r.type, r.name)} attaches an Elastic IP to ${target} in this stack, giving the instance a ` +
          `public address. Remove it and reach the instance through SSM; for outbound traffic use a NAT gateway.`,
      );
      return;
    }
    for (const s of ADDRESS_READERS[r.type](r.props)) {
      const v = s.value;
      if (
        v === false ||
        isUnknown(v) ||
        (typeof v === "string" && v.trim().toLowerCase() === "false")
      )
        continue;
      if (v === undefined || v === null) {
        if (!s.unsetIsPublic) continue;
        r.report(
          `${label(r.type, r.name)} has ${s.where} unset (default subnets assign one). ${ADDRESS_FIX}`,
        );
        continue;
      }
      r.report(`${label(r.type, r.name)} has ${s.where} ${String(v)}. ${ADDRESS_FIX}`);
    }
  },
});

export const EC2_INSTANCE_TYPES: Record<string, string[]> = {
  dev: ["t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large", "m5.xlarge", "g4dn.xlarge"],
  production: ["t3.medium", "t3.large", "m5.large", "m5.xlarge", "g4dn.xlarge", "g5.xlarge"],
  default: ["t3.micro"],
};

export const ec2InstanceType = instanceTypeAllowlist({
  name: "ec2-instance-restrict-instance-type",
  description: "Restricts EC2 instance types to the stack's allowlist.",
  types: [EC2.instance, EC2.spotInstance, EC2.launchTemplate, EC2.launchConfiguration],
  what: "EC2",
  defaults: EC2_INSTANCE_TYPES,
  instanceTypes: (props) => {
    const t = str(props.instanceType);
    return t ? [{ instanceType: t, where: "" }] : [];
  },
});

export const ec2Policies = [
  imdsV2,
  encryptedVolumes,
  publicIngress,
  combinedIngress,
  networkAclAdminIngress,
  noPublicIp,
  ec2InstanceType,
];
