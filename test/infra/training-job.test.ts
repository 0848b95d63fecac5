// The job providers against a local server that speaks the SageMaker JSON protocol: a create
// that starts a job and returns at once, with the exact request; a job that already has the name
// (an interrupted `up` left it running, with no state) adopted without a Create call; the next
// `up` seeing it completed with its model; a tuning job's best training job; a Create refused with
// ResourceInUse; failed and stopped jobs; the replaced job stopped; and what Pulumi serializes.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  TrainingJobInputs,
  TrainingJobOutputs,
  TuningJobInputs,
  TuningJobOutputs,
  createRequest,
  trainingJobProvider,
  tuningJobProvider,
} from "../../infra/training/job-provider";
import { allocateJobName, sagemakerLookup } from "../../infra/training/job-name-provider";
import { FakeSageMakerApi, serveForSuite } from "./fake-sagemaker-json";

const DESCRIBE = "SageMaker.DescribeTrainingJob";
const CREATE = "SageMaker.CreateTrainingJob";
const STOP = "SageMaker.StopTrainingJob";
const DESCRIBE_TUNING = "SageMaker.DescribeHyperParameterTuningJob";
const CREATE_TUNING = "SageMaker.CreateHyperParameterTuningJob";
const ACCOUNT = "123456789012";
const BUCKET = `dog-breed-classifier-dev-${ACCOUNT}`;
const OUT = `s3://${BUCKET}/models/jobs/`;
const JOB = "dog-breed-classifier-dev-0123456789ab";
const TUNE = "dog-breed-classifier-dev-1a2b3";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/dog-breed-classifier-dev-training`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b6a2c1e-1111-4222-8333-444455556666`;
const IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-cpu-py310";
// SageMaker's answers carry times as epoch seconds (AWS JSON 1.1).
const CREATED = 1_793_611_800; // 2026-11-02T09:30:00Z

const channel = {
  channelName: "training",
  inputMode: "File",
  dataSource: {
    s3DataSource: {
      s3DataType: "S3Prefix",
      s3Uri: `s3://${BUCKET}/data/dog-images/`,
      s3DataDistributionType: "FullyReplicated",
    },
  },
};

function trainingInputs(over: Partial<TrainingJobInputs> = {}): TrainingJobInputs {
  return {
    region: "us-east-1",
    trainingJobName: JOB,
    roleArn: ROLE,
    algorithmSpecification: {
      trainingImage: IMAGE,
      trainingInputMode: "File",
      metricDefinitions: [{ name: "valid_accuracy", regex: "valid_accuracy=([0-9.]+)" }],
    },
    hyperParameters: { epochs: "3", "batch-size": "64", sagemaker_program: '"train.py"' },
    inputDataConfigs: [channel],
    outputDataConfig: { s3OutputPath: OUT, kmsKeyId: KEY },
    resourceConfig: {
      instanceType: "ml.m5.xlarge",
      instanceCount: 1,
      volumeSizeInGb: 30,
      volumeKmsKeyId: KEY,
    },
    stoppingCondition: { maxRuntimeInSeconds: 7200, maxWaitTimeInSeconds: 14400 },
    enableManagedSpotTraining: true,
    checkpointConfig: {
      s3Uri: `s3://${BUCKET}/checkpoints/${JOB}/`,
      localPath: "/opt/ml/checkpoints",
    },
    tags: { environment: "dev", owner: "ml-platform" },
    ...over,
  };
}

const tuningInputs = (): TuningJobInputs => {
  const {
    region,
    tags,
    trainingJobName: _n,
    ...definition
  } = trainingInputs({
    hyperParameters: undefined,
  });
  return {
    region,
    name: TUNE,
    config: {
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
        categoricalParameterRanges: [{ name: "batch-size", values: ["32", "64"] }],
      },
      trainingJobEarlyStoppingType: "Auto",
    },
    trainingJobDefinition: {
      ...definition,
      staticHyperParameters: { sagemaker_program: '"train.py"' },
    },
    tags,
  };
};

const described = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
  TrainingJobName: name,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}`,
  TrainingJobStatus: status,
  SecondaryStatus: status === "InProgress" ? "Training" : status,
  CreationTime: CREATED,
  ...extra,
});
const model = (name: string) => ({
  ModelArtifacts: { S3ModelArtifacts: `${OUT}${name}/output/model.tar.gz` },
});

describe("training and tuning job providers (local SageMaker JSON endpoint)", () => {
  const notFound = () => ({
    __type: "ValidationException",
    message: "Requested resource not found.",
  });
  // Describe answers "not found" for a job the script does not hold; Create and Stop succeed.
  const api = new FakeSageMakerApi({
    [DESCRIBE]: notFound,
    [CREATE]: (name) => ({
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}`,
    }),
    [STOP]: () => ({}),
    [DESCRIBE_TUNING]: (name) => ({
      __type: "ResourceNotFound",
      message: `Amazon SageMaker can't find a tuning job ${name}`,
    }),
  });
  serveForSuite(api);
  beforeEach(() => api.reset({}));
  const targets = () => api.calls.map((c) => `${c.target.replace("SageMaker.", "")} ${c.name}`);

  it("starts a new job with the exact CreateTrainingJob request and returns while it runs", async () => {
    api.answer(CREATE, JOB, {
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${JOB}`,
    });
    // Unknown before the Create call, in progress after it.
    api.answer(DESCRIBE, JOB, notFound(), described(JOB, "InProgress"));
    const res = await trainingJobProvider.create(trainingInputs());
    assert.strictEqual(res.id, JOB);
    assert.deepStrictEqual(res.outs, {
      ...trainingInputs(),
      status: "InProgress",
      startedAt: "2026-11-02T09:30:00.000Z",
      modelArtifactUri: "",
      bestTrainingJobName: "",
      failureReason: "",
    });
    assert.deepStrictEqual(targets(), [
      `DescribeTrainingJob ${JOB}`,
      `CreateTrainingJob ${JOB}`,
      `DescribeTrainingJob ${JOB}`,
    ]);
    // The request in the API's shape: every field the program set reached SageMaker.
    assert.deepStrictEqual(api.calls[1].body, {
      TrainingJobName: JOB,
      RoleArn: ROLE,
      AlgorithmSpecification: {
        TrainingImage: IMAGE,
        TrainingInputMode: "File",
        MetricDefinitions: [{ Name: "valid_accuracy", Regex: "valid_accuracy=([0-9.]+)" }],
      },
      HyperParameters: { epochs: "3", "batch-size": "64", sagemaker_program: '"train.py"' },
      InputDataConfig: [
        {
          ChannelName: "training",
          InputMode: "File",
          DataSource: {
            S3DataSource: {
              S3DataType: "S3Prefix",
              S3Uri: `s3://${BUCKET}/data/dog-images/`,
              S3DataDistributionType: "FullyReplicated",
            },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: OUT, KmsKeyId: KEY },
      ResourceConfig: {
        InstanceType: "ml.m5.xlarge",
        InstanceCount: 1,
        VolumeSizeInGB: 30,
        VolumeKmsKeyId: KEY,
      },
      StoppingCondition: { MaxRuntimeInSeconds: 7200, MaxWaitTimeInSeconds: 14400 },
      EnableManagedSpotTraining: true,
      CheckpointConfig: {
        S3Uri: `s3://${BUCKET}/checkpoints/${JOB}/`,
        LocalPath: "/opt/ml/checkpoints",
      },
      Tags: [
        { Key: "environment", Value: "dev" },
        { Key: "owner", Value: "ml-platform" },
      ],
    });
    assert.match(
      api.calls[1].authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY\/\d{8}\/us-east-1\/sagemaker\/aws4_request/,
    );
  });

  it("adopts a job an interrupted up left running (no CreateTrainingJob), then deploys its model once completed", async () => {
    // The state knows nothing: the name resource and the job resource are created again.
    api.answer(DESCRIBE, JOB, described(JOB, "InProgress"));
    const named = await allocateJobName(
      { base: JOB, kind: "training", region: "us-east-1", maxLength: 63 },
      sagemakerLookup("us-east-1"),
    );
    assert.deepStrictEqual(named, { name: JOB, attempt: 1, previousFailure: "" });
    const res = await trainingJobProvider.create(trainingInputs());
    const outs = res.outs as TrainingJobOutputs;
    assert.deepStrictEqual([res.id, outs.status, outs.modelArtifactUri], [JOB, "InProgress", ""]);
    assert.ok(!targets().some((t) => t.startsWith("CreateTrainingJob")), targets().join(", "));

    // The next `up`, still running: nothing to change.
    const diff = trainingJobProvider.diff!;
    assert.deepStrictEqual(await diff(JOB, outs, trainingInputs()), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // A later `up`, the job completed: an update records its model.
    api.answer(DESCRIBE, JOB, described(JOB, "Completed", model(JOB)));
    assert.deepStrictEqual(await diff(JOB, outs, trainingInputs()), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = (await trainingJobProvider.update!(JOB, outs, trainingInputs())).outs!;
    assert.strictEqual(updated.status, "Completed");
    assert.strictEqual(updated.modelArtifactUri, `${OUT}${JOB}/output/model.tar.gz`);
    assert.strictEqual(updated.bestTrainingJobName, JOB);
    assert.ok(!targets().some((t) => t.startsWith("Create")), targets().join(", "));
    // A refresh reads the same.
    const read = await trainingJobProvider.read!(JOB, outs);
    assert.strictEqual(read.props?.modelArtifactUri, updated.modelArtifactUri);
  });

  it("adopts the job when CreateTrainingJob is refused with ResourceInUse", async () => {
    api.answer(DESCRIBE, JOB, notFound(), described(JOB, "InProgress"));
    api.answer(CREATE, JOB, {
      __type: "ResourceInUse",
      message: `Training job names must be unique within an AWS account and region, and a training job with this name already exists (arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${JOB})`,
    });
    const res = await trainingJobProvider.create(trainingInputs());
    assert.strictEqual((res.outs as TrainingJobOutputs).status, "InProgress");
  });

  it("reports other Create errors as they are", async () => {
    api.answer(CREATE, JOB, {
      __type: "ResourceLimitExceeded",
      message:
        "The account-level service limit 'ml.m5.xlarge for spot training job usage' is 0 Instances",
    });
    await assert.rejects(
      trainingJobProvider.create(trainingInputs()),
      /ml\.m5\.xlarge for spot training job usage/,
    );
  });

  it("retries a failed or stopped job under the next name, keeping its reason", async () => {
    for (const [status, reason] of [
      ["Failed", "AlgorithmError: ExecuteUserScriptError"],
      ["Stopped", undefined],
    ] as const) {
      api.reset({});
      api.answer(DESCRIBE, JOB, described(JOB, status, reason ? { FailureReason: reason } : {}));
      const named = await allocateJobName(
        { base: JOB, kind: "training", region: "us-east-1", maxLength: 63 },
        sagemakerLookup("us-east-1"),
      );
      assert.deepStrictEqual(named, {
        name: `${JOB}-2`,
        attempt: 2,
        previousFailure: `${JOB} ${status}: ${reason ?? "no failure reason given"}`,
      });
      api.answer(DESCRIBE, `${JOB}-2`, notFound(), described(`${JOB}-2`, "InProgress"));
      const res = await trainingJobProvider.create(trainingInputs({ trainingJobName: `${JOB}-2` }));
      assert.strictEqual(res.id, `${JOB}-2`);
      assert.deepStrictEqual(
        api.calls.filter((c) => c.target === CREATE).map((c) => c.name),
        [`${JOB}-2`],
      );
    }
  });

  it("replaces the job on a changed input and stops the replaced one while it runs", async () => {
    const olds: TrainingJobOutputs = {
      ...trainingInputs(),
      status: "InProgress",
      startedAt: "2026-11-02T09:30:00.000Z",
      modelArtifactUri: "",
      bestTrainingJobName: "",
      failureReason: "",
    };
    const other = trainingInputs({
      trainingJobName: `${JOB.slice(0, -1)}c`,
      hyperParameters: { epochs: "4" },
    });
    const diff = await trainingJobProvider.diff!(JOB, olds, other);
    assert.deepStrictEqual(diff.replaces, ["trainingJobName", "hyperParameters"]);
    assert.strictEqual(api.calls.length, 0);
    api.answer(DESCRIBE, JOB, described(JOB, "InProgress"));
    await trainingJobProvider.delete!(JOB, olds);
    assert.deepStrictEqual(api.calls.at(-1)?.target, STOP);
    assert.deepStrictEqual(api.calls.at(-1)?.body, { TrainingJobName: JOB });
    // An ended job is left as it is.
    api.reset({});
    api.answer(DESCRIBE, JOB, described(JOB, "Completed", model(JOB)));
    await trainingJobProvider.delete!(JOB, olds);
    assert.deepStrictEqual(targets(), [`DescribeTrainingJob ${JOB}`]);
  });

  it("starts a tuning job, adopts it on the next create, and takes its best training job's model", async () => {
    api.answer(
      DESCRIBE_TUNING,
      TUNE,
      { __type: "ResourceNotFound", message: "not found" },
      {
        HyperParameterTuningJobName: TUNE,
        HyperParameterTuningJobStatus: "InProgress",
        CreationTime: CREATED,
      },
    );
    api.answer(CREATE_TUNING, TUNE, { HyperParameterTuningJobArn: "arn:x" });
    const res = await tuningJobProvider.create(tuningInputs());
    assert.strictEqual((res.outs as TuningJobOutputs).status, "InProgress");
    const body = api.calls.find((c) => c.target === CREATE_TUNING)?.body;
    assert.deepStrictEqual(body, createRequest("tuning", tuningInputs()));
    assert.deepStrictEqual(body?.HyperParameterTuningJobConfig, {
      Strategy: "Bayesian",
      HyperParameterTuningJobObjective: { MetricName: "valid_accuracy", Type: "Maximize" },
      ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        ContinuousParameterRanges: [
          {
            Name: "learning-rate",
            MinValue: "0.0001",
            MaxValue: "0.1",
            ScalingType: "Logarithmic",
          },
        ],
        IntegerParameterRanges: [
          { Name: "epochs", MinValue: "2", MaxValue: "6", ScalingType: "Linear" },
        ],
        CategoricalParameterRanges: [{ Name: "batch-size", Values: ["32", "64"] }],
      },
      TrainingJobEarlyStoppingType: "Auto",
    });
    const definition = body?.TrainingJobDefinition as Record<string, unknown>;
    assert.deepStrictEqual(definition.StaticHyperParameters, { sagemaker_program: '"train.py"' });
    assert.deepStrictEqual(
      (definition.ResourceConfig as Record<string, unknown>).VolumeSizeInGB,
      30,
    );

    // Its state lost (an interrupted up): the next create adopts it.
    api.reset({});
    const best = `${TUNE}-003-9f8e7d6c`;
    api.answer(DESCRIBE_TUNING, TUNE, {
      HyperParameterTuningJobName: TUNE,
      HyperParameterTuningJobStatus: "Completed",
      CreationTime: CREATED,
      BestTrainingJob: { TrainingJobName: best, TrainingJobStatus: "Completed" },
    });
    api.answer(DESCRIBE, best, described(best, "Completed", model(best)));
    const adopted = (await tuningJobProvider.create(tuningInputs())).outs as TuningJobOutputs;
    assert.deepStrictEqual(
      [adopted.status, adopted.bestTrainingJobName, adopted.modelArtifactUri],
      ["Completed", best, `${OUT}${best}/output/model.tar.gz`],
    );
    assert.deepStrictEqual(targets(), [
      `DescribeHyperParameterTuningJob ${TUNE}`,
      `DescribeTrainingJob ${best}`,
    ]);
  });

  it("names a completed tuning job without a best training job, and retries a failed one", async () => {
    api.answer(DESCRIBE_TUNING, TUNE, {
      HyperParameterTuningJobName: TUNE,
      HyperParameterTuningJobStatus: "Completed",
      CreationTime: CREATED,
    });
    const outs = (await tuningJobProvider.create(tuningInputs())).outs as TuningJobOutputs;
    assert.deepStrictEqual(
      [outs.modelArtifactUri, outs.failureReason],
      ["", "completed without a best training job (no training job reported the objective metric)"],
    );
    api.answer(DESCRIBE_TUNING, TUNE, {
      HyperParameterTuningJobName: TUNE,
      HyperParameterTuningJobStatus: "Failed",
      FailureReason: "All training jobs failed.",
    });
    const named = await allocateJobName(
      { base: TUNE, kind: "tuning", region: "us-east-1", maxLength: 32 },
      sagemakerLookup("us-east-1"),
    );
    assert.deepStrictEqual(named, {
      name: `${TUNE}-2`,
      attempt: 2,
      previousFailure: `${TUNE} Failed: All training jobs failed.`,
    });
  });
});

describe("job provider serialization", () => {
  it("serializes to a small closure that loads the SageMaker SDK by name", async () => {
    for (const provider of [trainingJobProvider, tuningJobProvider]) {
      const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
      assert.match(sf.text, /require\("@aws-sdk\/client-sagemaker"\)/);
      assert.doesNotMatch(sf.text, /@pulumi\/pulumi|tarArchive|parseConfig|packSourceDir/);
      assert.ok(sf.text.length < 30000, `serialized provider is ${sf.text.length} characters`);
    }
  });
});
