// The IAM document builders, as pure functions of plain strings.
import * as assert from "assert";
import {
  AwsEnv,
  lambdaPolicy,
  modelPolicy,
  notebookPolicy,
  objectArn,
  parseS3Uri,
  sagemakerArn,
  serviceTrustPolicy,
  tlsOnlyBucketPolicy,
  trainingHostPolicy,
  trainingPolicy,
} from "../../infra/iam/policies";

const env: AwsEnv = { partition: "aws", region: "eu-west-1", account: "111122223333" };
const prefixes = { data: "data/", code: "code/", models: "models/", checkpoints: "checkpoints/" };

describe("IAM policy builders", () => {
  it("build ARNs in the documented formats", () => {
    assert.strictEqual(
      sagemakerArn(env, "endpoint", "My-Endpoint"),
      "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/my-endpoint",
    );
    assert.strictEqual(objectArn(env, "b", "data/"), "arn:aws:s3:::b/data/*");
    assert.strictEqual(objectArn(env, "b", "models/m.tar.gz"), "arn:aws:s3:::b/models/m.tar.gz");
    assert.strictEqual(objectArn({ partition: "aws-us-gov" }, "b", "k"), "arn:aws-us-gov:s3:::b/k");
    assert.deepStrictEqual(parseS3Uri("s3://bucket/a/b/model.tar.gz"), {
      bucket: "bucket",
      key: "a/b/model.tar.gz",
    });
    assert.throws(() => parseS3Uri("https://bucket/a"), /not an S3 URI/);
  });

  it("trust one service, with the source account only when given", () => {
    assert.deepStrictEqual(serviceTrustPolicy("lambda.amazonaws.com").Statement, [
      {
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
    assert.deepStrictEqual(
      serviceTrustPolicy("sagemaker.amazonaws.com", "111122223333").Statement[0].Condition,
      {
        StringEquals: { "aws:SourceAccount": "111122223333" },
      },
    );
  });

  it("deny non-TLS access to the bucket and its objects", () => {
    const s = tlsOnlyBucketPolicy(env, "b").Statement[0];
    assert.deepStrictEqual(
      [s.Effect, s.Principal, s.Action, s.Resource],
      ["Deny", "*", "s3:*", ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]],
    );
    assert.deepStrictEqual(s.Condition, { Bool: { "aws:SecureTransport": "false" } });
  });

  it("give the Lambda function its endpoint and its log streams only", () => {
    const p = lambdaPolicy({ env, logGroupName: "/aws/lambda/fn", endpointName: "ep" });
    assert.deepStrictEqual(
      p.Statement.map((s) => [s.Action, s.Resource]),
      [
        ["sagemaker:InvokeEndpoint", "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/ep"],
        [
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn:log-stream:*",
        ],
        [
          ["logs:DescribeLogStreams"],
          "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn",
        ],
      ],
    );
  });

  it("scope the model to its releases, and add capture, KMS and alarms only when asked", () => {
    const base = {
      env,
      releases: ["s3://art/models/v1/model.tar.gz"],
      imageRepositoryArn: "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference",
      endpointName: "ep",
    };
    const plain = modelPolicy(base);
    assert.deepStrictEqual(
      plain.Statement.find((s) => s.Sid === "ReadModelReleases")?.Resource,
      "arn:aws:s3:::art/models/v1/model.tar.gz",
    );
    assert.strictEqual(
      plain.Statement.some((s) =>
        ["WriteDataCapture", "UseStackKey", "ReadRollbackAlarms"].includes(String(s.Sid)),
      ),
      false,
    );
    assert.deepStrictEqual(
      modelPolicy({ ...base, releases: ["s3://b/models/releases/"] }).Statement[0].Resource,
      "arn:aws:s3:::b/models/releases/*",
    );
    assert.throws(() => modelPolicy({ ...base, releases: [] }), /releases must name at least one/);
    assert.deepStrictEqual(
      modelPolicy({ ...base, rollbackAlarmNames: ["a5xx", "alat"] }).Statement.find(
        (s) => s.Sid === "ReadRollbackAlarms",
      ),
      {
        Sid: "ReadRollbackAlarms",
        Effect: "Allow",
        Action: "cloudwatch:DescribeAlarms",
        Resource: [
          "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a5xx",
          "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:alat",
        ],
      },
    );
    const full = modelPolicy({
      ...base,
      capture: { bucket: "b", prefix: "capture/" },
      kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
    });
    assert.deepStrictEqual(
      full.Statement.find((s) => s.Sid === "WriteDataCapture")?.Resource,
      "arn:aws:s3:::b/capture/*",
    );
    assert.deepStrictEqual(full.Statement.find((s) => s.Sid === "UseStackKey")?.Condition, {
      StringEquals: {
        "kms:ViaService": ["s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"],
      },
    });
  });

  it("let the notebook pass only the training role, only to SageMaker", () => {
    const p = notebookPolicy({
      env,
      bucket: "b",
      prefixes,
      notebookName: "nb",
      jobPrefix: "proj-dev",
      trainingRoleArn: "arn:aws:iam::111122223333:role/proj-dev-training",
      endpointName: "ep",
    });
    const pass = p.Statement.filter((s) => [s.Action].flat().includes("iam:PassRole"));
    assert.deepStrictEqual(pass, [
      {
        Sid: "PassTrainingRole",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "arn:aws:iam::111122223333:role/proj-dev-training",
        Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      },
    ]);
    assert.deepStrictEqual(p.Statement.find((s) => s.Sid === "RunJobs")?.Resource, [
      "arn:aws:sagemaker:eu-west-1:111122223333:training-job/proj-dev-*",
      "arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/proj-dev-*",
    ]);
  });

  it("list only the prefixes each principal works in", () => {
    const training = trainingPolicy({
      env,
      bucket: "b",
      prefixes,
      imageRepositoryArn: "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-training",
    });
    assert.deepStrictEqual(training.Statement.find((s) => s.Sid === "ListPrefixes")?.Condition, {
      StringLike: {
        "s3:prefix": [
          "data/",
          "data/*",
          "code/",
          "code/*",
          "models/",
          "models/*",
          "checkpoints/",
          "checkpoints/*",
        ],
      },
    });
    const host = trainingHostPolicy({
      env,
      bucket: "b",
      prefixes: { data: "data/", code: "code/training/", output: "models/ec2/" },
    });
    assert.deepStrictEqual(
      host.Statement.find((s) => s.Sid === "WriteModel")?.Resource,
      "arn:aws:s3:::b/models/ec2/*",
    );
    assert.strictEqual(
      host.Statement.some((s) => s.Sid === "UseStackKey"),
      false,
    );
  });
});
