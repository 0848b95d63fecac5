// Bundles what runs as one file: the Lambda handler into dist/handler, the folder the Pulumi
// program deploys as a FileArchive with handler `index.handler` on arm64, and the policy pack into
// policies/bin, the file its package.json names. The esbuild options and the source digests live
// in infra/handler-bundle.ts and policies/bundle.ts, which the program and the offline check also
// use to rebuild a stale bundle themselves.
import { createRequire } from "node:module";
import { stat } from "node:fs/promises";
import path from "node:path";
import { compile, root } from "./compile.mjs";

await compile();
const require = createRequire(import.meta.url);
const { bundleHandler } = require(path.join(root, "dist", "infra", "handler-bundle.js"));
const { bundlePack } = require(path.join(root, "dist", "policies", "bundle.js"));

for (const { bundleDir, result } of [
  bundleHandler(root, { force: true }),
  bundlePack(root, { force: true }),
]) {
  // Each output file (the pack has two: its own and the IAM simulator's), with its own inputs.
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith(".js")) continue;
    const bundle = path.join(bundleDir, path.basename(file));
    const { size } = await stat(bundle);
    const inputs = Object.keys(output.inputs).length;
    console.log(
      `built ${path.relative(root, bundle)}: ${(size / 1024).toFixed(1)} KiB from ${inputs} modules`,
    );
  }
}
