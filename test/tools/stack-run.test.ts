import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../tools/stack-config";
import { runStack } from "../../tools/stack-run";

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-run-"));
  fs.writeFileSync(
    path.join(root, "Pulumi.yaml"),
    [
      "name: demo",
      "runtime: nodejs",
      "config:",
      "  size:",
      "    type: integer",
      "    default: 2",
      "  names:",
      "    type: array",
      "    items: { type: string }",
      "    default: [a]",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(root, "Pulumi.one.yaml"),
    "config:\n  aws:region: eu-west-1\n  demo:size: 5\n",
  );
  fs.writeFileSync(path.join(root, "Pulumi.two.yaml"), "config:\n  aws:region: us-east-1\n");
  return root;
}

class Box extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("demo:index:Box", name, {}, opts);
    new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: `${name}-data` },
      { parent: this, protect: true },
    );
    this.registerOutputs({});
  }
}

const program = {
  loadConfig: () => new pulumi.Config().requireNumber("size"),
  buildStack: (size: never) => {
    const box = new Box(`box${size as number}`);
    const role = new aws.iam.Role("role", { assumeRolePolicy: "{}" }, { parent: box });
    return { roleArn: role.arn, size };
  },
};

describe("loadStackConfig", () => {
  it("applies project defaults, then the stack file, then overrides", () => {
    const root = project();
    const { config } = loadStackConfig(root, "one", { names: ["x", "y"] });
    assert.strictEqual(config["demo:size"], "5");
    assert.strictEqual(config["demo:names"], '["x","y"]');
    assert.strictEqual(config["aws:region"], "eu-west-1");
  });

  it("reads a file again once its text changes, and hands out copies", () => {
    const root = project();
    const first = loadStackConfig(root, "one");
    (first.project.config as Record<string, unknown>).size = "changed by a caller";
    fs.writeFileSync(path.join(root, "Pulumi.one.yaml"), "config:\n  demo:size: 7\n");
    const second = loadStackConfig(root, "one");
    assert.strictEqual(second.config["demo:size"], "7");
    assert.strictEqual(second.config["aws:region"], undefined);
    assert.deepStrictEqual(second.project.config.size, { type: "integer", default: 2 });
  });

  it("names the stacks that exist when one is missing", () => {
    assert.throws(() => loadStackConfig(project(), "three"), /Pulumi\.three\.yaml.*one, two/);
  });
});

describe("runStack", () => {
  it("records resources with parents, options and computed ARNs, stack after stack", async () => {
    const root = project();
    const one = await runStack({ root, stack: "one", program });
    const bucket = one.resources.find((r) => r.type === "aws:s3/bucket:Bucket");
    assert.ok(bucket);
    assert.strictEqual(
      bucket.urn,
      "urn:pulumi:one::demo::demo:index:Box$aws:s3/bucket:Bucket::box5-bucket",
    );
    assert.strictEqual(bucket.parent, "urn:pulumi:one::demo::demo:index:Box::box5");
    assert.strictEqual(bucket.protect, true);
    assert.strictEqual(bucket.outputs.arn, "arn:aws:s3:::box5-data");
    assert.match(String(one.outputs.roleArn), /^arn:aws:iam::123456789012:role\/role-/);

    const two = await runStack({ root, stack: "two", program });
    assert.deepStrictEqual(two.resources.map((r) => r.name).sort(), [
      "box2",
      "box2-bucket",
      "role",
    ]);
    assert.strictEqual(two.outputs.size, 2);
  });
});

describe("runStack with a stack reference", () => {
  /** Stack `two` reads `size` from a stack through a reference; every program run is counted. */
  function referencing(target = "organization/demo/one") {
    const runs: string[] = [];
    return {
      runs,
      program: {
        loadConfig: () => new pulumi.Config().requireNumber("size"),
        buildStack: (size: never) => {
          runs.push(pulumi.getStack());
          new aws.s3.Bucket("data", { bucket: `data-${pulumi.getStack()}` });
          if (pulumi.getStack() !== "two") return { size };
          return { fromOne: new pulumi.StackReference("one", { name: target }).getOutput("size") };
        },
      },
    };
  }

  it("runs the referenced stack of this project from its file, then this one again", async () => {
    const root = project();
    const { runs, program } = referencing();
    const seen: unknown[] = [];
    const two = await runStack({ root, stack: "two", program, onResource: (r) => seen.push(r) });
    assert.strictEqual(two.outputs.fromOne, 5);
    assert.deepStrictEqual(runs, ["two", "one", "two"]);
    // Both runs of `two` are reported as they register, none of `one`; the run returned is the
    // second one, and its resources are the very objects reported.
    assert.strictEqual(seen.length, 2 * two.resources.length);
    assert.ok(two.resources.every((r) => seen.slice(two.resources.length).includes(r)));
  });

  /** Runs `one`, then `two` with that run as an earlier run of the same check. */
  async function twoAfterOne(target?: string) {
    const root = project();
    const { runs, program } = referencing(target);
    const one = await runStack({ root, stack: "one", program });
    const earlierRuns = new Map([["one", one]]);
    return { runs, two: await runStack({ root, stack: "two", program, earlierRuns }) };
  }

  it("answers the reference from an earlier run of the same check, without running again", async () => {
    const { runs, two } = await twoAfterOne();
    assert.strictEqual(two.outputs.fromOne, 5);
    assert.deepStrictEqual(runs, ["one", "two"]);
  });

  it("does not answer another project's stack of the same name from an earlier run", async () => {
    const { runs, two } = await twoAfterOne("organization/other/one");
    assert.strictEqual(two.outputs.fromOne, undefined);
    // Unresolved, and not of this project: exported nothing, as a stack not deployed.
    assert.deepStrictEqual(runs, ["one", "two", "two"]);
  });
});
