// Shared pieces of the handler tests: sample images, Lambda events and contexts, a recording
// log, and the environment that points the real SDK at the local fake service.
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { HandlerDeps, HandlerResponse, InvocationContext, Log } from "../../handler/app";
import { createSageMakerClient } from "../../handler/client";
import type { HandlerConfig } from "../../handler/config";
import { type FetchGuard, defaultGuard } from "../../handler/fetch-image";
import { selfSignedCertificate } from "../self-signed-certificate";
import { TEST_CREDENTIALS } from "./fake-sagemaker";

/** A JPEG-shaped byte string: SOI and APP0/JFIF header, some payload, EOI. */
export function jpegBytes(size = 2048, seed = 1): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  const body = Buffer.alloc(Math.max(0, size - head.length - 2));
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + seed * 17) & 0xff;
  return Buffer.concat([head, body, Buffer.from([0xff, 0xd9])]);
}

/** A PNG-shaped byte string: the signature, then an IHDR-like payload. */
export function pngBytes(size = 1024): Buffer {
  const head = Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
  ]);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 7)]);
}

/** A Lambda function URL event (payload format 2.0). */
export function httpEvent(options: {
  method?: string;
  contentType?: string;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
}): Record<string, unknown> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.contentType !== undefined) headers["content-type"] = options.contentType;
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: "",
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefghij",
      domainName: "abcdefghij.lambda-url.us-east-1.on.aws",
      http: {
        method: options.method ?? "POST",
        path: "/",
        protocol: "HTTP/1.1",
        sourceIp: "198.51.100.7",
        userAgent: "test",
      },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: "21/Nov/2026:00:00:00 +0000",
      timeEpoch: 0,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A function URL event carrying image bytes, base64-encoded as Lambda delivers them. */
export function imageEvent(bytes: Buffer, contentType = "image/jpeg"): Record<string, unknown> {
  return httpEvent({ contentType, body: bytes.toString("base64"), isBase64Encoded: true });
}

export function lambdaContext(
  remainingMs = 30_000,
  requestId = "test-request-id",
): InvocationContext {
  return { awsRequestId: requestId, getRemainingTimeInMillis: () => remainingMs };
}

export interface LogEntry {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  info(message: string, attributes: Record<string, unknown>) {
    this.entries.push({ level: "info", message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown>) {
    this.entries.push({ level: "warn", message, attributes });
  }
  error(message: string, attributes: Record<string, unknown>) {
    this.entries.push({ level: "error", message, attributes });
  }
}

/** Points the SDK's standard settings at the fake service, with dummy credentials. */
export function useFakeServiceEnvironment(endpointUrl: string): () => void {
  const keys = {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpointUrl,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: TEST_CREDENTIALS.region,
    // Keep the SDK away from any shared config or instance metadata on the test machine.
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  } as const;
  const saved = Object.fromEntries(Object.keys(keys).map((k) => [k, process.env[k]]));
  Object.assign(process.env, keys);
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

export const TEST_CONFIG: HandlerConfig = Object.freeze({
  endpointName: "dogs",
  topK: 5,
  maxImageBytes: 6_291_456,
  fetchTimeoutMs: 5_000,
  fetchMaxRedirects: 3,
  invokeMaxAttempts: 1,
  deadlineMarginMs: 200,
});

/** A resolver for tests that must never touch real DNS: it knows only the names it is given. */
export function tableResolver(
  table: Record<string, string[]>,
  calls: string[] = [],
): FetchGuard["resolve"] {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname.replace(/\.$/, "")];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map(
      (address) => ({ address, family: address.includes(":") ? 6 : 4 }) as const,
    );
  };
}

export function makeDeps(
  overrides: Partial<Omit<HandlerDeps, "config">> & { config?: Partial<HandlerConfig> } = {},
): HandlerDeps & { log: RecordingLog } {
  const config = { ...TEST_CONFIG, ...overrides.config };
  return {
    client: overrides.client ?? createSageMakerClient(config.invokeMaxAttempts),
    config,
    guard: overrides.guard ?? {
      ...defaultGuard({
        maxBytes: config.maxImageBytes,
        timeoutMs: config.fetchTimeoutMs,
        maxRedirects: config.fetchMaxRedirects,
      }),
      resolve: tableResolver({}),
    },
    log: overrides.log instanceof RecordingLog ? overrides.log : new RecordingLog(),
  };
}

export function parseBody(response: HandlerResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** A self-signed certificate for `images.test` and 127.0.0.1, made with openssl for this run. */
export function makeTestCertificate(): { key: string; cert: string } {
  return selfSignedCertificate({
    commonName: "images.test",
    extensions: [
      "subjectAltName = DNS:images.test,DNS:redirector.test,IP:127.0.0.1",
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = digitalSignature,keyCertSign",
      "extendedKeyUsage = serverAuth",
    ],
    days: 2,
  });
}

/** Routes of the local image server. */
export type ImageAnswer =
  | { status: number; headers?: Record<string, string>; body?: Buffer }
  | { stream: { chunk: Buffer; count: number } }
  | { truncate: { declared: number; sent: Buffer } }
  | "hang";
export type ImageRoute = (req: { path: string; host: string }) => ImageAnswer;

/** A local HTTPS server that serves images and records every connection and request. */
export class ImageServer {
  readonly requests: { path: string; host: string; servername: string | false }[] = [];
  connections = 0;
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    tls: { key: string; cert: string },
    private readonly route: ImageRoute,
  ) {
    this.server = https.createServer(tls, (req, res) => {
      const tlsSocket = req.socket as unknown as { servername?: string | false };
      const entry = {
        path: req.url ?? "",
        host: req.headers.host ?? "",
        servername: tlsSocket.servername ?? false,
      };
      this.requests.push(entry);
      const answer = this.route(entry);
      if (answer === "hang") return;
      if ("truncate" in answer) {
        res.writeHead(200, { "content-length": String(answer.truncate.declared) });
        res.write(answer.truncate.sent, () => res.socket?.destroy());
        return;
      }
      if ("stream" in answer) {
        res.writeHead(200, { "content-type": "image/jpeg" });
        let sent = 0;
        const push = () => {
          while (sent < answer.stream.count) {
            sent++;
            if (!res.write(answer.stream.chunk)) return void res.once("drain", push);
          }
          res.end();
        };
        res.on("error", () => undefined);
        return push();
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
    this.server.on("connection", (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  reset(): void {
    this.requests.length = 0;
    this.connections = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
