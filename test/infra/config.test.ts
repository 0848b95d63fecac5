// Stack config: the declarations in Pulumi.yaml, the stack files, and validation of bad tweaks.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, StackConfig, parseConfig } from "../../infra/config";
import { KeySpec, STACK_KEYS as CONFIG_KEYS } from "../../shared/stack-keys";
import { renderPulumiYaml } from "../../scripts/generate-pulumi-yaml";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);
const NS = "dog-breed-classifier";

/** The flat config the CLI would hand the program for `stack`, with `pulumi config set` overrides. */
function raw(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  return loadStackConfig(ROOT, stack, overrides).config;
}

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail("expected the config to be rejected");
}

describe("Pulumi.yaml", () => {
  const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
  const project = parse(text);

  it("has the config block generated from the table of stack keys (npm run config:generate)", () => {
    assert.strictEqual(renderPulumiYaml(text), text);
  });

  it("is the nodejs project whose program is infra/", () => {
    assert.strictEqual(project.name, NS);
    assert.strictEqual(project.runtime.name, "nodejs");
    assert.strictEqual(project.main, "infra/");
  });

  it("declares exactly the keys the program reads, with the same types and defaults", () => {
    assert.deepStrictEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
      const decl = project.config[key];
      assert.strictEqual(decl.type, spec.type, key);
      assert.deepStrictEqual(decl.default, spec.default, key);
      assert.ok(
        typeof decl.description === "string" && decl.description.length > 10,
        `${key} is described`,
      );
      if (spec.type === "array") assert.deepStrictEqual(decl.items, { type: spec.items }, key);
    }
  });
});

describe("stack files", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: sets aws:region and only known project keys, and validates`, () => {
      const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
      assert.strictEqual(doc.config["aws:region"], "us-east-1");
      for (const key of Object.keys(doc.config).filter((k) => k.startsWith(`${NS}:`))) {
        assert.ok(key.slice(NS.length + 1) in CONFIG_KEYS, `${key} is declared`);
      }
      const cfg = parseConfig(raw(stack), stack);
      assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.tags));
      assert.strictEqual(cfg.prefix, `${NS}-${stack}`);
    });
  }

  it("keeps dev cheap and prod scaled and locked down", () => {
    const dev = parseConfig(raw("dev"), "dev");
    const prod = parseConfig(raw("prod"), "prod");
    const pick = (c: StackConfig) => ({
      serverless: c.endpointServerless,
      autoscaling: c.endpointAutoscaling,
      kms: c.kmsEnabled,
      retain: c.bucketRetain,
      notebook: c.notebookEnabled,
      isolation: c.endpointNetworkIsolation,
      blueGreen: c.endpointBlueGreen,
      provisioned: c.lambdaProvisionedConcurrency,
      trainingMode: c.trainingMode,
    });
    assert.deepStrictEqual(pick(dev), {
      serverless: true,
      autoscaling: false,
      kms: true,
      retain: false,
      notebook: true,
      isolation: false,
      blueGreen: false,
      provisioned: 0,
      trainingMode: "none",
    });
    assert.deepStrictEqual(pick(prod), {
      serverless: false,
      autoscaling: true,
      kms: true,
      retain: true,
      notebook: false,
      isolation: true,
      blueGreen: true,
      provisioned: 2,
      trainingMode: "none",
    });
  });
});

describe("parseConfig", () => {
  it("decides the environment once: the environment key, or the stack name when it is empty", () => {
    const prod = parseConfig(raw("prod"), "prod");
    assert.strictEqual(prod.environment, "production");
    assert.strictEqual(prod.tags.environment, prod.environment);
    const dev = parseConfig(raw("dev", { environment: "" }), "dev");
    assert.strictEqual(dev.environment, "dev");
    assert.strictEqual(dev.tags.environment, "dev");
    // A stack whose environment is production by name alone never trains either.
    const text = problemsOf(() =>
      parseConfig(
        raw("dev", { environment: "", trainingMode: "train", modelArtifactUri: "" }),
        "production",
      ),
    );
    assert.match(
      text,
      new RegExp(`${NS}:trainingMode = "train": must be none in a production stack`),
    );
  });

  it("types every value and fills defaults for missing keys", () => {
    const cfg = parseConfig(
      { "aws:region": "eu-west-1", [`${NS}:modelArtifactUri`]: "s3://b-1/m/model.tar.gz" },
      "ci",
    );
    assert.strictEqual(cfg.region, "eu-west-1");
    assert.strictEqual(cfg.lambdaMemoryMb, 512);
    assert.strictEqual(cfg.notebookEnabled, true);
    assert.deepStrictEqual(cfg.tuningLearningRateRange, ["0.0001", "0.1"]);
    assert.deepStrictEqual(cfg.tuningEpochsRange, [2, 6]);
    assert.deepStrictEqual(cfg.tags, {
      project: NS,
      environment: "ci",
      owner: "ml-platform",
      "cost-center": "ml-research",
    });
  });

  // Each tweak on top of a valid stack, and the key and words its message must carry.
  const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
    [
      "min > max instances",
      "prod",
      { endpointMinInstances: 4, endpointMaxInstances: 2, endpointInstanceCount: 2 },
      "endpointMinInstances",
      /= 4: must be <= endpointMaxInstances \(2\)/,
    ],
    [
      "target value 0",
      "prod",
      { endpointTargetInvocations: 0 },
      "endpointTargetInvocations",
      /must be > 0/,
    ],
    [
      "negative target value",
      "prod",
      { endpointTargetInvocations: -5 },
      "endpointTargetInvocations",
      /must be > 0/,
    ],
    [
      "negative scale-in cooldown",
      "prod",
      { endpointScaleInCooldownSeconds: -1 },
      "endpointScaleInCooldownSeconds",
      />= 0/,
    ],
    [
      "negative scale-out cooldown",
      "prod",
      { endpointScaleOutCooldownSeconds: -30 },
      "endpointScaleOutCooldownSeconds",
      />= 0/,
    ],
    [
      "provisioned > reserved concurrency",
      "prod",
      { lambdaProvisionedConcurrency: 60 },
      "lambdaProvisionedConcurrency",
      /<= lambdaReservedConcurrency \(50\)/,
    ],
    [
      "serverless and autoscaling",
      "dev",
      { endpointAutoscaling: true },
      "endpointAutoscaling",
      /endpointServerless/,
    ],
    [
      "autoscaling on ml.t2",
      "prod",
      { endpointInstanceType: "ml.t2.medium" },
      "endpointInstanceType",
      /burstable ml\.t\*/,
    ],
    [
      "hosting type without ml.",
      "prod",
      { endpointInstanceType: "m5.xlarge" },
      "endpointInstanceType",
      /SageMaker hosting instance type/,
    ],
    [
      "notebook type without ml.",
      "dev",
      { notebookInstanceType: "t3.medium" },
      "notebookInstanceType",
      /SageMaker notebook instance type/,
    ],
    [
      "training type without ml.",
      "dev",
      { trainingInstanceType: "p3.2xlarge" },
      "trainingInstanceType",
      /SageMaker training/,
    ],
    [
      "EC2 type with ml.",
      "dev",
      { ec2InstanceType: "ml.m5.xlarge" },
      "ec2InstanceType",
      /not a SageMaker ml\.\* type/,
    ],
    [
      "artifact not s3://",
      "dev",
      { modelArtifactUri: "https://example.com/model.tar.gz" },
      "modelArtifactUri",
      /s3:\/\/bucket/,
    ],
    [
      "artifact not a tarball",
      "dev",
      { modelArtifactUri: "s3://bucket-a/model.pt" },
      "modelArtifactUri",
      /\.tar\.gz/,
    ],
    [
      "an artifact and a training job",
      "dev",
      { modelArtifactUri: "s3://bucket-a/model.tar.gz", trainingMode: "tune" },
      "modelArtifactUri",
      /cannot be set while trainingMode is tune/,
    ],
    [
      "a promotion and an artifact",
      "prod",
      { modelArtifactUri: "s3://bucket-a/model.tar.gz" },
      "modelPromoteSource",
      /together with modelArtifactUri/,
    ],
    [
      "a promotion from the stack itself",
      "prod",
      { modelPromoteSource: "prod" },
      "modelPromoteSource",
      /another stack/,
    ],
    [
      "a promotion source that is neither a stack nor an artifact",
      "prod",
      { modelPromoteSource: "https://example.com/model.tar.gz" },
      "modelPromoteSource",
      /stack of this project .* or an S3 URI/,
    ],
    [
      "a pin that is not an ETag",
      "prod",
      { modelPromoteEtag: "v1" },
      "modelPromoteEtag",
      /S3 ETag: 32 hex digits/,
    ],
    [
      "a pin of a stack's model without the object",
      "prod",
      { modelPromoteEtag: "9b2cf535f27731c974343645a3985328" },
      "modelPromoteObject",
      /must be set with modelPromoteEtag when modelPromoteSource is the stack dev: the exact object the ETag pins \(npm run promote -- --from dev --stack prod prints both\)/,
    ],
    [
      "a pinned object without its ETag",
      "prod",
      { modelPromoteObject: "s3://dog-breed-classifier-dev-123456789012/m/model.tar.gz" },
      "modelPromoteObject",
      /needs modelPromoteEtag/,
    ],
    [
      "a pinned object that is not an S3 object",
      "prod",
      { modelPromoteObject: "dev" },
      "modelPromoteObject",
      /must be empty or s3:\/\/<bucket>\/<key>, optionally with \?versionId=<id>/,
    ],
    [
      "a pinned object other than the release artifact",
      "prod",
      {
        modelPromoteSource: "s3://releases-bucket/a/model.tar.gz",
        modelPromoteEtag: "9b2cf535f27731c974343645a3985328",
        modelPromoteObject: "s3://releases-bucket/b/model.tar.gz",
      },
      "modelPromoteObject",
      /must be the release artifact modelPromoteSource names/,
    ],
    [
      "a pin without a source",
      "dev",
      { modelPromoteEtag: "9b2cf535f27731c974343645a3985328" },
      "modelPromoteEtag",
      /needs modelPromoteSource/,
    ],
    [
      "a reservation above what the declared account quota allows",
      "prod",
      { lambdaAccountConcurrency: 149 },
      "lambdaReservedConcurrency",
      /50 needs an account concurrency quota of at least 150 .* lambdaAccountConcurrency is 149/,
    ],
    [
      "any reservation on a new account's quota of 10",
      "dev",
      { lambdaReservedConcurrency: 2 },
      "lambdaReservedConcurrency",
      /at least 102 .* lambdaAccountConcurrency is 10/,
    ],
    [
      "unreserved provisioned concurrency above the quota",
      "dev",
      { lambdaProvisionedConcurrency: 1 },
      "lambdaProvisionedConcurrency",
      /at least 101/,
    ],
    [
      "a budget topic that is not an SNS ARN",
      "dev",
      { budgetAlertSnsTopicArn: "alerts" },
      "budgetAlertSnsTopicArn",
      /SNS topic ARN/,
    ],
    [
      "URL callers that are not IAM principals",
      "prod",
      { lambdaUrlInvokers: ["*"] },
      "lambdaUrlInvokers",
      /holds "\*": each must be an IAM role or user ARN/,
    ],
    [
      "URL callers without a URL",
      "dev",
      { lambdaUrlInvokers: ["123456789012"] },
      "lambdaUrlInvokers",
      /needs lambdaFunctionUrl true/,
    ],
    [
      "Lambda memory below 128",
      "dev",
      { lambdaMemoryMb: 64 },
      "lambdaMemoryMb",
      /between 128 and 10240/,
    ],
    [
      "Lambda memory above 10240",
      "dev",
      { lambdaMemoryMb: 20480 },
      "lambdaMemoryMb",
      /between 128 and 10240/,
    ],
    [
      "Lambda timeout 0",
      "dev",
      { lambdaTimeoutSeconds: 0 },
      "lambdaTimeoutSeconds",
      /between 1 and 900/,
    ],
    [
      "Lambda timeout 901",
      "dev",
      { lambdaTimeoutSeconds: 901 },
      "lambdaTimeoutSeconds",
      /between 1 and 900/,
    ],
    [
      "old Lambda runtime",
      "dev",
      { lambdaRuntime: "nodejs18.x" },
      "lambdaRuntime",
      /nodejs22\.x, nodejs24\.x/,
    ],
    [
      "odd log retention",
      "dev",
      { lambdaLogRetentionDays: 10 },
      "lambdaLogRetentionDays",
      /one of 1, 3, 5, 7, 14/,
    ],
    [
      "serverless memory off the 1024 grid",
      "dev",
      { endpointServerlessMemoryMb: 1500 },
      "endpointServerlessMemoryMb",
      /1024, 2048, 3072, 4096, 5120 or 6144/,
    ],
    [
      "serverless memory too large",
      "dev",
      { endpointServerlessMemoryMb: 8192 },
      "endpointServerlessMemoryMb",
      /6144/,
    ],
    [
      "serverless concurrency 0",
      "dev",
      { endpointServerlessMaxConcurrency: 0 },
      "endpointServerlessMaxConcurrency",
      /between 1 and 200/,
    ],
    [
      "data capture on serverless",
      "dev",
      { endpointDataCapture: true },
      "endpointDataCapture",
      /instance-based variant/,
    ],
    [
      "network isolation on serverless",
      "dev",
      { endpointNetworkIsolation: true },
      "endpointNetworkIsolation",
      /instance-based variant/,
    ],
    [
      "blue/green on serverless",
      "dev",
      { endpointBlueGreen: true },
      "endpointBlueGreen",
      /instance-based variant/,
    ],
    [
      "a canary of more than half the instances",
      "prod",
      { endpointCanaryInstances: 2 },
      "endpointCanaryInstances",
      /at most half of endpointInstanceCount \(2\): a blue\/green canary of N instances needs at least 2N instances/,
    ],
    [
      "a canary of no instances",
      "prod",
      { endpointCanaryInstances: 0 },
      "endpointCanaryInstances",
      /between 1 and 100/,
    ],
    [
      "instance count outside min..max",
      "prod",
      { endpointInstanceCount: 5 },
      "endpointInstanceCount",
      /between endpointMinInstances \(2\) and endpointMaxInstances \(3\)/,
    ],
    [
      "typo in a key",
      "prod",
      { endpointMaxInstanes: 3 },
      "endpointMaxInstanes",
      /unknown key; did you mean endpointMaxInstances\?/,
    ],
    ["a key nobody declared", "dev", { colour: "blue" }, "colour", /unknown key/],
    ["integer as text", "dev", { lambdaMemoryMb: "lots" }, "lambdaMemoryMb", /must be an integer/],
    ["boolean as text", "dev", { notebookEnabled: "yes" }, "notebookEnabled", /true or false/],
    [
      "spot wait below run time",
      "dev",
      { trainingMaxWaitSeconds: 3600, trainingMaxRuntimeSeconds: 7200 },
      "trainingMaxWaitSeconds",
      />= trainingMaxRuntimeSeconds \(7200\) with spot/,
    ],
    [
      "unknown training mode",
      "dev",
      { trainingMode: "finetune" },
      "trainingMode",
      /one of none, train, tune/,
    ],
    [
      "learning rate not a number",
      "dev",
      { trainingLearningRate: "fast" },
      "trainingLearningRate",
      /decimal number/,
    ],
    [
      "learning rate range reversed",
      "dev",
      { tuningLearningRateRange: ["0.1", "0.001"] },
      "tuningLearningRateRange",
      /0 < min < max < 1/,
    ],
    [
      "batch sizes not integers",
      "dev",
      { tuningBatchSizeValues: ["32", "big"] },
      "tuningBatchSizeValues",
      /positive integers/,
    ],
    [
      "epochs range of strings",
      "dev",
      { tuningEpochsRange: ["2", "6"] },
      "tuningEpochsRange",
      /array of integers/,
    ],
    [
      "parallel jobs above max jobs",
      "dev",
      { tuningMaxJobs: 2, tuningMaxParallelJobs: 4 },
      "tuningMaxParallelJobs",
      /<= tuningMaxJobs \(2\)/,
    ],
    [
      "early stopping value",
      "dev",
      { tuningEarlyStopping: "On" },
      "tuningEarlyStopping",
      /Auto, Off/,
    ],
    ["unknown architecture", "dev", { trainingArch: "vgg16" }, "trainingArch", /resnet50/],
    [
      "notebook without internet and subnet",
      "dev",
      { notebookDirectInternetAccess: false },
      "notebookDirectInternetAccess",
      /needs notebookSubnetId/,
    ],
    [
      "EC2 volume too small",
      "dev",
      { ec2RootVolumeGb: 8 },
      "ec2RootVolumeGb",
      /between 30 and 16384/,
    ],
    [
      "idle stop too short",
      "dev",
      { notebookIdleStopMinutes: 1 },
      "notebookIdleStopMinutes",
      /between 5 and 1440/,
    ],
    [
      "a PyTorch version the EC2 host has no pins for",
      "dev",
      { trainingFrameworkVersion: "1.13", ec2Enabled: true },
      "trainingFrameworkVersion",
      /with ec2Enabled true must be a version the training host has pinned torch, torchvision and numpy for: 2\.0, 2\.1, /,
    ],
    [
      "budget alert address",
      "dev",
      { budgetAlertEmail: "nobody" },
      "budgetAlertEmail",
      /email address/,
    ],
    ["negative budget", "dev", { budgetMonthlyUsd: -1 }, "budgetMonthlyUsd", />= 0/],
    ["hours beyond a month", "dev", { ec2HoursPerMonth: 800 }, "ec2HoursPerMonth", /<= 744/],
    [
      "region without PyTorch images",
      "dev",
      { "aws:region": "mars-north-1" },
      "aws:region",
      /region with SageMaker PyTorch images/,
    ],
  ];

  for (const [what, stack, overrides, key, message] of cases) {
    it(`rejects ${what}, naming ${key}`, () => {
      const text = problemsOf(() => parseConfig(raw(stack, overrides), stack));
      const qualified = key.includes(":") ? key : `${NS}:${key}`;
      const line = text.split("\n").find((l) => l.trim().startsWith(`${qualified} = `));
      assert.ok(line, `no line for ${qualified} in:\n${text}`);
      assert.match(line, message);
    });
  }

  it("refuses a Lambda runtime from the day AWS deprecates it, and offers the ones still supported", () => {
    const on = (lambdaRuntime: string, today: string) =>
      parseConfig(raw("dev", { lambdaRuntime }), "dev", today).lambdaRuntime;
    assert.strictEqual(on("nodejs22.x", "2027-04-29"), "nodejs22.x");
    assert.strictEqual(
      problemsOf(() => on("nodejs22.x", "2027-04-30"))
        .split("\n")[1]
        .trim(),
      `${NS}:lambdaRuntime = "nodejs22.x": was deprecated by AWS on 2027-04-30 (no security patches; ` +
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html): use nodejs24.x",
    );
    assert.strictEqual(on("nodejs24.x", "2027-04-30"), "nodejs24.x");
    assert.match(
      problemsOf(() => on("nodejs24.x", "2028-05-01")),
      /nodejs24\.x": was deprecated by AWS on 2028-04-30 .*every runtime the handler is built for is past its day; upgrade the project/,
    );
  });

  it("lists every bad key at once, one per line, with its value", () => {
    const text = problemsOf(() =>
      parseConfig(
        raw("prod", {
          endpointMinInstances: 4,
          lambdaMemoryMb: 64,
          endpointMaxInstanes: 3,
          modelArtifactUri: "ftp://x",
        }),
        "prod",
      ),
    );
    const lines = text.split("\n");
    assert.match(lines[0], /invalid stack configuration \(\d+ problems\):/);
    for (const expected of [
      `${NS}:endpointMaxInstanes = "3": unknown key`,
      `${NS}:endpointMinInstances = 4: must be <= endpointMaxInstances (3)`,
      `${NS}:lambdaMemoryMb = 64: must be between 128 and 10240`,
      `${NS}:modelArtifactUri = "ftp://x": must be an S3 URI`,
    ]) {
      assert.ok(
        lines.some((l) => l.trim().startsWith(expected)),
        `missing "${expected}" in:\n${text}`,
      );
    }
  });

  it("accepts the boundaries AWS allows", () => {
    const cfg = parseConfig(
      raw("dev", {
        lambdaMemoryMb: 10240,
        lambdaTimeoutSeconds: 900,
        endpointServerlessMemoryMb: 6144,
        endpointServerlessMaxConcurrency: 200,
        lambdaReservedConcurrency: -1,
        lambdaProvisionedConcurrency: 5,
        lambdaAccountConcurrency: 105,
      }),
      "dev",
    );
    assert.deepStrictEqual(
      [
        cfg.lambdaMemoryMb,
        cfg.lambdaTimeoutSeconds,
        cfg.endpointServerlessMemoryMb,
        cfg.lambdaProvisionedConcurrency,
      ],
      [10240, 900, 6144, 5],
    );
  });
});
