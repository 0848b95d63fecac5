// A local server that speaks the SageMaker Runtime InvokeEndpoint protocol (REST-JSON over HTTP),
// so the real SDK client, with its signing, retries and error parsing, runs against it.
//
// It checks what the service checks first: the path, the content type and a valid SigV4
// signature for the `sagemaker` service; and answers each modelled error the way the service
// does: the status code, the `x-amzn-errortype` header and a JSON body with the modelled fields.
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
import { createHash, createHmac } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const TEST_CREDENTIALS = {
  accessKeyId: "AKIDLOCALTESTING0001",
  secretAccessKey: "local-testing-secret-key-not-a-real-one",
  region: "us-east-1",
} as const;

/** Account id and ARNs the fake puts in error bodies; they must never reach a caller. */
export const FAKE_ACCOUNT_ID = "123456789012";
export const FAKE_LOG_STREAM_ARN = `arn:aws:logs:us-east-1:${FAKE_ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/dogs:log-stream:AllTraffic/i-0abc`;
export const FAKE_TRACEBACK =
  'Traceback (most recent call last):\n  File "/opt/ml/model/code/inference.py", line 42, in predict_fn\nRuntimeError: CUDA out of memory';

export type ErrorType =
  | "ModelError"
  | "ValidationError"
  | "EndpointNotFound"
  | "ThrottlingException"
  | "ThrottlingException429"
  | "ModelNotReadyException"
  | "ServiceUnavailable"
  | "InternalFailure";

/** How the fake answers the next requests. */
export type Behaviour =
  | { readonly kind: "predict"; readonly classes?: number }
  | { readonly kind: "error"; readonly type: ErrorType }
  | {
      readonly kind: "raw";
      readonly status: number;
      readonly contentType: string;
      readonly body: string;
      readonly headers?: Record<string, string>;
    }
  /** A 200 that declares `declared` bytes, sends `sent` of them, then closes the connection. */
  | { readonly kind: "truncate"; readonly declared: number; readonly sent: number }
  /**
   * A 200 predictions answer of `bytes` bytes sent in 64 KiB chunks, with or without
   * Content-Length; `sentBytes` counts what was written before the client stopped reading.
   */
  | { readonly kind: "large"; readonly bytes: number; readonly declareLength: boolean }
  | { readonly kind: "hang" };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * Recomputes the SigV4 signature of a request and returns what is wrong with it, if anything.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function checkSignature(req: RecordedRequest): string | undefined {
  const auth = String(req.headers.authorization ?? "");
  const match = AUTHORIZATION.exec(auth);
  if (!match) return "malformed Authorization header";
  const [, accessKey, date, region, service, signedHeaders, signature] = match;
  if (accessKey !== TEST_CREDENTIALS.accessKeyId) return "unknown access key";
  if (region !== TEST_CREDENTIALS.region) return `wrong region ${region}`;
  if (service !== "sagemaker") return `wrong service ${service}`;
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(date)) return "x-amz-date does not match the credential scope";
  const names = signedHeaders.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date"))
    return "host and x-amz-date must be signed";

  const [pathname, query = ""] = req.path.split("?");
  // Non-S3 services sign the path URI-encoded twice; endpoint names need no encoding, so once
  // more over the already-encoded path is the same text.
  const canonicalPath = pathname
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  const canonicalQuery = query.split("&").filter(Boolean).sort().join("&");
  const canonicalHeaders = names
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalRequest = [
    req.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    String(req.headers["x-amz-content-sha256"] ?? sha256(req.body)),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  return expected === signature ? undefined : "signature does not match";
}

// Error answers as the service sends them. The modelled fields come from the service model
// (ModelError: Message, OriginalStatusCode, OriginalMessage, LogStreamArn); the messages
// imitate the service's own, which name the account and the log group.
function errorAnswer(
  type: ErrorType,
  endpoint: string,
): { status: number; errorType: string; body: object } {
  switch (type) {
    case "ModelError":
      return {
        status: 424,
        // The service may append a namespace after a colon; clients keep the part before it.
        errorType: "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker.runtime/",
        body: {
          ErrorCode: "SERVER_ERROR_FROM_MODEL",
          LogStreamArn: FAKE_LOG_STREAM_ARN,
          Message: `Received server error (500) from primary with message "${FAKE_TRACEBACK}". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/${endpoint} in account ${FAKE_ACCOUNT_ID} for more information.`,
          OriginalMessage: FAKE_TRACEBACK,
          OriginalStatusCode: 500,
        },
      };
    case "EndpointNotFound":
      return {
        status: 400,
        errorType: "ValidationError",
        body: { message: `Endpoint ${endpoint} of account ${FAKE_ACCOUNT_ID} not found.` },
      };
    case "ValidationError":
      return {
        status: 400,
        errorType: "ValidationError",
        body: {
          message:
            "1 validation error detected: Value at 'contentType' failed to satisfy constraint",
        },
      };
    case "ThrottlingException":
      return { status: 400, errorType: "ThrottlingException", body: { message: "Rate exceeded" } };
    case "ThrottlingException429":
      return { status: 429, errorType: "ThrottlingException", body: { message: "Rate exceeded" } };
    case "ModelNotReadyException":
      return {
        status: 429,
        errorType: "ModelNotReadyException",
        body: {
          Message: `Model for endpoint ${endpoint} of account ${FAKE_ACCOUNT_ID} is not ready.`,
        },
      };
    case "ServiceUnavailable":
      return {
        status: 503,
        errorType: "ServiceUnavailable",
        body: { Message: "Service is unavailable." },
      };
    case "InternalFailure":
      return {
        status: 500,
        errorType: "InternalFailure",
        body: { Message: "An internal failure occurred." },
      };
  }
}

/** The fake's predictions: `classes` labels with probabilities that sum to 1, deliberately not sorted. */
export function fakePredictions(body: Buffer, classes: number) {
  // Scores depend on the bytes, so a test can tell that the image it sent is the one scored.
  const digest = createHash("sha256").update(body).digest();
  const raw = Array.from({ length: classes }, (_, i) => 1 + digest[i % digest.length]);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((score, index) => ({
    label: `breed-${index}`,
    index,
    probability: score / total,
  }));
}

export class FakeSageMaker {
  readonly requests: RecordedRequest[] = [];
  /** Problems with requests that a real service would have refused; tests assert it stays empty. */
  readonly violations: string[] = [];
  behaviour: Behaviour = { kind: "predict" };
  /** Bytes of the last "large" answer that were written before the connection closed. */
  sentBytes = 0;
  private readonly server: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(readonly endpointName = "dogs") {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => this.answer(req, Buffer.concat(chunks), res));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(behaviour: Behaviour = { kind: "predict" }): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.behaviour = behaviour;
  }

  /** Streams a valid predictions answer of exactly `bytes` bytes, padded with spaces. */
  private sendLarge(res: http.ServerResponse, bytes: number, declareLength: boolean): void {
    res.writeHead(200, {
      "content-type": "application/json",
      ...(declareLength ? { "content-length": String(bytes) } : {}),
    });
    const head = Buffer.from(
      JSON.stringify({ predictions: [{ label: "breed-0", index: 0, probability: 1 }] }).slice(
        0,
        -1,
      ),
    );
    const tail = Buffer.from("}");
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    this.sentBytes = 0;
    const chunks = Math.ceil((bytes - head.length - tail.length) / chunk.length);
    let i = 0;
    const push = (): void => {
      if (this.sentBytes === 0) {
        this.sentBytes += head.length;
        res.write(head);
      }
      // Bounded: exactly `chunks` chunks, pausing whenever the socket is full.
      while (i < chunks) {
        const size = Math.min(chunk.length, bytes - tail.length - this.sentBytes);
        i++;
        this.sentBytes += size;
        if (!res.write(chunk.subarray(0, size))) return void res.once("drain", push);
      }
      this.sentBytes += tail.length;
      res.end(tail);
    };
    res.on("error", () => undefined);
    push();
  }

  private refuse(res: http.ServerResponse, problem: string): void {
    this.violations.push(problem);
    res.writeHead(400, {
      "content-type": "application/json",
      "x-amzn-errortype": "ValidationError",
    });
    res.end(JSON.stringify({ message: `fake service refused the request: ${problem}` }));
  }

  private answer(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
    };
    this.requests.push(recorded);
    res.setHeader("x-amzn-requestid", `fake-${this.requests.length}`);

    const expectedPath = `/endpoints/${this.endpointName}/invocations`;
    const pathMatch = /^\/endpoints\/([^/?]+)\/invocations$/.exec(recorded.path);
    if (recorded.method !== "POST" || !pathMatch)
      return this.refuse(res, `unexpected ${recorded.method} ${recorded.path}`);
    const signatureProblem = checkSignature(recorded);
    if (signatureProblem) return this.refuse(res, signatureProblem);
    const contentType = String(req.headers["content-type"] ?? "");
    if (!["image/jpeg", "image/png"].includes(contentType))
      return this.refuse(res, `content type ${contentType}`);
    if (body.length === 0) return this.refuse(res, "empty body");
    if (recorded.path !== expectedPath) {
      const answer = errorAnswer("EndpointNotFound", decodeURIComponent(pathMatch[1]));
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "x-amzn-errortype": answer.errorType,
      });
      return void res.end(JSON.stringify(answer.body));
    }

    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case "predict": {
        const predictions = fakePredictions(body, behaviour.classes ?? 10);
        res.writeHead(200, {
          "content-type": "application/json",
          "x-amzn-invoked-production-variant": "AllTraffic",
        });
        return void res.end(JSON.stringify({ predictions }));
      }
      case "error": {
        const answer = errorAnswer(behaviour.type, this.endpointName);
        res.writeHead(answer.status, {
          "content-type": "application/json",
          "x-amzn-errortype": answer.errorType,
        });
        return void res.end(JSON.stringify(answer.body));
      }
      case "raw":
        res.writeHead(behaviour.status, {
          "content-type": behaviour.contentType,
          ...behaviour.headers,
        });
        return void res.end(behaviour.body);
      case "truncate":
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(behaviour.declared),
        });
        res.write(Buffer.alloc(behaviour.sent, 0x20), () => res.socket?.destroy());
        return;
      case "large":
        return this.sendLarge(res, behaviour.bytes, behaviour.declareLength);
      case "hang":
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
    }
  }
}
