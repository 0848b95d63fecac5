// The Lambda handler bundle: how handler/ is bundled with esbuild (the one definition that
// scripts/build.mjs and the program share), and the program's guarantee that what it deploys was
// built from the sources beside it. The bundle records a digest of everything it is made of; the
// program rebuilds it when that digest differs from the sources', so a fresh clone or an edited
// handler never deploys old code.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { BuildOptions, BuildResult } from "esbuild";

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
  };
}

function handlerSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...handlerSources(p));
    else if (entry.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/**
 * Digest of what the bundle is made of: every source under handler/ and shared/, the TypeScript
 * settings, the locked dependency versions (the bundled SDK), the build options and the esbuild
 * version.
 */
export function handlerSourceDigest(root: string): string {
  const handlerDir = path.join(root, "handler");
  if (!fs.existsSync(path.join(handlerDir, "index.ts"))) {
    throw new Error(`The Lambda handler sources are missing: no ${handlerDir}/index.ts.`);
  }
  const hash = createHash("sha256");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
  hash.update(JSON.stringify({ esbuild: esbuildVersion, options: handlerBuildOptions(".", ".") }));
  // tsconfig.json sets what esbuild emits (strict mode, for one); the lock file pins the SDK;
  // shared/ holds the facts the handler imports from the rest of the project.
  const files = [
    ...handlerSources(handlerDir),
    ...handlerSources(path.join(root, "shared")),
    path.join(root, "tsconfig.json"),
    path.join(root, "package-lock.json"),
  ];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    hash.update(`\0${path.relative(root, file)}\0`);
    hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex");
}

/** What `bundleHandler` did. */
export interface BundleResult {
  bundleDir: string;
  digest: string;
  /** False when the bundle on disk was already built from these sources. */
  built: boolean;
  result?: BuildResult;
}

/**
 * Builds dist/handler from handler/ (always with `force`, otherwise only when the recorded digest
 * differs from the sources'). Files are written under a temporary folder and moved in, and the
 * digest is written last, so a build cut short is rebuilt next time.
 */
export function bundleHandler(root: string, opts: { force?: boolean } = {}): BundleResult {
  const bundleDir = path.join(root, BUNDLE_DIR);
  const digestFile = path.join(root, BUNDLE_DIGEST_FILE);
  const digest = handlerSourceDigest(root);
  const recorded = fs.existsSync(digestFile) ? fs.readFileSync(digestFile, "utf8").trim() : "";
  if (!opts.force && recorded === digest && fs.existsSync(path.join(bundleDir, "index.js"))) {
    return { bundleDir, digest, built: false };
  }

  // Loaded only when a build is needed: a program run with a current bundle does not load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  fs.mkdirSync(path.dirname(bundleDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(bundleDir), ".handler-"));
  try {
    const result = esbuild.buildSync(handlerBuildOptions(root, staging));
    // mkdtemp makes the folder private; the bundle's folder is an ordinary one.
    fs.chmodSync(staging, 0o755);
    fs.rmSync(digestFile, { force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, bundleDir);
    } catch (e) {
      // Another process moved its build of the same sources in first.
      const now = fs.existsSync(digestFile) ? fs.readFileSync(digestFile, "utf8").trim() : "";
      if (now === digest) return { bundleDir, digest, built: false };
      throw e;
    }
    fs.writeFileSync(digestFile, `${digest}\n`);
    return { bundleDir, digest, built: true, result };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
