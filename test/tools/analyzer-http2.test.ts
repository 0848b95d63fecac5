// The analyzer client's transport: unary gRPC calls over HTTP/2, against a loopback server that
// answers as gRPC servers do (a length-prefixed message, the status in trailers or headers).
import * as assert from "assert";
import * as http2 from "http2";
import type { AddressInfo } from "net";
import { GrpcStatusError, unaryClient } from "../../tools/analyzer-http2";

/** A frame: the compressed flag, the length, the message. */
function frame(message: Buffer, compressed = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

type Handler = (stream: http2.ServerHttp2Stream, body: Buffer, path: string) => void;

async function serve(handler: Handler): Promise<{ address: string; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => handler(stream, Buffer.concat(chunks), String(headers[":path"])));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ok: Handler = (stream, body) => {
  // Echoes the message back, reversed, with status 0 in the trailers.
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(frame(Buffer.from(body.subarray(5)).reverse()));
};

describe("unary gRPC over HTTP/2", () => {
  it("sends one framed message to the method's path and reads the answer", async () => {
    const seen: string[] = [];
    const server = await serve((stream, body, path) => {
      seen.push(path, String(body.readUInt32BE(1)));
      ok(stream, body, path);
    });
    const client = unaryClient(server.address, 1024);
    try {
      const answers = await Promise.all(
        ["abc", "defg"].map((m) => client.call("/pkg.Svc/Method", Buffer.from(m))),
      );
      assert.deepStrictEqual(answers.map(String), ["cba", "gfed"]);
      assert.deepStrictEqual(seen, ["/pkg.Svc/Method", "3", "/pkg.Svc/Method", "4"]);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("rejects with the status and message of a failed call, in trailers or in headers alone", async () => {
    const server = await serve((stream, _body, path) => {
      if (path.endsWith("Trailers")) {
        stream.respond({ ":status": 200 }, { waitForTrailers: true });
        stream.on("wantTrailers", () =>
          stream.sendTrailers({ "grpc-status": "13", "grpc-message": "policy%20threw" }),
        );
        stream.end();
      } else {
        stream.respond(
          { ":status": 200, "grpc-status": "12", "grpc-message": "no method" },
          {
            endStream: true,
          },
        );
      }
    });
    const client = unaryClient(server.address, 1024);
    try {
      await assert.rejects(client.call("/pkg.Svc/Trailers", Buffer.alloc(0)), (e: unknown) => {
        assert.ok(e instanceof GrpcStatusError);
        assert.strictEqual(e.code, 13);
        assert.strictEqual(e.details, "policy threw");
        return true;
      });
      await assert.rejects(
        client.call("/pkg.Svc/Headers", Buffer.alloc(0)),
        /status 12: no method/,
      );
    } finally {
      client.close();
      await server.close();
    }
  });

  it("refuses an answer over the size bound, a compressed or cut message, and no status", async () => {
    const server = await serve((stream, _body, path) => {
      const body = {
        "/big": frame(Buffer.alloc(2048)),
        "/compressed": frame(Buffer.from("x"), 1),
        "/cut": frame(Buffer.from("abcdef")).subarray(0, 8),
        "/silent": frame(Buffer.from("x")),
      }[path]!;
      stream.respond({ ":status": 200 }, { waitForTrailers: path !== "/silent" });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(body);
    });
    const client = unaryClient(server.address, 1024);
    try {
      await assert.rejects(client.call("/big", Buffer.alloc(0)), /an answer over 1024 bytes/);
      await assert.rejects(client.call("/compressed", Buffer.alloc(0)), /not one uncompressed/);
      await assert.rejects(client.call("/cut", Buffer.alloc(0)), /not one uncompressed/);
      await assert.rejects(client.call("/silent", Buffer.alloc(0)), /closed without a status/);
      // The session still serves calls after refused answers.
      await assert.rejects(client.call("/big", Buffer.alloc(0)), /over 1024/);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("rejects when nothing listens", async () => {
    const server = await serve(ok);
    const { address } = server;
    await server.close();
    const client = unaryClient(address, 1024);
    try {
      await assert.rejects(client.call("/pkg.Svc/Method", Buffer.from("x")), /ECONNREFUSED/);
    } finally {
      client.close();
    }
  });
});
