// Settings that decide a resource's safety from elsewhere in the stack, network reachability and
// runtime edges, served to the pack as the CLI serves it. Each case follows AWS's documentation of
// the resource (cited).
import { type FamilyCase, familyCases } from "./families";

const VOLUMES = "ec2-instance-require-encrypted-volumes";

const volume = (name: string, props: Record<string, unknown> = {}) => ({
  type: "aws:ebs/volume:Volume",
  name,
  props: { availabilityZone: "us-east-1a", size: 100, ...props },
});
const encryptionByDefault = (props: Record<string, unknown>) => ({
  type: "aws:ebs/encryptionByDefault:EncryptionByDefault",
  name: "ebs-default",
  props,
});
const template = {
  type: "aws:ec2/launchTemplate:LaunchTemplate",
  name: "workers",
  props: { imageId: "ami-0abc", metadataOptions: { httpTokens: "required" } },
};
const host = {
  type: "aws:ec2/instance:Instance",
  name: "host",
  props: { ami: "ami-0abc", instanceType: "t3.micro", metadataOptions: { httpTokens: "required" } },
};

// https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html: "After you enable
// encryption by default, the EBS volumes that you create are always encrypted", per Region, from
// unencrypted snapshots and AMIs too; aws.ebs.EncryptionByDefault's `enabled` defaults to true.
const EBS_DEFAULT: FamilyCase[] = [
  {
    family: "EBS encryption by default",
    name: "a volume that leaves encrypted unset in a stack without the default",
    resources: [volume("data")],
    caughtBy: VOLUMES,
    says: /Volume "data" has encrypted unset\. .*or declare aws\.ebs\.EncryptionByDefault/,
  },
  {
    family: "EBS encryption by default",
    name: "a launch template without volumes while the stack turns the default off",
    resources: [template, encryptionByDefault({ enabled: false })],
    caughtBy: VOLUMES,
    says: /LaunchTemplate "workers" has blockDeviceMappings without an encrypted EBS volume/,
  },
  {
    family: "EBS encryption by default",
    name: "a volume with encrypted false beside the default",
    resources: [volume("data", { encrypted: false }), encryptionByDefault({ enabled: true })],
    caughtBy: VOLUMES,
    says: /Volume "data" has encrypted false/,
  },
  {
    family: "EBS encryption by default",
    name: "the default turned on in another Region than the volume's",
    resources: [
      volume("data", { region: "us-east-1" }),
      encryptionByDefault({ enabled: true, region: "eu-west-1" }),
    ],
    caughtBy: VOLUMES,
  },
  {
    family: "EBS encryption by default",
    name: "a volume that leaves encrypted unset beside the default",
    resources: [volume("data"), encryptionByDefault({ enabled: true })],
  },
  {
    family: "EBS encryption by default",
    name: "an instance and a launch template without volumes beside the provider's default (enabled unset)",
    resources: [host, template, encryptionByDefault({})],
  },
  {
    family: "EBS encryption by default",
    name: "the default and the volume in the same named Region",
    resources: [
      volume("data", { region: "eu-west-1" }),
      encryptionByDefault({ enabled: true, region: "eu-west-1" }),
    ],
  },
  {
    family: "EBS encryption by default",
    name: "a volume encrypted by its own setting, without the default",
    resources: [volume("data", { encrypted: true })],
  },
];

const RUNTIME = "lambda-function-require-supported-runtime";
const DATED = "lambda-function-require-dated-runtime";
const fn = (runtime: string) => ({
  type: "aws:lambda/function:Function",
  name: "classify",
  props: { runtime, reservedConcurrentExecutions: 5 },
});
const on = (today: string) => ({ [RUNTIME]: { today } });

// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html: AWS deprecates each runtime
// on a stated day and stops patching it; the pack judges the day of the check (set here through
// its config) against that table.
const LAMBDA_RUNTIME: FamilyCase[] = [
  {
    family: "Lambda runtime dates",
    name: "nodejs22.x on the day AWS deprecates it",
    resources: [fn("nodejs22.x")],
    config: on("2027-04-30"),
    caughtBy: RUNTIME,
    says: /"nodejs22\.x", which AWS deprecated on 2027-04-30: .*Set runtime to "nodejs24\.x"/,
  },
  {
    family: "Lambda runtime dates",
    name: "python3.10 a day after its deprecation",
    resources: [fn("python3.10")],
    config: on("2026-11-01"),
    caughtBy: RUNTIME,
    says: /deprecated on 2026-10-31/,
  },
  {
    family: "Lambda runtime dates",
    name: "dotnet8 after its deprecation day",
    resources: [fn("dotnet8")],
    config: on("2026-12-07"),
    caughtBy: RUNTIME,
    says: /Set runtime to "dotnet10"/,
  },
  {
    family: "Lambda runtime dates",
    name: "nodejs18.x on the clock's day",
    resources: [fn("nodejs18.x")],
    caughtBy: RUNTIME,
  },
  {
    family: "Lambda runtime dates",
    name: "a runtime the table has no day for: an advisory finding, not a blocked deploy",
    resources: [fn("provided.al2023")],
    advisory: [DATED],
  },
  {
    family: "Lambda runtime dates",
    name: "nodejs22.x the day before AWS deprecates it",
    resources: [fn("nodejs22.x")],
    config: on("2027-04-29"),
  },
  {
    family: "Lambda runtime dates",
    name: "python3.13 on the clock's day",
    resources: [fn("python3.13")],
  },
  {
    family: "Lambda runtime dates",
    name: "a container-image function (its runtime is in the image)",
    resources: [
      {
        type: "aws:lambda/function:Function",
        name: "classify",
        props: {
          packageType: "Image",
          imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/classify:1",
          reservedConcurrentExecutions: 5,
        },
      },
    ],
  },
];

const ACL_RULE = "ec2-network-acl-disallow-public-admin-ingress";
const inbound = (
  ruleNo: number,
  action: string,
  protocol: string,
  from: number,
  to: number,
  cidr: string,
) => ({
  ruleNo,
  action,
  protocol,
  fromPort: from,
  toPort: to,
  ...(cidr.includes(":") ? { ipv6CidrBlock: cidr } : { cidrBlock: cidr }),
});
const networkAcl = (...ingress: Record<string, unknown>[]) => ({
  type: "aws:ec2/networkAcl:NetworkAcl",
  name: "public-subnets",
  props: { vpcId: "vpc-0abc", ingress },
});

// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html: entries are evaluated lowest
// rule number first and the first match decides; AWS Config's nacl-no-unrestricted-ssh-rdp holds
// ACLs to ports 22 and 3389. The passing ACLs follow custom-network-acl.html and
// nacl-ephemeral-ports.html.
const NETWORK_ACL: FamilyCase[] = [
  {
    family: "network ACLs",
    name: "SSH from anywhere behind a lower deny of one private block only",
    resources: [
      networkAcl(
        inbound(90, "deny", "tcp", 22, 22, "10.0.0.0/8"),
        inbound(100, "allow", "tcp", 22, 22, "0.0.0.0/0"),
      ),
    ],
    caughtBy: ACL_RULE,
    says: /port 22 \(SSH\)/,
  },
  {
    family: "network ACLs",
    name: "every protocol from ::/0, a deny of it numbered above the allow",
    resources: [
      networkAcl(
        inbound(100, "allow", "-1", 0, 0, "::/0"),
        inbound(200, "deny", "-1", 0, 0, "::/0"),
      ),
    ],
    caughtBy: ACL_RULE,
    says: /port 3389 \(RDP\)/,
  },
  {
    family: "network ACLs",
    name: "a standalone rule admitting RDP, tied to its ACL by the engine's dependency",
    resources: [
      networkAcl(),
      {
        type: "aws:ec2/networkAclRule:NetworkAclRule",
        name: "rdp",
        props: {
          ruleNumber: 100,
          egress: false,
          protocol: "tcp",
          ruleAction: "allow",
          cidrBlock: "0.0.0.0/0",
          fromPort: 3389,
          toPort: 3389,
        },
        deps: { networkAclId: ["public-subnets"] },
      },
    ],
    caughtBy: ACL_RULE,
  },
  {
    family: "network ACLs",
    name: "the default ACL declared with its allow-all entry",
    resources: [
      {
        type: "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        name: "default",
        props: {
          defaultNetworkAclId: "acl-0default",
          ingress: [inbound(100, "allow", "-1", 0, 0, "0.0.0.0/0")],
        },
      },
    ],
    caughtBy: ACL_RULE,
  },
  {
    family: "network ACLs",
    name: "AWS's example public-subnet ACL",
    resources: [
      networkAcl(
        inbound(100, "allow", "tcp", 80, 80, "0.0.0.0/0"),
        inbound(110, "allow", "tcp", 443, 443, "0.0.0.0/0"),
        inbound(120, "allow", "tcp", 22, 22, "192.0.2.0/24"),
        inbound(130, "allow", "tcp", 3389, 3389, "192.0.2.0/24"),
        inbound(140, "allow", "tcp", 32768, 65535, "0.0.0.0/0"),
      ),
    ],
  },
  {
    family: "network ACLs",
    name: "return traffic on 1024-65535 from anywhere after lower denies of 22 and 3389",
    resources: [
      networkAcl(
        inbound(80, "deny", "tcp", 22, 22, "0.0.0.0/0"),
        inbound(90, "deny", "tcp", 3389, 3389, "0.0.0.0/0"),
        inbound(100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
      ),
    ],
  },
  {
    family: "network ACLs",
    name: "SSH from the VPC's own range",
    resources: [networkAcl(inbound(100, "allow", "tcp", 22, 22, "10.0.0.0/16"))],
  },
  {
    family: "network ACLs",
    name: "ICMP from anywhere",
    resources: [networkAcl(inbound(100, "allow", "icmp", 0, 0, "0.0.0.0/0"))],
  },
];

export const EDGE_CASES = [...EBS_DEFAULT, ...NETWORK_ACL, ...LAMBDA_RUNTIME];

familyCases("settings from the stack, reachability and runtime edges", EDGE_CASES);
