// The Lambda handler bundle: how handler/ is bundled with esbuild (the one definition that
// scripts/build.mjs and the program share), and the program's guarantee that what it deploys was
// built from the sources beside it. The bundle records a digest of everything it is made of; the
// program rebuilds it when that digest differs from the sources', so a fresh clone or an edited
// handler never deploys old code.
import * as path from "path";
import type { BuildOptions } from "esbuild";
import { LAMBDA_RUNTIMES } from "../shared/aws-limits";
import {
  type BundleResult,
  type BundleSpec,
  bundleSourceDigest,
  ensureBundle,
} from "./esbuild-bundle";

export type { BundleResult } from "./esbuild-bundle";

/** Where the bundle goes under the project root; the program deploys this folder. */
export const BUNDLE_DIR = path.join("dist", "handler");
/** The digest of the sources the bundle in BUNDLE_DIR was built from, beside (not inside) it. */
export const BUNDLE_DIGEST_FILE = path.join("dist", "handler.sources.sha256");

/**
 * esbuild options for the handler. The AWS SDK is bundled rather than taken from the runtime: the
 * version is then the one the tests ran against, and one minified file loads faster at cold start
 * than the runtime's node_modules.
 */
export function handlerBuildOptions(root: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: { index: "handler/index.ts" },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: true,
    // Source maps point at paths relative to the bundle; keep the sources out of the archive.
    sourcesContent: false,
    platform: "node",
    // The oldest Node.js runtime the function may be deployed on; newer ones run it unchanged.
    target: `node${Math.min(...LAMBDA_RUNTIMES.map((r) => parseInt(r.replace(/^nodejs/, ""), 10)))}`,
    format: "cjs",
    // Prefer the packages' CommonJS builds where both exist: fewer interop shims at load time.
    mainFields: ["module", "main"],
    // Lambda supplies credentials in the environment: swap the SDK's full Node chain for the short
    // one in handler/lambda-credentials.ts (see there).
    alias: { "@aws-sdk/credential-provider-node": "./handler/lambda-credentials.ts" },
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  };
}

/** The handler's bundle: handler/ and the shared facts it imports. */
export const HANDLER_BUNDLE: BundleSpec = {
  label: "the Lambda handler",
  bundleDir: BUNDLE_DIR,
  digestFile: BUNDLE_DIGEST_FILE,
  entry: path.join("handler", "index.ts"),
  sourceDirs: ["handler", "shared"],
  isSource: (file) => file.endsWith(".ts"),
  options: handlerBuildOptions,
};

/** Digest of what the handler bundle is made of (see `bundleSourceDigest`). */
export function handlerSourceDigest(root: string): string {
  return bundleSourceDigest(root, HANDLER_BUNDLE);
}

/**
 * Builds dist/handler from handler/ (always with `force`, otherwise only when the recorded digest
 * differs from the sources').
 */
export function bundleHandler(root: string, opts: { force?: boolean } = {}): BundleResult {
  return ensureBundle(root, HANDLER_BUNDLE, opts);
}
