// The transpile to dist/ the check and its benchmark start from: it skips what is up to date,
// and keeps the JSON files the sources import beside their outputs.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";

const ROOT = path.resolve(__dirname, "..", "..");

type Compile = (opts: { force?: boolean; base?: string }) => Promise<boolean>;

describe("compile (dist/ for the check)", () => {
  let base: string;
  let compile: Compile;
  /** Makes a file of dist/ older than its source, as if the source was edited after it. */
  const older = (file: string) => {
    const t = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(base, "dist", file), t, t);
  };

  before(async () => {
    // A dynamic import that TypeScript's CommonJS output keeps as one.
    const load = new Function("u", "return import(u)") as (
      u: string,
    ) => Promise<{ compile: Compile }>;
    ({ compile } = await load(pathToFileURL(path.join(ROOT, "scripts", "compile.mjs")).href));
    base = fs.mkdtempSync(path.join(os.tmpdir(), "compile-"));
    fs.mkdirSync(path.join(base, "shared"));
    fs.writeFileSync(path.join(base, "shared", "data.json"), '{"n": 1}\n');
    fs.writeFileSync(
      path.join(base, "shared", "read.ts"),
      'import data from "./data.json";\nexport const n: number = data.n;\n',
    );
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(base, "node_modules"));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  const n = () => {
    const file = path.join(base, "dist", "shared", "read.js");
    delete require.cache[file];
    delete require.cache[path.join(base, "dist", "shared", "data.json")];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(file) as { n: number }).n;
  };

  it("transpiles the sources and copies the JSON they import, then skips while nothing changed", async () => {
    assert.strictEqual(await compile({ base }), true);
    assert.strictEqual(n(), 1);
    assert.strictEqual(await compile({ base }), false);
  });

  it("copies an imported JSON file again when it changes, with no source changed", async () => {
    const json = path.join(base, "shared", "data.json");
    fs.writeFileSync(json, '{"n": 2}\n');
    older("shared/data.json");
    assert.strictEqual(await compile({ base }), true);
    assert.strictEqual(n(), 2);
    assert.strictEqual(await compile({ base }), false);
  });

  it("transpiles again when a source changes", async () => {
    const src = path.join(base, "shared", "read.ts");
    fs.writeFileSync(
      src,
      'import data from "./data.json";\nexport const n: number = data.n * 10;\n',
    );
    older("shared/read.js");
    assert.strictEqual(await compile({ base }), true);
    assert.strictEqual(n(), 20);
  });
});
