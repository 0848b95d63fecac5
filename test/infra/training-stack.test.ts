// The training and tuning jobs the program declares under mocks, per stack and mode: their exact
// inputs, the uploaded code archive, the model taking the job's artifact, the names that change
// with what a job is made of, and the training role's permissions for exactly these jobs.
import * as assert from "assert";
import * as path from "path";
import * as zlib from "zlib";
import { createHash } from "crypto";
import { ConfigError, parseConfig } from "../../infra/config";
import { packSourceDir } from "../../infra/training/source-package";
import { loadStackConfig } from "../../tools/stack-config";
import { StackRun, findProjectRoot, ofType, runStack } from "../../tools/stack-run";
import { TYPES } from "../../shared/resource-types";
import { MOCK_JOB_STARTED_AT } from "../../tools/mock-cloud";
import { decide, deployedRoles, one, servingRun, stackRun } from "./helpers";

const ROOT = findProjectRoot(__dirname);
const ACCOUNT = "123456789012";
const BUCKET = `dog-breed-classifier-dev-${ACCOUNT}`;
const TRAINING_ROLE = `arn:aws:iam::${ACCOUNT}:role/dog-breed-classifier-dev-training`;
const TRAINING_IMAGE =
  "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-cpu-py310";
const METRICS = [
  { name: "train_loss", regex: "train_loss=([0-9]+\\.[0-9]+)" },
  { name: "train_accuracy", regex: "train_accuracy=([0-9]+\\.[0-9]+)" },
  { name: "valid_loss", regex: "valid_loss=([0-9]+\\.[0-9]+)" },
  { name: "valid_accuracy", regex: "valid_accuracy=([0-9]+\\.[0-9]+)" },
  { name: "test_loss", regex: "test_loss=([0-9]+\\.[0-9]+)" },
  { name: "test_accuracy", regex: "test_accuracy=([0-9]+\\.[0-9]+)" },
];
const CHANNEL = [
  {
    channelName: "training",
    inputMode: "File",
    dataSource: {
      s3DataSource: {
        s3DataType: "S3Prefix",
        s3Uri: `s3://${BUCKET}/data/dog-images/`,
        s3DataDistributionType: "FullyReplicated",
      },
    },
  },
];
const PKG = packSourceDir(path.join(ROOT, "training"), "code/");
const SUBMIT = `s3://${BUCKET}/${PKG.key}`;

const TRAINING_JOB = TYPES.trainingJob;
const TUNING_JOB = TYPES.tuningJob;
const TAGS = {
  project: "dog-breed-classifier",
  environment: "dev",
  owner: "ml-platform",
  "cost-center": "ml-research",
};

/** The waiting items about training (the stack file's budget alert address waits too). */
const trainingWaiting = (run: StackRun) =>
  (run.outputs.waiting as { what: string; reason: string; next: string[] }[]).filter((w) =>
    w.what.startsWith("training:"),
  );

function withoutProvider(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __provider, ...rest } = inputs;
  assert.ok(__provider !== undefined, "the dynamic resource carries its serialized provider");
  return rest;
}

describe("training run: dev with trainingMode train", () => {
  let run: StackRun;
  before(async () => {
    run = await stackRun("dev", { trainingMode: "train" });
  });

  it("uploads the packed training code under a content-hashed key", () => {
    const obj = ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2").find(
      (o) => o.name === "training-source",
    );
    assert.ok(obj);
    assert.strictEqual(obj.inputs.bucket, BUCKET);
    assert.strictEqual(obj.inputs.key, PKG.key);
    assert.strictEqual(obj.inputs.contentType, "application/gzip");
    const archive = Buffer.from(String(obj.inputs.contentBase64), "base64");
    assert.ok(archive.equals(PKG.archive));
    assert.strictEqual(
      createHash("sha256").update(zlib.gunzipSync(archive)).digest("hex"),
      PKG.sha256,
    );
  });

  it("declares one training job with the exact role, image, code, data, spot and limits", () => {
    const job = one(run, TRAINING_JOB);
    const name = String(job.inputs.trainingJobName);
    assert.match(name, /^dog-breed-classifier-dev-[0-9a-f]{12}$/);
    assert.deepStrictEqual(withoutProvider(job.inputs), {
      region: "us-east-1",
      trainingJobName: name,
      roleArn: TRAINING_ROLE,
      algorithmSpecification: {
        trainingImage: TRAINING_IMAGE,
        trainingInputMode: "File",
        metricDefinitions: METRICS,
      },
      hyperParameters: {
        arch: '"resnet18"',
        "batch-size": "64",
        epochs: "3",
        "learning-rate": "0.001",
        pretrained: "true",
        sagemaker_container_log_level: "20",
        sagemaker_program: '"train.py"',
        sagemaker_region: '"us-east-1"',
        sagemaker_submit_directory: JSON.stringify(SUBMIT),
      },
      inputDataConfigs: CHANNEL,
      outputDataConfig: {
        s3OutputPath: `s3://${BUCKET}/models/jobs/`,
        kmsKeyId: one(run, "aws:kms/key:Key").outputs.arn,
      },
      resourceConfig: {
        instanceType: "ml.m5.xlarge",
        instanceCount: 1,
        volumeSizeInGb: 30,
        volumeKmsKeyId: one(run, "aws:kms/key:Key").outputs.arn,
      },
      stoppingCondition: { maxRuntimeInSeconds: 7200, maxWaitTimeInSeconds: 14400 },
      enableManagedSpotTraining: true,
      checkpointConfig: {
        s3Uri: `s3://${BUCKET}/checkpoints/${name}/`,
        localPath: "/opt/ml/checkpoints",
      },
      tags: TAGS,
    });
    // The provider replaces a job whose inputs change; the new one starts before the old stops.
    assert.deepStrictEqual(job.replaceOnChanges, []);
    assert.strictEqual(job.deleteBeforeReplace, false);
  });

  it("starts the job only after the code is uploaded and the role's policy is in place", () => {
    const job = one(run, TRAINING_JOB);
    const source = run.resources.find((r) => r.name === "training-source");
    const rolePolicy = run.resources.find((r) => r.name === "training-role-policy");
    assert.ok(source && rolePolicy);
    assert.ok(job.dependencies.includes(source.urn), "depends on the code archive");
    assert.ok(job.dependencies.includes(rolePolicy.urn), "depends on the role's inline policy");
  });

  it("starts the job and returns: while it runs, the inference tier waits and says so", () => {
    const job = one(run, TRAINING_JOB);
    const name = String(job.inputs.trainingJobName);
    assert.strictEqual(run.outputs.trainingJobName, name);
    assert.strictEqual(run.outputs.modelDataUrl, undefined);
    assert.deepStrictEqual(ofType(run, "aws:sagemaker/model:Model"), []);
    assert.deepStrictEqual(ofType(run, "aws:sagemaker/endpoint:Endpoint"), []);
    assert.deepStrictEqual(ofType(run, "aws:lambda/function:Function"), []);
    assert.deepStrictEqual(trainingWaiting(run), [
      {
        what: `training: in progress (${name}, started at ${MOCK_JOB_STARTED_AT})`,
        reason:
          "the training job runs on its own; `pulumi up` does not wait for it, and declares the inference tier on its model once it has completed",
        next: [
          `aws sagemaker describe-training-job --training-job-name ${name} --query TrainingJobStatus   # InProgress, then Completed`,
          "pulumi up --stack dev   # once it has completed: deploys its model",
        ],
      },
    ]);
  });

  it("deploys the job's model once a later up finds the job completed", async () => {
    const done = await runStack({
      stack: "dev",
      overrides: { trainingMode: "train" },
      jobStatus: "Completed",
    });
    const job = one(done, TRAINING_JOB);
    const name = String(job.inputs.trainingJobName);
    const uri = `s3://${BUCKET}/models/jobs/${name}/output/model.tar.gz`;
    assert.strictEqual(done.outputs.modelDataUrl, uri);
    assert.deepStrictEqual(trainingWaiting(done), []);
    const model = one(done, "aws:sagemaker/model:Model");
    assert.strictEqual(
      (model.inputs.primaryContainer as Record<string, unknown>).modelDataUrl,
      uri,
    );
    assert.ok(model.dependencies.includes(job.urn), "the model depends on the job that made it");
  });

  it("names a failed job and the retry the next up makes", async () => {
    const failed = await runStack({
      stack: "dev",
      overrides: { trainingMode: "train" },
      jobStatus: "Failed",
    });
    const name = String(one(failed, TRAINING_JOB).inputs.trainingJobName);
    const waiting = trainingWaiting(failed);
    assert.deepStrictEqual(
      waiting.map((w) => w.what),
      [`training: failed (${name}: AlgorithmError: ExecuteUserScriptError: exit code 1)`],
    );
    assert.match(
      waiting[0].next[0],
      /^pulumi up --stack dev {3}# starts it again as the next attempt/,
    );
    assert.deepStrictEqual(ofType(failed, "aws:sagemaker/model:Model"), []);
  });

  it("lets the training role do exactly what this job needs, and the model role read the jobs' models only", async () => {
    // Once the job completed, the stack has a model role as well.
    const done = await runStack({
      stack: "dev",
      overrides: { trainingMode: "train" },
      jobStatus: "Completed",
    });
    const roles = deployedRoles(done);
    const training = roles.get("dog-breed-classifier-dev-training")!;
    const model = roles.get("dog-breed-classifier-dev-model")!;
    const job = String(one(done, TRAINING_JOB).inputs.trainingJobName);
    const obj = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
    const KEY = String(done.outputs.kmsKeyArn);
    const checks: [typeof training, string, string, string, Record<string, string>?][] = [
      [training, "s3:GetObject", obj(PKG.key), "Allowed"],
      [training, "s3:GetObject", obj("data/dog-images/train/001.Affenpinscher/a.jpg"), "Allowed"],
      [
        training,
        "s3:ListBucket",
        `arn:aws:s3:::${BUCKET}`,
        "Allowed",
        { "s3:prefix": "data/dog-images/" },
      ],
      [training, "s3:PutObject", obj(`models/jobs/${job}/output/model.tar.gz`), "Allowed"],
      [training, "s3:PutObject", obj(`checkpoints/${job}/checkpoint-1.pth`), "Allowed"],
      [training, "s3:GetObject", obj(`checkpoints/${job}/checkpoint-1.pth`), "Allowed"],
      [training, "s3:PutObject", obj(PKG.key), "ImplicitlyDenied"],
      [training, "s3:PutObject", obj("data/dog-images/train/x.jpg"), "ImplicitlyDenied"],
      [
        training,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-training",
        "Allowed",
      ],
      [
        training,
        "logs:PutLogEvents",
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:log-stream:${job}/algo-1`,
        "Allowed",
      ],
      [
        training,
        "cloudwatch:PutMetricData",
        "*",
        "Allowed",
        { "cloudwatch:namespace": "/aws/sagemaker/TrainingJobs" },
      ],
      // A KMS key on the job's output needs kms:Encrypt as well (CreateTrainingJob's
      // OutputDataConfig), through SageMaker or S3 only.
      [
        training,
        "kms:Encrypt",
        KEY,
        "Allowed",
        { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" },
      ],
      [training, "kms:Encrypt", KEY, "Allowed", { "kms:ViaService": "s3.us-east-1.amazonaws.com" }],
      [training, "kms:Encrypt", KEY, "ImplicitlyDenied"],
      [model, "s3:GetObject", obj(`models/jobs/${job}/output/model.tar.gz`), "Allowed"],
      // An earlier job's model, which a rollback may return the endpoint to.
      [model, "s3:GetObject", obj("models/jobs/another-job/output/model.tar.gz"), "Allowed"],
      [model, "s3:GetObject", obj("models/ec2/20261101T000000Z/model.tar.gz"), "ImplicitlyDenied"],
      [model, "s3:GetObject", obj("data/train/x.jpg"), "ImplicitlyDenied"],
    ];
    const wrong: string[] = [];
    for (const [role, action, resource, expected, context] of checks) {
      const got = await decide(role, action, resource, context);
      if (got !== expected)
        wrong.push(`${role.name} ${action} ${resource}: ${got}, expected ${expected}`);
    }
    assert.deepStrictEqual(wrong, []);
  });
});

describe("training run: dev with trainingMode tune", () => {
  let run: StackRun;
  before(async () => {
    run = await stackRun("dev", { trainingMode: "tune" });
  });

  it("declares a tuning job with the objective, ranges, limits and early stopping from config", () => {
    assert.deepStrictEqual(ofType(run, TRAINING_JOB), []);
    const tuning = one(run, TUNING_JOB);
    const name = String(tuning.inputs.name);
    // 32 characters: the stack prefix, 5 digest digits, and room for a retry's `-<n>`.
    assert.match(name, /^dog-breed-classifier-dev-[0-9a-f]{5}$/);
    assert.ok(name.length <= 30);
    assert.deepStrictEqual(tuning.inputs.config, {
      strategy: "Bayesian",
      objective: { metricName: "valid_accuracy", type: "Maximize" },
      resourceLimits: { maxNumberOfTrainingJobs: 4, maxParallelTrainingJobs: 2 },
      parameterRanges: {
        continuousParameterRanges: [
          {
            name: "learning-rate",
            minValue: "0.0001",
            maxValue: "0.1",
            scalingType: "Logarithmic",
          },
        ],
        integerParameterRanges: [
          { name: "epochs", minValue: "2", maxValue: "6", scalingType: "Linear" },
        ],
        categoricalParameterRanges: [{ name: "batch-size", values: ["32", "64", "128"] }],
      },
      trainingJobEarlyStoppingType: "Auto",
    });
    assert.deepStrictEqual(tuning.inputs.trainingJobDefinition, {
      roleArn: TRAINING_ROLE,
      algorithmSpecification: {
        trainingImage: TRAINING_IMAGE,
        trainingInputMode: "File",
        metricDefinitions: METRICS,
      },
      staticHyperParameters: {
        arch: '"resnet18"',
        pretrained: "true",
        sagemaker_container_log_level: "20",
        sagemaker_program: '"train.py"',
        sagemaker_region: '"us-east-1"',
        sagemaker_submit_directory: JSON.stringify(SUBMIT),
      },
      inputDataConfigs: CHANNEL,
      outputDataConfig: {
        s3OutputPath: `s3://${BUCKET}/models/jobs/`,
        kmsKeyId: one(run, "aws:kms/key:Key").outputs.arn,
      },
      resourceConfig: {
        instanceType: "ml.m5.xlarge",
        instanceCount: 1,
        volumeSizeInGb: 30,
        volumeKmsKeyId: one(run, "aws:kms/key:Key").outputs.arn,
      },
      stoppingCondition: { maxRuntimeInSeconds: 7200, maxWaitTimeInSeconds: 14400 },
      enableManagedSpotTraining: true,
      // The tuning job's own folder; each trial keeps its checkpoints in a subfolder named
      // after its training job (the training code's part, see training/tests/test_args.py).
      checkpointConfig: {
        s3Uri: `s3://${BUCKET}/checkpoints/${name}/`,
        localPath: "/opt/ml/checkpoints",
      },
    });
    assert.deepStrictEqual(tuning.inputs.tags, TAGS);
  });

  it("lets a trial write and read checkpoints in its own folder under the tuning job's", async () => {
    const training = deployedRoles(run).get("dog-breed-classifier-dev-training")!;
    const name = String(one(run, TUNING_JOB).inputs.name);
    const key = `arn:aws:s3:::${BUCKET}/checkpoints/${name}/${name}-003-0a1b2c3d/checkpoint-0001.pth`;
    assert.strictEqual(await decide(training, "s3:PutObject", key), "Allowed");
    assert.strictEqual(await decide(training, "s3:GetObject", key), "Allowed");
  });

  it("deploys the best training job's artifact once the tuning job has completed", async () => {
    const done = await runStack({
      stack: "dev",
      overrides: { trainingMode: "tune" },
      jobStatus: "Completed",
    });
    const name = String(one(done, TUNING_JOB).inputs.name);
    assert.match(
      String(done.outputs.modelDataUrl),
      new RegExp(`^s3://${BUCKET}/models/jobs/${name}-001-[0-9a-f]{8}/output/model\\.tar\\.gz$`),
    );
    const model = one(done, "aws:sagemaker/model:Model");
    assert.strictEqual(
      (model.inputs.primaryContainer as Record<string, unknown>).modelDataUrl,
      done.outputs.modelDataUrl,
    );
    const running = trainingWaiting(run);
    assert.deepStrictEqual(
      running.map((w) => w.what),
      [
        `training: in progress (${String(one(run, TUNING_JOB).inputs.name)}, started at ${MOCK_JOB_STARTED_AT})`,
      ],
    );
    assert.match(
      running[0].next[0],
      /^aws sagemaker describe-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name /,
    );
  });
});

describe("training run: data parallel on two GPU instances", () => {
  const overrides = {
    trainingInstanceType: "ml.g5.xlarge",
    trainingInstanceCount: 2,
    trainingFrameworkVersion: "2.1",
  };
  const GPU_IMAGE = TRAINING_IMAGE.replace("cpu", "gpu");

  it("turns on the torch_distributed launch for the training job, on two instances", async () => {
    const run = await stackRun("dev", { ...overrides, trainingMode: "train" });
    const job = one(run, TRAINING_JOB);
    const hp = job.inputs.hyperParameters as Record<string, string>;
    assert.strictEqual(hp.sagemaker_torch_distributed_enabled, "true");
    assert.strictEqual(hp.sagemaker_instance_type, '"ml.g5.xlarge"');
    assert.deepStrictEqual(
      Object.keys(hp).filter((k) => k.startsWith("sagemaker_")),
      [
        "sagemaker_container_log_level",
        "sagemaker_instance_type",
        "sagemaker_program",
        "sagemaker_region",
        "sagemaker_submit_directory",
        "sagemaker_torch_distributed_enabled",
      ],
    );
    const resources = job.inputs.resourceConfig as Record<string, unknown>;
    assert.deepStrictEqual([resources.instanceType, resources.instanceCount], ["ml.g5.xlarge", 2]);
    const spec = job.inputs.algorithmSpecification as Record<string, unknown>;
    assert.strictEqual(spec.trainingImage, GPU_IMAGE);
    const name = String(job.inputs.trainingJobName);
    assert.deepStrictEqual(job.inputs.checkpointConfig, {
      s3Uri: `s3://${BUCKET}/checkpoints/${name}/`,
      localPath: "/opt/ml/checkpoints",
    });
  });

  it("gives every trial of a tuning job the launch and a checkpoint folder of its own", async () => {
    const run = await stackRun("dev", { ...overrides, trainingMode: "tune" });
    const tuning = one(run, TUNING_JOB);
    const def = tuning.inputs.trainingJobDefinition as Record<string, Record<string, unknown>>;
    assert.strictEqual(def.staticHyperParameters.sagemaker_torch_distributed_enabled, "true");
    assert.strictEqual(def.staticHyperParameters.sagemaker_instance_type, '"ml.g5.xlarge"');
    assert.strictEqual(def.resourceConfig.instanceCount, 2);
    assert.deepStrictEqual(def.checkpointConfig, {
      s3Uri: `s3://${BUCKET}/checkpoints/${String(tuning.inputs.name)}/`,
      localPath: "/opt/ml/checkpoints",
    });
  });

  it("turns it on for one instance with several GPUs, and off for one GPU or one CPU", async () => {
    const hyperparameters = async (type: string, count: number) => {
      const run = await runStack({
        stack: "dev",
        overrides: {
          trainingMode: "train",
          trainingInstanceType: type,
          trainingInstanceCount: count,
        },
      });
      return one(run, TRAINING_JOB).inputs.hyperParameters as Record<string, string>;
    };
    assert.strictEqual(
      (await hyperparameters("ml.g5.12xlarge", 1)).sagemaker_torch_distributed_enabled,
      "true",
    );
    for (const type of ["ml.g5.xlarge", "ml.m5.xlarge"]) {
      const hp = await hyperparameters(type, 1);
      assert.strictEqual(hp.sagemaker_torch_distributed_enabled, undefined, type);
      assert.strictEqual(hp.sagemaker_instance_type, undefined, type);
    }
  });
});

describe("training run: settings and names", () => {
  it("runs on demand without checkpoints or a spot wait when spot is off", async () => {
    const run = await stackRun("dev", { trainingMode: "train", trainingUseSpot: false });
    const job = one(run, TRAINING_JOB);
    assert.strictEqual(job.inputs.enableManagedSpotTraining, false);
    assert.strictEqual(job.inputs.checkpointConfig, undefined);
    assert.deepStrictEqual(job.inputs.stoppingCondition, { maxRuntimeInSeconds: 7200 });
  });

  it("encrypts job output and volumes with the stack's key, but not local-storage volumes", async () => {
    const run = await stackRun("dev", { trainingMode: "train", kmsEnabled: true });
    const key = String(one(run, "aws:kms/key:Key").outputs.arn);
    const job = one(run, TRAINING_JOB);
    assert.deepStrictEqual(job.inputs.outputDataConfig, {
      s3OutputPath: `s3://${BUCKET}/models/jobs/`,
      kmsKeyId: key,
    });
    assert.strictEqual((job.inputs.resourceConfig as Record<string, unknown>).volumeKmsKeyId, key);
    const gpu = await stackRun("dev", {
      trainingMode: "tune",
      kmsEnabled: true,
      trainingInstanceType: "ml.g4dn.xlarge",
    });
    const def = one(gpu, TUNING_JOB).inputs.trainingJobDefinition as Record<
      string,
      Record<string, unknown>
    >;
    assert.strictEqual(def.resourceConfig.volumeKmsKeyId, undefined);
    assert.strictEqual(def.outputDataConfig.kmsKeyId, key);
    assert.strictEqual(
      def.algorithmSpecification.trainingImage,
      TRAINING_IMAGE.replace("cpu", "gpu"),
    );
  });

  it("keeps the job name for the same inputs and changes it with hyperparameters, data, tags or ranges", async () => {
    const name = async (overrides: Record<string, unknown>) => {
      const run = await runStack({ stack: "dev", overrides });
      const job = ofType(run, TRAINING_JOB)[0] ?? one(run, TUNING_JOB);
      return String(job.inputs.trainingJobName ?? job.inputs.name);
    };
    const base = await name({ trainingMode: "train" });
    assert.strictEqual(await name({ trainingMode: "train" }), base);
    const changed = [
      await name({ trainingMode: "train", trainingEpochs: 4 }),
      await name({ trainingMode: "train", trainingLearningRate: "0.002" }),
      await name({ trainingMode: "train", trainingDataPrefix: "data/dog-images-v2/" }),
      await name({ trainingMode: "train", trainingInstanceType: "ml.m5.2xlarge" }),
      // A tag change replaces the job too, so it must not reuse the name.
      await name({ trainingMode: "train", owner: "vision-team" }),
    ];
    assert.strictEqual(new Set([base, ...changed]).size, 6, JSON.stringify([base, ...changed]));
    const tune = await name({ trainingMode: "tune" });
    assert.notStrictEqual(await name({ trainingMode: "tune", tuningMaxJobs: 6 }), tune);
    assert.notStrictEqual(
      await name({ trainingMode: "tune", tuningBatchSizeValues: ["16", "32"] }),
      tune,
    );
  });

  it("rejects an objective the training code does not print", async () => {
    await assert.rejects(
      runStack({
        stack: "dev",
        overrides: { trainingMode: "tune", tuningObjectiveMetric: "valid:accuracy" },
      }),
      /tuning\.objectiveMetric "valid:accuracy" is not a metric the training code prints; use one of train_loss, .*valid_accuracy/,
    );
  });

  it("never trains in prod: the production stack refuses a training mode and runs no job", async () => {
    await assert.rejects(
      runStack({ stack: "prod", overrides: { trainingMode: "tune" } }),
      /trainingMode = "tune": must be none in a production stack/,
    );
    const prod = await servingRun("prod");
    assert.deepStrictEqual([...ofType(prod, TRAINING_JOB), ...ofType(prod, TUNING_JOB)], []);
    assert.match(
      String(prod.outputs.modelDataUrl),
      /^s3:\/\/dog-breed-classifier-prod-123456789012\/models\/releases\/.+\/model\.tar\.gz$/,
    );
  });

  it("runs no job and uploads no archive while trainingMode is none", async () => {
    const dev = await stackRun("dev");
    assert.deepStrictEqual([...ofType(dev, TRAINING_JOB), ...ofType(dev, TUNING_JOB)], []);
    assert.ok(!dev.resources.some((r) => r.name === "training-source"));
  });
});

describe("training config keys", () => {
  const problems = (overrides: Record<string, unknown>): string => {
    try {
      parseConfig(loadStackConfig(ROOT, "dev", overrides).config, "dev");
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.message;
    }
    return "";
  };

  it("default to the dataset folder, a 30 GB volume and a maximized objective", () => {
    const cfg = parseConfig(loadStackConfig(ROOT, "dev").config, "dev");
    assert.deepStrictEqual(
      [
        cfg.trainingDataPrefix,
        cfg.trainingVolumeSizeGb,
        cfg.tuningObjectiveType,
        cfg.tuningObjectiveMetric,
      ],
      ["data/dog-images/", 30, "Maximize", "valid_accuracy"],
    );
  });

  it("name the bad key, its value and what is allowed", () => {
    assert.match(
      problems({ trainingDataPrefix: "dog-images/" }),
      /trainingDataPrefix = "dog-images\/": must be a bucket prefix under data\//,
    );
    assert.match(
      problems({ trainingDataPrefix: "data/dog-images" }),
      /trainingDataPrefix = "data\/dog-images": must be/,
    );
    assert.match(
      problems({ trainingVolumeSizeGb: 0 }),
      /trainingVolumeSizeGb = 0: must be between 1 and 16384/,
    );
    assert.match(
      problems({ tuningObjectiveType: "Max" }),
      /tuningObjectiveType = "Max": must be one of Maximize, Minimize/,
    );
    assert.strictEqual(
      problems({ trainingDataPrefix: "data/", tuningObjectiveType: "Minimize" }),
      "",
    );
  });

  it("refuse several instances the training code cannot use together", () => {
    assert.match(
      problems({ trainingInstanceCount: 2 }),
      /trainingInstanceCount = 2: must be 1 with trainingInstanceType ml\.m5\.xlarge: .*torch_distributed launch, which needs GPU instances \(ml\.p\*, ml\.g\*, e\.g\. ml\.g5\.xlarge\)/,
    );
    assert.match(
      problems({ trainingInstanceType: "ml.trn1.2xlarge", trainingInstanceCount: 4 }),
      /trainingInstanceCount = 4: must be 1 with trainingInstanceType ml\.trn1\.2xlarge/,
    );
    assert.match(
      problems({
        trainingInstanceType: "ml.g5.xlarge",
        trainingInstanceCount: 2,
        trainingFrameworkVersion: "1.12",
      }),
      /trainingFrameworkVersion = "1\.12": must be 1\.13 or later to train on 2 x ml\.g5\.xlarge \(2 GPUs\)/,
    );
    assert.match(
      problems({ trainingInstanceType: "ml.p3.8xlarge", trainingFrameworkVersion: "1.10" }),
      /trainingFrameworkVersion = "1\.10": must be 1\.13 or later to train on 1 x ml\.p3\.8xlarge \(4 GPUs\)/,
    );
    for (const ok of [
      { trainingInstanceType: "ml.g5.xlarge", trainingInstanceCount: 2 },
      { trainingInstanceType: "ml.g5.12xlarge", trainingFrameworkVersion: "2.0" },
      { trainingInstanceType: "ml.p3.2xlarge", trainingInstanceCount: 20 },
      { trainingInstanceType: "ml.g4dn.xlarge", trainingFrameworkVersion: "1.12" },
    ]) {
      assert.strictEqual(problems(ok), "", JSON.stringify(ok));
    }
  });
});
