// Bundles the Lambda handler into dist/handler, the folder the Pulumi program deploys as a
// FileArchive with handler `index.handler` on arm64. The esbuild options and the source digest
// live in infra/handler-bundle.ts, which the program also uses to rebuild a stale bundle itself.
import { createRequire } from "node:module";
import { stat } from "node:fs/promises";
import path from "node:path";
import { compile, root } from "./compile.mjs";

await compile();
const require = createRequire(import.meta.url);
const { bundleHandler } = require(path.join(root, "dist", "infra", "handler-bundle.js"));
const { bundleDir, result } = bundleHandler(root, { force: true });

const bundle = path.join(bundleDir, "index.js");
const { size } = await stat(bundle);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `built ${path.relative(root, bundle)}: ${(size / 1024).toFixed(1)} KiB from ${inputs} modules`,
);
