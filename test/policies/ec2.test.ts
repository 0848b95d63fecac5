import * as assert from "assert";
import {
  ec2InstanceType,
  encryptedVolumes,
  imdsV2,
  noPublicIp,
  publicIngress,
} from "../../policies/ec2";
import { check, clone, Fixture, UNKNOWN, Editable } from "./harness";

const instance: Fixture = {
  type: "aws:ec2/instance:Instance",
  name: "training-host-instance",
  stack: "production",
  props: {
    instanceType: "m5.xlarge",
    associatePublicIpAddress: false,
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    },
    rootBlockDevice: { encrypted: true, volumeSize: 60, volumeType: "gp3" },
    ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, volumeSize: 100 }],
  },
};

const group: Fixture = {
  type: "aws:ec2/securityGroup:SecurityGroup",
  name: "training-host-sg",
  props: {
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"] }],
    egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  },
};

function edit(base: Fixture, fn: (p: Editable) => void): Fixture {
  const f = clone(base);
  fn(f.props);
  return f;
}

describe("ec2 policies", () => {
  it("accept the locked-down instance and a security group open only inside the VPC", async () => {
    for (const p of [imdsV2, encryptedVolumes, noPublicIp, ec2InstanceType]) {
      assert.deepStrictEqual(await check(p, instance), [], p.name);
    }
    assert.deepStrictEqual(await check(publicIngress, group), []);
  });

  it("ec2-instance-require-imdsv2 reports IMDSv1 (optional tokens or no metadata options)", async () => {
    const v1 = edit(instance, (p) => (p.metadataOptions.httpTokens = "optional"));
    assert.deepStrictEqual(await check(imdsV2, v1), [
      'Instance "training-host-instance" has metadataOptions.httpTokens "optional"; IMDSv1 lets an SSRF in any process ' +
        'read the instance role\'s credentials. Set metadataOptions: {httpTokens: "required", httpEndpoint: "enabled"}.',
    ]);
    const unset = edit(instance, (p) => delete p.metadataOptions);
    assert.match((await check(imdsV2, unset))[0], /httpTokens unset \(IMDSv1 allowed\)/);
    assert.deepStrictEqual(
      await check(
        imdsV2,
        edit(instance, (p) => (p.metadataOptions.httpTokens = UNKNOWN)),
      ),
      [],
    );
    const template: Fixture = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: {},
    };
    assert.strictEqual((await check(imdsV2, template)).length, 1);
  });

  it("ec2-instance-require-encrypted-volumes reports an unencrypted root, EBS device and volume", async () => {
    const root = edit(instance, (p) => (p.rootBlockDevice.encrypted = false));
    assert.deepStrictEqual(await check(encryptedVolumes, root), [
      'Instance "training-host-instance" has rootBlockDevice.encrypted false, so the root volume (code, data, cached ' +
        "credentials) is stored unencrypted. Set rootBlockDevice: {encrypted: true, kmsKeyId: <key ARN>}.",
    ]);
    assert.match(
      (
        await check(
          encryptedVolumes,
          edit(instance, (p) => delete p.rootBlockDevice),
        )
      )[0],
      /rootBlockDevice\.encrypted unset/,
    );
    const ebs = edit(instance, (p) => delete p.ebsBlockDevices[0].encrypted);
    assert.deepStrictEqual(await check(encryptedVolumes, ebs), [
      'Instance "training-host-instance" has ebsBlockDevices "/dev/sdf" with encrypted unset. Set encrypted: true, or ' +
        "declare aws.ebs.EncryptionByDefault (enabled: true) for this Region in the stack.",
    ]);
    const volume: Fixture = { type: "aws:ebs/volume:Volume", name: "data", props: { size: 100 } };
    assert.strictEqual((await check(encryptedVolumes, volume)).length, 1);
    assert.deepStrictEqual(
      await check(
        encryptedVolumes,
        edit(volume, (p) => (p.encrypted = true)),
      ),
      [],
    );
  });

  it("ec2-security-group-disallow-public-ingress reports SSH from 0.0.0.0/0 and ::/0 in every rule form", async () => {
    const ssh = edit(group, (p) => (p.ingress[0].cidrBlocks = ["0.0.0.0/0"]));
    assert.deepStrictEqual(await check(publicIngress, ssh), [
      'SecurityGroup "training-host-sg" ingress rule 0 allows inbound port 22 from 0.0.0.0/0, open to the whole ' +
        "internet. Allow only the callers' CIDR or security group, or use SSM Session Manager instead of SSH.",
    ]);
    const v6 = edit(
      group,
      (p) => (p.ingress[0] = { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }),
    );
    assert.match((await check(publicIngress, v6))[0], /allows inbound all ports from ::\/0/);
    const rule: Fixture = {
      type: "aws:ec2/securityGroupRule:SecurityGroupRule",
      name: "ssh",
      props: {
        type: "ingress",
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrBlocks: ["0.0.0.0/0"],
        securityGroupId: "sg-1",
      },
    };
    assert.strictEqual((await check(publicIngress, rule)).length, 1);
    assert.deepStrictEqual(
      await check(
        publicIngress,
        edit(rule, (p) => (p.type = "egress")),
      ),
      [],
    );
    const vpcRule: Fixture = {
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      name: "https",
      props: {
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        securityGroupId: "sg-1",
      },
    };
    assert.match(
      (await check(publicIngress, vpcRule))[0],
      /rule allows inbound port 443 from 0\.0\.0\.0\/0/,
    );
    assert.deepStrictEqual(await check(publicIngress, vpcRule, { allowedPublicPorts: [443] }), []);
  });

  it("ec2-instance-disallow-public-ip reports a public address in prod, not in dev", async () => {
    const pub = edit(instance, (p) => (p.associatePublicIpAddress = true));
    assert.deepStrictEqual(await check(noPublicIp, pub), [
      'Instance "training-host-instance" has associatePublicIpAddress true. Set associatePublicIpAddress: false and ' +
        "place it in a private subnet; reach it through SSM.",
    ]);
    assert.match(
      (
        await check(
          noPublicIp,
          edit(instance, (p) => delete p.associatePublicIpAddress),
        )
      )[0],
      /unset \(default subnets assign one\)/,
    );
    assert.deepStrictEqual(await check(noPublicIp, { ...pub, stack: "dev" }), []);
  });

  it("ec2-instance-restrict-instance-type reports a type outside the stack's list", async () => {
    const f = edit(instance, (p) => (p.instanceType = "p4d.24xlarge"));
    assert.deepStrictEqual(await check(ec2InstanceType, f), [
      'Instance "training-host-instance" uses instanceType "p4d.24xlarge", not allowed in this stack. Use one of: ' +
        "t3.medium, t3.large, m5.large, m5.xlarge, g4dn.xlarge, g5.xlarge.",
    ]);
  });
});
