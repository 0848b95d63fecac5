// The one SageMaker Runtime client a container uses. Region, credentials and endpoint come from
// the standard SDK settings (AWS_REGION, the Lambda role's credentials,
// AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME), so nothing here is specific to an account.
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import {
  SageMakerRuntimeClient,
  type SageMakerRuntimeClientConfig,
} from "@aws-sdk/client-sagemaker-runtime";
import { INVOKE_ENDPOINT_MAX_BYTES } from "../shared/aws-limits";

/**
 * Largest endpoint answer the function reads. InvokeEndpoint's response body has the same 6 MB
 * limit as its request body (the `Body` of both is at most 6,291,456 bytes); a bigger one is not
 * an answer the service would pass on, and reading it whole would cost several times its size in
 * memory.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_ResponseElements
 */
export const MAX_ANSWER_BYTES = INVOKE_ENDPOINT_MAX_BYTES;

/** The endpoint's answer is larger than the function reads. */
export class AnswerTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the endpoint's answer is larger than ${maxBytes} bytes`);
    this.name = "AnswerTooLargeError";
  }
}

/** The connection closed before the endpoint's answer was complete. */
export class AnswerIncompleteError extends Error {
  constructor(readonly receivedBytes: number) {
    super(`the connection closed after ${receivedBytes} bytes of the endpoint's answer`);
    this.name = "AnswerIncompleteError";
  }
}

/**
 * The SDK's body reader, with a byte cap enforced while reading: a declared Content-Length above
 * the cap is refused before the first byte, and a body that grows past it is dropped (with its
 * connection) as soon as it does, so memory never holds more than `maxBytes` of it.
 */
export function cappedBodyReader(maxBytes: number): (stream: unknown) => Promise<Uint8Array> {
  return (stream) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const body = stream as Readable & { headers?: IncomingHttpHeaders; complete?: boolean };
      if (typeof body?.on !== "function" || typeof body.destroy !== "function") {
        reject(new TypeError("the SDK handed over a body that is not a Node.js stream"));
        return;
      }
      const declared = Number(body.headers?.["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        body.destroy();
        reject(new AnswerTooLargeError(maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        body.destroy();
        reject(error);
      };
      body.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) return fail(new AnswerTooLargeError(maxBytes));
        chunks.push(chunk);
      });
      body.on("end", () => {
        if (settled) return;
        settled = true;
        resolve(new Uint8Array(Buffer.concat(chunks, total)));
      });
      body.on("error", (error: Error) => fail(error));
      // A connection closed mid-body may end the stream without "end" or "error".
      body.on("close", () => fail(new AnswerIncompleteError(total)));
    });
}

/** Connection settings shared by the production client and the benchmark's baselines. */
export function clientConfig(maxAttempts: number): SageMakerRuntimeClientConfig {
  // Keep-alive spares a TLS handshake per invocation on a warm container; the socket pool is
  // bounded because one Lambda container serves one request at a time.
  const agent = { keepAlive: true, maxSockets: 8 };
  return {
    maxAttempts,
    requestHandler: {
      connectionTimeout: 3_000,
      httpsAgent: agent,
      httpAgent: agent,
    },
  };
}

/** Builds the client; `maxAttempts` bounds the SDK's retries of throttling and 5xx answers. */
export function createSageMakerClient(
  maxAttempts: number,
  maxAnswerBytes = MAX_ANSWER_BYTES,
): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({
    ...clientConfig(maxAttempts),
    streamCollector: cappedBodyReader(maxAnswerBytes),
  });
}
