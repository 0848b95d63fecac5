// The protobuf classes generated for the analyzer protocol, as @pulumi/pulumi ships them, and the
// google-protobuf runtime they were built with (a dependency of @pulumi/pulumi, resolved from it).
import * as path from "path";

/* eslint-disable @typescript-eslint/no-require-imports */
export const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
export const structProto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
);
export const emptyProto = require(
  require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] }),
);
/* eslint-enable @typescript-eslint/no-require-imports */
