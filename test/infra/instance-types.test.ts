// Instance types: the generated lists against the packages they come from, and the config's check
// of each instance-type key against its list, with the nearest real type suggested.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseConfig } from "../../infra/config";
import { INSTANCE_TYPES, isInstanceType, nearestInstanceType } from "../../shared/instance-types";
import { renderInstanceTypes } from "../../scripts/generate-instance-types";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);
const NS = "dog-breed-classifier";

function problemFor(key: string, value: string, stack = "dev"): string {
  const raw = loadStackConfig(ROOT, stack, { [key]: value }).config;
  try {
    parseConfig(raw, stack);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    const line = e.message.split("\n").find((l) => l.trim().startsWith(`${NS}:${key} = `));
    assert.ok(line, `no line for ${key} in:\n${e.message}`);
    return line;
  }
  assert.fail(`${key} = ${value} was accepted`);
}

describe("instance types", () => {
  it("are the lists of the installed packages (npm run instance-types:generate)", () => {
    const committed = fs.readFileSync(
      path.join(ROOT, "shared", "instance-type-lists.json"),
      "utf8",
    );
    assert.strictEqual(committed, renderInstanceTypes());
  });

  it("list the types the stacks use, each under its API", () => {
    assert.ok(isInstanceType("notebook", "ml.t3.medium"));
    assert.ok(isInstanceType("hosting", "ml.m5.xlarge"));
    assert.ok(isInstanceType("training", "ml.g5.xlarge"));
    assert.ok(isInstanceType("ec2", "m5.xlarge"));
    assert.ok(!isInstanceType("ec2", "ml.m5.xlarge"));
    assert.ok(INSTANCE_TYPES.ec2.length > 500 && INSTANCE_TYPES.hosting.length > 100);
  });

  it("suggest the nearest real type of the same kind", () => {
    assert.strictEqual(nearestInstanceType("hosting", "ml.m5.xlargee"), "ml.m5.xlarge");
    assert.strictEqual(nearestInstanceType("ec2", "m5.xlarg"), "m5.xlarge");
    assert.strictEqual(nearestInstanceType("training", "something else entirely"), undefined);
  });

  const cases: [string, string, RegExp][] = [
    [
      "endpointInstanceType",
      "ml.m5.xlargee",
      /must be a SageMaker hosting instance type .*; did you mean ml\.m5\.xlarge\?$/,
    ],
    [
      "trainingInstanceType",
      "ml.g5.xlarg",
      /must be a SageMaker training instance type .*; did you mean ml\.g5\.xlarge\?$/,
    ],
    [
      "notebookInstanceType",
      "ml.t3.mediun",
      /must be a SageMaker notebook instance type .*; did you mean ml\.t3\.medium\?$/,
    ],
    [
      "ec2InstanceType",
      "m5.xlargee",
      /must be an EC2 instance type .*; did you mean m5\.xlarge\?$/,
    ],
    ["ec2InstanceType", "ml.m5.xlarge", /not a SageMaker ml\.\* type/],
    // Well formed, but no API lists it.
    ["endpointInstanceType", "ml.q9.huge", /hosting instance type .*, and ml\.q9\.huge is not one/],
  ];
  for (const [key, value, message] of cases) {
    it(`rejects ${key} = ${value}`, () => {
      assert.match(problemFor(key, value), message);
    });
  }

  it("accepts a real type of each kind", () => {
    const raw = loadStackConfig(ROOT, "dev", {
      endpointInstanceType: "ml.c5.large",
      trainingInstanceType: "ml.p3.2xlarge",
      notebookInstanceType: "ml.t3.large",
      ec2InstanceType: "g5.xlarge",
    }).config;
    const cfg = parseConfig(raw, "dev");
    assert.strictEqual(cfg.trainingInstanceType, "ml.p3.2xlarge");
  });
});
