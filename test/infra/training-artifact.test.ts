// The job artifact provider against a local server that speaks the SageMaker JSON protocol: the
// exact requests, the wait through InProgress to Completed, failures with their reason, a tuning
// job's best training job, the time limit, refresh, and what Pulumi serializes of the provider.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  ArtifactInputs,
  ArtifactOutputs,
  jobArtifactProvider,
} from "../../infra/training/artifact-provider";
import { FakeSageMakerApi, serveForSuite } from "./fake-sagemaker-json";

const TRAINING = "SageMaker.DescribeTrainingJob";
const TUNING = "SageMaker.DescribeHyperParameterTuningJob";
const OUT = "s3://dog-breed-classifier-dev-123456789012/models/jobs/";

function inputs(over: Partial<ArtifactInputs> = {}): ArtifactInputs {
  return {
    jobKind: "training",
    jobName: "dog-breed-classifier-dev-0123456789ab",
    region: "us-east-1",
    outputPath: OUT,
    timeoutSeconds: 30,
    pollSeconds: 0.001,
    ...over,
  };
}

const trainingAnswer = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
  TrainingJobName: name,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
  TrainingJobStatus: status,
  SecondaryStatus: status === "InProgress" ? "Training" : status,
  ...extra,
});

describe("job artifact provider (local SageMaker JSON endpoint)", () => {
  const notFound = (name: string) => ({
    __type: "ResourceNotFound",
    message: `Requested resource not found: ${name}`,
  });
  const server = new FakeSageMakerApi({ [TRAINING]: notFound, [TUNING]: notFound });
  serveForSuite(server);

  it("waits through InProgress to Completed and outputs the training job's model artifact", async () => {
    const name = "dog-breed-classifier-dev-0123456789ab";
    const artifact = `${OUT}${name}/output/model.tar.gz`;
    server.reset({
      [`${TRAINING}:${name}`]: [
        trainingAnswer(name, "InProgress"),
        trainingAnswer(name, "InProgress"),
        trainingAnswer(name, "Completed", { ModelArtifacts: { S3ModelArtifacts: artifact } }),
      ],
    });
    const res = await jobArtifactProvider.create!(inputs({ jobName: name }));
    assert.strictEqual(res.id, `training/${name}`);
    assert.deepStrictEqual(res.outs, {
      ...inputs({ jobName: name }),
      modelArtifactUri: artifact,
      trainingJobName: name,
    });

    assert.strictEqual(server.calls.length, 3);
    for (const r of server.calls) {
      assert.strictEqual(r.method, "POST");
      assert.strictEqual(r.path, "/");
      assert.strictEqual(r.target, TRAINING);
      assert.strictEqual(r.contentType, "application/x-amz-json-1.1");
      assert.deepStrictEqual(r.body, { TrainingJobName: name });
      assert.match(
        r.authorization,
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY\/\d{8}\/us-east-1\/sagemaker\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
    }
  });

  it("fails with the job's FailureReason when the training job fails", async () => {
    const name = "dog-breed-classifier-dev-failedjob0001";
    server.reset({
      [`${TRAINING}:${name}`]: [
        trainingAnswer(name, "InProgress"),
        trainingAnswer(name, "Failed", {
          FailureReason: "AlgorithmError: ExecuteUserScriptError: valid/ holds breeds train/ lacks",
        }),
      ],
    });
    await assert.rejects(jobArtifactProvider.create!(inputs({ jobName: name })), (e: Error) => {
      assert.strictEqual(
        e.message,
        `SageMaker training job ${name} ended Failed: AlgorithmError: ExecuteUserScriptError: valid/ holds breeds train/ lacks`,
      );
      return true;
    });
    assert.strictEqual(server.calls.length, 2);
  });

  it("treats a stopped job as a failure and says so", async () => {
    const name = "dog-breed-classifier-dev-stoppedjob01";
    server.reset({
      [`${TRAINING}:${name}`]: [trainingAnswer(name, "Stopping"), trainingAnswer(name, "Stopped")],
    });
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ jobName: name })),
      new RegExp(`^Error: SageMaker training job ${name} ended Stopped: no failure reason given$`),
    );
  });

  it("takes the tuning job's best training job and that job's artifact", async () => {
    const tuning = "dog-breed-classifier-dev-1a2b3c4";
    const best = `${tuning}-003-9f8e7d6c`;
    const artifact = `${OUT}${best}/output/model.tar.gz`;
    server.reset({
      [`${TUNING}:${tuning}`]: [
        { HyperParameterTuningJobName: tuning, HyperParameterTuningJobStatus: "InProgress" },
        {
          HyperParameterTuningJobName: tuning,
          HyperParameterTuningJobStatus: "Completed",
          BestTrainingJob: {
            TrainingJobName: best,
            TrainingJobStatus: "Completed",
            TunedHyperParameters: { "learning-rate": "0.0031", "batch-size": "64", epochs: "5" },
            FinalHyperParameterTuningJobObjectiveMetric: {
              MetricName: "valid_accuracy",
              Value: 0.81,
            },
          },
        },
      ],
      [`${TRAINING}:${best}`]: [
        trainingAnswer(best, "Completed", { ModelArtifacts: { S3ModelArtifacts: artifact } }),
      ],
    });
    const res = await jobArtifactProvider.create!(inputs({ jobKind: "tuning", jobName: tuning }));
    assert.strictEqual(res.id, `tuning/${tuning}`);
    assert.strictEqual(res.outs?.modelArtifactUri, artifact);
    assert.strictEqual(res.outs?.trainingJobName, best);
    assert.deepStrictEqual(
      server.calls.map((r) => [r.target, r.body]),
      [
        [TUNING, { HyperParameterTuningJobName: tuning }],
        [TUNING, { HyperParameterTuningJobName: tuning }],
        [TRAINING, { TrainingJobName: best }],
      ],
    );
  });

  it("fails a tuning job with its reason, and one that completed without a best job", async () => {
    const failed = "dog-breed-classifier-dev-fa11ed0";
    const empty = "dog-breed-classifier-dev-e000000";
    server.reset({
      [`${TUNING}:${failed}`]: [
        {
          HyperParameterTuningJobName: failed,
          HyperParameterTuningJobStatus: "Failed",
          FailureReason:
            "All training jobs failed. Please inspect the training jobs' failure reasons.",
        },
      ],
      [`${TUNING}:${empty}`]: [
        { HyperParameterTuningJobName: empty, HyperParameterTuningJobStatus: "Completed" },
      ],
    });
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ jobKind: "tuning", jobName: failed })),
      /^Error: SageMaker hyperparameter tuning job dog-breed-classifier-dev-fa11ed0 ended Failed: All training jobs failed\./,
    );
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ jobKind: "tuning", jobName: empty })),
      /completed without a best training job/,
    );
  });

  it("gives up after timeoutSeconds while the job still runs, saying it keeps running", async () => {
    const name = "dog-breed-classifier-dev-slowjob00001";
    server.reset({ [`${TRAINING}:${name}`]: [trainingAnswer(name, "InProgress")] });
    await assert.rejects(
      jobArtifactProvider.create!(
        inputs({ jobName: name, timeoutSeconds: 0.05, pollSeconds: 0.01 }),
      ),
      new RegExp(
        `^Error: SageMaker training job ${name} still InProgress after 0.05 s; it keeps running`,
      ),
    );
    assert.ok(server.calls.length >= 1);
  });

  it("reports an API error (unknown job) instead of waiting", async () => {
    server.reset({});
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ jobName: "no-such-job" })),
      /Requested resource not found: no-such-job/,
    );
    assert.strictEqual(server.calls.length, 1);
  });

  it("refreshes with a single look: a completed job's artifact, or the recorded state while it runs", async () => {
    const name = "dog-breed-classifier-dev-0123456789ab";
    const artifact = `${OUT}${name}/output/model.tar.gz`;
    const recorded: ArtifactOutputs = {
      ...inputs({ jobName: name }),
      modelArtifactUri: "s3://old/model.tar.gz",
      trainingJobName: name,
    };
    server.reset({ [`${TRAINING}:${name}`]: [trainingAnswer(name, "InProgress")] });
    assert.deepStrictEqual(await jobArtifactProvider.read!(`training/${name}`, recorded), {
      id: `training/${name}`,
      props: recorded,
    });
    assert.strictEqual(server.calls.length, 1);
    server.reset({
      [`${TRAINING}:${name}`]: [
        trainingAnswer(name, "Completed", { ModelArtifacts: { S3ModelArtifacts: artifact } }),
      ],
    });
    const read = await jobArtifactProvider.read!(`training/${name}`, recorded);
    assert.strictEqual(read.props?.modelArtifactUri, artifact);
  });

  it("replaces on another job, updates only the waiting settings", async () => {
    const olds: ArtifactOutputs = {
      ...inputs(),
      modelArtifactUri: "s3://b/m.tar.gz",
      trainingJobName: inputs().jobName,
    };
    const diff = jobArtifactProvider.diff!;
    assert.deepStrictEqual(await diff("id", olds, inputs()), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepStrictEqual((await diff("id", olds, inputs({ jobName: "other" }))).replaces, [
      "jobName",
    ]);
    assert.deepStrictEqual((await diff("id", olds, inputs({ jobKind: "tuning" }))).replaces, [
      "jobKind",
    ]);
    const slower = await diff("id", olds, inputs({ timeoutSeconds: 99 }));
    assert.deepStrictEqual([slower.changes, slower.replaces], [true, []]);
    const upd = await jobArtifactProvider.update!("id", olds, inputs({ timeoutSeconds: 99 }));
    assert.deepStrictEqual(upd.outs, {
      ...inputs({ timeoutSeconds: 99 }),
      modelArtifactUri: "s3://b/m.tar.gz",
      trainingJobName: olds.trainingJobName,
    });
  });

  it("rejects inputs it cannot wait on before calling SageMaker", async () => {
    server.reset({});
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ pollSeconds: 0 })),
      /pollSeconds must be > 0/,
    );
    await assert.rejects(
      jobArtifactProvider.create!(inputs({ jobName: "" })),
      /jobName is required/,
    );
    assert.strictEqual(server.calls.length, 0);
  });
});

describe("job artifact provider serialization", () => {
  it("serializes to a small closure that loads the SageMaker SDK by name", async () => {
    const sf = await pulumi.runtime.serializeFunction(() => jobArtifactProvider, {
      allowSecrets: false,
    });
    assert.match(sf.text, /require\("@aws-sdk\/client-sagemaker"\)/);
    // Nothing of the program rides along: no Pulumi SDK, no archive builder, no config.
    assert.doesNotMatch(sf.text, /@pulumi\/pulumi|tarArchive|parseConfig|packSourceDir/);
    assert.ok(sf.text.length < 30000, `serialized provider is ${sf.text.length} characters`);
  });
});
