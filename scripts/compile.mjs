// Transpiles the TypeScript that runs outside Lambda (infra/, tools/, policies/) to dist/, one
// file per source file, with no type-checking: `npm run typecheck` does that once, and the offline
// check and its benchmark start from plain JavaScript.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["infra", "tools", "policies"];

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

export async function compile() {
  const entryPoints = SOURCE_DIRS.map((d) => path.join(root, d))
    .filter((d) => fs.existsSync(d))
    .flatMap(sources);
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
  await compile();
}
