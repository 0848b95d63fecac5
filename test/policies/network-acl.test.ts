// Network ACLs judged as AWS evaluates them: inbound entries, inline or standalone, lowest rule
// number first, the first match deciding, on the remote administration ports. The cases follow the
// VPC User Guide (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html,
// custom-network-acl.html, default-network-acl.html, nacl-ephemeral-ports.html) and AWS Config's
// nacl-no-unrestricted-ssh-rdp.
import * as assert from "assert";
import { networkAclAdminIngress } from "../../policies/ec2";
import { checkStack, Fixture, UNKNOWN } from "./harness";

const ACL = "aws:ec2/networkAcl:NetworkAcl";
const DEFAULT_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl";
const RULE = "aws:ec2/networkAclRule:NetworkAclRule";

/** An inline entry (`ingress`/`egress` of NetworkAcl and DefaultNetworkAcl). */
function entry(
  ruleNo: number,
  action: string,
  protocol: string,
  ports: [number, number],
  cidr: string,
): Record<string, unknown> {
  return {
    ruleNo,
    action,
    protocol,
    fromPort: ports[0],
    toPort: ports[1],
    ...(cidr.includes(":") ? { ipv6CidrBlock: cidr } : { cidrBlock: cidr }),
  };
}

function acl(ingress: Record<string, unknown>[], egress: Record<string, unknown>[] = []): Fixture {
  return {
    type: ACL,
    name: "public",
    props: { id: "acl-0public", vpcId: "vpc-1", ingress, egress },
  };
}

/** A standalone rule. */
function rule(name: string, props: Record<string, unknown>, deps?: string[]): Fixture {
  return {
    type: RULE,
    name,
    props: { networkAclId: "acl-0public", egress: false, ...props },
    deps: deps ? { networkAclId: deps } : undefined,
  };
}

const ALL: [number, number] = [0, 0];
const SSH: [number, number] = [22, 22];
const RDP: [number, number] = [3389, 3389];

/** AWS's example ACL for a public subnet, IPv4 (custom-network-acl.html). */
const AWS_PUBLIC_SUBNET = acl(
  [
    entry(100, "allow", "tcp", [80, 80], "0.0.0.0/0"),
    entry(110, "allow", "tcp", [443, 443], "0.0.0.0/0"),
    entry(120, "allow", "tcp", SSH, "192.0.2.0/24"),
    entry(130, "allow", "tcp", RDP, "192.0.2.0/24"),
    entry(140, "allow", "tcp", [32768, 65535], "0.0.0.0/0"),
  ],
  [
    entry(100, "allow", "tcp", [80, 80], "0.0.0.0/0"),
    entry(110, "allow", "tcp", [443, 443], "0.0.0.0/0"),
    entry(120, "allow", "tcp", [32768, 65535], "0.0.0.0/0"),
  ],
);

async function found(fixtures: Fixture[], config: Record<string, unknown> = {}) {
  return checkStack(networkAclAdminIngress, fixtures, config);
}

describe("ec2-network-acl-disallow-public-admin-ingress: reported", () => {
  it("an inline entry allowing tcp 22 from 0.0.0.0/0", async () => {
    assert.deepStrictEqual(await found([acl([entry(100, "allow", "tcp", SSH, "0.0.0.0/0")])]), [
      {
        name: "public",
        message:
          'NetworkAcl "public" admits inbound tcp port 22 (SSH) through ingress rule 0 (ruleNo 100) ' +
          "from 0.0.0.0/0, open to the whole internet. Allow port 22 only from the callers' CIDR, or " +
          "use SSM Session Manager instead; or deny it from 0.0.0.0/0 and ::/0 in a rule numbered below 100.",
      },
    ]);
  });

  it("every protocol (-1) from 0.0.0.0/0, whatever its ports say: SSH and RDP over tcp and udp", async () => {
    const messages = (await found([acl([entry(100, "allow", "-1", ALL, "0.0.0.0/0")])])).map(
      (f) => f.message,
    );
    assert.strictEqual(messages.length, 2);
    assert.match(messages[0], /admits inbound tcp and udp port 22 \(SSH\) through ingress rule 0/);
    assert.match(
      messages[1],
      /admits inbound tcp and udp port 3389 \(RDP\) through ingress rule 0/,
    );
    // The provider takes "all" for -1 too.
    assert.strictEqual(
      (await found([acl([entry(100, "allow", "all", ALL, "0.0.0.0/0")])])).length,
      2,
    );
  });

  it("RDP from ::/0", async () => {
    const f = await found([acl([entry(100, "allow", "6", RDP, "::/0")])]);
    assert.strictEqual(f.length, 1);
    assert.match(
      f[0].message,
      /tcp port 3389 \(RDP\) through ingress rule 0 \(ruleNo 100\) from ::\/0, open to the whole internet/,
    );
  });

  it("a port range 0-65535 covering both ports, and udp (17) 22", async () => {
    const wide = await found([acl([entry(100, "allow", "tcp", [0, 65535], "0.0.0.0/0")])]);
    assert.deepStrictEqual(
      wide.map((f) => /port (\d+)/.exec(f.message)![1]),
      ["22", "3389"],
    );
    const udp = await found([acl([entry(100, "allow", "17", SSH, "0.0.0.0/0")])]);
    assert.match(udp[0].message, /admits inbound udp port 22 \(SSH\)/);
  });

  it("the ephemeral range 1024-65535 from 0.0.0.0/0 with no lower deny of 3389: RDP, not SSH", async () => {
    const f = await found([acl([entry(140, "allow", "tcp", [1024, 65535], "0.0.0.0/0")])]);
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /tcp port 3389 \(RDP\).*rule numbered below 140\.$/);
  });

  it("a standalone rule tied to an ACL of the stack whose id is unknown at preview", async () => {
    const unknownAcl: Fixture = {
      type: ACL,
      name: "public",
      props: { id: UNKNOWN, vpcId: "vpc-1", ingress: UNKNOWN },
    };
    const ssh = rule(
      "ssh-anywhere",
      {
        networkAclId: UNKNOWN,
        ruleNumber: 100,
        protocol: "tcp",
        ruleAction: "allow",
        fromPort: 22,
        toPort: 22,
        cidrBlock: "0.0.0.0/0",
      },
      ["public"],
    );
    const f = await found([unknownAcl, ssh]);
    assert.deepStrictEqual(
      f.map((x) => x.name),
      ["public"],
    );
    assert.match(
      f[0].message,
      /^NetworkAcl "public" admits inbound tcp port 22 \(SSH\) through NetworkAclRule "ssh-anywhere" \(ruleNumber 100\) from 0\.0\.0\.0\/0/,
    );
  });

  it("a default ACL given AWS's default rules (all traffic from 0.0.0.0/0 and ::/0)", async () => {
    const dflt: Fixture = {
      type: DEFAULT_ACL,
      name: "default-acl",
      props: {
        defaultNetworkAclId: "acl-0default",
        ingress: [
          entry(100, "allow", "-1", ALL, "0.0.0.0/0"),
          entry(101, "allow", "-1", ALL, "::/0"),
        ],
      },
    };
    const f = await found([dflt]);
    assert.strictEqual(f.length, 2);
    assert.match(
      f[0].message,
      /^DefaultNetworkAcl "default-acl" admits inbound tcp and udp port 22 \(SSH\) through ingress rule 0 \(ruleNo 100\), ingress rule 1 \(ruleNo 101\) from 0\.0\.0\.0\/0, ::\/0, open to the whole IPv4 internet and the whole IPv6 internet\./,
    );
  });

  it("a lower deny that covers only part of the range", async () => {
    const f = await found([
      acl([
        entry(90, "deny", "tcp", SSH, "10.0.0.0/8"),
        entry(100, "allow", "tcp", SSH, "0.0.0.0/0"),
      ]),
    ]);
    assert.strictEqual(f.length, 1);
    assert.match(
      f[0].message,
      /from 0\.0\.0\.0\/0 \(less what lower-numbered rules match\), open to the whole internet/,
    );
    const most = await found([
      acl([
        entry(90, "deny", "tcp", SSH, "11.0.0.0/8"),
        entry(100, "allow", "tcp", SSH, "0.0.0.0/0"),
      ]),
    ]);
    assert.match(most[0].message, /open to 99\.\d% of the public IPv4 internet/);
  });

  it("a deny numbered above the allow, which the allow has already decided", async () => {
    const f = await found([
      acl([
        entry(100, "allow", "tcp", SSH, "0.0.0.0/0"),
        entry(200, "deny", "tcp", SSH, "0.0.0.0/0"),
      ]),
    ]);
    assert.strictEqual(f.length, 1);
    assert.match(f[0].message, /through ingress rule 0 \(ruleNo 100\) from 0\.0\.0\.0\/0, open/);
    // Declaration order does not matter, the numbers do.
    const reordered = await found([
      acl([
        entry(200, "deny", "tcp", SSH, "0.0.0.0/0"),
        entry(100, "allow", "tcp", SSH, "0.0.0.0/0"),
      ]),
    ]);
    assert.strictEqual(reordered.length, 1);
  });

  it("allows that each stay under a /8 but add up", async () => {
    const halves = await found([
      acl([
        entry(100, "allow", "tcp", SSH, "11.0.0.0/9"),
        entry(110, "allow", "tcp", SSH, "11.128.0.0/9"),
      ]),
    ]);
    assert.strictEqual(halves.length, 1);
    assert.match(
      halves[0].message,
      /through ingress rule 0 \(ruleNo 100\), ingress rule 1 \(ruleNo 110\) from 11\.0\.0\.0\/9, 11\.128\.0\.0\/9, open to 0\.4% of the public IPv4 internet/,
    );
    const sixteenths = Array.from({ length: 16 }, (_, i) =>
      entry(100 + i, "allow", "tcp", SSH, `${i * 16}.0.0.0/4`),
    );
    const whole = await found([acl(sixteenths)]);
    assert.strictEqual(whole.length, 1);
    assert.match(whole[0].message, /open to the whole internet/);
  });

  it("standalone rules of an ACL outside the stack, grouped by its id", async () => {
    const props = { ruleAction: "allow", protocol: "tcp", fromPort: 22, toPort: 22 };
    const f = await found([
      rule("a", { ...props, networkAclId: "acl-0ext", ruleNumber: 100, cidrBlock: "11.0.0.0/9" }),
      rule("b", { ...props, networkAclId: "acl-0ext", ruleNumber: 110, cidrBlock: "11.128.0.0/9" }),
    ]);
    assert.deepStrictEqual(
      f.map((x) => x.name),
      ["a"],
    );
    assert.match(f[0].message, /^Network ACL "acl-0ext" admits inbound tcp port 22/);
  });

  it("a standalone allow beside an unknown inline list, and a deny unknown at preview numbered above", async () => {
    const f = await found([
      { ...acl([]), props: { id: "acl-0public", vpcId: "vpc-1", ingress: UNKNOWN } },
      rule("ssh", {
        ruleNumber: 100,
        ruleAction: "allow",
        protocol: "-1",
        cidrBlock: "0.0.0.0/0",
      }),
      rule("later", {
        ruleNumber: 200,
        ruleAction: "deny",
        protocol: "-1",
        cidrBlock: UNKNOWN,
      }),
    ]);
    assert.strictEqual(f.length, 2);
  });

  it("a port the config adds", async () => {
    const winrm = acl([entry(100, "allow", "tcp", [5985, 5986], "0.0.0.0/0")]);
    assert.deepStrictEqual(await found([winrm]), []);
    const f = await found([winrm], { adminPorts: [22, 3389, 5986] });
    assert.match(f[0].message, /tcp port 5986 through ingress rule 0/);
  });

  it("an inline entry read back from a standalone rule is that rule, named once", async () => {
    const standalone = {
      ruleNumber: 100,
      ruleAction: "allow",
      protocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrBlock: "0.0.0.0/0",
    };
    const f = await found([
      acl([entry(100, "allow", "tcp", SSH, "0.0.0.0/0")]),
      rule("ssh", standalone),
      rule("out", { ...standalone, egress: true, ruleNumber: 100 }),
    ]);
    assert.strictEqual(f.length, 1);
    assert.match(
      f[0].message,
      /through NetworkAclRule "ssh" \(ruleNumber 100\) from 0\.0\.0\.0\/0,/,
    );
  });
});

describe("ec2-network-acl-disallow-public-admin-ingress: passes", () => {
  it("AWS's example ACL for a public subnet (HTTP, HTTPS and return traffic from anywhere, SSH and RDP from one range)", async () => {
    assert.deepStrictEqual(await found([AWS_PUBLIC_SUBNET]), []);
  });

  it("the ephemeral range 1024-65535 from anywhere after lower denies of the admin ports, as AWS advises", async () => {
    const f = await found([
      acl([
        entry(100, "allow", "tcp", [443, 443], "0.0.0.0/0"),
        entry(110, "allow", "tcp", SSH, "192.0.2.0/24"),
        entry(120, "deny", "tcp", RDP, "0.0.0.0/0"),
        entry(140, "allow", "tcp", [1024, 65535], "0.0.0.0/0"),
      ]),
    ]);
    assert.deepStrictEqual(f, []);
  });

  it("SSH from the VPC's range", async () => {
    assert.deepStrictEqual(
      await found([acl([entry(100, "allow", "tcp", SSH, "10.0.0.0/16")])]),
      [],
    );
  });

  it("lower-numbered denies of the admin ports before an allow of every tcp port", async () => {
    const f = await found([
      acl([
        entry(10, "deny", "tcp", SSH, "0.0.0.0/0"),
        entry(20, "deny", "tcp", SSH, "::/0"),
        entry(30, "deny", "tcp", RDP, "0.0.0.0/0"),
        entry(40, "deny", "tcp", RDP, "::/0"),
        entry(100, "allow", "tcp", [0, 65535], "0.0.0.0/0"),
        entry(101, "allow", "tcp", [0, 65535], "::/0"),
      ]),
    ]);
    assert.deepStrictEqual(f, []);
    // One deny of every protocol from everywhere before an allow of everything.
    const f2 = await found([
      acl([entry(1, "deny", "-1", ALL, "0.0.0.0/0"), entry(100, "allow", "-1", ALL, "0.0.0.0/0")]),
    ]);
    assert.deepStrictEqual(f2, []);
  });

  it("egress that allows everything, inline or standalone", async () => {
    const f = await found([
      acl([], [entry(100, "allow", "-1", ALL, "0.0.0.0/0")]),
      rule("out", {
        egress: true,
        ruleNumber: 100,
        ruleAction: "allow",
        protocol: "-1",
        cidrBlock: "0.0.0.0/0",
      }),
    ]);
    assert.deepStrictEqual(f, []);
  });

  it("an ACL that only denies, and one with no entries (the final * rule denies all)", async () => {
    assert.deepStrictEqual(
      await found([
        acl([entry(100, "deny", "-1", ALL, "0.0.0.0/0"), entry(101, "deny", "-1", ALL, "::/0")]),
      ]),
      [],
    );
    assert.deepStrictEqual(await found([acl([])]), []);
  });

  it("ICMP from anywhere", async () => {
    const f = await found([
      acl([
        { ...entry(100, "allow", "icmp", ALL, "0.0.0.0/0"), icmpType: -1, icmpCode: -1 },
        { ...entry(110, "allow", "1", ALL, "0.0.0.0/0"), icmpType: 8, icmpCode: 0 },
        { ...entry(120, "allow", "58", ALL, "::/0"), icmpType: -1, icmpCode: -1 },
      ]),
    ]);
    assert.deepStrictEqual(f, []);
  });

  it("values unknown at preview: an allow's block, or any part of a lower rule that may deny", async () => {
    assert.deepStrictEqual(
      await found([acl([{ ...entry(100, "allow", "tcp", SSH, "0.0.0.0/0"), cidrBlock: UNKNOWN }])]),
      [],
    );
    const open = entry(100, "allow", "tcp", SSH, "0.0.0.0/0");
    for (const unknown of [
      { cidrBlock: UNKNOWN },
      { action: UNKNOWN },
      { ruleNo: UNKNOWN },
      { protocol: UNKNOWN },
      { fromPort: UNKNOWN },
    ]) {
      const lower = { ...entry(90, "deny", "tcp", SSH, "0.0.0.0/0"), ...unknown };
      assert.deepStrictEqual(await found([acl([lower, open])]), [], JSON.stringify(unknown));
    }
    // A standalone rule whose direction is unknown, and an unknown entry of a known list.
    const direction = rule("which-way", {
      egress: UNKNOWN,
      ruleNumber: 90,
      ruleAction: "deny",
      protocol: "-1",
      cidrBlock: "0.0.0.0/0",
    });
    assert.deepStrictEqual(await found([acl([open]), direction]), []);
    assert.deepStrictEqual(await found([acl([UNKNOWN as never, open])]), []);
  });
});
