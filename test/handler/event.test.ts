import assert from "node:assert/strict";
import { APIGatewayProxyEventV2Schema } from "@aws-lambda-powertools/parser/schemas/api-gatewayv2";
import { LambdaFunctionUrlSchema } from "@aws-lambda-powertools/parser/schemas/lambda";
import { handleEvent } from "../../handler/app";
import { parseEvent } from "../../handler/event";
import { HandlerError } from "../../handler/errors";
import {
  httpEvent,
  imageEvent,
  jpegBytes,
  lambdaContext,
  makeDeps,
  parseBody,
  pngBytes,
} from "./helpers";

const MAX = 8192;

function refusal(event: unknown, maxBytes = MAX): [number, string, string] {
  try {
    parseEvent(event, maxBytes);
  } catch (error) {
    assert.ok(error instanceof HandlerError, String(error));
    return [error.status, error.code, error.message];
  }
  return assert.fail("the event was accepted");
}

describe("handler event parsing", () => {
  it("reads a direct invocation", () => {
    assert.deepEqual(parseEvent({ url: "https://example.com/dog.jpg" }, MAX), {
      kind: "url",
      url: "https://example.com/dog.jpg",
    });
  });

  it("reads a JSON body from a function URL, plain or base64-encoded", () => {
    const json = JSON.stringify({ url: "https://example.com/a.png" });
    for (const event of [
      httpEvent({ contentType: "application/json", body: json }),
      httpEvent({
        contentType: "application/json; charset=utf-8",
        body: Buffer.from(json).toString("base64"),
        isBase64Encoded: true,
      }),
    ]) {
      assert.deepEqual(parseEvent(event, MAX), { kind: "url", url: "https://example.com/a.png" });
    }
  });

  it("reads a JPEG body and keeps its bytes", () => {
    const bytes = jpegBytes(500);
    const parsed = parseEvent(imageEvent(bytes), MAX);
    assert.equal(parsed.kind, "image");
    if (parsed.kind === "image") {
      assert.equal(parsed.image.contentType, "image/jpeg");
      assert.ok(parsed.image.bytes.equals(bytes));
    }
  });

  it("accepts a PNG, image/jpg and a Content-Type header spelled by API Gateway", () => {
    const png = parseEvent(imageEvent(pngBytes(), "image/png"), MAX);
    assert.equal(png.kind === "image" && png.image.contentType, "image/png");
    const jpg = parseEvent(
      httpEvent({
        headers: { "Content-Type": "IMAGE/JPG" },
        body: jpegBytes().toString("base64"),
        isBase64Encoded: true,
      }),
      MAX,
    );
    assert.equal(jpg.kind === "image" && jpg.image.contentType, "image/jpeg");
  });

  it("reads every payload 2.0 event Powertools' parser schemas accept, and the trimmed ones they refuse", () => {
    const jpeg = jpegBytes(300);
    const full = imageEvent(jpeg);
    // A complete event as Lambda sends it (the helper leaves out domainPrefix).
    full.requestContext = { ...(full.requestContext as object), domainPrefix: "abcdefghij" };
    for (const schema of [LambdaFunctionUrlSchema, APIGatewayProxyEventV2Schema]) {
      assert.ok(schema.safeParse(full).success, "the library's schema accepts the full event");
    }
    const json = httpEvent({
      contentType: "application/json",
      body: '{"url":"https://a.example"}',
    });
    json.requestContext = full.requestContext;
    assert.ok(LambdaFunctionUrlSchema.safeParse(json).success);
    assert.deepEqual(parseEvent(json, MAX), { kind: "url", url: "https://a.example" });
    const read = parseEvent(full, MAX);
    assert.ok(read.kind === "image" && read.image.bytes.equals(jpeg));

    // What scripts/classify.mjs and the bench send, and a method outside the schema's seven: the
    // library's schema refuses them; the handler reads the first and answers the others 405.
    const trimmed = {
      requestContext: { http: { method: "POST" } },
      headers: { "content-type": "image/jpeg" },
      body: jpeg.toString("base64"),
      isBase64Encoded: true,
    };
    const brew = { ...full, requestContext: { http: { method: "BREW" } } };
    for (const event of [trimmed, brew]) {
      assert.ok(!LambdaFunctionUrlSchema.safeParse(event).success);
    }
    assert.equal(parseEvent(trimmed, MAX).kind, "image");
    assert.deepEqual(refusal(brew), [
      405,
      "method_not_allowed",
      'BREW is not supported; POST an image or {"url": ...}',
    ]);
  });

  const refused: [string, unknown, number, string][] = [
    ["null", null, 400, "bad_request"],
    ["a string", "https://example.com/dog.jpg", 400, "bad_request"],
    ["an array", [{ url: "https://example.com" }], 400, "bad_request"],
    ["an empty object", {}, 400, "bad_request"],
    ["a url that is not a string", { url: 42 }, 400, "bad_request"],
    ["an empty url", { url: "" }, 400, "bad_request"],
    ["extra fields", { url: "https://example.com/x.jpg", topK: 100 }, 400, "bad_request"],
    ["a GET", httpEvent({ method: "GET" }), 405, "method_not_allowed"],
    [
      "a PUT with an image",
      { ...imageEvent(jpegBytes()), requestContext: { http: { method: "PUT" } } },
      405,
      "method_not_allowed",
    ],
    [
      "an API Gateway REST event",
      { httpMethod: "POST", resource: "/", requestContext: { resourceId: "x" }, body: "{}" },
      400,
      "bad_request",
    ],
    [
      "an HTTP event with a non-string header",
      { ...httpEvent({}), headers: { "content-type": 5 } },
      400,
      "bad_request",
    ],
    ["no Content-Type", httpEvent({ body: "{}" }), 415, "unsupported_media_type"],
    [
      "text/plain",
      httpEvent({ contentType: "text/plain", body: "https://example.com" }),
      415,
      "unsupported_media_type",
    ],
    [
      "image/gif",
      httpEvent({ contentType: "image/gif", body: "R0lGODlh", isBase64Encoded: true }),
      415,
      "unsupported_media_type",
    ],
    [
      "an empty body",
      httpEvent({ contentType: "image/jpeg", body: "", isBase64Encoded: true }),
      400,
      "bad_request",
    ],
    ["no body", httpEvent({ contentType: "application/json" }), 400, "bad_request"],
    [
      "invalid JSON",
      httpEvent({ contentType: "application/json", body: "{url:" }),
      400,
      "bad_request",
    ],
    [
      "a JSON body without url",
      httpEvent({ contentType: "application/json", body: '{"uri":"x"}' }),
      400,
      "bad_request",
    ],
    [
      "a JSON body over 16 KiB",
      httpEvent({ contentType: "application/json", body: `{"url":"${"a".repeat(17000)}"}` }),
      413,
      "payload_too_large",
    ],
    [
      "an image body not base64-encoded",
      httpEvent({ contentType: "image/jpeg", body: "\xff\xd8\xff" }),
      400,
      "bad_request",
    ],
    [
      "an image body that is not base64",
      httpEvent({ contentType: "image/jpeg", body: "/9j/*&^%", isBase64Encoded: true }),
      400,
      "bad_request",
    ],
    [
      "a PNG sent as image/jpeg",
      imageEvent(pngBytes(), "image/jpeg"),
      415,
      "unsupported_media_type",
    ],
    [
      "HTML sent as image/png",
      imageEvent(Buffer.from("<html></html>"), "image/png"),
      415,
      "unsupported_media_type",
    ],
    ["an image over the size cap", imageEvent(jpegBytes(MAX + 1)), 413, "payload_too_large"],
  ];
  for (const [what, event, status, code] of refused) {
    it(`refuses ${what} with ${status} ${code}`, () => {
      const [actualStatus, actualCode] = refusal(event);
      assert.deepEqual([actualStatus, actualCode], [status, code]);
    });
  }

  it("says which field is wrong without echoing the value", () => {
    const [, , message] = refusal({ url: "https://example.com", secret: "hunter2" });
    assert.equal(message, 'the request has unexpected fields; send only "url"');
    assert.equal(refusal({ url: 42 })[2], '"url" must be a string');
    assert.equal(refusal({})[2], '"url" is required');
  });

  it("refuses a URL over 2,048 characters with the URL guard's url_refused, in both event kinds", async () => {
    const long = `https://example.com/${"a".repeat(2049 - "https://example.com/".length)}`;
    assert.equal(long.length, 2049);
    const atLimit = long.slice(0, 2048);
    // The parser passes it on as a URL request; the guard decides.
    assert.deepEqual(parseEvent({ url: long }, MAX), { kind: "url", url: long });
    for (const event of [
      { url: long },
      httpEvent({ contentType: "application/json", body: JSON.stringify({ url: long }) }),
    ]) {
      const deps = makeDeps();
      const response = await handleEvent(event, lambdaContext(), deps);
      assert.equal(response.statusCode, 400);
      assert.deepEqual(parseBody(response), {
        error: { code: "url_refused", message: "the URL is longer than 2048 characters" },
      });
      assert.ok(!response.body.includes("aaaa"));
    }
    // One character less is a URL the guard goes on to check (here: a name it cannot resolve).
    const response = await handleEvent({ url: atLimit }, lambdaContext(), makeDeps());
    assert.equal((parseBody(response).error as { code: string }).code, "url_fetch_failed");
  });

  it("answers a refused event with a JSON error response through the handler", async () => {
    const response = await handleEvent(
      httpEvent({ contentType: "text/plain", body: "hi" }),
      lambdaContext(),
      makeDeps(),
    );
    assert.equal(response.statusCode, 415);
    assert.equal(response.headers["content-type"], "application/json");
    assert.deepEqual(parseBody(response), {
      error: {
        code: "unsupported_media_type",
        message: "Content-Type must be application/json, image/jpeg or image/png",
      },
    });
  });
});
