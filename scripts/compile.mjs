// Transpiles the TypeScript that runs outside Lambda (infra/, tools/, policies/, cost/) to dist/, one
// file per source file, with no type-checking: `npm run typecheck` does that once, and the offline
// check and its benchmark start from plain JavaScript. esbuild is loaded only when something is
// to be transpiled: when dist/ is up to date, the check starts without it.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { requiredMajor } from "./node-version.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["shared", "infra", "tools", "policies", "cost"];

/** The TypeScript sources under `dir`, and (into `json`) its JSON files. */
function sources(dir, json = []) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") out.push(...sources(p, json));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      out.push(p);
    } else if (entry.name.endsWith(".json")) {
      json.push(p);
    }
  }
  return out;
}

function outputOf(base, source) {
  return path.join(base, "dist", path.relative(base, source)).replace(/\.ts$/, ".js");
}

/** True when every source has an output at least as new as itself. */
function upToDate(base, entryPoints) {
  return entryPoints.every((src) => {
    try {
      return fs.statSync(outputOf(base, src)).mtimeMs >= fs.statSync(src).mtimeMs;
    } catch {
      return false;
    }
  });
}

/**
 * Copies the JSON files the sources import by relative path into dist/ at the same place relative
 * to their importers: transpiling one file at a time leaves each `require("./x.json")` as it is.
 */
function copyImportedJson(base, entryPoints) {
  const files = new Set();
  for (const src of entryPoints) {
    for (const m of fs.readFileSync(src, "utf8").matchAll(/from "(\.{1,2}\/[^"]+\.json)"/g)) {
      files.add(path.resolve(path.dirname(src), m[1]));
    }
  }
  for (const json of files) {
    const dest = path.join(base, "dist", path.relative(base, json));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(json, dest);
  }
}

/**
 * True when every JSON file that was copied into dist/ is as new as its source. Which JSON files
 * are imported is read from the sources only when something is to be transpiled: an import that
 * is new comes with a changed source.
 */
function copiesCurrent(base, json) {
  return json.every((src) => {
    const copy = fs.statSync(outputOf(base, src), { throwIfNoEntry: false });
    return !copy || copy.mtimeMs >= fs.statSync(src).mtimeMs;
  });
}

/**
 * Transpiles what changed (everything, when anything did: esbuild takes milliseconds for it).
 * `base`: the project root (this checkout's by default). Resolves true when it transpiled.
 */
export async function compile({ force = false, base = root } = {}) {
  const json = [];
  const entryPoints = SOURCE_DIRS.map((d) => path.join(base, d))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => sources(d, json));
  if (!force && upToDate(base, entryPoints) && copiesCurrent(base, json)) return false;
  copyImportedJson(base, entryPoints);
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints,
    outdir: path.join(base, "dist"),
    outbase: base,
    format: "cjs",
    platform: "node",
    // The oldest Node.js package.json's engines accepts.
    target: `node${requiredMajor()}`,
    sourcemap: "linked",
    logLevel: "warning",
  });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await compile({ force: true });
}
