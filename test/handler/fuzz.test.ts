// A deterministic fuzz set of malformed events. Every one must come back as a 4xx JSON error,
// without a throw and without a single request to the endpoint or a connection anywhere.
import assert from "node:assert/strict";
import { handleEvent } from "../../handler/app";
import { defaultGuard } from "../../handler/fetch-image";
import { FakeSageMaker } from "./fake-sagemaker";
import {
  httpEvent,
  jpegBytes,
  lambdaContext,
  makeDeps,
  pngBytes,
  tableResolver,
  useFakeServiceEnvironment,
} from "./helpers";

/** mulberry32: a small seeded PRNG, so every run fuzzes the same events. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_IMAGE_BYTES = 4096;
const EVENT_COUNT = 1200;

function generator(seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const text = (n: number) =>
    Array.from({ length: n }, () =>
      pick(["a", "Z", "0", "/", ":", "%", "\u0000", "é", "{", '"', " ", "\n", "🐶", "\\"]),
    ).join("");

  // URLs that must never be fetched: hostile or broken, and never a public IP literal.
  const hostileHosts = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "169.254.169.254",
    "169.254.170.2",
    "[fd00:ec2::254]",
    "10.1.2.3",
    "100.64.1.1",
    "[fc00::5]",
    "0.0.0.0",
    "localhost",
    "0",
  ];
  const url = (): string => {
    const scheme = pick([
      "https://",
      "http://",
      "ftp://",
      "file://",
      "javascript:",
      "",
      "https:/",
      "HTTPS://",
      "gopher://",
    ]);
    const host = random() < 0.6 ? pick(hostileHosts) : `${text(int(6))}.invalid`;
    const port = pick(["", ":443", ":80", ":22", ":0", ":99999", ":-1"]);
    const path = pick(["/", "/dog.jpg", "/../../etc/passwd", `/${text(int(20))}`, "?x=1", "#frag"]);
    const userinfo = random() < 0.1 ? "user:pw@" : "";
    return `${scheme}${userinfo}${host}${port}${path}`;
  };
  const anything = (depth = 0): unknown => {
    switch (int(depth > 2 ? 6 : 8)) {
      case 0:
        return null;
      case 1:
        return int(2) === 0;
      case 2:
        return random() * 1e6 - 5e5;
      case 3:
        return text(int(30));
      case 4:
        return url();
      case 5:
        return undefined;
      case 6:
        return Array.from({ length: int(4) }, () => anything(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: int(4) }, () => [
            pick(["url", "URL", "body", "image", "x", text(3)]),
            anything(depth + 1),
          ]),
        );
    }
  };
  // Each case carries at least one defect by construction.
  const cases: (() => unknown)[] = [
    () => anything(),
    () => ({ url: url() }),
    () => ({ url: anything() }),
    () => ({ url: url(), [pick(["topK", "endpoint", "Url", "body"])]: anything() }),
    () => ({ URL: url() }),
    () =>
      httpEvent({
        method: pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "get", text(5)]),
        contentType: "image/jpeg",
        body: jpegBytes(100).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: pick([
          "text/plain",
          "image/gif",
          "image/webp",
          "application/xml",
          "multipart/form-data",
          "",
          text(8),
        ]),
        body: jpegBytes(100).toString("base64"),
        isBase64Encoded: true,
      }),
    () => httpEvent({ body: jpegBytes(100).toString("base64"), isBase64Encoded: true }),
    () =>
      httpEvent({
        contentType: pick(["image/jpeg", "image/png"]),
        body: bytes(int(200)).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: "image/jpeg",
        body:
          Buffer.concat([Buffer.from([0xff, 0xd8]), bytes(int(50))])
            .toString("base64")
            .slice(0, -1 - int(3)) + pick(["*", "!", "-", "_"]),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: "image/jpeg",
        body: jpegBytes(50 + int(200)).toString("latin1"),
        isBase64Encoded: false,
      }),
    () =>
      httpEvent({
        contentType: "image/png",
        body: jpegBytes(50 + int(200)).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: "image/jpeg",
        body: pngBytes(50 + int(200)).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: pick(["image/jpeg", "image/png"]),
        body: (pick([jpegBytes, pngBytes]) as (n: number) => Buffer)(
          MAX_IMAGE_BYTES + 1 + int(5000),
        ).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: pick(["image/jpeg", "application/json"]),
        body: "",
        isBase64Encoded: random() < 0.5,
      }),
    () =>
      httpEvent({
        contentType: "application/json",
        body: pick([text(int(40)), "{", "[]", "null", "1", '"x"', JSON.stringify(anything())]),
      }),
    () => httpEvent({ contentType: "application/json", body: JSON.stringify({ url: url() }) }),
    () =>
      httpEvent({
        contentType: "application/json",
        body: Buffer.from(JSON.stringify({ url: url(), extra: 1 })).toString("base64"),
        isBase64Encoded: true,
      }),
    () =>
      httpEvent({
        contentType: "application/json",
        body: JSON.stringify({ url: "https://x.invalid/" + "a".repeat(20_000) }),
      }),
    () => ({
      ...httpEvent({ contentType: "image/jpeg" }),
      body: anything(),
      isBase64Encoded: anything(),
    }),
    () => ({ ...httpEvent({ contentType: "image/jpeg" }), headers: anything() }),
    () => ({
      requestContext: anything(),
      body: jpegBytes(100).toString("base64"),
      isBase64Encoded: true,
    }),
    () => ({ requestContext: { http: anything() }, headers: { "content-type": "image/jpeg" } }),
    () => ({
      httpMethod: "POST",
      resource: "/",
      path: "/",
      requestContext: { stage: "prod" },
      body: JSON.stringify({ url: url() }),
    }),
  ];
  return () => pick(cases)();
}

describe("handler fuzz set", () => {
  const fake = new FakeSageMaker();
  let restoreEnv: () => void;
  before(async () => {
    restoreEnv = useFakeServiceEnvironment(await fake.start());
  });
  after(async () => {
    await fake.stop();
    restoreEnv();
  });

  it(`answers ${EVENT_COUNT} malformed events with 4xx JSON errors and never calls the endpoint`, async () => {
    const resolved: string[] = [];
    const deps = makeDeps({
      config: { maxImageBytes: MAX_IMAGE_BYTES },
      // Production policy; names resolve from an empty table, so nothing reaches real DNS.
      guard: {
        ...defaultGuard({ maxBytes: MAX_IMAGE_BYTES, timeoutMs: 1000, maxRedirects: 3 }),
        resolve: tableResolver({}, resolved),
      },
    });
    const next = generator(20261121);
    const statuses = new Map<number, number>();
    for (let i = 0; i < EVENT_COUNT; i++) {
      const event = next();
      let response;
      try {
        response = await handleEvent(event, lambdaContext(), deps);
      } catch (error) {
        assert.fail(`event ${i} threw ${String(error)}: ${JSON.stringify(event)?.slice(0, 300)}`);
      }
      assert.ok(
        [400, 405, 413, 415].includes(response.statusCode),
        `event ${i} got ${response.statusCode}: ${response.body} for ${JSON.stringify(event)?.slice(0, 300)}`,
      );
      assert.equal(response.headers["content-type"], "application/json");
      const body = JSON.parse(response.body) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(body), ["error"]);
      assert.equal(typeof body.error.code, "string");
      assert.equal(typeof body.error.message, "string");
      assert.ok(
        !/\bat .+\(|node:internal|Error:/.test(response.body),
        `event ${i} leaked internals: ${response.body}`,
      );
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
    assert.equal(fake.requests.length, 0, "the endpoint was called");
    // The set exercises every refusal the handler has, not just one.
    assert.deepEqual([...statuses.keys()].sort(), [400, 405, 413, 415]);
    assert.ok(
      deps.log.entries.every((e) => e.level === "warn"),
      "a malformed event was logged as a server error",
    );
    assert.ok(
      resolved.every((name) => name.endsWith(".invalid")),
      "only the generated junk names were looked up",
    );
  });
});
