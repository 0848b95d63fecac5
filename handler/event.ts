// Turns whatever Lambda delivers into one of two requests: classify the image at a URL, or
// classify these image bytes. Everything else is refused with a 4xx error before any I/O.
import type {
  APIGatewayProxyEventV2,
  LambdaFunctionUrlEvent,
} from "@aws-lambda-powertools/parser/types";
import * as z from "zod/mini";
import {
  BadRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "./errors";
import { type Image, type ImageType, decodeBase64Body, sniffImageType } from "./image";

/** What the caller asked for. */
export type ClassifyRequest =
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "image"; readonly image: Image };

/** A JSON body only ever carries a URL; anything longer than this is not one. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

// No length limit here: the URL guard refuses an overlong URL with its own code (url_refused).
const urlRequestSchema = z.strictObject({
  url: z.string().check(z.minLength(1)),
});

// Function URL and API Gateway HTTP API payload format 2.0; the fields the handler reads.
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
//
// Powertools' parser describes this shape as APIGatewayProxyEventV2Schema (LambdaFunctionUrlSchema
// is the same schema), with ApiGatewayV2Envelope and LambdaFunctionUrlEnvelope on top. The handler
// takes only its types (PayloadV2Event below ties this schema to them) and keeps its own schema:
// - Bundle and cold start: the parser's schemas import zod's classic API as one namespace object
//   (`import { z } from "zod"`), which esbuild cannot tree-shake, so every zod locale and all of
//   zod's core come along. With the parser's schema and JSONStringified in this file, `npm run
//   bench:handler` measured 667.5 KiB (target 400; 245.3 KiB without) and a cold load of 88 ms
//   (target 80; 38 ms without).
// - Shapes: the whole schema requires every field Lambda fills in (domainPrefix, sourceIp,
//   timeEpoch, ...) and allows seven methods, so the trimmed events that scripts/classify.mjs,
//   bench/handler.mjs and test/handler/bundle.test.ts send would be refused, and a PUT or any
//   other method without those fields would be a 400 instead of a 405 (test/handler/event.test.ts).
// - Order: an envelope checks the event and its body in one step and reports one ParseError; the
//   handler answers 405, 415, 413 and 400 in that order, each with its own message.
const httpEventSchema = z.object({
  version: z.optional(z.string()),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.nullable(z.string())),
  isBase64Encoded: z.optional(z.boolean()),
});
type HttpEvent = z.infer<typeof httpEventSchema>;

type AcceptedBy<Schema, Event extends Schema> = Event;
/** A payload 2.0 event as Powertools' parser types it; tsc checks that httpEventSchema takes it. */
export type PayloadV2Event = AcceptedBy<
  z.input<typeof httpEventSchema>,
  LambdaFunctionUrlEvent | APIGatewayProxyEventV2
>;

const IMAGE_TYPES: Record<string, ImageType> = {
  "image/jpeg": "image/jpeg",
  // Not a registered type, but common enough in clients that refusing it would only annoy.
  "image/jpg": "image/jpeg",
  "image/png": "image/png",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes the first schema problem without echoing the offending value. */
function describeIssue(error: z.core.$ZodError, value: unknown): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join(".")}"` : "the request";
  switch (issue.code) {
    case "unrecognized_keys":
      return `the request has unexpected fields; send only "url"`;
    case "invalid_type":
      if (issue.path.length === 0)
        return 'the request must be a JSON object such as {"url": "https://..."}';
      return isRecord(value) && value[String(issue.path[0])] === undefined
        ? `${where} is required`
        : `${where} must be a ${issue.expected}`;
    case "too_small":
      return `${where} must not be empty`;
    case "too_big":
      return `${where} must be at most ${String(issue.maximum)} characters`;
    default:
      return `${where} is invalid`;
  }
}

function parseUrlRequest(value: unknown): ClassifyRequest {
  const parsed = urlRequestSchema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(describeIssue(parsed.error, value));
  return { kind: "url", url: parsed.data.url };
}

function headerValue(headers: HttpEvent["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  // Function URLs lower-case header names; API Gateway keeps the client's spelling.
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function parseHttpEvent(event: HttpEvent, maxImageBytes: number): ClassifyRequest {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== "POST") {
    const shown = /^[A-Z]{1,10}$/.test(method) ? method : "this method";
    throw new MethodNotAllowedError(`${shown} is not supported; POST an image or {"url": ...}`);
  }

  const contentTypeHeader = headerValue(event.headers, "content-type");
  if (contentTypeHeader === undefined) {
    throw new UnsupportedMediaTypeError(
      "a Content-Type header is required: application/json, image/jpeg or image/png",
    );
  }
  const mediaType = contentTypeHeader.split(";")[0].trim().toLowerCase();
  const body = event.body ?? "";
  if (body === "") throw new BadRequestError("the request body is empty");

  if (mediaType === "application/json") {
    if (Buffer.byteLength(body, event.isBase64Encoded ? "base64" : "utf8") > MAX_JSON_BODY_BYTES) {
      throw new PayloadTooLargeError(`a JSON body must be at most ${MAX_JSON_BODY_BYTES} bytes`);
    }
    const text = event.isBase64Encoded
      ? decodeBase64Body(body, MAX_JSON_BODY_BYTES).toString("utf8")
      : body;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BadRequestError("the body is not valid JSON");
    }
    return parseUrlRequest(json);
  }

  const declared = IMAGE_TYPES[mediaType];
  if (!declared) {
    throw new UnsupportedMediaTypeError(
      "Content-Type must be application/json, image/jpeg or image/png",
    );
  }
  // Lambda base64-encodes every body it does not consider text, which includes images.
  if (!event.isBase64Encoded) throw new BadRequestError("an image body must arrive base64-encoded");
  const bytes = decodeBase64Body(body, maxImageBytes);
  const actual = sniffImageType(bytes);
  if (actual !== declared) {
    throw new UnsupportedMediaTypeError(
      `the body is not a ${declared === "image/jpeg" ? "JPEG" : "PNG"} image`,
    );
  }
  return { kind: "image", image: { bytes, contentType: actual } };
}

/**
 * Reads a direct invocation (`{"url": "https://..."}`) or a function URL / HTTP API event.
 * Throws a HandlerError with a 4xx status for anything else.
 */
export function parseEvent(event: unknown, maxImageBytes: number): ClassifyRequest {
  if (!isRecord(event))
    throw new BadRequestError('the event must be a JSON object such as {"url": "https://..."}');
  if (isRecord(event.requestContext)) {
    const parsed = httpEventSchema.safeParse(event);
    if (!parsed.success) {
      if ("httpMethod" in event)
        throw new BadRequestError("API Gateway REST (payload 1.0) events are not supported");
      throw new BadRequestError("the HTTP event is malformed");
    }
    return parseHttpEvent(parsed.data, maxImageBytes);
  }
  return parseUrlRequest(event);
}
