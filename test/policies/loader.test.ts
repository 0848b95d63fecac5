// The pack's loader serves a JavaScript build of the TypeScript sources and rebuilds it when a
// source changes, so a preview never runs stale policies.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const PACK = path.resolve(__dirname, "../../policies");

interface Build {
  ensureBuilt(): string;
  isFresh(): boolean;
  sources(): string[];
}

describe("policy pack loader", () => {
  let dir: string;
  let build: Build;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-"));
    fs.copyFileSync(path.join(PACK, "build.js"), path.join(dir, "build.js"));
    fs.symlinkSync(path.resolve(PACK, "../node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib", "answer.ts"), "export const answer: number = 41;\n");
    fs.writeFileSync(path.join(dir, "data.json"), '{ "step": 1 }\n');
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      'import { answer } from "./lib/answer";\nimport data from "./data.json";\nexport const value = answer + data.step;\n',
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    build = require(path.join(dir, "build.js"));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists the TypeScript sources and data, not declarations, configs or the build", () => {
    fs.writeFileSync(path.join(dir, "types.d.ts"), "export {};\n");
    fs.writeFileSync(path.join(dir, "config.prod.json"), "{}\n");
    assert.deepStrictEqual(build.sources(), ["data.json", "index.ts", "lib/answer.ts"]);
  });

  it("builds JavaScript that runs, with JSON imports and subfolders", () => {
    const entry = build.ensureBuilt();
    assert.strictEqual(entry, path.join(dir, "bin", "index.js"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.strictEqual(require(entry).value, 42);
    assert.ok(build.isFresh());
  });

  it("rebuilds when a source is newer than the build, or a source is added", () => {
    const later = new Date(Date.now() + 5000);
    fs.writeFileSync(path.join(dir, "lib", "answer.ts"), "export const answer: number = 99;\n");
    fs.utimesSync(path.join(dir, "lib", "answer.ts"), later, later);
    assert.ok(!build.isFresh());
    const entry = build.ensureBuilt();
    assert.match(fs.readFileSync(path.join(dir, "bin", "lib", "answer.js"), "utf8"), /answer = 99/);
    assert.ok(fs.existsSync(entry));
    fs.writeFileSync(path.join(dir, "extra.ts"), "export {};\n");
    assert.ok(!build.isFresh());
  });
});
