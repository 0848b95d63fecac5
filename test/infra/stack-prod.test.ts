// The prod stack as its stack file configures it, run under mocks: scaled, locked down, retained.
import * as assert from "assert";
import { StackRun, ofType } from "../../tools/stack-run";
import { PROMOTED_ETAG, countByType, one, servingEngineRun } from "./helpers";

const PREFIX = "dog-breed-classifier-prod";
const BUCKET = `${PREFIX}-123456789012`;

describe("prod stack", () => {
  let run: StackRun;
  let keyArn: string;
  before(async () => {
    run = await servingEngineRun("prod");
    keyArn = String(one(run, "aws:kms/key:Key").outputs.arn);
  });

  it("declares the scaled prod set: instance endpoint with autoscaling, no notebook or EC2 host", () => {
    assert.deepStrictEqual(countByType(run), {
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
      "dog-breed-classifier:iam:ServiceRole": 2,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "dog-breed-classifier:sagemaker:InferenceEndpoint": 1,
      "aws:sagemaker/model:Model": 1,
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
      "aws:sagemaker/endpoint:Endpoint": 1,
      "pulumi-nodejs:dynamic/sagemaker:EndpointCheck": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
      "dog-breed-classifier:sagemaker:EndpointAutoscaling": 1,
      "aws:appautoscaling/target:Target": 1,
      "aws:appautoscaling/policy:Policy": 1,
      "dog-breed-classifier:lambda:ClassifierFunction": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:lambda/function:Function": 1,
      "aws:lambda/alias:Alias": 1,
      "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": 1,
      "aws:lambda/functionUrl:FunctionUrl": 1,
      "dog-breed-classifier:cost:StackBudget": 1,
      "aws:budgets/budget:Budget": 1,
      "dog-breed-classifier:storage:ModelPromotion": 1,
      "aws:s3/objectCopy:ObjectCopy": 1,
    });
  });

  it("tags every resource with the production environment through the provider", () => {
    const provider = one(run, "pulumi:providers:aws");
    assert.deepStrictEqual(JSON.parse(String(provider.inputs.defaultTags)).tags, {
      project: "dog-breed-classifier",
      environment: "production",
      owner: "ml-platform",
      "cost-center": "ml-research",
    });
    const ref = `${provider.urn}::${provider.id}`;
    // Every AWS resource; the endpoint check is a dynamic resource that creates nothing in AWS.
    for (const r of run.resources.filter((x) => x.custom && x.type.startsWith("aws:")))
      assert.strictEqual(r.provider, ref, r.name);
  });

  it("encrypts the bucket with a rotated KMS key and keeps both on destroy", () => {
    const key = one(run, "aws:kms/key:Key");
    assert.strictEqual(key.inputs.enableKeyRotation, true);
    assert.strictEqual(key.inputs.rotationPeriodInDays, 365);
    assert.strictEqual(key.inputs.deletionWindowInDays, 30);
    const bucket = one(run, "aws:s3/bucket:Bucket");
    assert.strictEqual(bucket.inputs.bucket, BUCKET);
    assert.strictEqual(bucket.inputs.forceDestroy, false);
    for (const r of [key, bucket]) {
      assert.strictEqual(r.protect, true, `${r.name} protected`);
      assert.strictEqual(r.retainOnDelete, true, `${r.name} retained`);
    }
    assert.deepStrictEqual(
      one(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).inputs.rules,
      [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
          bucketKeyEnabled: true,
        },
      ],
    );
    const rules = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .inputs.rules as Record<string, unknown>[];
    assert.deepStrictEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 90 });
  });

  it("serves two ml.m5.xlarge instances with KMS, network isolation and 20% data capture", () => {
    const model = one(run, "aws:sagemaker/model:Model").inputs;
    assert.strictEqual(model.enableNetworkIsolation, true);
    assert.strictEqual(
      (model.primaryContainer as Record<string, unknown>).modelDataUrl,
      `s3://${BUCKET}/models/releases/${PROMOTED_ETAG}/model.tar.gz`,
    );
    const config = one(run, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
    assert.deepStrictEqual(config.productionVariants, [
      {
        variantName: "AllTraffic",
        modelName: model.name,
        instanceType: "ml.m5.xlarge",
        initialInstanceCount: 2,
        initialVariantWeight: 1,
      },
    ]);
    assert.strictEqual(config.kmsKeyArn, keyArn);
    assert.deepStrictEqual(config.dataCaptureConfig, {
      enableCapture: true,
      initialSamplingPercentage: 20,
      destinationS3Uri: `s3://${BUCKET}/capture/`,
      kmsKeyId: keyArn,
      captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
      captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
    });
  });

  it("deploys blue/green with a one-instance canary and rolls back on its 5XX and latency alarms", () => {
    const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    const errors = alarms.find((a) => a.metricName === "Invocation5XXErrors");
    const latency = alarms.find((a) => a.metricName === "ModelLatency");
    assert.ok(errors && latency);
    const dimensions = { EndpointName: `${PREFIX}-endpoint`, VariantName: "AllTraffic" };
    assert.deepStrictEqual(
      [
        errors.namespace,
        errors.dimensions,
        errors.statistic,
        errors.threshold,
        errors.comparisonOperator,
      ],
      ["AWS/SageMaker", dimensions, "Sum", 5, "GreaterThanOrEqualToThreshold"],
    );
    // ModelLatency is in microseconds: 1500 ms.
    assert.deepStrictEqual(
      [latency.namespace, latency.dimensions, latency.statistic, latency.threshold],
      ["AWS/SageMaker", dimensions, "Average", 1_500_000],
    );
    const endpoint = one(run, "aws:sagemaker/endpoint:Endpoint").inputs;
    assert.deepStrictEqual(endpoint.deploymentConfig, {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: {
          type: "CANARY",
          canarySize: { type: "INSTANCE_COUNT", value: 1 },
          waitIntervalInSeconds: 600,
        },
        terminationWaitInSeconds: 300,
      },
      autoRollbackConfiguration: {
        alarms: [{ alarmName: errors.name }, { alarmName: latency.name }],
      },
    });
  });

  it("scales the variant between 2 and 3 instances at 30 invocations per instance", () => {
    const target = one(run, "aws:appautoscaling/target:Target").inputs;
    assert.deepStrictEqual(target, {
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: `endpoint/${PREFIX}-endpoint/variant/AllTraffic`,
      minCapacity: 2,
      maxCapacity: 3,
    });
    const policy = one(run, "aws:appautoscaling/policy:Policy").inputs;
    assert.strictEqual(policy.policyType, "TargetTrackingScaling");
    assert.strictEqual(policy.resourceId, target.resourceId);
    assert.deepStrictEqual(policy.targetTrackingScalingPolicyConfiguration, {
      predefinedMetricSpecification: {
        predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
      },
      targetValue: 30,
      scaleInCooldown: 120,
      scaleOutCooldown: 30,
    });
  });

  it("runs the Lambda function with reserved and provisioned concurrency and an IAM-signed URL", () => {
    const fn = one(run, "aws:lambda/function:Function").inputs;
    assert.deepStrictEqual(
      [fn.runtime, fn.architectures, fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions],
      ["nodejs24.x", ["arm64"], 1024, 20, 50],
    );
    assert.deepStrictEqual(one(run, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 90);
    const pc = one(
      run,
      "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
    ).inputs;
    assert.deepStrictEqual([pc.qualifier, pc.provisionedConcurrentExecutions], ["live", 2]);
    const url = one(run, "aws:lambda/functionUrl:FunctionUrl").inputs;
    assert.deepStrictEqual([url.qualifier, url.authorizationType], ["live", "AWS_IAM"]);
    assert.match(
      String(run.outputs.functionUrl),
      /^https:\/\/[0-9a-f]+\.lambda-url\.us-east-1\.on\.aws\/$/,
    );
  });

  it("exports no notebook, host or training role", () => {
    assert.strictEqual(run.outputs.notebookName, undefined);
    assert.strictEqual(run.outputs.trainingInstanceId, undefined);
    // infra/index.ts's exports, as the engine receives them: a role the stack lacks is no output.
    assert.deepStrictEqual(
      Object.keys(run.outputs)
        .filter((k) => k.endsWith("RoleArn"))
        .sort(),
      ["lambdaRoleArn", "modelRoleArn"],
    );
  });
});
