// Bundles the Lambda handler into dist/handler, the folder the Pulumi program deploys as a
// FileArchive with handler `index.handler` on arm64.
//
// The AWS SDK is bundled rather than taken from the runtime: the version is then the one the tests
// ran against, and one minified file loads faster at cold start than the runtime's node_modules.
import { build } from "esbuild";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "handler");

await rm(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { index: "handler/index.ts" },
  outdir,
  bundle: true,
  minify: true,
  sourcemap: true,
  // Source maps point at paths relative to the bundle; keep the sources out of the archive.
  sourcesContent: false,
  platform: "node",
  // Lambda's nodejs20.x runtime; newer runtimes run this output unchanged.
  target: "node20",
  format: "cjs",
  // Prefer the packages' CommonJS builds where both exist: fewer interop shims at load time.
  mainFields: ["module", "main"],
  // Lambda supplies credentials in the environment: swap the SDK's full Node chain for the short
  // one in handler/lambda-credentials.ts (see there).
  alias: { "@aws-sdk/credential-provider-node": "./handler/lambda-credentials.ts" },
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const bundle = path.join(outdir, "index.js");
const { size } = await stat(bundle);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `built ${path.relative(root, bundle)}: ${(size / 1024).toFixed(1)} KiB from ${inputs} modules`,
);
