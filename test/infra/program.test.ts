// The program's seams: names within AWS limits, framework images per region, where the model data
// comes from, and the handler bundle rebuilt from its sources whenever they changed.
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
import { findProjectRoot, ofType, runStack } from "../../tools/stack-run";
import { BUNDLE_DIGEST_FILE, bundleHandler } from "../../infra/handler-bundle";
import { RELEASE_ARTIFACT, SERVING } from "./helpers";

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
  const dev = () =>
    parseConfig(loadStackConfig(ROOT, "dev", { modelArtifactUri: RELEASE_ARTIFACT }).config, "dev");

  it("is the configured artifact until a training job's output is passed in", () => {
    assert.strictEqual(deployedModelData(dev()), RELEASE_ARTIFACT);
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

describe("the handler bundle the program deploys", function () {
  this.timeout(120_000);
  // A clone of the handler's sources, with the project's installed packages.
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    for (const dir of ["handler", "shared"])
      fs.cpSync(path.join(ROOT, dir), path.join(root, dir), { recursive: true });
    for (const f of ["package-lock.json", "tsconfig.json"])
      fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const bundle = () => fs.readFileSync(path.join(root, "dist", "handler", "index.js"), "utf8");

  it("is built when missing, kept while the sources are unchanged, rebuilt when they change", () => {
    const first = bundleHandler(root);
    assert.strictEqual(first.built, true, "a fresh clone has no bundle: the program builds it");
    assert.ok(bundle().startsWith('"use strict";'), "strict mode, as tsconfig.json asks");
    // The digest file's first line is the digest (the second, the files' sizes and times).
    assert.strictEqual(
      fs.readFileSync(path.join(root, BUNDLE_DIGEST_FILE), "utf8").split("\n")[0],
      first.digest,
    );
    assert.strictEqual(bundleHandler(root).built, false, "unchanged sources keep the bundle");

    // An edit to the handler that nobody bundled: the next run deploys the edit, not old code.
    const errors = path.join(root, "handler", "errors.ts");
    fs.appendFileSync(errors, '\nexport const BUNDLE_MARKER = "edited-after-build";\n');
    const index = path.join(root, "handler", "index.ts");
    fs.appendFileSync(index, '\nexport { BUNDLE_MARKER } from "./errors";\n');
    assert.ok(!bundle().includes("edited-after-build"));
    const second = bundleHandler(root);
    assert.strictEqual(second.built, true);
    assert.notStrictEqual(second.digest, first.digest);
    assert.ok(bundle().includes("edited-after-build"), "the rebuilt bundle carries the edit");

    // A bundle someone replaced by hand no longer matches its recorded digest's sources.
    fs.writeFileSync(path.join(root, BUNDLE_DIGEST_FILE), "0".repeat(64));
    assert.strictEqual(bundleHandler(root).built, true);
  });

  it("is what the program deploys, built from the sources beside it", async () => {
    fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
    const program = {
      loadConfig,
      buildStack: (c: never) => buildStack(c, { root: path.join(root) }),
    };
    // The program also reads training/ beside the handler; link the project's.
    if (!fs.existsSync(path.join(root, "training")))
      fs.symlinkSync(path.join(ROOT, "training"), path.join(root, "training"));
    const run = await runStack({ stack: "dev", program, ...SERVING.dev });
    const fn = ofType(run, "aws:lambda/function:Function")[0];
    assert.ok(fs.existsSync(path.join(root, "dist", "handler", "index.js")));
    assert.strictEqual(
      await (fn.inputs.code as { path: Promise<string> }).path,
      path.join(root, "dist", "handler"),
    );
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
      buildStack: () => require("../../infra/index"),
    };
    const run = await runStack({ stack: "dev", program, ...SERVING.dev });
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
      "waiting",
    ]);
    assert.deepStrictEqual(run.outputs.waiting, []);
    assert.strictEqual(run.outputs.endpointName, "dog-breed-classifier-dev-endpoint");
    assert.strictEqual(
      run.outputs.trainingRoleArn,
      "arn:aws:iam::123456789012:role/dog-breed-classifier-dev-training",
    );
    assert.ok(run.resources.some((r) => r.type === "aws:sagemaker/endpoint:Endpoint"));
  });
});
