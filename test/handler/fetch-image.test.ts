import assert from "node:assert/strict";
import { handleEvent } from "../../handler/app";
import { isPublicAddress } from "../../handler/address";
import {
  type FetchGuard,
  checkUrl,
  defaultGuard,
  fetchImage,
  systemResolver,
} from "../../handler/fetch-image";
import { HandlerError } from "../../handler/errors";
import { FakeSageMaker } from "./fake-sagemaker";
import {
  type ImageAnswer,
  ImageServer,
  jpegBytes,
  lambdaContext,
  makeDeps,
  makeTestCertificate,
  parseBody,
  pngBytes,
  tableResolver,
  useFakeServiceEnvironment,
} from "./helpers";

const LIMIT = 64 * 1024;

describe("handler image fetch guard", () => {
  const tls = makeTestCertificate();
  const dog = jpegBytes(3000, 7);
  const server = new ImageServer(tls, ({ path }): ImageAnswer => {
    const [route, query = ""] = path.split("?");
    const params = new URLSearchParams(query);
    switch (route) {
      case "/dog.jpg":
        return { status: 200, headers: { "content-type": "image/jpeg" }, body: dog };
      case "/dog.png":
        // The server's content type is wrong on purpose: the bytes decide.
        return {
          status: 200,
          headers: { "content-type": "application/octet-stream" },
          body: pngBytes(),
        };
      case "/page.html":
        return {
          status: 200,
          headers: { "content-type": "image/jpeg" },
          body: Buffer.from("<html>not an image</html>"),
        };
      case "/empty":
        return { status: 200, body: Buffer.alloc(0) };
      case "/declared-huge":
        return {
          status: 200,
          headers: { "content-length": String(LIMIT + 1) },
          body: Buffer.alloc(LIMIT + 1, 0xff),
        };
      case "/streamed-huge":
        return { stream: { chunk: Buffer.alloc(8192, 0xff), count: LIMIT / 8192 + 2 } };
      case "/missing":
        return { status: 404, body: Buffer.from("no") };
      case "/redirect":
        return {
          status: Number(params.get("status") ?? 302),
          headers: { location: params.get("to") ?? "" },
        };
      case "/redirect-no-location":
        return { status: 302 };
      case "/loop":
        return { status: 302, headers: { location: "/loop" } };
      case "/slow":
        return "hang";
      case "/truncated":
        return { truncate: { declared: 5000, sent: dog.subarray(0, 100) } };
      default:
        return { status: 500 };
    }
  });
  let port = 0;
  const resolverCalls: string[] = [];

  /** The production guard, except: it trusts the test CA, reaches the test port, and knows two test names. */
  function testGuard(overrides: Partial<FetchGuard> = {}): FetchGuard {
    return {
      ...defaultGuard({ maxBytes: LIMIT, timeoutMs: 2_000, maxRedirects: 3 }),
      ca: tls.cert,
      allowedPorts: [port],
      resolve: tableResolver(
        { "images.test": ["127.0.0.1"], "redirector.test": ["127.0.0.1"] },
        resolverCalls,
      ),
      // Loopback stands in for the public internet here, and only this one address.
      isAllowedAddress: (address) => address === "127.0.0.1" || isPublicAddress(address),
      ...overrides,
    };
  }

  const never = new AbortController().signal;

  async function refusal(url: string, guard: FetchGuard): Promise<HandlerError> {
    try {
      await fetchImage(url, guard, never);
    } catch (error) {
      assert.ok(error instanceof HandlerError, `unexpected ${String(error)}`);
      return error;
    }
    assert.fail(`${url} was fetched`);
  }

  before(async () => {
    port = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    resolverCalls.length = 0;
  });

  it("fetches a JPEG over TLS from the checked address, with SNI and Host of the URL's name", async () => {
    const image = await fetchImage(`https://images.test:${port}/dog.jpg`, testGuard(), never);
    assert.equal(image.contentType, "image/jpeg");
    assert.ok(image.bytes.equals(dog));
    assert.deepEqual(server.requests, [
      { path: "/dog.jpg", host: `images.test:${port}`, servername: "images.test" },
    ]);
    // "images.test" has no DNS entry on this machine: the connection used the checked address.
    assert.deepEqual(resolverCalls, ["images.test"]);
  });

  it("types the image by its bytes, not by the server's Content-Type", async () => {
    const image = await fetchImage(`https://images.test:${port}/dog.png`, testGuard(), never);
    assert.equal(image.contentType, "image/png");
  });

  it("refuses a certificate that the injected CA did not sign", async () => {
    const error = await refusal(
      `https://images.test:${port}/dog.jpg`,
      testGuard({ ca: undefined }),
    );
    assert.equal(error.code, "url_fetch_failed");
  });

  it("follows a redirect to an allowed host and checks it again", async () => {
    const to = encodeURIComponent(`https://images.test:${port}/dog.jpg`);
    const image = await fetchImage(
      `https://redirector.test:${port}/redirect?to=${to}`,
      testGuard(),
      never,
    );
    assert.ok(image.bytes.equals(dog));
    assert.deepEqual(resolverCalls, ["redirector.test", "images.test"]);
    assert.equal(server.requests.length, 2);
  });

  const refusedRedirects = [
    "https://127.0.0.2/latest/meta-data/",
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://169.254.170.2/v2/credentials",
    "https://[::1]/",
    "https://2130706434/",
    "https://0x7f000002/",
    "file:///etc/passwd",
    "https://localhost/",
  ];
  for (const target of refusedRedirects) {
    it(`refuses a redirect to ${target} without connecting to it`, async () => {
      const url = `https://redirector.test:${port}/redirect?status=307&to=${encodeURIComponent(target)}`;
      const error = await refusal(url, testGuard({ allowedPorts: [port, 443] }));
      assert.equal(error.code, "url_refused");
      assert.equal(server.requests.length, 1, "only the redirecting request was made");
    });
  }

  it("stops after FETCH_MAX_REDIRECTS redirects", async () => {
    const error = await refusal(`https://images.test:${port}/loop`, testGuard({ maxRedirects: 2 }));
    assert.equal(error.code, "url_fetch_failed");
    assert.match(error.message, /more than 2 times/);
    assert.equal(server.requests.length, 3);
  });

  const failures: [string, number, string][] = [
    ["/missing", 400, "url_fetch_failed"],
    ["/redirect-no-location", 400, "url_fetch_failed"],
    ["/page.html", 415, "unsupported_media_type"],
    ["/empty", 415, "unsupported_media_type"],
    ["/declared-huge", 413, "payload_too_large"],
    ["/streamed-huge", 413, "payload_too_large"],
  ];
  for (const [route, status, code] of failures) {
    it(`answers ${status} ${code} for ${route}`, async () => {
      const error = await refusal(`https://images.test:${port}${route}`, testGuard());
      assert.deepEqual([error.status, error.code], [status, code]);
    });
  }

  it("fails at once, not at the timeout, when the connection drops mid-image", async () => {
    const error = await refusal(
      `https://images.test:${port}/truncated`,
      testGuard({ timeoutMs: 20_000 }),
    );
    assert.deepEqual(
      [error.status, error.code, error.message],
      [400, "url_fetch_failed", "the image could not be fetched"],
    );
  });

  it("gives up on a server that never answers after FETCH_TIMEOUT_MS", async () => {
    const error = await refusal(`https://images.test:${port}/slow`, testGuard({ timeoutMs: 200 }));
    assert.deepEqual([error.status, error.code], [400, "url_fetch_failed"]);
    assert.match(error.message, /within 200 ms/);
  });

  it("answers 504 when the Lambda deadline comes first", async () => {
    const deadline = AbortSignal.timeout(150);
    await assert.rejects(
      fetchImage(`https://images.test:${port}/slow`, testGuard(), deadline),
      (error: unknown) => {
        assert.ok(error instanceof HandlerError);
        assert.deepEqual([error.status, error.code], [504, "deadline_exceeded"]);
        return true;
      },
    );
  });

  describe("hostile URLs under the production guard", () => {
    // The production policy with one change: names resolve from a table, never from real DNS.
    // The table plays the attacker's DNS, pointing names at internal addresses.
    const hostileDns = tableResolver({
      "metadata.attacker.example": ["169.254.169.254"],
      "ecs-creds.attacker.example": ["169.254.170.2"],
      "loopback.attacker.example": ["127.0.0.1"],
      "mixed.attacker.example": ["93.184.215.14", "10.0.0.5"],
      "mapped.attacker.example": ["::ffff:127.0.0.1"],
      "ula.attacker.example": ["fd00::1"],
      "cgnat.attacker.example": ["100.100.100.200"],
      "zero.attacker.example": ["0.0.0.0"],
      "odd.attacker.example": ["0177.0.0.1"],
    });
    const production = (): FetchGuard => ({
      ...defaultGuard({ maxBytes: LIMIT, timeoutMs: 2_000, maxRedirects: 3 }),
      resolve: hostileDns,
    });

    const hostile: [string, string][] = [
      ["loopback", "https://127.0.0.1/x.jpg"],
      ["loopback on the test server's port", "https://127.0.0.1:PORT/dog.jpg"],
      ["loopback, decimal", "https://2130706433/x.jpg"],
      ["loopback, hex", "https://0x7f000001/x.jpg"],
      ["loopback, octal", "https://0177.0.0.1/x.jpg"],
      ["loopback, short", "https://127.1/x.jpg"],
      ["loopback, mixed hex and octal", "https://0x7f.0.0.01/x.jpg"],
      ["loopback, three parts", "https://127.0.1/x.jpg"],
      ["IPv6 loopback", "https://[::1]/x.jpg"],
      ["IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/x.jpg"],
      ["IPv4-mapped IPv6, hex", "https://[::ffff:7f00:1]/x.jpg"],
      ["IPv4-compatible IPv6", "https://[::127.0.0.1]/x.jpg"],
      ["NAT64 metadata", "https://[64:ff9b::a9fe:a9fe]/x.jpg"],
      ["EC2 metadata", "https://169.254.169.254/latest/meta-data/"],
      ["EC2 metadata, decimal", "https://2852039166/latest/meta-data/"],
      ["EC2 metadata, hex", "https://0xa9fea9fe/latest/meta-data/"],
      ["EC2 metadata over IPv6", "https://[fd00:ec2::254]/latest/meta-data/"],
      ["container credentials", "https://169.254.170.2/v2/credentials"],
      ["private 10/8", "https://10.0.0.1/x.jpg"],
      ["private 172.16/12", "https://172.16.5.4/x.jpg"],
      ["private 192.168/16", "https://192.168.0.1/x.jpg"],
      ["CGNAT", "https://100.64.0.1/x.jpg"],
      ["unique-local IPv6", "https://[fc00::1]/x.jpg"],
      ["link-local IPv6", "https://[fe80::1]/x.jpg"],
      ["unspecified", "https://0.0.0.0/x.jpg"],
      ["unspecified, short", "https://0/x.jpg"],
      ["multicast", "https://224.0.0.1/x.jpg"],
      ["broadcast", "https://255.255.255.255/x.jpg"],
      ["localhost", "https://localhost/x.jpg"],
      ["localhost with a trailing dot", "https://localhost./x.jpg"],
      ["a localhost subdomain", "https://a.localhost/x.jpg"],
      ["a single-label name", "https://intranet/x.jpg"],
      [
        "localhost in full-width letters",
        "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/x.jpg",
      ],
      ["an IPv6 zone id", "https://[fe80::1%25eth0]/x.jpg"],
      ["a name resolving to metadata", "https://metadata.attacker.example/x.jpg"],
      ["a name resolving to container credentials", "https://ecs-creds.attacker.example/x.jpg"],
      ["a name resolving to loopback", "https://loopback.attacker.example/x.jpg"],
      ["a name with one public and one private address", "https://mixed.attacker.example/x.jpg"],
      ["a name resolving to mapped IPv6", "https://mapped.attacker.example/x.jpg"],
      ["a name resolving to unique-local IPv6", "https://ula.attacker.example/x.jpg"],
      ["a name resolving to CGNAT", "https://cgnat.attacker.example/x.jpg"],
      ["a name resolving to 0.0.0.0", "https://zero.attacker.example/x.jpg"],
      ["a resolver answer in a non-canonical spelling", "https://odd.attacker.example/x.jpg"],
      ["plain http", "http://93.184.215.14/x.jpg"],
      ["file", "file:///etc/passwd"],
      ["gopher", "gopher://93.184.215.14:70/_x"],
      ["data", "data:image/jpeg;base64,/9j/4AAQ"],
      ["credentials in the URL", "https://user:pass@93.184.215.14/x.jpg"],
      ["a port other than 443", "https://93.184.215.14:8443/x.jpg"],
      ["not a URL", "not a url"],
      ["a relative URL", "/etc/passwd"],
      ["an overlong URL", `https://93.184.215.14/${"a".repeat(2100)}`],
    ];

    for (const [what, template] of hostile) {
      it(`refuses ${what} without connecting`, async () => {
        const url = template.replace("PORT", String(port));
        const error = await refusal(url, production());
        assert.equal(error.status, 400);
        assert.equal(error.code, "url_refused", `${url}: ${error.message}`);
        assert.equal(server.connections, 0);
      });
    }

    it("refuses hostile URLs in a direct invocation before any request to the endpoint", async () => {
      const fake = new FakeSageMaker();
      const restore = useFakeServiceEnvironment(await fake.start());
      try {
        const deps = makeDeps({ guard: production() });
        for (const [, template] of hostile) {
          const response = await handleEvent(
            { url: template.replace("PORT", String(port)) },
            lambdaContext(),
            deps,
          );
          assert.equal(response.statusCode, 400);
          assert.equal((parseBody(response).error as { code: string }).code, "url_refused");
          assert.ok(
            !response.body.includes("169.254") && !response.body.includes("127.0.0.1"),
            response.body,
          );
        }
        assert.equal(fake.requests.length, 0);
        assert.equal(server.connections, 0);
      } finally {
        await fake.stop();
        restore();
      }
    });
  });

  it("classifies an image fetched by URL end to end", async () => {
    const fake = new FakeSageMaker();
    const restore = useFakeServiceEnvironment(await fake.start());
    try {
      const response = await handleEvent(
        { url: `https://images.test:${port}/dog.jpg` },
        lambdaContext(),
        makeDeps({ guard: testGuard() }),
      );
      assert.equal(response.statusCode, 200);
      assert.equal(fake.requests.length, 1);
      assert.ok(fake.requests[0].body.equals(dog));
      assert.equal(fake.requests[0].headers["content-type"], "image/jpeg");
      assert.deepEqual(fake.violations, []);
    } finally {
      await fake.stop();
      restore();
    }
  });

  it("resolves through the operating system by default, every address with its family", async () => {
    // localhost comes from the hosts file, so this needs no network.
    const answers = await systemResolver("localhost");
    assert.ok(answers.length > 0);
    for (const { address, family } of answers) {
      assert.equal(family, address.includes(":") ? 6 : 4);
      assert.equal(isPublicAddress(address), false);
    }
  });

  it("checks a URL without touching the network when it is refused", async () => {
    await assert.rejects(
      checkUrl("https://[::1]:443/", defaultGuard({ maxBytes: 1, timeoutMs: 1, maxRedirects: 0 })),
      /not a public address/,
    );
  });
});
