// The dev stack as its stack file configures it once it serves a model (SERVING: a release
// artifact, the EC2 host on), run under mocks: the exact security- and cost-relevant inputs of
// every resource.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { idleStopScript } from "../../infra/components/notebook";
import {
  codeDigest,
  trainingCodeFiles,
  trainingUserData,
} from "../../infra/components/training-host";
import { renderedParameters } from "../../infra/host-scripts/render";
import { MOCK_AMI } from "../../tools/mock-cloud";
import { StackRun, ofType } from "../../tools/stack-run";
import { DEV_TRAINING } from "../host-scripts/sandbox";
import { RELEASE_ARTIFACT, countByType, named, one, servingEngineRun, servingRun } from "./helpers";

const PREFIX = "dog-breed-classifier-dev";
const BUCKET = `${PREFIX}-123456789012`;

describe("dev stack", () => {
  let run: StackRun;
  before(async () => {
    run = await servingEngineRun("dev");
  });

  it("declares the cheap dev set: serverless endpoint, notebook, EC2 host, no autoscaling", () => {
    const counts = countByType(run);
    const code = counts["aws:s3/bucketObjectv2:BucketObjectv2"];
    assert.ok(code >= 1, "the training code is uploaded for the EC2 host");
    assert.deepStrictEqual(counts, {
      "pulumi:providers:aws": 1,
      "dog-breed-classifier:storage:DataBucket": 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "dog-breed-classifier:iam:ServiceRole": 5,
      "aws:iam/role:Role": 5,
      "aws:iam/rolePolicy:RolePolicy": 5,
      "aws:iam/instanceProfile:InstanceProfile": 1,
      "dog-breed-classifier:sagemaker:Notebook": 1,
      "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration": 1,
      "aws:sagemaker/notebookInstance:NotebookInstance": 1,
      "dog-breed-classifier:ec2:TrainingHost": 1,
      "aws:s3/bucketObjectv2:BucketObjectv2": code,
      "aws:ec2/securityGroup:SecurityGroup": 1,
      "aws:ec2/instance:Instance": 1,
      "pulumi-nodejs:dynamic/ec2:HostImage": 1,
      "dog-breed-classifier:sagemaker:InferenceEndpoint": 1,
      "aws:sagemaker/model:Model": 1,
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
      "aws:sagemaker/endpoint:Endpoint": 1,
      "pulumi-nodejs:dynamic/sagemaker:EndpointCheck": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
      "dog-breed-classifier:lambda:ClassifierFunction": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:lambda/function:Function": 1,
      "aws:lambda/alias:Alias": 1,
      "dog-breed-classifier:cost:StackBudget": 1,
      "aws:budgets/budget:Budget": 1,
    });
  });

  it("tags every resource through the one provider's default tags", () => {
    const provider = one(run, "pulumi:providers:aws");
    // Provider inputs reach the engine as JSON strings.
    const defaultTags = JSON.parse(String(provider.inputs.defaultTags));
    assert.deepStrictEqual(defaultTags, {
      tags: {
        project: "dog-breed-classifier",
        environment: "dev",
        owner: "ml-platform",
        "cost-center": "ml-research",
      },
    });
    assert.strictEqual(provider.inputs.region, "us-east-1");
    const ref = `${provider.urn}::${provider.id}`;
    // Every AWS resource; the endpoint check is a dynamic resource that creates nothing in AWS.
    const custom = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    assert.ok(custom.length > 30);
    for (const r of custom)
      assert.strictEqual(r.provider, ref, `${r.name} must use the tagged provider`);
  });

  it("parents every resource to a component named in its own name", () => {
    const components = new Map(run.resources.filter((r) => !r.custom).map((r) => [r.urn, r.name]));
    for (const r of run.resources.filter(
      (x) => x.custom && !x.type.startsWith("pulumi:providers:"),
    )) {
      const parent = components.get(r.parent ?? "");
      assert.ok(parent !== undefined, `${r.name} has no component parent`);
      assert.ok(r.name.startsWith(`${parent}-`), `${r.name} is not named from ${parent}`);
    }
  });

  it("encrypts, versions and closes the bucket, and lets it go with the stack", () => {
    const bucket = one(run, "aws:s3/bucket:Bucket");
    assert.strictEqual(bucket.inputs.bucket, BUCKET);
    assert.strictEqual(bucket.inputs.forceDestroy, true);
    assert.strictEqual(bucket.protect, false);
    assert.strictEqual(bucket.retainOnDelete, false);
    assert.deepStrictEqual(
      one(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).inputs.rules,
      [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: one(run, "aws:kms/key:Key").outputs.arn,
          },
          bucketKeyEnabled: true,
        },
      ],
    );
    assert.deepStrictEqual(
      one(run, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
      { status: "Enabled" },
    );
    const pab = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    for (const k of [
      "blockPublicAcls",
      "blockPublicPolicy",
      "ignorePublicAcls",
      "restrictPublicBuckets",
    ]) {
      assert.strictEqual(pab[k], true, k);
    }
    const rules = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .inputs.rules as Record<string, unknown>[];
    assert.deepStrictEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 30 });
    assert.deepStrictEqual(
      JSON.parse(String(one(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy)).Statement,
      [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    );
    // The key that also encrypts the notebook volume rotates yearly and goes with the stack.
    const key = one(run, "aws:kms/key:Key");
    assert.strictEqual(key.inputs.enableKeyRotation, true);
    assert.strictEqual(key.retainOnDelete, false);
  });

  it("runs a small notebook without root access that stops itself after 30 idle minutes", () => {
    const nb = one(run, "aws:sagemaker/notebookInstance:NotebookInstance").inputs;
    assert.strictEqual(nb.name, `${PREFIX}-notebook`);
    assert.strictEqual(nb.instanceType, "ml.t3.medium");
    assert.strictEqual(nb.volumeSize, 5);
    assert.strictEqual(nb.rootAccess, "Disabled");
    assert.strictEqual(nb.directInternetAccess, "Enabled");
    assert.strictEqual(nb.platformIdentifier, "notebook-al2023-v1");
    assert.deepStrictEqual(nb.instanceMetadataServiceConfiguration, {
      minimumInstanceMetadataServiceVersion: "2",
    });
    assert.strictEqual(nb.roleArn, `arn:aws:iam::123456789012:role/${PREFIX}-notebook`);
    const lifecycle = one(
      run,
      "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
    ).inputs;
    assert.strictEqual(nb.lifecycleConfigName, lifecycle.name);
    // The on-start script that test/host-scripts/notebook.test.ts executes, with this stack's values.
    const script = Buffer.from(String(lifecycle.onStart), "base64").toString("utf8");
    assert.strictEqual(
      script,
      idleStopScript({ region: "us-east-1", notebookName: `${PREFIX}-notebook`, idleMinutes: 30 }),
    );
  });

  it("gives the notebook and the host scripts that pass shellcheck", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      throw new Error(
        "shellcheck is not installed: run scripts/setup.sh (Debian package shellcheck)",
      );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scripts-"));
    const lifecycle = Buffer.from(
      String(
        one(
          run,
          "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
        ).inputs.onStart,
      ),
      "base64",
    ).toString("utf8");
    const userData = String(one(run, "aws:ec2/instance:Instance").inputs.userData);
    const files = [path.join(dir, "lifecycle.sh"), path.join(dir, "user-data.sh")];
    fs.writeFileSync(files[0], lifecycle);
    fs.writeFileSync(files[1], userData);
    const r = spawnSync("shellcheck", ["--shell=bash", ...files], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  });

  it("runs the EC2 host on m5.xlarge from the SSM AMI with IMDSv2, an encrypted gp3 root and no ingress", () => {
    const inst = one(run, "aws:ec2/instance:Instance");
    const i = inst.inputs;
    assert.strictEqual(i.instanceType, "m5.xlarge");
    assert.strictEqual(i.ami, MOCK_AMI);
    assert.deepStrictEqual(i.metadataOptions, {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    assert.deepStrictEqual(i.rootBlockDevice, {
      volumeType: "gp3",
      volumeSize: 60,
      encrypted: true,
      kmsKeyId: one(run, "aws:kms/key:Key").outputs.arn,
      deleteOnTermination: true,
    });
    assert.strictEqual(i.iamInstanceProfile, `${PREFIX}-ec2-host`);
    assert.strictEqual(i.instanceInitiatedShutdownBehavior, "stop");
    assert.strictEqual(i.userDataReplaceOnChange, true);
    // The root volume carries the cost tags too.
    assert.deepStrictEqual(i.volumeTags, {
      project: "dog-breed-classifier",
      environment: "dev",
      owner: "ml-platform",
      "cost-center": "ml-research",
      Name: `${PREFIX}-training-host`,
    });
    assert.strictEqual(i.keyName, undefined, "no SSH key: shell access is through Session Manager");
    const sg = one(run, "aws:ec2/securityGroup:SecurityGroup");
    assert.deepStrictEqual(sg.inputs.ingress, []);
    assert.deepStrictEqual(sg.inputs.egress, [
      {
        description: "HTTPS out",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
      },
    ]);
    assert.deepStrictEqual(i.vpcSecurityGroupIds, [sg.id]);
    // The code is in the bucket before the host boots.
    for (const obj of ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2")) {
      assert.ok(inst.dependencies.includes(obj.urn), `${obj.name} before the instance`);
      assert.match(String(obj.inputs.key), /^code\/training\/[\w.]+$/);
    }
    assert.ok(
      ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2").some(
        (o) => o.inputs.key === "code/training/ec2_train.py",
      ),
    );
  });

  it("trains on the host with the pinned CPU PyTorch set, from the bucket's code and data, and stops", () => {
    // The user data that test/host-scripts/training-host.test.ts executes, with this stack's values.
    const userData = String(one(run, "aws:ec2/instance:Instance").inputs.userData);
    const params = renderedParameters(userData, [
      "REGION",
      "BUCKET",
      "CODE_PREFIX",
      "DATA_PREFIX",
      "OUTPUT_PREFIX",
      "STOP_AFTER_TRAINING",
      "PYTORCH_PINS",
      "PIP_INDEX_URL",
      "EPOCHS",
      "BATCH_SIZE",
      "LEARNING_RATE",
      "ARCH",
      "PRETRAINED",
    ]);
    assert.deepStrictEqual(params, {
      REGION: "us-east-1",
      BUCKET,
      CODE_PREFIX: "code/training/",
      DATA_PREFIX: "data/dog-images/",
      OUTPUT_PREFIX: "models/ec2/",
      STOP_AFTER_TRAINING: "true",
      PYTORCH_PINS: "torch==2.1.2 torchvision==0.16.2 numpy==1.26.4",
      PIP_INDEX_URL: "https://download.pytorch.org/whl/cpu",
      EPOCHS: "3",
      BATCH_SIZE: "64",
      LEARNING_RATE: "0.001",
      ARCH: "resnet18",
      PRETRAINED: "true",
    });
    const codeDir = path.join(__dirname, "..", "..", "training");
    assert.strictEqual(
      userData,
      trainingUserData({
        region: "us-east-1",
        instanceType: "m5.xlarge",
        bucket: BUCKET,
        ...DEV_TRAINING,
        stopAfterTraining: true,
        codeDigest: codeDigest(codeDir, trainingCodeFiles(codeDir)),
        hostName: `${PREFIX}-training-host`,
      }),
    );
  });

  it("serves from a serverless variant with the CPU PyTorch image and the configured artifact", () => {
    const model = one(run, "aws:sagemaker/model:Model").inputs;
    assert.deepStrictEqual(model.primaryContainer, {
      image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310",
      modelDataUrl: RELEASE_ARTIFACT,
      mode: "SingleModel",
      environment: {
        SAGEMAKER_PROGRAM: "inference.py",
        SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
        SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
      },
    });
    assert.strictEqual(model.enableNetworkIsolation, false);
    assert.strictEqual(model.executionRoleArn, `arn:aws:iam::123456789012:role/${PREFIX}-model`);
    assert.match(String(model.name), new RegExp(`^${PREFIX}-model-[0-9a-f]{8}$`));
    const config = one(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
    assert.deepStrictEqual(config.productionVariants, [
      {
        variantName: "AllTraffic",
        modelName: model.name,
        serverlessConfig: { memorySizeInMb: 3072, maxConcurrency: 2 },
      },
    ]);
    assert.strictEqual(config.kmsKeyArn, undefined);
    assert.strictEqual(config.dataCaptureConfig, undefined);
    const endpoint = one(run, "aws:sagemaker/endpoint:Endpoint").inputs;
    assert.strictEqual(endpoint.name, `${PREFIX}-endpoint`);
    assert.strictEqual(endpoint.deploymentConfig, undefined);
    assert.deepStrictEqual(ofType(run, "aws:appautoscaling/target:Target"), []);
  });

  it("runs the Lambda function on arm64 with its limits, log group and live alias, no URL", () => {
    const fn = one(run, "aws:lambda/function:Function").inputs;
    assert.strictEqual(fn.name, `${PREFIX}-classify`);
    assert.strictEqual(fn.runtime, "nodejs24.x");
    assert.deepStrictEqual(fn.architectures, ["arm64"]);
    assert.strictEqual(fn.handler, "index.handler");
    assert.strictEqual(fn.memorySize, 512);
    assert.strictEqual(fn.timeout, 30);
    // Unreserved: a new account's concurrency quota of 10 allows no reservation.
    assert.strictEqual(fn.reservedConcurrentExecutions, -1);
    assert.strictEqual(fn.publish, true);
    assert.deepStrictEqual(fn.environment, {
      // A serverless endpoint takes payloads up to 4 MB.
      variables: { ENDPOINT_NAME: `${PREFIX}-endpoint`, TOP_K: "5", MAX_IMAGE_BYTES: "4194304" },
    });
    assert.strictEqual(fn.role, `arn:aws:iam::123456789012:role/${PREFIX}-lambda`);
    const logs = one(run, "aws:cloudwatch/logGroup:LogGroup").inputs;
    assert.deepStrictEqual(logs, { name: `/aws/lambda/${PREFIX}-classify`, retentionInDays: 7 });
    assert.deepStrictEqual(fn.loggingConfig, { logFormat: "JSON", logGroup: logs.name });
    const alias = one(run, "aws:lambda/alias:Alias").inputs;
    assert.strictEqual(alias.name, "live");
    assert.strictEqual(alias.functionVersion, "1");
    assert.deepStrictEqual(
      ofType(run, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"),
      [],
    );
    assert.deepStrictEqual(ofType(run, "aws:lambda/functionUrl:FunctionUrl"), []);
  });

  it("exports names, ARNs and the switchable parts' ids, as infra/index.ts exports them", () => {
    // The stack's outputs as the engine receives them from cmd/run: infra/index.ts's exports.
    assert.deepStrictEqual(
      { ...run.outputs, trainingInstanceId: typeof run.outputs.trainingInstanceId },
      {
        bucketName: BUCKET,
        modelDataUrl: RELEASE_ARTIFACT,
        endpointName: `${PREFIX}-endpoint`,
        functionName: `${PREFIX}-classify`,
        aliasArn: `arn:aws:lambda:us-east-1:123456789012:function:${PREFIX}-classify:live`,
        notebookName: `${PREFIX}-notebook`,
        trainingInstanceId: "string",
        waiting: [],
        modelRoleArn: `arn:aws:iam::123456789012:role/${PREFIX}-model`,
        lambdaRoleArn: `arn:aws:iam::123456789012:role/${PREFIX}-lambda`,
        trainingRoleArn: `arn:aws:iam::123456789012:role/${PREFIX}-training`,
        notebookRoleArn: `arn:aws:iam::123456789012:role/${PREFIX}-notebook`,
        trainingHostRoleArn: `arn:aws:iam::123456789012:role/${PREFIX}-ec2-host`,
      },
    );
    assert.match(String(run.outputs.trainingInstanceId), /^i-0[0-9a-f]{16}$/);
    assert.ok(named(run, "classifier-alias"));
  });
});

describe("dev stack switched to an instance-based endpoint", () => {
  let run: StackRun;
  before(async () => {
    run = await servingRun("dev", {
      endpointServerless: false,
      endpointInstanceType: "ml.c5.large",
      endpointAutoscaling: true,
      endpointMinInstances: 1,
      endpointMaxInstances: 2,
      endpointTargetInvocations: 10,
      notebookEnabled: false,
      ec2Enabled: false,
    });
  });

  it("declares an instance variant with autoscaling and no notebook or host", () => {
    const config = one(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
    const variants = config.productionVariants as Record<string, unknown>[];
    assert.deepStrictEqual(
      { ...variants[0], modelName: undefined },
      {
        variantName: "AllTraffic",
        modelName: undefined,
        instanceType: "ml.c5.large",
        initialInstanceCount: 1,
        initialVariantWeight: 1,
      },
    );
    assert.strictEqual(
      (one(run, "aws:sagemaker/model:Model").inputs.primaryContainer as Record<string, unknown>)
        .image,
      "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310",
    );
    const target = one(run, "aws:appautoscaling/target:Target").inputs;
    assert.deepStrictEqual(
      [target.minCapacity, target.maxCapacity, target.resourceId],
      [1, 2, `endpoint/dog-breed-classifier-dev-endpoint/variant/AllTraffic`],
    );
    assert.deepStrictEqual(ofType(run, "aws:sagemaker/notebookInstance:NotebookInstance"), []);
    assert.deepStrictEqual(ofType(run, "aws:ec2/instance:Instance"), []);
    // No notebook: no one starts jobs, so no training role either while trainingMode is none.
    assert.deepStrictEqual(
      ofType(run, "aws:iam/role:Role")
        .map((r) => r.inputs.name)
        .sort(),
      ["dog-breed-classifier-dev-lambda", "dog-breed-classifier-dev-model"],
    );
  });
});

describe("dev stack placed in a VPC subnet", () => {
  let run: StackRun;
  before(async () => {
    run = await servingRun("dev", {
      notebookDirectInternetAccess: false,
      notebookSubnetId: "subnet-0123456789abcdef0",
      ec2SubnetId: "subnet-0123456789abcdef0",
    });
  });

  it("puts the notebook and the host in the subnet behind groups that admit nothing", () => {
    const nb = one(run, "aws:sagemaker/notebookInstance:NotebookInstance").inputs;
    assert.strictEqual(nb.directInternetAccess, "Disabled");
    assert.strictEqual(nb.subnetId, "subnet-0123456789abcdef0");
    const groups = ofType(run, "aws:ec2/securityGroup:SecurityGroup");
    assert.strictEqual(groups.length, 2);
    for (const g of groups) {
      assert.ok(
        g.inputs.ingress === undefined || (g.inputs.ingress as unknown[]).length === 0,
        g.name,
      );
    }
    assert.deepStrictEqual(nb.securityGroups, [named(run, "notebook-sg").id]);
    const host = one(run, "aws:ec2/instance:Instance").inputs;
    assert.strictEqual(host.subnetId, "subnet-0123456789abcdef0");
    // Inside a chosen subnet the host gets no public address; the subnet provides the way out.
    assert.strictEqual(host.associatePublicIpAddress, false);
  });
});

describe("dev stack ordering", () => {
  it("creates each role's consumer only after the role's permissions are attached", async () => {
    const run = await servingRun("dev");
    for (const [consumer, policy] of [
      ["inference-model", "model-role-policy"],
      ["classifier-function", "lambda-role-policy"],
      ["notebook-instance", "notebook-role-policy"],
      ["training-host-instance", "training-host-role-policy"],
    ]) {
      assert.ok(
        named(run, consumer).dependencies.includes(named(run, policy).urn),
        `${consumer} after ${policy}`,
      );
    }
  });
});
