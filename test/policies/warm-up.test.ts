// The pack's warm-up: after the analyzer is listening, it loads what the first analysis needs and
// runs the document analysis once, so that the first requests do not pay for it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

describe("the pack's warm-up", () => {
  it("runs after the current turn of the event loop, and loads the IAM simulator", () => {
    // A fresh process: what is loaded, and when, is read from its module cache.
    const script = `
      const simulator = () => Object.keys(require.cache).some((k) => /[\\\\/]@cloud-copilot[\\\\/]iam-simulate[\\\\/]/.test(k));
      const { warm, warmUpWhenListening } = require(${JSON.stringify(path.join(ROOT, "policies", "warm-up.ts"))});
      const before = simulator();
      warmUpWhenListening();
      const sameTurn = simulator();
      setTimeout(() => warm().then(() => console.log(JSON.stringify({ before, sameTurn, after: simulator() }))), 0);
    `;
    const r = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout), { before: false, sameTurn: false, after: true });
  });
});
