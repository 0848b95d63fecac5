// Unary gRPC calls over one HTTP/2 session (node:http2), the analyzer client's transport:
// length-prefixed messages (gRPC over HTTP/2,
// https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md), no compression, the status in
// the trailers (or in the headers of a trailers-only answer). Not @grpc/grpc-js: its call stack
// (interceptors, resolving, retrying and load-balancing calls) cost the client 1.3-1.7 s of CPU
// for the 3,000 Analyze calls of `bench:check` against 0.8-0.9 s here, on 2 cores shared with the
// pack; the Analyze rate rose from 1,400-1,600 to 1,700-2,000 resources/s. The pack's server
// stays the one @pulumi/policy serves with grpc-js.
import * as http2 from "http2";

export class GrpcStatusError extends Error {
  constructor(
    readonly path: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`${path}: gRPC status ${code}${details ? `: ${details}` : ""}`);
    this.name = "GrpcStatusError";
  }
}

export interface UnaryClient {
  call(path: string, message: Uint8Array): Promise<Buffer>;
  /** Ends the session once its calls are answered. */
  close(): void;
  /** Ends the session now, failing the calls under way. */
  destroy(): void;
}

/** A client for `host:port`; `maxMessageBytes` bounds an answer. */
export function unaryClient(address: string, maxMessageBytes: number): UnaryClient {
  let session: http2.ClientHttp2Session | undefined;
  const connect = () => {
    if (!session || session.closed || session.destroyed) {
      const s = http2.connect(`http://${address}`);
      // A session error also fails each of its streams, where it is reported.
      s.on("error", () => undefined);
      session = s;
    }
    return session;
  };
  return {
    call: (path, message) =>
      new Promise<Buffer>((resolve, reject) => {
        const stream = connect().request({
          ":method": "POST",
          ":path": path,
          "content-type": "application/grpc",
          te: "trailers",
        });
        const chunks: Buffer[] = [];
        let size = 0;
        let status: number | undefined;
        let details = "";
        const readStatus = (h: http2.IncomingHttpHeaders) => {
          if (h["grpc-status"] === undefined) return;
          status = Number(h["grpc-status"]);
          details = decodeURIComponent(String(h["grpc-message"] ?? ""));
        };
        stream.on("response", readStatus);
        stream.on("trailers", readStatus);
        stream.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxMessageBytes + 5) {
            stream.close(http2.constants.NGHTTP2_CANCEL);
            reject(new Error(`${path}: an answer over ${maxMessageBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        stream.on("error", reject);
        stream.on("close", () => {
          if (status !== 0) {
            reject(
              new GrpcStatusError(
                path,
                status ?? 2,
                status === undefined ? "closed without a status" : details,
              ),
            );
            return;
          }
          const body = Buffer.concat(chunks, size);
          if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) {
            reject(new Error(`${path}: not one uncompressed gRPC message (${body.length} bytes)`));
            return;
          }
          resolve(body.subarray(5));
        });
        const prefix = Buffer.allocUnsafe(5);
        prefix[0] = 0;
        prefix.writeUInt32BE(message.length, 1);
        stream.write(prefix);
        stream.end(message);
      }),
    close: () => session?.close(),
    destroy: () => session?.destroy(),
  };
}
