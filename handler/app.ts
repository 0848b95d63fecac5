// The handler's core: parse the event, get the image bytes, ask the endpoint, answer. Everything
// it talks to comes in through `HandlerDeps`, so tests run it against local servers; index.ts
// wires the production values once per container.
import {
  InvokeEndpointCommand,
  type SageMakerRuntimeClient,
} from "@aws-sdk/client-sagemaker-runtime";
import * as z from "zod/mini";
import { AnswerTooLargeError, MAX_ANSWER_BYTES } from "./client";
import type { HandlerConfig } from "./config";
import {
  BadModelOutputError,
  DeadlineError,
  EndpointBusyError,
  EndpointMisconfiguredError,
  HandlerError,
  InternalError,
  ModelFailedError,
  UpstreamError,
} from "./errors";
import { parseEvent } from "./event";
import { type FetchGuard, fetchImage } from "./fetch-image";
import type { Image } from "./image";

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Structured log sink; the Powertools Logger fits it. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** What the handler works with. */
export interface HandlerDeps {
  readonly client: SageMakerRuntimeClient;
  readonly config: HandlerConfig;
  readonly guard: FetchGuard;
  readonly log: Log;
}

/** The response shape Lambda function URLs, HTTP APIs and direct callers all receive. */
export interface HandlerResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** One class the model scored, as the endpoint returns it and the handler passes on. */
export interface Prediction {
  readonly label: string;
  readonly index: number;
  readonly probability: number;
}

// The endpoint's answer, per the inference code: {"predictions": [{label, index, probability}]},
// best first. Checked rather than trusted, because a wrong model or a changed output_fn would
// otherwise reach callers as garbage with a 200.
const endpointAnswerSchema = z.object({
  predictions: z
    .array(
      z.object({
        label: z.string().check(z.minLength(1), z.maxLength(256)),
        index: z.int().check(z.minimum(0)),
        probability: z.number().check(z.minimum(0), z.maximum(1)),
      }),
    )
    .check(z.minLength(1), z.maxLength(10_000)),
});

// How long callers should wait before retrying, by cause. Throttling clears within a second or
// so; a serverless variant or a multi-model endpoint that is loading takes longer.
const RETRY_AFTER_SECONDS = {
  ThrottlingException: 1,
  ServiceUnavailable: 2,
  ModelNotReadyException: 5,
} as const;

const RESPONSE_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

function respond(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HandlerResponse {
  return { statusCode, headers: { ...RESPONSE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: {
    readonly httpStatusCode?: number;
    readonly requestId?: string;
    readonly attempts?: number;
  };
  readonly OriginalStatusCode?: unknown;
  readonly OriginalMessage?: unknown;
  readonly LogStreamArn?: unknown;
  readonly code?: unknown;
}

/** Maps what InvokeEndpoint threw to the handler's error classes; the raw text goes to `detail`. */
export function fromInvokeError(error: unknown, deadline: AbortSignal): HandlerError {
  if (error instanceof HandlerError) return error;
  if (deadline.aborted)
    return new DeadlineError("the model did not answer in time", { cause: String(error) });
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === "string" ? e.name : "unknown";
  const detail: Record<string, unknown> = {
    errorType: name,
    serviceMessage: typeof e.message === "string" ? e.message : String(error),
    httpStatus: e.$metadata?.httpStatusCode,
    awsRequestId: e.$metadata?.requestId,
    attempts: e.$metadata?.attempts,
  };
  switch (name) {
    case "ThrottlingException":
    case "ServiceUnavailable":
    case "ModelNotReadyException":
      return new EndpointBusyError(
        "the model endpoint is busy; retry later",
        RETRY_AFTER_SECONDS[name],
        detail,
      );
    case "ModelError":
      return new ModelFailedError("the model failed to classify the image", {
        ...detail,
        originalStatusCode: e.OriginalStatusCode,
        originalMessage: e.OriginalMessage,
        logStreamArn: e.LogStreamArn,
      });
    case "ValidationError":
      // "Endpoint <name> of account <id> not found." means the function points at the wrong
      // endpoint; any other ValidationError is a request this code should never have built.
      if (/not found/i.test(String(e.message))) {
        return new EndpointMisconfiguredError("the model endpoint is not available", detail);
      }
      return new InternalError("internal error", detail);
    case "AccessDeniedException":
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "ExpiredTokenException":
    case "CredentialsProviderError":
      return new EndpointMisconfiguredError("the function may not call its model endpoint", detail);
    case "InternalFailure":
    case "InternalDependencyException":
      return new UpstreamError("the model endpoint failed; retry later", detail);
    case "AnswerTooLargeError": {
      // The client read no further than its cap (client.ts).
      const cap = error instanceof AnswerTooLargeError ? error.maxBytes : MAX_ANSWER_BYTES;
      return new BadModelOutputError(`the model's answer is larger than ${cap} bytes`, detail);
    }
    case "AnswerIncompleteError":
      return new UpstreamError("the model endpoint's answer was cut off; retry later", detail);
    default: {
      const status = e.$metadata?.httpStatusCode;
      if (status !== undefined && status >= 500) {
        return new UpstreamError("the model endpoint failed; retry later", detail);
      }
      // The service never redirects; a 3xx comes from something in between, and is not an
      // answer to parse.
      if (status !== undefined && status >= 300 && status < 400) {
        return new UpstreamError(
          "the model endpoint answered with a redirect; retry later",
          detail,
        );
      }
      // Connection failures after the SDK's retries: Node's errors carry a code (ECONNREFUSED,
      // ECONNRESET, ...), also when the connection drops mid-answer after a 200 status line
      // ("aborted"); the SDK's own connection timeout is a TimeoutError.
      if (typeof e.code === "string" || name === "TimeoutError") {
        return new UpstreamError(
          status === undefined
            ? "the model endpoint could not be reached"
            : "the model endpoint's answer was cut off; retry later",
          { ...detail, code: e.code },
        );
      }
      return new InternalError("internal error", detail);
    }
  }
}

/** Asks the endpoint about `image` and returns its best `topK` predictions. */
export async function invokeModel(
  image: Image,
  deps: HandlerDeps,
  deadline: AbortSignal,
): Promise<Prediction[]> {
  let answer;
  try {
    answer = await deps.client.send(
      new InvokeEndpointCommand({
        EndpointName: deps.config.endpointName,
        ContentType: image.contentType,
        Accept: "application/json",
        Body: image.bytes,
      }),
      { abortSignal: deadline },
    );
  } catch (error) {
    throw fromInvokeError(error, deadline);
  }

  const mediaType = (answer.ContentType ?? "application/json").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new BadModelOutputError("the model answered in an unexpected format", {
      contentType: answer.ContentType,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(answer.Body ?? new Uint8Array()).toString("utf8"));
  } catch {
    throw new BadModelOutputError("the model answered in an unexpected format", {
      reason: "body is not JSON",
    });
  }
  const parsed = endpointAnswerSchema.safeParse(json);
  if (!parsed.success) {
    throw new BadModelOutputError("the model answered in an unexpected format", {
      issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.code}`),
    });
  }
  // Best first is the contract; sorting again costs nothing and keeps top-k right if it slips.
  return [...parsed.data.predictions]
    .sort((a, b) => b.probability - a.probability)
    .slice(0, deps.config.topK)
    .map(({ label, index, probability }) => ({ label, index, probability }));
}

/**
 * Handles one invocation end to end and always resolves with a response: a 200 with
 * `{predictions}` or an error status with `{error: {code, message}}`.
 */
export async function handleEvent(
  event: unknown,
  context: InvocationContext,
  deps: HandlerDeps,
): Promise<HandlerResponse> {
  const started = performance.now();
  const requestId = context.awsRequestId;
  // Keep a margin to log and answer before Lambda cuts the invocation off.
  const budgetMs = context.getRemainingTimeInMillis() - deps.config.deadlineMarginMs;
  try {
    if (budgetMs <= 0) throw new DeadlineError("the function has no time left for this request");
    const deadline = AbortSignal.timeout(budgetMs);
    const request = parseEvent(event, deps.config.maxImageBytes);
    const image =
      request.kind === "url" ? await fetchImage(request.url, deps.guard, deadline) : request.image;
    const predictions = await invokeModel(image, deps, deadline);
    deps.log.info("classified", {
      requestId,
      source: request.kind,
      contentType: image.contentType,
      bytes: image.bytes.length,
      top: predictions[0]?.label,
      durationMs: Math.round(performance.now() - started),
    });
    return respond(200, { predictions });
  } catch (caught) {
    const error =
      caught instanceof HandlerError
        ? caught
        : new InternalError("internal error", { error: caught });
    const attributes = {
      requestId,
      status: error.status,
      code: error.code,
      ...error.detail,
      durationMs: Math.round(performance.now() - started),
    };
    if (error.status >= 500) deps.log.error(error.message, attributes);
    else deps.log.warn(error.message, attributes);
    return respond(
      error.status,
      { error: { code: error.code, message: error.message } },
      error.headers,
    );
  }
}
