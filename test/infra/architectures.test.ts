// The architectures: one list in training/architectures.json, read by the stack config and by the
// training code, and shipped with the code the jobs and the EC2 host run.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { trainingCodeFiles } from "../../infra/components/training-host";
import { ARCHITECTURES, STACK_KEYS } from "../../shared/stack-keys";
import { findProjectRoot } from "../../tools/stack-run";

const TRAINING = path.join(findProjectRoot(__dirname), "training");

describe("architectures", () => {
  it("are the list trainingArch allows, with resnet50 its default", () => {
    const list = JSON.parse(fs.readFileSync(path.join(TRAINING, "architectures.json"), "utf8"));
    assert.deepStrictEqual(STACK_KEYS.trainingArch.oneOf, list);
    assert.deepStrictEqual(ARCHITECTURES, list);
    assert.ok(list.includes(STACK_KEYS.trainingArch.default));
  });

  it("ship with the training code the jobs and the EC2 host download", () => {
    assert.ok(trainingCodeFiles(TRAINING).includes("architectures.json"));
    assert.ok(trainingCodeFiles(TRAINING).includes("modeldef.py"));
  });
});
