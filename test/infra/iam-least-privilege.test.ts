// Least privilege, proven by evaluating each deployed role's policies as IAM would: every role can
// do its job on the exact resources, and is denied the neighbours of those resources and every
// action outside its job.
import * as assert from "assert";
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import type { StackRun } from "../../tools/stack-run";
import { type PolicyDocument, parseS3Uri } from "../../infra/iam/policies";
import {
  Decision,
  DeployedRole,
  PROMOTED_ETAG,
  RELEASE_ARTIFACT,
  decide,
  deployedRoles,
  one,
  servingRun,
  stackRun,
} from "./helpers";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const sm = (kind: string, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${name}`;
const s3 = (bucket: string, key = "") => `arn:aws:s3:::${bucket}${key === "" ? "" : `/${key}`}`;
const logStream = (group: string) =>
  `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:x`;
const ecrRepo = (account: string, name: string) =>
  `arn:aws:ecr:${REGION}:${account}:repository/${name}`;
const OTHER_BUCKET = "someone-elses-bucket";

type Check = [
  action: string,
  resource: string,
  expected: Decision,
  context?: Record<string, string | string[]>,
];

async function expectDecisions(role: DeployedRole, checks: Check[]): Promise<void> {
  const wrong: string[] = [];
  for (const [action, resource, expected, context] of checks) {
    const got = await decide(role, action, resource, context);
    if (got !== expected)
      wrong.push(
        `${action} on ${resource} ${JSON.stringify(context ?? {})}: ${got}, expected ${expected}`,
      );
  }
  assert.deepStrictEqual(wrong, [], `${role.name}:\n${wrong.join("\n")}`);
}

/** Every action of `pattern` (e.g. `iam:*`) that the role may call on any resource at all. */
async function allowedAnywhere(role: DeployedRole, pattern: string): Promise<string[]> {
  const allowed: string[] = [];
  for (const action of await expandIamActions(pattern)) {
    if ((await decide(role, action, "*")) === "Allowed") allowed.push(action);
  }
  return allowed;
}

/** The exact set of actions the role's Allow statements grant. */
async function grantedActions(role: DeployedRole): Promise<string[]> {
  const actions = new Set<string>();
  for (const { policy } of role.policies) {
    for (const s of policy.Statement.filter((st) => st.Effect === "Allow")) {
      for (const a of [s.Action].flat()) for (const x of await expandIamActions(a)) actions.add(x);
    }
  }
  return [...actions].sort();
}

function role(run: StackRun, suffix: string): DeployedRole {
  const name = `dog-breed-classifier-${run.stack}-${suffix}`;
  const r = deployedRoles(run).get(name);
  if (!r) throw new Error(`no role ${name} in ${run.stack}`);
  return r;
}

describe("IAM least privilege (simulated)", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await servingRun("dev");
    prod = await servingRun("prod");
  });

  it("declares one role per principal: five in dev, model and Lambda only in prod", () => {
    assert.deepStrictEqual([...deployedRoles(dev).keys()].sort(), [
      "dog-breed-classifier-dev-ec2-host",
      "dog-breed-classifier-dev-lambda",
      "dog-breed-classifier-dev-model",
      "dog-breed-classifier-dev-notebook",
      "dog-breed-classifier-dev-training",
    ]);
    assert.deepStrictEqual([...deployedRoles(prod).keys()].sort(), [
      "dog-breed-classifier-prod-lambda",
      "dog-breed-classifier-prod-model",
    ]);
  });

  it("attaches no managed policy (no *FullAccess) and grants no wildcard action", async () => {
    for (const run of [dev, prod]) {
      assert.deepStrictEqual(
        run.resources
          .filter((r) => /PolicyAttachment|iam\/policy:Policy$/.test(r.type))
          .map((r) => r.urn),
        [],
      );
      for (const r of deployedRoles(run).values()) {
        assert.deepStrictEqual(r.managedPolicyArns, [], r.name);
        for (const { policy } of r.policies) {
          for (const s of policy.Statement) {
            for (const a of [s.Action].flat()) assert.ok(!a.includes("*"), `${r.name} grants ${a}`);
            // Resource "*" only where the action takes no resource at all, or under a condition
            // that narrows it (PutMetricData to SageMaker's namespace).
            if ([s.Resource].flat().includes("*") && s.Condition === undefined) {
              for (const a of [s.Action].flat()) {
                const [service, name] = a.split(":");
                assert.strictEqual(
                  await isWildcardOnlyAction(service, name),
                  true,
                  `${r.name}: ${a} on *`,
                );
              }
            }
          }
        }
      }
    }
  });

  it("lets each role be assumed only by its own service, SageMaker roles only for this account", () => {
    const expected: Record<string, { service: string; sourceAccount?: string }> = {
      "ec2-host": { service: "ec2.amazonaws.com" },
      lambda: { service: "lambda.amazonaws.com" },
      model: { service: "sagemaker.amazonaws.com", sourceAccount: ACCOUNT },
      notebook: { service: "sagemaker.amazonaws.com" },
      training: { service: "sagemaker.amazonaws.com", sourceAccount: ACCOUNT },
    };
    for (const r of deployedRoles(dev).values()) {
      const want = expected[r.name.replace("dog-breed-classifier-dev-", "")];
      assert.deepStrictEqual(r.trust.Statement, [
        {
          Sid: "AssumedByService",
          Effect: "Allow",
          Principal: { Service: want.service },
          Action: "sts:AssumeRole",
          ...(want.sourceAccount
            ? { Condition: { StringEquals: { "aws:SourceAccount": want.sourceAccount } } }
            : {}),
        },
      ]);
    }
  });

  describe("Lambda role", () => {
    for (const stack of ["dev", "prod"]) {
      it(`${stack}: invokes its endpoint and writes its own logs, nothing else`, async () => {
        const run = stack === "dev" ? dev : prod;
        const r = role(run, "lambda");
        const endpoint = sm("endpoint", `dog-breed-classifier-${stack}-endpoint`);
        const bucket = String(run.outputs.bucketName);
        await expectDecisions(r, [
          ["sagemaker:InvokeEndpoint", endpoint, "Allowed"],
          ["sagemaker:InvokeEndpoint", sm("endpoint", "another-endpoint"), "ImplicitlyDenied"],
          ["sagemaker:InvokeEndpointAsync", endpoint, "ImplicitlyDenied"],
          ["sagemaker:CreateEndpoint", endpoint, "ImplicitlyDenied"],
          ["sagemaker:DeleteEndpoint", endpoint, "ImplicitlyDenied"],
          ["sagemaker:UpdateEndpoint", endpoint, "ImplicitlyDenied"],
          [
            "logs:PutLogEvents",
            logStream(`/aws/lambda/dog-breed-classifier-${stack}-classify`),
            "Allowed",
          ],
          ["logs:PutLogEvents", logStream("/aws/lambda/another-function"), "ImplicitlyDenied"],
          ["s3:GetObject", s3(bucket, "data/train/x.jpg"), "ImplicitlyDenied"],
          [
            "iam:PassRole",
            role(run, "model").arn,
            "ImplicitlyDenied",
            { "iam:PassedToService": "sagemaker.amazonaws.com" },
          ],
        ]);
        assert.deepStrictEqual(await allowedAnywhere(r, "s3:*"), []);
        assert.deepStrictEqual(await allowedAnywhere(r, "iam:*"), []);
        assert.deepStrictEqual(await grantedActions(r), [
          "logs:CreateLogStream",
          "logs:DescribeLogStreams",
          "logs:PutLogEvents",
          "sagemaker:InvokeEndpoint",
        ]);
      });
    }
  });

  describe("model execution role", () => {
    it("dev: reads its one artifact and pulls the inference image, nothing else", async () => {
      const r = role(dev, "model");
      const bucket = String(dev.outputs.bucketName);
      const releases = parseS3Uri(RELEASE_ARTIFACT).bucket;
      await expectDecisions(r, [
        ["s3:GetObject", s3(releases, "2026-11-01/model.tar.gz"), "Allowed"],
        ["s3:GetObject", s3(releases, "2026-10-01/model.tar.gz"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "models/other/model.tar.gz"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "data/train/x.jpg"), "ImplicitlyDenied"],
        ["s3:PutObject", s3(releases, "2026-11-01/model.tar.gz"), "ImplicitlyDenied"],
        ["s3:PutObject", s3(bucket, "capture/x.jsonl"), "ImplicitlyDenied"],
        ["ecr:BatchGetImage", ecrRepo("763104351884", "pytorch-inference"), "Allowed"],
        ["ecr:BatchGetImage", ecrRepo("763104351884", "pytorch-training"), "ImplicitlyDenied"],
        ["ecr:BatchGetImage", ecrRepo(ACCOUNT, "pytorch-inference"), "ImplicitlyDenied"],
        ["ecr:PutImage", ecrRepo("763104351884", "pytorch-inference"), "ImplicitlyDenied"],
        [
          "logs:PutLogEvents",
          logStream("/aws/sagemaker/Endpoints/dog-breed-classifier-dev-endpoint"),
          "Allowed",
        ],
        ["logs:PutLogEvents", logStream("/aws/sagemaker/Endpoints/other"), "ImplicitlyDenied"],
      ]);
      assert.deepStrictEqual(await allowedAnywhere(r, "sagemaker:*"), []);
      assert.deepStrictEqual(await allowedAnywhere(r, "iam:*"), []);
      assert.deepStrictEqual(await allowedAnywhere(r, "s3:*"), ["s3:GetObject"]);
      // A serverless endpoint has no blue/green rollback, hence no alarms to read.
      assert.deepStrictEqual(await allowedAnywhere(r, "cloudwatch:*"), []);
    });

    it("prod: reads every retained release a rollback may return to, and its rollback alarms only", async () => {
      const r = role(prod, "model");
      const bucket = String(prod.outputs.bucketName);
      const alarm = (n: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n}`;
      await expectDecisions(r, [
        // The release promoted before this one, kept in the bucket for rollbacks.
        ["s3:GetObject", s3(bucket, "models/releases/0f3a9c/model.tar.gz"), "Allowed"],
        ["s3:GetObject", s3(bucket, "models/jobs/x/output/model.tar.gz"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "models/releasesX/model.tar.gz"), "ImplicitlyDenied"],
        [
          "s3:GetObject",
          s3(OTHER_BUCKET, "models/releases/0f3a9c/model.tar.gz"),
          "ImplicitlyDenied",
        ],
        ["cloudwatch:DescribeAlarms", alarm("dog-breed-classifier-prod-endpoint-5xx"), "Allowed"],
        [
          "cloudwatch:DescribeAlarms",
          alarm("dog-breed-classifier-prod-endpoint-latency"),
          "Allowed",
        ],
        [
          "cloudwatch:DescribeAlarms",
          alarm("dog-breed-classifier-dev-endpoint-5xx"),
          "ImplicitlyDenied",
        ],
        ["cloudwatch:DescribeAlarms", alarm("other"), "ImplicitlyDenied"],
        [
          "cloudwatch:PutMetricAlarm",
          alarm("dog-breed-classifier-prod-endpoint-5xx"),
          "ImplicitlyDenied",
        ],
        [
          "cloudwatch:DeleteAlarms",
          alarm("dog-breed-classifier-prod-endpoint-5xx"),
          "ImplicitlyDenied",
        ],
        [
          "cloudwatch:SetAlarmState",
          alarm("dog-breed-classifier-prod-endpoint-5xx"),
          "ImplicitlyDenied",
        ],
      ]);
      assert.deepStrictEqual(await allowedAnywhere(r, "cloudwatch:*"), [
        "cloudwatch:DescribeAlarms",
      ]);
    });

    it("dev training: reads every job's output, a rollback's model included, and no other prefix", async () => {
      const tuned = await stackRun("dev", { trainingMode: "tune" }, undefined, "Completed");
      const r = role(tuned, "model");
      const bucket = String(tuned.outputs.bucketName);
      await expectDecisions(r, [
        ["s3:GetObject", s3(bucket, "models/jobs/older-job/output/model.tar.gz"), "Allowed"],
        [
          "s3:GetObject",
          s3(bucket, "models/ec2/20261101T000000Z/model.tar.gz"),
          "ImplicitlyDenied",
        ],
        ["s3:GetObject", s3(bucket, "data/train/x.jpg"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "checkpoints/x"), "ImplicitlyDenied"],
        [
          "s3:PutObject",
          s3(bucket, "models/jobs/older-job/output/model.tar.gz"),
          "ImplicitlyDenied",
        ],
      ]);
    });

    it("prod: also writes captured data under capture/ with the stack key, through S3 only", async () => {
      const r = role(prod, "model");
      const bucket = String(prod.outputs.bucketName);
      const key = String(prod.outputs.kmsKeyArn);
      const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };
      await expectDecisions(r, [
        ["s3:GetObject", s3(bucket, `models/releases/${PROMOTED_ETAG}/model.tar.gz`), "Allowed"],
        [
          "s3:PutObject",
          s3(bucket, "capture/dog-breed-classifier-prod-endpoint/x.jsonl"),
          "Allowed",
        ],
        [
          "s3:PutObject",
          s3(bucket, `models/releases/${PROMOTED_ETAG}/model.tar.gz`),
          "ImplicitlyDenied",
        ],
        ["s3:PutObject", s3(OTHER_BUCKET, "capture/x.jsonl"), "ImplicitlyDenied"],
        ["kms:GenerateDataKey", key, "Allowed", viaS3],
        ["kms:Decrypt", key, "Allowed", viaS3],
        ["kms:Decrypt", key, "ImplicitlyDenied"],
        [
          "kms:Decrypt",
          `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
          "ImplicitlyDenied",
          viaS3,
        ],
        ["kms:ScheduleKeyDeletion", key, "ImplicitlyDenied"],
      ]);
      assert.deepStrictEqual(await allowedAnywhere(r, "s3:*"), ["s3:GetObject", "s3:PutObject"]);
    });
  });

  describe("training job role", () => {
    it("reads data and code, writes models and checkpoints, pulls the training image", async () => {
      const r = role(dev, "training");
      const bucket = String(dev.outputs.bucketName);
      await expectDecisions(r, [
        ["s3:GetObject", s3(bucket, "data/train/001.Affenpinscher/a.jpg"), "Allowed"],
        ["s3:GetObject", s3(bucket, "code/sourcedir.tar.gz"), "Allowed"],
        ["s3:PutObject", s3(bucket, "models/job-1/output/model.tar.gz"), "Allowed"],
        ["s3:PutObject", s3(bucket, "checkpoints/job-1/checkpoint.pt"), "Allowed"],
        ["s3:PutObject", s3(bucket, "data/train/x.jpg"), "ImplicitlyDenied"],
        ["s3:PutObject", s3(bucket, "code/sourcedir.tar.gz"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "capture/x.jsonl"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(OTHER_BUCKET, "data/x.jpg"), "ImplicitlyDenied"],
        ["s3:ListBucket", s3(bucket), "Allowed", { "s3:prefix": "data/train/" }],
        ["s3:ListBucket", s3(bucket), "ImplicitlyDenied", { "s3:prefix": "capture/" }],
        ["s3:ListBucket", s3(bucket), "ImplicitlyDenied", { "s3:prefix": "" }],
        ["s3:DeleteBucket", s3(bucket), "ImplicitlyDenied"],
        ["ecr:BatchGetImage", ecrRepo("763104351884", "pytorch-training"), "Allowed"],
        ["ecr:BatchGetImage", ecrRepo("763104351884", "pytorch-inference"), "ImplicitlyDenied"],
        [
          "cloudwatch:PutMetricData",
          "*",
          "Allowed",
          { "cloudwatch:namespace": "/aws/sagemaker/TrainingJobs" },
        ],
        [
          "cloudwatch:PutMetricData",
          "*",
          "ImplicitlyDenied",
          { "cloudwatch:namespace": "Custom/Other" },
        ],
        ["logs:PutLogEvents", logStream("/aws/sagemaker/TrainingJobs"), "Allowed"],
        [
          "logs:PutLogEvents",
          logStream("/aws/lambda/dog-breed-classifier-dev-classify"),
          "ImplicitlyDenied",
        ],
      ]);
      assert.deepStrictEqual(await allowedAnywhere(r, "iam:*"), []);
      assert.deepStrictEqual(await allowedAnywhere(r, "sagemaker:*"), []);
    });
  });

  describe("notebook role", () => {
    it("runs its own jobs as the training role, calls the endpoint and stops itself", async () => {
      const r = role(dev, "notebook");
      const bucket = String(dev.outputs.bucketName);
      const toSageMaker = { "iam:PassedToService": "sagemaker.amazonaws.com" };
      await expectDecisions(r, [
        [
          "sagemaker:CreateTrainingJob",
          sm("training-job", "dog-breed-classifier-dev-run-1"),
          "Allowed",
        ],
        ["sagemaker:CreateTrainingJob", sm("training-job", "other-team-run-1"), "ImplicitlyDenied"],
        [
          "sagemaker:CreateHyperParameterTuningJob",
          sm("hyper-parameter-tuning-job", "dog-breed-classifier-dev-hpo"),
          "Allowed",
        ],
        ["iam:PassRole", role(dev, "training").arn, "Allowed", toSageMaker],
        [
          "iam:PassRole",
          role(dev, "training").arn,
          "ImplicitlyDenied",
          { "iam:PassedToService": "ec2.amazonaws.com" },
        ],
        ["iam:PassRole", role(dev, "model").arn, "ImplicitlyDenied", toSageMaker],
        ["iam:PassRole", role(dev, "notebook").arn, "ImplicitlyDenied", toSageMaker],
        [
          "iam:PassRole",
          role(dev, "ec2-host").arn,
          "ImplicitlyDenied",
          { "iam:PassedToService": "ec2.amazonaws.com" },
        ],
        [
          "sagemaker:InvokeEndpoint",
          sm("endpoint", "dog-breed-classifier-dev-endpoint"),
          "Allowed",
        ],
        [
          "sagemaker:CreateEndpoint",
          sm("endpoint", "dog-breed-classifier-dev-endpoint"),
          "ImplicitlyDenied",
        ],
        [
          "sagemaker:DeleteEndpoint",
          sm("endpoint", "dog-breed-classifier-dev-endpoint"),
          "ImplicitlyDenied",
        ],
        [
          "sagemaker:CreateModel",
          sm("model", "dog-breed-classifier-dev-model-x"),
          "ImplicitlyDenied",
        ],
        [
          "sagemaker:StopNotebookInstance",
          sm("notebook-instance", "dog-breed-classifier-dev-notebook"),
          "Allowed",
        ],
        [
          "sagemaker:StopNotebookInstance",
          sm("notebook-instance", "another-notebook"),
          "ImplicitlyDenied",
        ],
        [
          "sagemaker:DeleteNotebookInstance",
          sm("notebook-instance", "dog-breed-classifier-dev-notebook"),
          "ImplicitlyDenied",
        ],
        ["s3:GetObject", s3(bucket, "data/valid/x.jpg"), "Allowed"],
        ["s3:PutObject", s3(bucket, "code/notebook.py"), "Allowed"],
        ["s3:GetObject", s3(bucket, "capture/x.jsonl"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "checkpoints/job/checkpoint.pt"), "ImplicitlyDenied"],
        ["s3:DeleteObject", s3(bucket, "data/valid/x.jpg"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(OTHER_BUCKET, "data/x.jpg"), "ImplicitlyDenied"],
      ]);
      assert.deepStrictEqual(
        (await grantedActions(r)).filter((a) => a.startsWith("iam:")),
        ["iam:PassRole"],
      );
      // Without the PassedToService condition met, not even PassRole is allowed anywhere.
      assert.deepStrictEqual(await allowedAnywhere(r, "iam:*"), []);
    });
  });

  describe("EC2 training host role", () => {
    it("syncs code and data, uploads models under models/ec2/, and opens Session Manager channels", async () => {
      const r = role(dev, "ec2-host");
      const bucket = String(dev.outputs.bucketName);
      const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
      await expectDecisions(r, [
        ["s3:GetObject", s3(bucket, "code/training/ec2_train.py"), "Allowed"],
        ["s3:GetObject", s3(bucket, "data/dog-images/test/x.jpg"), "Allowed"],
        ["s3:GetObject", s3(bucket, "data/other-dataset/test/x.jpg"), "ImplicitlyDenied"],
        ["s3:PutObject", s3(bucket, "models/ec2/20261101T000000Z/model.tar.gz"), "Allowed"],
        [
          "s3:PutObject",
          s3(bucket, `models/releases/${PROMOTED_ETAG}/model.tar.gz`),
          "ImplicitlyDenied",
        ],
        ["s3:PutObject", s3(bucket, "data/test/x.jpg"), "ImplicitlyDenied"],
        ["s3:PutObject", s3(bucket, "code/training/ec2_train.py"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(bucket, "code/sourcedir.tar.gz"), "ImplicitlyDenied"],
        ["s3:GetObject", s3(OTHER_BUCKET, "data/x.jpg"), "ImplicitlyDenied"],
        ["s3:ListBucket", s3(bucket), "Allowed", { "s3:prefix": "data/dog-images/train/" }],
        ["s3:ListBucket", s3(bucket), "ImplicitlyDenied", { "s3:prefix": "data/" }],
        ["s3:ListBucket", s3(bucket), "ImplicitlyDenied", { "s3:prefix": "models/" }],
        ["ssm:UpdateInstanceInformation", instance, "Allowed"],
        ["ssmmessages:OpenDataChannel", "*", "Allowed"],
        ["ssm:SendCommand", instance, "ImplicitlyDenied"],
        [
          "ssm:GetParameter",
          `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/secret`,
          "ImplicitlyDenied",
        ],
      ]);
      assert.deepStrictEqual(await allowedAnywhere(r, "iam:*"), []);
      assert.deepStrictEqual(await allowedAnywhere(r, "sagemaker:*"), []);
      assert.deepStrictEqual(await allowedAnywhere(r, "ec2:*"), []);
    });
  });

  it("the bucket policy denies every role any request without TLS", async () => {
    const bucketPolicy: PolicyDocument = JSON.parse(
      String(one(dev, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy),
    );
    const bucket = String(dev.outputs.bucketName);
    const r = role(dev, "training");
    const object = s3(bucket, "data/train/x.jpg");
    assert.strictEqual(
      await decide(r, "s3:GetObject", object, { "aws:SecureTransport": "true" }, bucketPolicy),
      "Allowed",
    );
    assert.strictEqual(
      await decide(r, "s3:GetObject", object, { "aws:SecureTransport": "false" }, bucketPolicy),
      "ExplicitlyDenied",
    );
  });
});
