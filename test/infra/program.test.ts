// The program's seams: names within AWS limits, framework images per region, where the model data
// comes from, and the clear failure when the handler bundle has not been built.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig, parseConfig } from "../../infra/config";
import {
  FRAMEWORK_REGISTRIES,
  frameworkImageUri,
  frameworkRepositoryArn,
} from "../../infra/images";
import { NAME_LIMITS, physicalName, stackNames } from "../../infra/naming";
import { takesVolumeKmsKey } from "../../infra/components/inference-endpoint";
import { buildStack, deployedModelData } from "../../infra/stack";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot, runStack } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);

describe("physical names", () => {
  it("prefix with project and stack and stay within AWS limits for long stack names", () => {
    const prefix = `dog-breed-classifier-${"feature-branch-".repeat(5)}x`;
    const names = stackNames(prefix);
    assert.ok(names.trainingRole.length <= NAME_LIMITS.iamRole);
    assert.ok(names.endpoint.length <= NAME_LIMITS.sagemaker);
    assert.ok(names.notebook.length <= NAME_LIMITS.sagemaker);
    assert.ok(names.model("0123abcd").length <= NAME_LIMITS.sagemaker);
    assert.ok(names.function.length <= NAME_LIMITS.lambda);
    // The provider appends 26 characters to the endpoint configuration prefix.
    assert.ok(names.endpointConfigPrefix.length + 26 <= NAME_LIMITS.sagemaker);
    const bucket = names.bucket("123456789012");
    assert.ok(bucket.length <= NAME_LIMITS.s3Bucket && bucket === bucket.toLowerCase());
    assert.notStrictEqual(names.trainingRole, names.notebookRole);
    for (const n of [names.trainingRole, names.endpoint, names.function])
      assert.ok(n.startsWith("dog-breed-classifier-feature"));
  });

  it("keep short names whole and make cut ones distinct", () => {
    assert.strictEqual(physicalName("p-dev", "lambda", 64), "p-dev-lambda");
    const a = physicalName("x".repeat(70), "a", 64);
    const b = physicalName("x".repeat(70), "b", 64);
    assert.strictEqual(a.length, 64);
    assert.notStrictEqual(a, b);
  });
});

describe("framework images", () => {
  it("come from the region's DLC registry, CPU or GPU by instance family", () => {
    const args = { scope: "inference" as const, frameworkVersion: "2.1", pythonVersion: "py310" };
    assert.strictEqual(
      frameworkImageUri({ ...args, region: "us-west-2" }),
      "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.1-cpu-py310",
    );
    assert.strictEqual(
      frameworkImageUri({ ...args, region: "af-south-1" }),
      "626614931356.dkr.ecr.af-south-1.amazonaws.com/pytorch-inference:2.1-cpu-py310",
    );
    assert.strictEqual(
      frameworkImageUri({ ...args, region: "eu-west-1", instanceType: "ml.g5.xlarge" }),
      "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1-gpu-py310",
    );
    assert.strictEqual(
      frameworkRepositoryArn("me-south-1", "training"),
      "arn:aws:ecr:me-south-1:217643126080:repository/pytorch-training",
    );
    assert.throws(
      () => frameworkImageUri({ ...args, region: "xx-nowhere-1" }),
      /no SageMaker PyTorch image registry/,
    );
    for (const account of Object.values(FRAMEWORK_REGISTRIES)) assert.match(account, /^\d{12}$/);
  });
});

describe("deployed model data", () => {
  const dev = () => parseConfig(loadStackConfig(ROOT, "dev").config, "dev");

  it("is the configured artifact until a training job's output is passed in", () => {
    assert.strictEqual(
      deployedModelData(dev()),
      "s3://dog-breed-classifier-dev-123456789012/models/baseline/model.tar.gz",
    );
    assert.strictEqual(
      deployedModelData(dev(), "s3://b/job/output/model.tar.gz"),
      "s3://b/job/output/model.tar.gz",
    );
  });

  it("fails clearly when training is on but nothing produces a model", () => {
    const cfg = parseConfig(
      loadStackConfig(ROOT, "dev", { trainingMode: "tune", modelArtifactUri: "" }).config,
      "dev",
    );
    assert.throws(
      () => deployedModelData(cfg),
      /trainingMode is tune .*:modelArtifactUri to the artifact/,
    );
  });
});

describe("the program without a handler build", () => {
  it("fails before declaring anything, telling to run npm run build", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-build-"));
    const program = { loadConfig, buildStack: (c: never) => buildStack(c, { root: empty }) };
    await assert.rejects(runStack({ stack: "dev", program }), (e: Error) => {
      assert.match(e.message, /dist\/handler\/index\.js is missing\. Run `npm run build`/);
      return true;
    });
  });
});

describe("the program through loadConfig", () => {
  it("reports unknown keys and every bad value before any resource", async () => {
    await assert.rejects(
      runStack({ stack: "prod", overrides: { endpointMaxInstanes: 3, endpointMinInstances: 4 } }),
      /endpointMaxInstanes = "3": unknown key; did you mean endpointMaxInstances\?[\s\S]*endpointMinInstances = 4: must be <= endpointMaxInstances \(3\)/,
    );
  });
});

describe("hosting volume encryption", () => {
  it("passes the KMS key only to instance types without local NVMe storage", () => {
    for (const t of [
      "ml.m5.xlarge",
      "ml.c5.large",
      "ml.t2.medium",
      "ml.g4.xlarge",
      "ml.inf2.xlarge",
      "ml.c7i.large",
    ]) {
      assert.strictEqual(takesVolumeKmsKey(t), true, t);
    }
    for (const t of [
      "ml.m5d.xlarge",
      "ml.c5d.large",
      "ml.g4dn.xlarge",
      "ml.p3dn.24xlarge",
      "ml.p4d.24xlarge",
      "ml.g5.xlarge",
      "ml.r5d.large",
    ]) {
      assert.strictEqual(takesVolumeKmsKey(t), false, t);
    }
  });
});

describe("infra/index.ts", () => {
  it("loads the config, builds the stack and exports its scalar outputs", async () => {
    // The entry module reads the config itself, as under `pulumi up`.
    const program = {
      loadConfig: () => undefined,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      buildStack: () => ({ ...require("../../infra/index") }),
    };
    const run = await runStack({ stack: "dev", program });
    assert.deepStrictEqual(Object.keys(run.outputs).sort(), [
      "aliasArn",
      "bucketName",
      "endpointName",
      "functionName",
      "lambdaRoleArn",
      "modelDataUrl",
      "modelRoleArn",
      "notebookName",
      "notebookRoleArn",
      "trainingHostRoleArn",
      "trainingInstanceId",
      "trainingRoleArn",
    ]);
    assert.strictEqual(run.outputs.endpointName, "dog-breed-classifier-dev-endpoint");
    assert.strictEqual(
      run.outputs.trainingRoleArn,
      "arn:aws:iam::123456789012:role/dog-breed-classifier-dev-training",
    );
    assert.ok(run.resources.some((r) => r.type === "aws:sagemaker/endpoint:Endpoint"));
  });
});
