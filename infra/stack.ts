// Declares every resource of one stack from its validated config and returns the stack outputs.
// No module state: it can run several times in one process, once per stack.
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INVOKE_ENDPOINT_MAX_BYTES, SERVERLESS_INVOKE_MAX_BYTES } from "../shared/aws-limits";
import { StackBudget, budgetArgsFromConfig } from "./budget";
import type { StackConfig } from "./config";
import { ClassifierFunction } from "./components/classifier-function";
import { DataBucket } from "./components/data-bucket";
import { EndpointAutoscaling } from "./components/endpoint-autoscaling";
import { InferenceEndpoint } from "./components/inference-endpoint";
import { ModelPromotion } from "./components/model-promotion";
import { Notebook } from "./components/notebook";
import { ServiceRole } from "./components/service-role";
import { TrainingHost } from "./components/training-host";
import {
  AwsEnv,
  lambdaPolicy,
  modelPolicy,
  notebookPolicy,
  serviceTrustPolicy,
  trainingHostPolicy,
  trainingPolicy,
} from "./iam/policies";
import { bundleHandler } from "./handler-bundle";
import { frameworkImageUri, frameworkRepositoryArn } from "./images";
import { ModelSource, Waiting, modelSource } from "./model-source";
import { BUCKET_LAYOUT, projectRoot, stackNames } from "./naming";
import { trainingRunArgs } from "./training/from-config";
import { TrainingRun } from "./training/training-run";

export type StackOutputs = Record<string, pulumi.Output<unknown> | unknown>;

export interface BuildOptions {
  /** The folder holding Pulumi.yaml, dist/handler and training/; found from this file by default. */
  root?: string;
}

/**
 * Where the deployed model's weights come from once its source exists (the promoted copy aside):
 * the job output that a training component passes in, or else the artifact named by
 * `modelArtifactUri`.
 */
export function deployedModelData(
  config: StackConfig,
  trainedModelData?: pulumi.Input<string>,
): pulumi.Input<string> {
  if (trainedModelData !== undefined) return trainedModelData;
  if (config.modelArtifactUri !== "") return config.modelArtifactUri;
  throw new Error(
    `trainingMode is ${config.trainingMode} but no training job output reaches the model: set ` +
      `dog-breed-classifier:modelArtifactUri to the artifact to deploy, or declare the training job`,
  );
}

/** The fully qualified name of a stack this program references by its short name. */
function stackReferenceName(project: string, stack: string): string {
  return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${project}/${stack}`;
}

export function buildStack(config: StackConfig, options: BuildOptions = {}): StackOutputs {
  const root = options.root ?? projectRoot(__dirname);
  const names = stackNames(config.prefix);
  const source: ModelSource = modelSource(config);

  // One explicit provider carries the region and the default tags to every resource.
  const provider = new aws.Provider(`${config.prefix}-aws`, {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags } },
  });
  const withProvider = { providers: { aws: provider } };

  const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
  const partition = aws.getPartitionOutput({}, { provider }).partition;
  const env: pulumi.Output<AwsEnv> = pulumi
    .all([partition, account])
    .apply(([p, a]) => ({ partition: p, region: config.region, account: a }));

  // Data and model bucket.
  const data = new DataBucket(
    "data",
    {
      bucketName: account.apply(names.bucket),
      partition,
      kms: config.kmsEnabled,
      kmsKeyDeletionDays: config.kmsKeyDeletionDays,
      noncurrentVersionDays: config.bucketNoncurrentVersionDays,
      retain: config.bucketRetain,
    },
    withProvider,
  );
  const bucket = data.bucketName;
  const kmsKeyArn = data.kmsKeyArn;

  const serverless = config.endpointServerless;
  const inferenceImage = frameworkImageUri({
    region: config.region,
    scope: "inference",
    frameworkVersion: config.trainingFrameworkVersion,
    pythonVersion: config.trainingPythonVersion,
    instanceType: serverless ? undefined : config.endpointInstanceType,
  });
  const captureOn = !serverless && config.endpointDataCapture;

  // IAM: one role per principal.
  // SageMaker sets aws:SourceAccount when it assumes a job's or a model's role.
  const sagemakerTrust = env.apply((e) => serviceTrustPolicy("sagemaker.amazonaws.com", e.account));
  const trainingRoleNeeded = config.trainingMode !== "none" || config.notebookEnabled;
  const trainingRole = trainingRoleNeeded
    ? new ServiceRole(
        "training-role",
        {
          roleName: names.trainingRole,
          description: "SageMaker training and tuning jobs of the dog-breed classifier",
          trustPolicy: sagemakerTrust,
          policy: pulumi.all([env, bucket, kmsKeyArn]).apply(([e, b, k]) =>
            trainingPolicy({
              env: e,
              bucket: b,
              prefixes: BUCKET_LAYOUT,
              imageRepositoryArn: frameworkRepositoryArn(config.region, "training"),
              kmsKeyArn: k,
            }),
          ),
        },
        withProvider,
      )
    : undefined;

  // Training or tuning job (trainingMode train or tune), run as the training role above once its
  // permissions are in place; the finished job's (best) model artifact is its output.
  const training =
    config.trainingMode !== "none" && trainingRole
      ? new TrainingRun(
          "training",
          {
            ...trainingRunArgs(config, {
              root,
              jobPrefix: names.jobPrefix,
              roleArn: trainingRole.arn,
              bucketName: bucket,
              kmsKeyArn,
              dependsOn: [trainingRole],
            }),
            tags: config.tags,
          },
          withProvider,
        )
      : undefined;

  // The deployed model's weights, from this one place: the configured artifact, the output artifact
  // of the training or tuning job above, or the promoted copy in this stack's bucket. Undefined
  // while the stack has no model source: its inference tier then waits.
  let modelDataUrl: pulumi.Input<string> | undefined;
  if (source.kind === "promotion") {
    const sourceUri =
      "fromStack" in source
        ? new pulumi.StackReference(`${config.prefix}-promote-source`, {
            name: stackReferenceName(config.project, source.fromStack),
          }).getOutput("modelDataUrl")
        : source.fromUri;
    const promotion = new ModelPromotion(
      "promotion",
      {
        sourceUri: sourceUri as pulumi.Input<string>,
        etag: source.etag,
        bucketName: bucket,
        releasesPrefix: BUCKET_LAYOUT.releases,
        kmsKeyArn,
      },
      // The copy lands once the bucket's encryption, ownership and policy are in place.
      { ...withProvider, dependsOn: [data] },
    );
    modelDataUrl = promotion.modelDataUrl;
  } else if (source.kind !== "waiting") {
    modelDataUrl = deployedModelData(config, training?.modelDataUrl);
  }
  const waiting: Waiting[] = source.kind === "waiting" ? [source.waiting] : [];

  const notebookRole =
    config.notebookEnabled && trainingRole
      ? new ServiceRole(
          "notebook-role",
          {
            roleName: names.notebookRole,
            description: "SageMaker notebook instance of the dog-breed classifier",
            // SageMaker does not document source conditions for notebook instances.
            trustPolicy: serviceTrustPolicy("sagemaker.amazonaws.com"),
            policy: pulumi.all([env, bucket, kmsKeyArn, trainingRole.arn]).apply(([e, b, k, t]) =>
              notebookPolicy({
                env: e,
                bucket: b,
                prefixes: BUCKET_LAYOUT,
                notebookName: names.notebook,
                jobPrefix: names.jobPrefix,
                trainingRoleArn: t,
                endpointName: names.endpoint,
                kmsKeyArn: k,
              }),
            ),
          },
          withProvider,
        )
      : undefined;

  const hostRole = config.ec2Enabled
    ? new ServiceRole(
        "training-host-role",
        {
          roleName: names.trainingHostRole,
          description: "EC2 training host of the dog-breed classifier",
          trustPolicy: serviceTrustPolicy("ec2.amazonaws.com"),
          policy: pulumi.all([env, bucket, kmsKeyArn]).apply(([e, b, k]) =>
            trainingHostPolicy({
              env: e,
              bucket: b,
              // The host reads the dataset the jobs read, and nothing else under data/.
              prefixes: {
                data: config.trainingDataPrefix,
                code: BUCKET_LAYOUT.hostCode,
                output: BUCKET_LAYOUT.hostModels,
              },
              kmsKeyArn: k,
            }),
          ),
          instanceProfile: true,
        },
        withProvider,
      )
    : undefined;

  // Notebook.
  const notebook =
    config.notebookEnabled && notebookRole
      ? new Notebook(
          "notebook",
          {
            region: config.region,
            notebookName: names.notebook,
            lifecycleConfigName: names.notebookLifecycle,
            instanceType: config.notebookInstanceType,
            volumeSizeGb: config.notebookVolumeSizeGb,
            roleArn: notebookRole.arn,
            kmsKeyArn,
            directInternetAccess: config.notebookDirectInternetAccess,
            subnetId: config.notebookSubnetId,
            rootAccess: config.notebookRootAccess,
            idleStopMinutes: config.notebookIdleStopMinutes,
          },
          withProvider,
        )
      : undefined;

  // EC2 training host.
  const host =
    config.ec2Enabled && hostRole?.instanceProfileName
      ? new TrainingHost(
          "training-host",
          {
            region: config.region,
            hostName: names.trainingHost,
            volumeTags: config.tags,
            instanceType: config.ec2InstanceType,
            amiParameter: config.ec2AmiParameter,
            rootVolumeGb: config.ec2RootVolumeGb,
            subnetId: config.ec2SubnetId,
            instanceProfileName: hostRole.instanceProfileName,
            bucketName: bucket,
            prefixes: {
              code: BUCKET_LAYOUT.hostCode,
              data: config.trainingDataPrefix,
              output: BUCKET_LAYOUT.hostModels,
            },
            codeDir: path.join(root, "training"),
            frameworkVersion: config.trainingFrameworkVersion,
            hyperparameters: {
              epochs: config.trainingEpochs,
              batchSize: config.trainingBatchSize,
              learningRate: config.trainingLearningRate,
              arch: config.trainingArch,
              pretrained: config.trainingPretrained,
            },
            kmsKeyArn,
            stopAfterTraining: config.ec2StopAfterTraining,
          },
          withProvider,
        )
      : undefined;

  // The monthly cost budget in AWS Budgets; the policy pack holds the cost estimate to it.
  const budgetArgs = budgetArgsFromConfig(config);
  if (budgetArgs) new StackBudget("cost", budgetArgs, withProvider);

  const outputs = {
    region: config.region,
    bucketName: bucket,
    kmsKeyArn,
    inferenceImage,
    notebookName: notebook?.notebookName,
    trainingInstanceId: host?.instanceId,
    trainingJobName: training?.jobName,
    trainingJobPreviousFailure: training?.previousFailure,
    /** What the stack does not declare yet, why, and the commands that fill it in. */
    waiting,
    roleArns: {
      training: trainingRole?.arn,
      notebook: notebookRole?.arn,
      trainingHost: hostRole?.arn,
    },
  };

  // The inference tier, declared only once a model exists to serve: a model whose artifact nothing
  // has put in place fails CreateModel and leaves the stack half-built.
  if (modelDataUrl === undefined) return outputs;
  const servedModel = modelDataUrl;

  const modelRole = new ServiceRole(
    "model-role",
    {
      roleName: names.modelRole,
      description: "SageMaker model and endpoint of the dog-breed classifier",
      trustPolicy: sagemakerTrust,
      policy: pulumi.all([env, bucket, kmsKeyArn, servedModel]).apply(([e, b, k, m]) =>
        modelPolicy({
          env: e,
          modelDataUrl: m,
          imageRepositoryArn: frameworkRepositoryArn(config.region, "inference"),
          endpointName: names.endpoint,
          capture: captureOn ? { bucket: b, prefix: BUCKET_LAYOUT.capture } : undefined,
          kmsKeyArn: k,
        }),
      ),
    },
    withProvider,
  );

  const lambdaLogGroup = `/aws/lambda/${names.function}`;
  const lambdaRole = new ServiceRole(
    "lambda-role",
    {
      roleName: names.lambdaRole,
      description: "Lambda function in front of the dog-breed classifier endpoint",
      trustPolicy: serviceTrustPolicy("lambda.amazonaws.com"),
      policy: env.apply((e) =>
        lambdaPolicy({ env: e, logGroupName: lambdaLogGroup, endpointName: names.endpoint }),
      ),
    },
    withProvider,
  );

  // Model, endpoint configuration and endpoint.
  const inference = new InferenceEndpoint(
    "inference",
    {
      modelName: names.model,
      endpointName: names.endpoint,
      endpointConfigPrefix: names.endpointConfigPrefix,
      imageUri: inferenceImage,
      modelDataUrl: servedModel,
      executionRoleArn: modelRole.arn,
      variant: serverless
        ? {
            kind: "serverless",
            memoryMb: config.endpointServerlessMemoryMb,
            maxConcurrency: config.endpointServerlessMaxConcurrency,
          }
        : {
            kind: "instance",
            instanceType: config.endpointInstanceType,
            initialInstanceCount: config.endpointInstanceCount,
          },
      networkIsolation: !serverless && config.endpointNetworkIsolation,
      kmsKeyArn,
      dataCapture: captureOn
        ? {
            destinationS3Uri: pulumi.interpolate`s3://${bucket}/${BUCKET_LAYOUT.capture}`,
            samplingPercent: config.endpointDataCapturePercent,
          }
        : undefined,
      blueGreen:
        !serverless && config.endpointBlueGreen
          ? {
              canaryInstances: config.endpointCanaryInstances,
              bakeSeconds: config.endpointBakeSeconds,
            }
          : undefined,
      alarms: {
        errorAlarmName: names.errorAlarm,
        errorsPerMinute: config.endpointErrorAlarmThreshold,
        latencyAlarmName: names.latencyAlarm,
        latencyMs: config.endpointLatencyAlarmMs,
      },
    },
    withProvider,
  );

  if (!serverless && config.endpointAutoscaling) {
    new EndpointAutoscaling(
      "autoscaling",
      {
        endpointName: inference.endpointName,
        endpointConfigName: inference.endpointConfig.name,
        variantName: inference.variantName,
        minInstances: config.endpointMinInstances,
        maxInstances: config.endpointMaxInstances,
        targetInvocations: config.endpointTargetInvocations,
        scaleInCooldownSeconds: config.endpointScaleInCooldownSeconds,
        scaleOutCooldownSeconds: config.endpointScaleOutCooldownSeconds,
      },
      withProvider,
    );
  }

  // Lambda function.
  const classifier = new ClassifierFunction(
    "classifier",
    {
      functionName: names.function,
      roleArn: lambdaRole.arn,
      // Built from handler/ when the bundle on disk is not built from the sources beside it.
      bundleDir: bundleHandler(root).bundleDir,
      runtime: config.lambdaRuntime,
      memoryMb: config.lambdaMemoryMb,
      timeoutSeconds: config.lambdaTimeoutSeconds,
      reservedConcurrency: config.lambdaReservedConcurrency,
      provisionedConcurrency: config.lambdaProvisionedConcurrency,
      functionUrl: config.lambdaFunctionUrl,
      urlInvokers: config.lambdaUrlInvokers,
      logRetentionDays: config.lambdaLogRetentionDays,
      environment: {
        ENDPOINT_NAME: inference.endpointName,
        TOP_K: String(config.lambdaTopK),
        // The largest request the endpoint takes: less behind a serverless endpoint.
        MAX_IMAGE_BYTES: String(
          serverless ? SERVERLESS_INVOKE_MAX_BYTES : INVOKE_ENDPOINT_MAX_BYTES,
        ),
      },
    },
    withProvider,
  );

  return {
    ...outputs,
    modelDataUrl: servedModel,
    endpointName: inference.endpointName,
    endpointArn: inference.endpointArn,
    functionName: classifier.functionName,
    aliasArn: classifier.aliasArn,
    functionUrl: classifier.functionUrl,
    roleArns: { ...outputs.roleArns, model: modelRole.arn, lambda: lambdaRole.arn },
  };
}
