// Transpiles the pack's TypeScript into bin/ (type-only, no type check: `tsc --noEmit` does that
// in CI). The Pulumi CLI would otherwise compile the pack with ts-node and a full type check at
// every start, several seconds; loading plain JavaScript takes milliseconds.
"use strict";
const fs = require("fs");
const path = require("path");

const root = __dirname;
const out = path.join(root, "bin");
const stampFile = path.join(out, "build.json");

/** Source files (relative paths) of the pack: TypeScript modules and the JSON data they import. */
function sources(dir = root, rel = "") {
  const files = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "bin" || e.name.startsWith(".")) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) files.push(...sources(path.join(dir, e.name), r));
    else if (
      (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) ||
      (e.name.endsWith(".json") && !/^(package|tsconfig)/.test(e.name) && !/^config\./.test(e.name))
    ) {
      files.push(r);
    }
  }
  return files.sort();
}

/** Whether bin/ holds a build of exactly the current sources. */
function isFresh(files = sources()) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, "utf8"));
  } catch {
    return false;
  }
  if (JSON.stringify(stamp.files) !== JSON.stringify(files)) return false;
  const built = fs.statSync(stampFile).mtimeMs;
  return files.every((f) => fs.statSync(path.join(root, f)).mtimeMs <= built);
}

function build(files = sources()) {
  const ts = require("typescript");
  const tmp = path.join(root, `.bin-${process.pid}-${Date.now()}`);
  try {
    for (const f of files) {
      const src = path.join(root, f);
      const dest = path.join(tmp, f.endsWith(".ts") ? f.replace(/\.ts$/, ".js") : f);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (f.endsWith(".json")) {
        fs.copyFileSync(src, dest);
        continue;
      }
      const result = ts.transpileModule(fs.readFileSync(src, "utf8"), {
        fileName: src,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          resolveJsonModule: true,
          inlineSourceMap: true,
          inlineSources: false,
        },
      });
      fs.writeFileSync(dest, result.outputText);
    }
    fs.writeFileSync(path.join(tmp, "build.json"), JSON.stringify({ files }) + "\n");
    fs.rmSync(out, { recursive: true, force: true });
    try {
      fs.renameSync(tmp, out);
    } catch (e) {
      // Another process started at the same moment and put its (identical) build in place.
      if (!isFresh(files)) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds when stale and returns the entry point of the JavaScript build. */
function ensureBuilt() {
  const files = sources();
  if (!isFresh(files)) build(files);
  return path.join(out, "index.js");
}

module.exports = { ensureBuilt, isFresh, build, sources };

if (require.main === module) {
  const t0 = Date.now();
  build();
  console.log(`built ${path.relative(process.cwd(), out) || "bin"} in ${Date.now() - t0} ms`);
}
