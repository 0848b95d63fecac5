// The Pulumi SDK's gRPC runtime and protobuf Struct codec, loaded from the SDK's own dependencies:
// a message built with another copy of google-protobuf would not serialize with its services.
import * as path from "path";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdkProto = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "proto");
const fromSdk = (m: string) => require(require.resolve(m, { paths: [sdkProto] }));
export const grpc = fromSdk("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const structPb = fromSdk("google-protobuf/google/protobuf/struct_pb.js");
/* eslint-enable @typescript-eslint/no-require-imports */

/** A plain object as a google.protobuf.Struct. */
export function struct(v: Record<string, unknown>): unknown {
  return structPb.Struct.fromJavaScript(v);
}

/** A google.protobuf.Struct (or nothing) as a plain object. */
export function toJs(s: unknown): Record<string, unknown> {
  return s ? ((s as { toJavaScript(): Record<string, unknown> }).toJavaScript() ?? {}) : {};
}
