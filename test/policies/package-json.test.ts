// The pack's package.json lists what a published pack installs beside its bundle (the packages the
// bundle leaves external). Each is the root package.json's dependency too, which the lock file pins
// and upgrades: the two must name the same range, or the pack is published against other versions
// than the ones it was tested with.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const read = (p: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, p), "utf8")) as {
    dependencies: Record<string, string>;
  };

describe("policies/package.json", () => {
  it("names each dependency with the root package.json's range", () => {
    const root = read("package.json").dependencies;
    const pack = read("policies/package.json").dependencies;
    assert.ok(Object.keys(pack).includes("@pulumi/pulumi"));
    for (const [name, range] of Object.entries(pack)) {
      assert.strictEqual(
        range,
        root[name],
        `${name}: the pack says ${range}, the root ${root[name]}`,
      );
    }
  });
});
