// Transpiles the TypeScript that runs outside Lambda (infra/, tools/, policies/, cost/) to dist/, one
// file per source file, with no type-checking: `npm run typecheck` does that once, and the offline
// check and its benchmark start from plain JavaScript. esbuild is loaded only when something is
// to be transpiled: when dist/ is up to date, the check starts without it.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["shared", "infra", "tools", "policies", "cost"];

function sources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") out.push(...sources(p));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      out.push(p);
    }
  }
  return out;
}

function outputOf(source) {
  return path.join(root, "dist", path.relative(root, source)).replace(/\.ts$/, ".js");
}

/** True when every source has an output at least as new as itself. */
function upToDate(entryPoints) {
  return entryPoints.every((src) => {
    try {
      return fs.statSync(outputOf(src)).mtimeMs >= fs.statSync(src).mtimeMs;
    } catch {
      return false;
    }
  });
}

/**
 * Copies the JSON files the sources import by relative path into dist/ at the same place relative
 * to their importers: transpiling one file at a time leaves each `require("./x.json")` as it is.
 */
function copyImportedJson(entryPoints) {
  const files = new Set();
  for (const src of entryPoints) {
    for (const m of fs.readFileSync(src, "utf8").matchAll(/from "(\.{1,2}\/[^"]+\.json)"/g)) {
      files.add(path.resolve(path.dirname(src), m[1]));
    }
  }
  for (const json of files) {
    const dest = path.join(root, "dist", path.relative(root, json));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(json, dest);
  }
}

/** Transpiles what changed (everything, when anything did: esbuild takes milliseconds for it). */
export async function compile({ force = false } = {}) {
  const entryPoints = SOURCE_DIRS.map((d) => path.join(root, d))
    .filter((d) => fs.existsSync(d))
    .flatMap(sources);
  copyImportedJson(entryPoints);
  if (!force && upToDate(entryPoints)) return;
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints,
    outdir: path.join(root, "dist"),
    outbase: root,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await compile({ force: true });
}
