// An esbuild bundle that is always built from the sources beside it: the bundle records a digest
// of everything it is made of (sources, TypeScript settings, locked dependency versions, build
// options, esbuild's version), and is rebuilt whenever that digest differs from the sources'.
// The Lambda handler (infra/handler-bundle.ts) and the policy pack (policies/bundle.ts) are both
// built this way, by the program, `npm run build` and the offline check alike.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { BuildOptions, BuildResult } from "esbuild";

/** One bundle: where it goes, what it is made of and how esbuild builds it. */
export interface BundleSpec {
  /** What the bundle is, for messages (`the Lambda handler`). */
  label: string;
  /** The folder the bundle is written to, relative to the project root. */
  bundleDir: string;
  /** The file that records the digest of the sources the bundle was built from. */
  digestFile: string;
  /** The bundle's entry source, relative to the root; it must exist for a build. */
  entry: string;
  /** Folders (relative to the root) whose files the digest covers, and which of their files count. */
  sourceDirs: string[];
  isSource(file: string): boolean;
  /** Data files (relative to the root) copied next to the bundle, read by it at run time. */
  copy?: string[];
  /** esbuild options writing to `outdir`, with paths relative to `root`. */
  options(root: string, outdir: string): BuildOptions;
}

/** The files under `dir` that `isSource` accepts, sorted; `bin/` and `node_modules/` skipped. */
export function sourceFiles(dir: string, isSource: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "bin" && !entry.name.startsWith(".")) {
        out.push(...sourceFiles(p, isSource));
      }
    } else if (isSource(entry.name)) out.push(p);
  }
  return out.sort();
}

/** The files a bundle's digest covers, in order (missing ones included; they are skipped). */
function digestFiles(root: string, spec: BundleSpec): string[] {
  return [
    ...spec.sourceDirs.flatMap((d) => sourceFiles(path.join(root, d), spec.isSource)),
    ...(spec.copy ?? []).map((f) => path.join(root, f)),
    path.join(root, "tsconfig.json"),
    path.join(root, "package-lock.json"),
  ];
}

function buildSettings(spec: BundleSpec): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
  return JSON.stringify({ esbuild: esbuildVersion, options: spec.options(".", ".") });
}

/**
 * What the files look like from outside (name, size, modification time) with the build settings:
 * while it is the one recorded with the digest, no file was touched since the digest was taken,
 * and the digest is not computed again (the files include 3 MB of AWS policy data).
 */
function statStamp(root: string, settings: string, files: string[]): string {
  const hash = createHash("sha256").update(settings);
  for (const file of files) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st) hash.update(`\0${path.relative(root, file)}\0${st.size}\0${st.mtimeMs}`);
  }
  return hash.digest("hex");
}

function contentDigest(root: string, settings: string, files: string[]): string {
  const hash = createHash("sha256").update(settings);
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    hash.update(`\0${path.relative(root, file)}\0`);
    hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex");
}

/** The digest file's two lines: the digest, then the stamp of the files it was taken from. */
function readRecord(root: string, spec: BundleSpec): { digest: string; stamp: string } {
  const file = path.join(root, spec.digestFile);
  const [digest = "", stamp = ""] = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n")
    : [];
  return { digest: digest.trim(), stamp: stamp.trim() };
}

/**
 * The sources' digest and the stamp of the files it was taken from (the stamp first, see
 * `statStamp`), with what the digest file records.
 */
function digestWithStamp(
  root: string,
  spec: BundleSpec,
): { digest: string; stamp: string; recorded: { digest: string; stamp: string } } {
  const entry = path.join(root, spec.entry);
  if (!fs.existsSync(entry)) {
    throw new Error(`The sources of ${spec.label} are missing: no ${entry}.`);
  }
  const files = digestFiles(root, spec);
  const settings = buildSettings(spec);
  const stamp = statStamp(root, settings, files);
  const recorded = readRecord(root, spec);
  const digest =
    recorded.digest && recorded.stamp === stamp
      ? recorded.digest
      : contentDigest(root, settings, files);
  return { digest, stamp, recorded };
}

/**
 * Digest of what a bundle is made of: every source in the spec's folders, the files it copies,
 * tsconfig.json (it sets what esbuild emits, strict mode for one), the lock file (the bundled
 * dependencies' versions), the build options and the esbuild version.
 */
export function bundleSourceDigest(root: string, spec: BundleSpec): string {
  return digestWithStamp(root, spec).digest;
}

/** The digest recorded by the last complete build, or "" when there is none. */
export function recordedDigest(root: string, spec: BundleSpec): string {
  return readRecord(root, spec).digest;
}

/** What `ensureBundle` did. */
export interface BundleResult {
  bundleDir: string;
  digest: string;
  /** False when the bundle on disk was already built from these sources. */
  built: boolean;
  result?: BuildResult;
}

/**
 * Builds the bundle (always with `force`, otherwise only when the recorded digest differs from the
 * sources'). Files are written under a temporary folder and moved in, and the digest is written
 * last, so a build cut short is rebuilt next time.
 */
export function ensureBundle(
  root: string,
  spec: BundleSpec,
  opts: { force?: boolean } = {},
): BundleResult {
  const bundleDir = path.join(root, spec.bundleDir);
  const digestFile = path.join(root, spec.digestFile);
  const { digest, stamp, recorded } = digestWithStamp(root, spec);
  if (
    !opts.force &&
    recorded.digest === digest &&
    fs.existsSync(path.join(bundleDir, "index.js"))
  ) {
    // The same sources with new times (a checkout): record the new stamp for the next check.
    if (recorded.stamp !== stamp) fs.writeFileSync(digestFile, `${digest}\n${stamp}\n`);
    return { bundleDir, digest, built: false };
  }

  // Loaded only when a build is needed: a run with a current bundle does not load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  fs.mkdirSync(path.dirname(bundleDir), { recursive: true });
  const staging = fs.mkdtempSync(
    path.join(path.dirname(bundleDir), `.${path.basename(bundleDir)}-`),
  );
  try {
    const result = esbuild.buildSync(spec.options(root, staging));
    for (const f of spec.copy ?? []) {
      fs.copyFileSync(path.join(root, f), path.join(staging, path.basename(f)));
    }
    // mkdtemp makes the folder private; the bundle's folder is an ordinary one.
    fs.chmodSync(staging, 0o755);
    fs.rmSync(digestFile, { force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, bundleDir);
    } catch (e) {
      // Another process moved its build of the same sources in first.
      if (recordedDigest(root, spec) === digest) return { bundleDir, digest, built: false };
      throw e;
    }
    fs.writeFileSync(digestFile, `${digest}\n${stamp}\n`);
    return { bundleDir, digest, built: true, result };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
