// Every module the program reaches resolves to the same file under `pulumi up` as under the tests
// and the type-checker. Under the CLI, @pulumi/pulumi's cmd/run registers ts-node, whose `.ts`
// comes after Node's own `.js`, `.json` and `.node` in the extension order: an extension-less
// `require("../shared/x")` loads `x.json` when it sits beside `x.ts`. TypeScript (tsc, tsx)
// picks `x.ts`. This walks the program's import graph from its entry point and resolves each
// relative import both ways.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { findProjectRoot, readProject } from "../../tools/stack-config";

const ROOT = findProjectRoot(__dirname);

/** Node's CommonJS order once ts-node has registered `.ts` (require.extensions' key order). */
const NODE_ORDER = [".js", ".json", ".node", ".ts"];

/** The file Node loads for a relative specifier, as under cmd/run. */
function nodeResolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const isFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
  if (isFile(base)) return base;
  for (const ext of NODE_ORDER) if (isFile(base + ext)) return base + ext;
  for (const ext of NODE_ORDER) {
    const index = path.join(base, `index${ext}`);
    if (isFile(index)) return index;
  }
  return undefined;
}

/** The file TypeScript resolves a specifier to, with the project's own settings. */
function tsResolve(from: string, spec: string, options: ts.CompilerOptions): string | undefined {
  return ts.resolveModuleName(spec, from, options, ts.sys).resolvedModule?.resolvedFileName;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const file = path.join(root, "infra", "tsconfig.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(file)).options;
}

/** Relative imports (import, export from, require, import()) of one source file. */
function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith("."));
}

/** Each relative import reachable from `entry` that Node and TypeScript resolve differently. */
export function divergentImports(entry: string, options: ts.CompilerOptions): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file) || !/\.ts$/.test(file)) continue;
    seen.add(file);
    for (const spec of relativeImports(file)) {
      const byNode = nodeResolve(file, spec);
      const byTs = tsResolve(file, spec, options);
      const rel = (p?: string) => (p ? path.relative(path.dirname(entry), p) : "nothing");
      if (byNode !== byTs && !(byTs?.endsWith(".d.ts") && byNode?.endsWith(".js"))) {
        problems.push(
          `${path.relative(path.dirname(entry), file)}: "${spec}" loads ${rel(byNode)} under cmd/run but ${rel(byTs)} under TypeScript`,
        );
      }
      if (byNode) queue.push(byNode);
    }
  }
  return problems;
}

describe("module resolution on the CLI's path", () => {
  it("resolves every module the program reaches to the file TypeScript resolves", () => {
    const { main } = readProject(ROOT);
    const entry = path.join(ROOT, main ?? ".", "index.ts");
    assert.ok(fs.existsSync(entry), entry);
    assert.deepStrictEqual(divergentImports(entry, compilerOptions(ROOT)), []);
  });

  it("catches a .json beside a .ts of the same name", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resolution-"));
    fs.mkdirSync(path.join(dir, "shared"));
    fs.writeFileSync(path.join(dir, "index.ts"), 'import { x } from "./shared/facts";\nvoid x;\n');
    fs.writeFileSync(path.join(dir, "shared", "facts.ts"), "export const x = 1;\n");
    fs.writeFileSync(path.join(dir, "shared", "facts.json"), "{}\n");
    const problems = divergentImports(path.join(dir, "index.ts"), compilerOptions(ROOT));
    assert.deepStrictEqual(problems, [
      'index.ts: "./shared/facts" loads shared/facts.json under cmd/run but shared/facts.ts under TypeScript',
    ]);
  });
});
