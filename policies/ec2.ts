// EC2 guardrails: IMDSv2 only, encrypted volumes, no inbound traffic from the whole internet, no
// public address in the listed stacks, and the instance types each stack may use.
import {
  inStacks,
  instanceTypeAllowlist,
  isUnknown,
  label,
  list,
  num,
  obj,
  resourcePolicy,
  schema,
  str,
} from "./common";

export const EC2 = {
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  volume: "aws:ebs/volume:Volume",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

export const imdsV2 = resourcePolicy({
  name: "ec2-instance-require-imdsv2",
  description: "Requires EC2 instances and launch templates to use IMDSv2 (session tokens) only.",
  enforcementLevel: "mandatory",
  types: [EC2.instance, EC2.launchTemplate],
  check: (r) => {
    const mo = r.props.metadataOptions;
    if (isUnknown(mo)) return;
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

export const encryptedVolumes = resourcePolicy({
  name: "ec2-instance-require-encrypted-volumes",
  description:
    "Requires the root and EBS volumes of EC2 instances, and standalone EBS volumes, to be encrypted.",
  enforcementLevel: "mandatory",
  types: [EC2.instance, EC2.volume],
  check: (r) => {
    const bad = (v: unknown) => v !== true && !isUnknown(v);
    if (r.type === EC2.volume) {
      if (bad(r.props.encrypted)) {
        r.report(
          `${label(r.type, r.name)} has encrypted ${String(r.props.encrypted ?? "unset")}. Set encrypted: true (and kmsKeyId for a customer-managed key).`,
        );
      }
      return;
    }
    const root = r.props.rootBlockDevice;
    if (!isUnknown(root)) {
      const enc = obj(root)?.encrypted;
      if (bad(enc)) {
        r.report(
          `${label(r.type, r.name)} has rootBlockDevice.encrypted ${enc === undefined ? "unset" : String(enc)}, ` +
            `so the root volume (code, data, cached credentials) is stored unencrypted. Set ` +
            `rootBlockDevice: {encrypted: true, kmsKeyId: <key ARN>}.`,
        );
      }
    }
    list(r.props.ebsBlockDevices).forEach((d, i) => {
      const dev = obj(d);
      if (!dev || !bad(dev.encrypted)) return;
      const name = str(dev.deviceName) ?? `#${i}`;
      r.report(
        `${label(r.type, r.name)} has ebsBlockDevices "${name}" with encrypted ${String(dev.encrypted ?? "unset")}. Set encrypted: true.`,
      );
    });
  },
});

const OPEN_V4 = "0.0.0.0/0";
const OPEN_V6 = "::/0";

interface IngressConfig {
  allowedPublicPorts: number[];
}

function portRange(from: unknown, to: unknown, protocol: unknown): string {
  if (String(protocol) === "-1" || String(protocol).toLowerCase() === "all") return "all ports";
  const f = num(from);
  const t = num(to);
  return f === t ? `port ${f}` : `ports ${f}-${t}`;
}

export const publicIngress = resourcePolicy<IngressConfig>({
  name: "ec2-security-group-disallow-public-ingress",
  description: "Forbids inbound security group rules from 0.0.0.0/0 or ::/0.",
  enforcementLevel: "mandatory",
  types: [EC2.securityGroup, EC2.securityGroupRule, EC2.ingressRule],
  config: {
    allowedPublicPorts: {
      type: "array",
      items: { type: "number" },
      description:
        "Ports that may be open to the internet (for example 443 behind a public load balancer).",
      default: [],
    },
  },
  check: (r, c) => {
    const allowed = (from: unknown, to: unknown, protocol: unknown) => {
      const f = num(from);
      return (
        f !== undefined &&
        f === num(to) &&
        String(protocol) !== "-1" &&
        c.allowedPublicPorts.includes(f)
      );
    };
    const check = (rule: Record<string, unknown>, where: string, cidrs: unknown[]) => {
      for (const cidr of cidrs) {
        if (cidr !== OPEN_V4 && cidr !== OPEN_V6) continue;
        if (allowed(rule.fromPort, rule.toPort, rule.protocol ?? rule.ipProtocol)) continue;
        const ports = portRange(rule.fromPort, rule.toPort, rule.protocol ?? rule.ipProtocol);
        r.report(
          `${label(r.type, r.name)} ${where} allows inbound ${ports} from ${cidr}, open to the whole ` +
            `internet. Allow only the callers' CIDR or security group, or use SSM Session Manager instead of SSH.`,
        );
      }
    };
    if (r.type === EC2.securityGroup) {
      list(r.props.ingress).forEach((x, i) => {
        const rule = obj(x);
        if (rule)
          check(rule, `ingress rule ${i}`, [
            ...list(rule.cidrBlocks),
            ...list(rule.ipv6CidrBlocks),
          ]);
      });
    } else if (r.type === EC2.securityGroupRule) {
      if (r.props.type !== "ingress") return;
      check(r.props, "rule", [...list(r.props.cidrBlocks), ...list(r.props.ipv6CidrBlocks)]);
    } else {
      check(r.props, "rule", [r.props.cidrIpv4, r.props.cidrIpv6]);
    }
  },
});

interface StacksConfig {
  stacks: string[];
}

export const noPublicIp = resourcePolicy<StacksConfig>({
  name: "ec2-instance-disallow-public-ip",
  description: "Requires EC2 instances in the listed stacks to have no public IP address.",
  enforcementLevel: "mandatory",
  types: [EC2.instance],
  config: {
    stacks: schema.strings("Stacks whose instances must not have a public address.", ["prod"]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r.urn)) return;
    const v = r.props.associatePublicIpAddress;
    if (v === false || isUnknown(v)) return;
    r.report(
      `${label(r.type, r.name)} has associatePublicIpAddress ${v === undefined ? "unset (default subnets assign one)" : String(v)}. ` +
        `Set associatePublicIpAddress: false and place it in a private subnet; reach it through SSM.`,
    );
  },
});

export const EC2_INSTANCE_TYPES: Record<string, string[]> = {
  dev: ["t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large", "m5.xlarge", "g4dn.xlarge"],
  prod: ["t3.medium", "t3.large", "m5.large", "m5.xlarge", "g4dn.xlarge", "g5.xlarge"],
  default: ["t3.micro"],
};

export const ec2InstanceType = instanceTypeAllowlist({
  name: "ec2-instance-restrict-instance-type",
  description: "Restricts EC2 instance types to the stack's allowlist.",
  types: [EC2.instance],
  what: "EC2",
  defaults: EC2_INSTANCE_TYPES,
  instanceTypes: (props) => {
    const t = str(props.instanceType);
    return t ? [{ instanceType: t, where: "" }] : [];
  },
});

export const ec2Policies = [imdsV2, encryptedVolumes, publicIngress, noPublicIp, ec2InstanceType];
