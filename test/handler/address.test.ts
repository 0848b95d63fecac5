import assert from "node:assert/strict";
import { isPublicAddress, parseIp } from "../../handler/address";

describe("handler address policy", () => {
  const refused = [
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "169.254.170.2",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.10",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.1",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:8.8.8.8",
    "::127.0.0.1",
    "::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "2001::1",
    "2002:7f00:1::1",
    "3fff::1",
    "fd00:ec2::254",
  ];
  const publicAddresses = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
  ];
  // Spellings that some parsers accept for loopback or metadata; only canonical text is taken.
  const nonCanonical = [
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "127.0.1",
    "0x7f.0.0.1",
    "127.000.000.001",
    "017700000001",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "::1%lo",
    "[::1",
    "1::2::3",
    "",
    "localhost",
    "fe80::1%eth0",
    "12345::",
  ];

  for (const address of refused) {
    it(`refuses ${address}`, () => assert.equal(isPublicAddress(address), false));
  }
  for (const address of publicAddresses) {
    it(`allows public ${address}`, () => assert.equal(isPublicAddress(address), true));
  }
  for (const text of nonCanonical) {
    it(`does not parse the non-canonical spelling ${JSON.stringify(text)}`, () => {
      assert.equal(parseIp(text), undefined);
      assert.equal(isPublicAddress(text), false);
    });
  }

  it("parses IPv6 with an embedded IPv4 tail to the right bytes", () => {
    assert.deepEqual(
      [...(parseIp("::ffff:169.254.169.254")?.bytes ?? [])],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 169, 254, 169, 254],
    );
  });

  it("parses bracketed IPv6 as URL hosts spell it", () => {
    assert.equal(parseIp("[2606:4700:4700::1111]")?.family, 6);
  });
});
