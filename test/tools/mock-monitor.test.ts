// tools/stack-run.ts records the program's resources by wrapping the registerResource method of
// the monitor that the SDK's setMocks installs, and reads the SDK's RegisterResource messages
// through their generated getters. Both are the SDK's internals: checked here against the SDK's
// own shape, and by their effect on a program that sets every option the run records.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runStack } from "../../tools/stack-run";

/* eslint-disable @typescript-eslint/no-require-imports */
const settings = require("@pulumi/pulumi/runtime/settings");
const mocks = require("@pulumi/pulumi/runtime/mocks");
const resourceProto = require("@pulumi/pulumi/proto/resource_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const SOURCE = fs.readFileSync(path.join(__dirname, "../../tools/stack-run.ts"), "utf8");

/** The getters stack-run.ts calls on `name` (`req`, `resp`). */
function gettersCalledOn(name: string): string[] {
  const re = new RegExp(`\\b${name}\\.(get[A-Za-z]+)\\(`, "g");
  return [...new Set([...SOURCE.matchAll(re)].map((m) => m[1]))];
}

describe("the mock monitor stack-run.ts wraps", () => {
  it("is the SDK's MockMonitor, installed by setMocks, with registerResource(req, callback)", async () => {
    await pulumi.runtime.setMocks(
      { newResource: () => ({ id: "x", state: {} }), call: () => ({}) },
      "p",
      "s",
    );
    const monitor = settings.getMonitor();
    assert.ok(monitor instanceof mocks.MockMonitor);
    assert.strictEqual(settings.getMonitor(), monitor, "getMonitor answers one monitor");
    assert.strictEqual(typeof mocks.MockMonitor.prototype.registerResource, "function");
    assert.strictEqual(mocks.MockMonitor.prototype.registerResource.length, 2);
  });

  it("is sent RegisterResource messages with every getter the recorder reads", () => {
    const request = gettersCalledOn("req");
    const response = gettersCalledOn("resp");
    assert.ok(request.length >= 10 && response.length >= 3, `${request} / ${response}`);
    for (const g of request) {
      assert.strictEqual(typeof resourceProto.RegisterResourceRequest.prototype[g], "function", g);
    }
    for (const g of response) {
      assert.strictEqual(typeof resourceProto.RegisterResourceResponse.prototype[g], "function", g);
    }
  });

  it("records every option of a resource as the program set it", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "mock-monitor-"));
    try {
      fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
      fs.writeFileSync(path.join(root, "Pulumi.one.yaml"), "config:\n  aws:region: eu-west-1\n");
      const run = await runStack({
        root,
        stack: "one",
        program: {
          loadConfig: () => undefined,
          buildStack: () => {
            const box = new pulumi.ComponentResource("demo:index:Box", "box");
            const provider = new aws.Provider("west", { region: "eu-west-1" }, { parent: box });
            const key = new aws.kms.Key("key", {}, { parent: box, provider });
            new aws.s3.Bucket(
              "bucket",
              { bucket: "b", tags: { k: key.arn } },
              {
                parent: box,
                provider,
                protect: true,
                retainOnDelete: true,
                dependsOn: [key],
                ignoreChanges: ["tags"],
                replaceOnChanges: ["bucket"],
                deleteBeforeReplace: true,
              },
            );
            return {};
          },
        },
      });
      const bucket = run.resources.find((r) => r.name === "bucket");
      const key = run.resources.find((r) => r.name === "key");
      const box = run.resources.find((r) => r.name === "box");
      assert.ok(bucket && key && box, run.resources.map((r) => r.name).join(", "));
      assert.strictEqual(bucket.parent, box.urn);
      assert.match(bucket.provider ?? "", /\$pulumi:providers:aws::west::/);
      assert.deepStrictEqual(
        [
          bucket.custom,
          box.custom,
          bucket.protect,
          bucket.retainOnDelete,
          bucket.deleteBeforeReplace,
        ],
        [true, false, true, true, true],
      );
      assert.ok(bucket.dependencies.includes(key.urn), String(bucket.dependencies));
      assert.deepStrictEqual(bucket.propertyDependencies.tags, [key.urn]);
      assert.deepStrictEqual(bucket.ignoreChanges, ["tags"]);
      assert.deepStrictEqual(bucket.replaceOnChanges, ["bucket"]);
      assert.strictEqual(bucket.inputs.bucket, "b");
      assert.match(String(bucket.id), /./);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
