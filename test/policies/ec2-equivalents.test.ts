// The EC2 rules on every resource type that carries their setting, and security-group CIDR blocks
// judged as address ranges.
import * as assert from "assert";
import {
  exposure,
  parseCidr,
  publicAddresses,
  publicCoverage,
  type Range,
  subtract,
} from "../../policies/cidr";
import {
  combinedIngress,
  encryptedVolumes,
  imdsV2,
  noPublicIp,
  publicIngress,
} from "../../policies/ec2";
import { check, checkStack, Fixture } from "./harness";

const launchTemplate: Fixture = {
  type: "aws:ec2/launchTemplate:LaunchTemplate",
  name: "workers",
  stack: "production",
  props: {
    instanceType: "m5.large",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" },
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 40, kmsKeyId: "arn:k" } },
    ],
    networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }],
  },
};

const spot: Fixture = {
  type: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  name: "spot-trainer",
  stack: "production",
  props: {
    instanceType: "g4dn.xlarge",
    associatePublicIpAddress: false,
    metadataOptions: { httpTokens: "required" },
    rootBlockDevice: { encrypted: true },
  },
};

function with_(base: Fixture, props: Record<string, unknown>, stack?: string): Fixture {
  return {
    ...base,
    props: { ...structuredClone(base.props), ...props },
    stack: stack ?? base.stack,
  };
}

function sg(type: string, ingress: Record<string, unknown>[]): Fixture {
  return { type, name: "sg", props: { ingress } };
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

describe("ec2 rules on equivalent resource types", () => {
  it("pass a locked-down launch template and spot request", async () => {
    for (const p of [imdsV2, encryptedVolumes, noPublicIp]) {
      assert.deepStrictEqual(await check(p, launchTemplate), [], p.name);
      assert.deepStrictEqual(await check(p, spot), [], p.name);
    }
  });

  it("report IMDSv1 on a launch template, a spot request and a launch configuration", async () => {
    assert.deepStrictEqual(
      await check(imdsV2, with_(launchTemplate, { metadataOptions: { httpTokens: "optional" } })),
      [
        'LaunchTemplate "workers" has metadataOptions.httpTokens "optional"; IMDSv1 lets an SSRF in any ' +
          "process read the instance role's credentials. Set metadataOptions: " +
          '{httpTokens: "required", httpEndpoint: "enabled"}.',
      ],
    );
    assert.match(
      (await check(imdsV2, with_(spot, { metadataOptions: undefined })))[0],
      /^SpotInstanceRequest "spot-trainer" has metadataOptions.httpTokens unset/,
    );
    const lc: Fixture = {
      type: "aws:ec2/launchConfiguration:LaunchConfiguration",
      name: "lc",
      props: { imageId: "ami-1", instanceType: "t3.micro" },
    };
    assert.strictEqual((await check(imdsV2, lc)).length, 1);
    const defaults = (httpTokens?: string): Fixture => ({
      type: "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults",
      name: "imds-defaults",
      props: httpTokens ? { httpTokens } : {},
    });
    assert.deepStrictEqual(await check(imdsV2, defaults("optional")), [
      'InstanceMetadataDefaults "imds-defaults" has httpTokens "optional", making IMDSv1 the account\'s ' +
        'default for new instances. Set httpTokens: "required".',
    ]);
    assert.deepStrictEqual(await check(imdsV2, defaults("required")), []);
    assert.deepStrictEqual(await check(imdsV2, defaults()), []);
  });

  it("report unencrypted volumes in launch templates, spot requests, configurations and fleets", async () => {
    assert.deepStrictEqual(
      await check(
        encryptedVolumes,
        with_(launchTemplate, {
          blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
        }),
      ),
      [
        'LaunchTemplate "workers" has blockDeviceMappings "/dev/xvda" ebs with encrypted false. Set ' +
          'ebs: {encrypted: "true", kmsKeyId: <key ARN>}.',
      ],
    );
    assert.match(
      (await check(encryptedVolumes, with_(launchTemplate, { blockDeviceMappings: [] })))[0],
      /has blockDeviceMappings without an encrypted EBS volume, so its instances' volumes come from the AMI's snapshots/,
    );
    assert.match(
      (await check(encryptedVolumes, with_(spot, { rootBlockDevice: { encrypted: false } })))[0],
      /^SpotInstanceRequest "spot-trainer" has rootBlockDevice.encrypted false/,
    );
    const lc: Fixture = {
      type: "aws:ec2/launchConfiguration:LaunchConfiguration",
      name: "lc",
      props: {
        rootBlockDevice: { encrypted: true },
        ebsBlockDevices: [{ deviceName: "/dev/sdb" }],
      },
    };
    assert.deepStrictEqual(await check(encryptedVolumes, lc), [
      'LaunchConfiguration "lc" has ebsBlockDevices "/dev/sdb" with encrypted unset. Set encrypted: true, or ' +
        "declare aws.ebs.EncryptionByDefault (enabled: true) for this Region in the stack.",
    ]);
    const fleet: Fixture = {
      type: "aws:ec2/spotFleetRequest:SpotFleetRequest",
      name: "fleet",
      props: {
        launchSpecifications: [
          { ami: "ami-1", instanceType: "m5.large", rootBlockDevices: [{ encrypted: false }] },
        ],
      },
    };
    assert.match(
      (await check(encryptedVolumes, fleet))[0],
      /launchSpecifications\[0\]\.rootBlockDevice.encrypted false/,
    );
    const byDefault: Fixture = {
      type: "aws:ebs/encryptionByDefault:EncryptionByDefault",
      name: "ebs-default",
      props: { enabled: false },
    };
    assert.match(
      (await check(encryptedVolumes, byDefault))[0],
      /has enabled false, so new EBS volumes/,
    );
    assert.deepStrictEqual(await check(encryptedVolumes, { ...byDefault, props: {} }), []);
  });

  describe("the account's EBS encryption by default, declared in the stack", () => {
    // https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html: one setting per
    // Region; once on, every new volume is encrypted, from unencrypted snapshots and AMIs too.
    const byDefault = (props: Record<string, unknown> = { enabled: true }): Fixture => ({
      type: "aws:ebs/encryptionByDefault:EncryptionByDefault",
      name: "ebs-default",
      props,
    });
    const unset: Fixture[] = [
      { type: "aws:ebs/volume:Volume", name: "data", props: { size: 100 } },
      with_(launchTemplate, { blockDeviceMappings: [] }),
      with_(spot, { rootBlockDevice: undefined }),
      {
        type: "aws:ec2/instance:Instance",
        name: "host",
        props: { ebsBlockDevices: [{ deviceName: "/dev/sdf" }], rootBlockDevice: {} },
      },
    ];
    const names = (found: { name: string }[]) => found.map((f) => f.name).sort();

    it("covers volumes, templates and instances that leave encrypted unset", async () => {
      assert.deepStrictEqual(await checkStack(encryptedVolumes, [...unset, byDefault()]), []);
      assert.deepStrictEqual(await checkStack(encryptedVolumes, [...unset, byDefault({})]), []);
    });

    it("reports them without it, saying either fix", async () => {
      const found = await checkStack(encryptedVolumes, unset);
      assert.deepStrictEqual(names(found), ["data", "host", "host", "spot-trainer", "workers"]);
      for (const f of found) assert.match(f.message, /or declare aws\.ebs\.EncryptionByDefault/);
    });

    it("reports them when the default is off, or on in another Region only", async () => {
      const off = await checkStack(encryptedVolumes, [...unset, byDefault({ enabled: "false" })]);
      assert.ok(off.some((f) => f.name === "ebs-default" && /enabled false/.test(f.message)));
      assert.strictEqual(off.length, 6);
      const elsewhere = await checkStack(encryptedVolumes, [
        { ...unset[0], props: { ...unset[0].props, region: "us-east-1" } },
        byDefault({ enabled: true, region: "eu-west-1" }),
      ]);
      assert.deepStrictEqual(names(elsewhere), ["data"]);
      const same = await checkStack(encryptedVolumes, [
        { ...unset[0], props: { ...unset[0].props, region: "eu-west-1" } },
        byDefault({ enabled: true, region: "eu-west-1" }),
      ]);
      assert.deepStrictEqual(same, []);
    });

    it("still reports an explicit encrypted false", async () => {
      const found = await checkStack(encryptedVolumes, [
        { type: "aws:ebs/volume:Volume", name: "data", props: { encrypted: false } },
        with_(spot, { rootBlockDevice: { encrypted: false } }),
        byDefault(),
      ]);
      assert.deepStrictEqual(names(found), ["data", "spot-trainer"]);
      assert.match(found[0].message, /^Volume "data" has encrypted false\. Set encrypted: true/);
    });
  });

  it("report a public address from a launch template, a spot request or an Elastic IP in prod", async () => {
    assert.deepStrictEqual(
      await check(
        noPublicIp,
        with_(launchTemplate, { networkInterfaces: [{ associatePublicIpAddress: "true" }] }),
      ),
      [
        'LaunchTemplate "workers" has networkInterfaces[0].associatePublicIpAddress true. Set ' +
          "associatePublicIpAddress: false and place it in a private subnet; reach it through SSM.",
      ],
    );
    assert.match(
      (await check(noPublicIp, with_(spot, { associatePublicIpAddress: undefined })))[0],
      /associatePublicIpAddress unset \(default subnets assign one\)/,
    );
    const eip: Fixture = {
      type: "aws:ec2/eip:Eip",
      name: "host-ip",
      stack: "production",
      props: { domain: "vpc", instance: "i-0abc" },
    };
    assert.deepStrictEqual(await check(noPublicIp, eip), [
      'Eip "host-ip" attaches an Elastic IP to instance "i-0abc" in this stack, giving the instance a public ' +
        "address. Remove it and reach the instance through SSM; for outbound traffic use a NAT gateway.",
    ]);
    const assoc: Fixture = {
      type: "aws:ec2/eipAssociation:EipAssociation",
      name: "host-ip-assoc",
      stack: "production",
      props: { allocationId: "eipalloc-1", networkInterfaceId: "eni-1" },
    };
    assert.match((await check(noPublicIp, assoc))[0], /to networkInterfaceId "eni-1"/);
  });

  it("pass an Elastic IP in dev, one for a NAT gateway in prod, and a template leaving the subnet to decide", async () => {
    const eip: Fixture = {
      type: "aws:ec2/eip:Eip",
      name: "host-ip",
      stack: "dev",
      props: { instance: "i-0abc" },
    };
    assert.deepStrictEqual(await check(noPublicIp, eip), []);
    assert.deepStrictEqual(
      await check(noPublicIp, { ...eip, stack: "production", props: { domain: "vpc" } }),
      [],
    );
    assert.deepStrictEqual(
      await check(noPublicIp, with_(launchTemplate, { networkInterfaces: undefined })),
      [],
    );
  });
});

describe("CIDR blocks as ranges", () => {
  it("parses every spelling of the whole IPv6 space and maps IPv4-mapped blocks", () => {
    for (const s of ["::/0", "0::/0", "::0/0", "0:0:0:0:0:0:0:0/0", " ::/0 "]) {
      const r = parseCidr(s);
      assert.ok(r, s);
      assert.strictEqual(r.family, "IPv6");
      assert.strictEqual(r.start, 0n);
      assert.strictEqual(r.end, (1n << 128n) - 1n);
    }
    assert.deepStrictEqual(parseCidr("::ffff:0.0.0.0/96"), {
      family: "IPv4",
      start: 0n,
      end: (1n << 32n) - 1n,
    });
    assert.strictEqual(parseCidr("10.0.0.0/33"), undefined);
    assert.strictEqual(parseCidr("1:2:3:4:5:6:7:8:9/64"), undefined);
  });

  it("counts only public addresses: private ranges open nothing", () => {
    const v4 = publicCoverage([parseCidr("10.0.0.0/8")!, parseCidr("192.168.0.0/16")!], "IPv4");
    assert.strictEqual(v4.covered, 0n);
    const halves = exposure([parseCidr("0.0.0.0/1")!, parseCidr("128.0.0.0/1")!]);
    assert.deepStrictEqual(
      halves.map((e) => [e.family, e.whole]),
      [["IPv4", true]],
    );
  });

  it("subtracts ranges family by family, leaving the addresses none of them covers", () => {
    const r = (cidr: string) => parseCidr(cidr)!;
    const show = (ranges: Range[]) => ranges.map((x) => `${x.family} ${x.start}-${x.end}`);
    assert.deepStrictEqual(
      show(subtract([r("10.0.0.0/24")], [r("10.0.0.0/25")])),
      show([r("10.0.0.128/25")]),
    );
    assert.deepStrictEqual(
      show(subtract([r("10.0.0.0/24")], [r("10.0.0.64/26")])),
      show([r("10.0.0.0/26"), r("10.0.0.128/25")]),
    );
    assert.deepStrictEqual(subtract([r("10.0.0.0/24")], [r("0.0.0.0/0")]), []);
    assert.deepStrictEqual(show(subtract([r("::/0")], [r("0.0.0.0/0")])), show([r("::/0")]));
    assert.deepStrictEqual(
      show(subtract([r("10.0.0.0/24"), r("10.0.1.0/24")], [r("10.0.0.128/25"), r("10.0.1.0/25")])),
      show([r("10.0.0.0/25"), r("10.0.1.128/25")]),
    );
  });

  it("finds a public address inside a set of blocks and one outside it", () => {
    const r = (cidr: string) => parseCidr(cidr)!;
    assert.deepStrictEqual(publicAddresses([r("203.0.113.0/24")]), {
      inside: "203.0.113.0",
      outside: "1.0.0.0",
    });
    // 0.0.0.0/8 is "this network" (RFC 6890), so the first public address is 1.0.0.0.
    assert.deepStrictEqual(publicAddresses([r("1.0.0.0/8")]).outside, "2.0.0.0");
    assert.deepStrictEqual(publicAddresses([r("0.0.0.0/0")]), {
      inside: "1.0.0.0",
      outside: undefined,
    });
    assert.deepStrictEqual(publicAddresses([r("10.0.0.0/8")]), {
      inside: undefined,
      outside: "1.0.0.0",
    });
  });
});

describe("ec2-security-group-disallow-public-ingress on ranges", () => {
  const caught: [string, Fixture, RegExp][] = [
    [
      "two halves of the IPv4 space in one rule",
      sg(SG, [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
      ]),
      /ingress rule 0 allows inbound port 22 from 0\.0\.0\.0\/1, 128\.0\.0\.0\/1, open to the whole internet/,
    ],
    [
      "0::/0",
      sg(SG, [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["0::/0"] }]),
      /allows inbound all ports from 0::\/0, open to the whole internet/,
    ],
    [
      "both families in one rule, each named",
      sg(SG, [
        {
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        },
      ]),
      /from 0\.0\.0\.0\/0, ::\/0, open to the whole IPv4 internet and the whole IPv6 internet\./,
    ],
    [
      "all global unicast IPv6",
      sg(SG, [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["2000::/3"] }]),
      /from 2000::\/3, open to the whole internet/,
    ],
    [
      "IPv4-mapped IPv6",
      sg(SG, [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::ffff:0:0/96"] }]),
      /open to the whole internet/,
    ],
    [
      "half the internet",
      sg(SG, [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/1"] }]),
      /port 3389 from 0\.0\.0\.0\/1, open to \d+\.\d% of the public IPv4 internet/,
    ],
    [
      "two rules of a /9 each adding up to a /8",
      sg(SG, [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["11.0.0.0/9"] },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["11.128.0.0/9"] },
      ]),
      /ingress rule 0, ingress rule 1 together allow inbound from 11\.0\.0\.0\/9, 11\.128\.0\.0\/9/,
    ],
    [
      "the default security group",
      sg(DEFAULT_SG, [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]),
      /^DefaultSecurityGroup "sg" ingress rule 0 allows inbound port 22 from 0\.0\.0\.0\/0/,
    ],
    [
      "a standalone rule with ::0/0",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "sg",
        props: { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::0/0" },
      },
      /rule allows inbound port 22 from ::0\/0, open to the whole internet/,
    ],
    [
      "a block that is not a CIDR",
      sg(SG, [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0"] }]),
      /from "0\.0\.0\.0", which is not a CIDR block/,
    ],
  ];
  for (const [what, f, re] of caught) {
    it(`reports ${what}`, async () => {
      const found = await check(publicIngress, f);
      assert.strictEqual(found.length, 1, found.join("\n"));
      assert.match(found[0], re);
      assert.match(
        found[0],
        /(Allow only the callers' CIDR or security group|Write it as address\/prefix)/,
      );
    });
  }

  const passing: [string, Fixture][] = [
    [
      "private and documentation ranges",
      sg(SG, [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8", "172.16.0.0/12"] },
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24"] },
        { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["2001:db8::/48"] },
      ]),
    ],
    [
      "a default security group with only self and group references",
      sg(DEFAULT_SG, [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }]),
    ],
    [
      "a rule whose CIDR is unknown at preview",
      sg(SG, [
        {
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"],
        },
      ]),
    ],
  ];
  for (const [what, f] of passing) {
    it(`passes ${what}`, async () => {
      assert.deepStrictEqual(await check(publicIngress, f), []);
    });
  }

  it("keeps allowed public ports open to the internet in every spelling", async () => {
    const https = sg(SG, [
      {
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        ipv6CidrBlocks: ["0::/0"],
        cidrBlocks: ["0.0.0.0/0"],
      },
    ]);
    assert.deepStrictEqual(await check(publicIngress, https, { allowedPublicPorts: [443] }), []);
    const every = sg(SG, [
      { protocol: "all", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
    ]);
    assert.match(
      (await check(publicIngress, every, { allowedPublicPorts: [443] }))[0],
      /allows inbound all ports from 0\.0\.0\.0\/0/,
    );
  });
});

describe("ec2-security-group-disallow-combined-public-ingress", () => {
  const group: Fixture = {
    type: SG,
    name: "app-sg",
    props: { id: "sg-0app", ingress: [] },
  };
  const vpcRule = (name: string, props: Record<string, unknown>): Fixture => ({
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    name,
    props: { ipProtocol: "tcp", fromPort: 22, toPort: 22, securityGroupId: "sg-0app", ...props },
  });
  const prefixList = (entries: string[]): Fixture => ({
    type: "aws:ec2/managedPrefixList:ManagedPrefixList",
    name: "callers",
    props: {
      id: "pl-0callers",
      addressFamily: "IPv4",
      maxEntries: 10,
      entries: entries.map((cidr) => ({ cidr })),
    },
  });

  it("reports standalone rules of one group that add up to a /8", async () => {
    const found = await checkStack(combinedIngress, [
      group,
      vpcRule("a", { cidrIpv4: "11.0.0.0/9" }),
      vpcRule("b", { cidrIpv4: "11.128.0.0/9" }),
    ]);
    assert.deepStrictEqual(found, [
      {
        name: "app-sg",
        message:
          'SecurityGroup "app-sg" admits inbound traffic through SecurityGroupIngressRule "a", ' +
          'SecurityGroupIngressRule "b" from 11.0.0.0/9, 11.128.0.0/9, which together are open to 0.4% of the ' +
          "public IPv4 internet. Allow only the callers' CIDR or security group, or use SSM Session Manager instead of SSH.",
      },
    ]);
  });

  it("reports rules of a group outside the stack on the first rule, naming the group", async () => {
    const found = await checkStack(combinedIngress, [
      vpcRule("a", { cidrIpv4: "11.0.0.0/9", securityGroupId: "sg-0ext" }),
      vpcRule("b", { cidrIpv4: "11.128.0.0/9", securityGroupId: "sg-0ext" }),
    ]);
    assert.deepStrictEqual(
      found.map((f) => f.name),
      ["a"],
    );
    assert.match(found[0].message, /^Security group "sg-0ext" admits inbound traffic through/);
  });

  it("reports a prefix list in the stack whose entries cover the internet", async () => {
    const sg = {
      ...group,
      props: {
        id: "sg-0app",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, prefixListIds: ["pl-0callers"] }],
      },
    };
    const found = await checkStack(combinedIngress, [sg, prefixList(["0.0.0.0/1", "128.0.0.0/1"])]);
    assert.strictEqual(found.length, 1);
    assert.match(
      found[0].message,
      /through ingress rule 0 from prefix list "pl-0callers", which together are open to the whole internet/,
    );
  });

  it("reports a standalone prefix-list entry of 0.0.0.0/0 behind a rule", async () => {
    const entry: Fixture = {
      type: "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",
      name: "everyone",
      props: { prefixListId: "pl-0callers", cidr: "0.0.0.0/0" },
    };
    const found = await checkStack(combinedIngress, [
      group,
      prefixList(["10.0.0.0/8"]),
      entry,
      vpcRule("from-list", { prefixListId: "pl-0callers" }),
    ]);
    assert.strictEqual(found.length, 1);
    assert.match(found[0].message, /open to the whole internet/);
  });

  it("passes private prefix lists, rules of different groups, and leaves single rules to the resource rule", async () => {
    const sg = {
      ...group,
      props: {
        id: "sg-0app",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, prefixListIds: ["pl-0callers"] }],
      },
    };
    assert.deepStrictEqual(
      await checkStack(combinedIngress, [sg, prefixList(["10.0.0.0/8", "192.168.0.0/16"])]),
      [],
    );
    assert.deepStrictEqual(
      await checkStack(combinedIngress, [
        vpcRule("a", { cidrIpv4: "11.0.0.0/9", securityGroupId: "sg-1" }),
        vpcRule("b", { cidrIpv4: "11.128.0.0/9", securityGroupId: "sg-2" }),
      ]),
      [],
    );
    assert.deepStrictEqual(
      await checkStack(combinedIngress, [
        group,
        vpcRule("a", { cidrIpv4: "0.0.0.0/0" }),
        vpcRule("b", { cidrIpv4: "10.0.0.0/8" }),
      ]),
      [],
    );
  });
});

describe("instances launched from a launch template", () => {
  const fromLt: Fixture = {
    type: "aws:ec2/instance:Instance",
    name: "worker",
    stack: "production",
    props: { launchTemplate: { id: "lt-0abc", version: "$Latest" } },
  };

  it("leave unset settings to the template, which is judged on its own", async () => {
    for (const p of [imdsV2, encryptedVolumes, noPublicIp]) {
      assert.deepStrictEqual(await check(p, fromLt), [], p.name);
    }
  });

  it("still report what the instance itself sets", async () => {
    const own = {
      ...fromLt,
      props: {
        ...fromLt.props,
        metadataOptions: { httpTokens: "optional" },
        associatePublicIpAddress: true,
        rootBlockDevice: { encrypted: false },
      },
    };
    for (const p of [imdsV2, encryptedVolumes, noPublicIp]) {
      assert.strictEqual((await check(p, own)).length, 1, p.name);
    }
  });
});
