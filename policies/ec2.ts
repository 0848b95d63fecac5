// EC2 guardrails: IMDSv2 only, encrypted volumes, no inbound traffic from the whole internet, no
// public address in the listed stacks, and the instance types each stack may use. Each rule holds,
// in one table, every resource type that carries its setting and where that type keeps it.
import { exposure, Exposure, parseCidr, Range, share } from "./cidr";
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

function portRange(from: unknown, to: unknown, protocol: unknown): string {
  if (String(protocol) === "-1" || String(protocol).toLowerCase() === "all") return "all ports";
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
  // Protocol "-1" (or "all") opens every port, whatever fromPort and toPort say.
  const every = ["-1", "all"].includes(String(rule.protocol).toLowerCase());
  return f !== undefined && f === num(rule.toPort) && !every && ports.includes(f);
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
      const groupName =
        typeof key !== "string"
          ? label(key.type, key.name)
          : key.startsWith("urn:")
            ? `The security group of ${label(first.type, first.name)}`
            : `Security group "${key}"`;
      report(
        (typeof key === "string" ? first : key).urn,
        `${groupName} admits inbound traffic through ${[...new Set(where)].join(", ")} from ` +
          `${[...new Set(sources)].join(", ")}, which together are ${reach(e)}. ${INGRESS_FIX}`,
      );
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
  noPublicIp,
  ec2InstanceType,
];
