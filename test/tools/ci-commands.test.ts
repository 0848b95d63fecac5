// CI runs README's two commands exactly as written: the main job first, on the fresh clone before
// anything else builds, and the test command last.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** The commands of README's "Two commands" block, without their trailing comments. */
function readmeCommands(): { main: string; test: string } {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /## Two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has a "Two commands" section with a sh block');
  const lines = block[1]
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
  const main = lines.find((l) => l.includes("npm run check"));
  const test = lines.find((l) => l.endsWith("npm test"));
  assert.ok(main && test, `README's block names the main and the test command: ${lines}`);
  return { main, test };
}

describe(".ci/run", () => {
  it("runs README's main command first and README's test command last, exactly as written", () => {
    const { main, test } = readmeCommands();
    const steps = fs
      .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "));
    assert.strictEqual(steps[0], main);
    assert.strictEqual(steps[steps.length - 1], test);
  });
});
