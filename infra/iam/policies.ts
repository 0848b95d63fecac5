// IAM documents for every principal of the stack, as pure functions of plain strings (ARNs,
// names, account, region, partition). Each grants the exact actions its principal needs on the
// exact resources; nothing here depends on Pulumi, so the documents are tested as they are.
//
// Actions, resource types and ARN formats: the Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Where the stack runs. */
export interface AwsEnv {
  partition: string;
  region: string;
  account: string;
}

function doc(...statements: (PolicyStatement | undefined | false)[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: statements.filter((s): s is PolicyStatement => Boolean(s)),
  };
}

// ARN builders.

export function bucketArn(env: Pick<AwsEnv, "partition">, bucket: string): string {
  return `arn:${env.partition}:s3:::${bucket}`;
}

/** Objects under `prefix` (which ends with `/`), or one object when `prefix` is a key. */
export function objectArn(
  env: Pick<AwsEnv, "partition">,
  bucket: string,
  keyOrPrefix: string,
): string {
  return `${bucketArn(env, bucket)}/${keyOrPrefix}${keyOrPrefix.endsWith("/") ? "*" : ""}`;
}

export function logGroupArn(env: AwsEnv, name: string): string {
  return `arn:${env.partition}:logs:${env.region}:${env.account}:log-group:${name}`;
}

/** SageMaker ARNs carry the resource name in lower case. */
export function sagemakerArn(env: AwsEnv, kind: string, name: string): string {
  return `arn:${env.partition}:sagemaker:${env.region}:${env.account}:${kind}/${name.toLowerCase()}`;
}

/** Splits `s3://bucket/key` into its bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: m[1], key: m[2] };
}

// Trust policies.

/**
 * Lets one AWS service assume the role. `sourceAccount` adds the `aws:SourceAccount` condition
 * for services that set it when they assume roles on a customer's behalf (SageMaker training
 * jobs and inference: https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
 */
export function serviceTrustPolicy(service: string, sourceAccount?: string): PolicyDocument {
  return doc({
    Sid: "AssumedByService",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(sourceAccount !== undefined
      ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }
      : {}),
  });
}

// Shared statements.

/** Writing to a log group the principal's service names itself (streams and events). */
function logStatements(env: AwsEnv, group: string, createGroup: boolean): PolicyStatement[] {
  const arn = logGroupArn(env, group);
  return [
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${arn}:log-stream:*`,
    },
    {
      Sid: "ManageLogGroup",
      Effect: "Allow",
      Action: createGroup
        ? ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
        : ["logs:DescribeLogStreams"],
      Resource: arn,
    },
  ];
}

/** Pulling one framework image repository (GetAuthorizationToken only takes `*`). */
function imagePullStatements(repositoryArn: string): PolicyStatement[] {
  return [
    {
      Sid: "PullFrameworkImage",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ],
      Resource: repositoryArn,
    },
    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
  ];
}

/** Listing only the given prefixes of a bucket. */
function listPrefixes(env: AwsEnv, bucket: string, prefixes: string[]): PolicyStatement {
  return {
    Sid: "ListPrefixes",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bucketArn(env, bucket),
    Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}*`]) } },
  };
}

/** Using the stack's KMS key for S3 objects and SageMaker volumes, through those services only. */
function kmsStatement(
  env: AwsEnv,
  kmsKeyArn: string | undefined,
  actions: string[],
  services: string[],
): PolicyStatement | undefined {
  if (kmsKeyArn === undefined) return undefined;
  return {
    Sid: "UseStackKey",
    Effect: "Allow",
    Action: actions,
    Resource: kmsKeyArn,
    Condition: {
      StringEquals: { "kms:ViaService": services.map((s) => `${s}.${env.region}.amazonaws.com`) },
    },
  };
}

// The bucket.

/** Denies every request to the bucket that does not use TLS. */
export function tlsOnlyBucketPolicy(
  env: Pick<AwsEnv, "partition">,
  bucket: string,
): PolicyDocument {
  return doc({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn(env, bucket), `${bucketArn(env, bucket)}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

// The Lambda function.

export interface LambdaPolicyArgs {
  env: AwsEnv;
  /** The function's own log group (created by the program, so no CreateLogGroup). */
  logGroupName: string;
  endpointName: string;
}

/** Invoke the one endpoint and write to the function's own log group. */
export function lambdaPolicy(a: LambdaPolicyArgs): PolicyDocument {
  return doc(
    {
      Sid: "InvokeEndpoint",
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: sagemakerArn(a.env, "endpoint", a.endpointName),
    },
    ...logStatements(a.env, a.logGroupName, false),
  );
}

// The model (endpoint execution role).

export interface ModelPolicyArgs {
  env: AwsEnv;
  /**
   * Every model the endpoint may serve, current and retained: `s3://bucket/key.tar.gz` of one
   * artifact, or `s3://bucket/prefix/` of the prefix that holds the stack's releases. After a
   * rollback, scale-out and instance replacement fetch the model of the configuration the
   * endpoint is back on, which is no longer the current one.
   */
  releases: string[];
  imageRepositoryArn: string;
  endpointName: string;
  /**
   * The CloudWatch alarms of blue/green auto-rollback: the execution role needs
   * cloudwatch:DescribeAlarms on them
   * (https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html).
   */
  rollbackAlarmNames?: string[];
  /** Data capture destination (bucket and prefix), when capture is on. */
  capture?: { bucket: string; prefix: string };
  kmsKeyArn?: string;
}

/**
 * Read the current and retained releases, pull the image, write endpoint logs and (optionally)
 * captured data, and read the rollback alarms.
 */
export function modelPolicy(a: ModelPolicyArgs): PolicyDocument {
  if (a.releases.length === 0) throw new Error("modelPolicy: releases must name at least one");
  const releases = a.releases.map((uri) => {
    const { bucket, key } = parseS3Uri(uri);
    return objectArn(a.env, bucket, key);
  });
  const alarms = a.rollbackAlarmNames ?? [];
  return doc(
    {
      Sid: "ReadModelReleases",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: releases.length === 1 ? releases[0] : releases,
    },
    alarms.length > 0 && {
      Sid: "ReadRollbackAlarms",
      Effect: "Allow",
      Action: "cloudwatch:DescribeAlarms",
      Resource: alarms.map(
        (n) => `arn:${a.env.partition}:cloudwatch:${a.env.region}:${a.env.account}:alarm:${n}`,
      ),
    },
    ...imagePullStatements(a.imageRepositoryArn),
    ...logStatements(a.env, `/aws/sagemaker/Endpoints/${a.endpointName}`, true),
    a.capture !== undefined && {
      Sid: "WriteDataCapture",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: objectArn(a.env, a.capture.bucket, a.capture.prefix),
    },
    kmsStatement(a.env, a.kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"], ["s3", "sagemaker"]),
  );
}

// Training and tuning jobs.

export interface TrainingPolicyArgs {
  env: AwsEnv;
  bucket: string;
  prefixes: { data: string; code: string; models: string; checkpoints: string };
  imageRepositoryArn: string;
  kmsKeyArn?: string;
}

/** Read data and code, write models and checkpoints, pull the training image, log and emit metrics. */
export function trainingPolicy(a: TrainingPolicyArgs): PolicyDocument {
  const { data, code, models, checkpoints } = a.prefixes;
  return doc(
    listPrefixes(a.env, a.bucket, [data, code, models, checkpoints]),
    {
      Sid: "ReadDataAndCode",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [objectArn(a.env, a.bucket, data), objectArn(a.env, a.bucket, code)],
    },
    {
      Sid: "WriteModelsAndCheckpoints",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: [objectArn(a.env, a.bucket, models), objectArn(a.env, a.bucket, checkpoints)],
    },
    ...imagePullStatements(a.imageRepositoryArn),
    ...logStatements(a.env, "/aws/sagemaker/TrainingJobs", true),
    {
      // PutMetricData takes no resource; the namespace condition keeps it to SageMaker's own.
      Sid: "TrainingMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": "/aws/sagemaker/TrainingJobs" } },
    },
    // CreateTrainingJob: with a KMS key for the output, the role needs kms:Encrypt as well.
    // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputDataConfig.html
    kmsStatement(
      a.env,
      a.kmsKeyArn,
      ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"],
      ["s3", "sagemaker"],
    ),
  );
}

// The notebook.

export interface NotebookPolicyArgs {
  env: AwsEnv;
  bucket: string;
  prefixes: { data: string; code: string; models: string };
  notebookName: string;
  /** Jobs the notebook starts are named with this prefix. */
  jobPrefix: string;
  trainingRoleArn: string;
  endpointName: string;
  kmsKeyArn?: string;
}

/**
 * Explore data and models, start and follow training and tuning jobs run as the training role,
 * call the endpoint, and stop its own instance when idle.
 */
export function notebookPolicy(a: NotebookPolicyArgs): PolicyDocument {
  const { data, code, models } = a.prefixes;
  const jobs = [
    sagemakerArn(a.env, "training-job", `${a.jobPrefix}-*`),
    sagemakerArn(a.env, "hyper-parameter-tuning-job", `${a.jobPrefix}-*`),
  ];
  return doc(
    listPrefixes(a.env, a.bucket, [data, code, models]),
    {
      Sid: "ReadWriteWorkspace",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [data, code, models].map((p) => objectArn(a.env, a.bucket, p)),
    },
    {
      Sid: "RunJobs",
      Effect: "Allow",
      Action: [
        "sagemaker:AddTags",
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeHyperParameterTuningJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:StopHyperParameterTuningJob",
        "sagemaker:StopTrainingJob",
      ],
      Resource: jobs,
    },
    {
      Sid: "PassTrainingRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: a.trainingRoleArn,
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
    {
      Sid: "CallEndpoint",
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: sagemakerArn(a.env, "endpoint", a.endpointName),
    },
    {
      Sid: "StopWhenIdle",
      Effect: "Allow",
      Action: ["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"],
      Resource: sagemakerArn(a.env, "notebook-instance", a.notebookName),
    },
    ...logStatements(a.env, "/aws/sagemaker/NotebookInstances", true),
    kmsStatement(a.env, a.kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"], ["s3"]),
  );
}

// The EC2 training host.

export interface TrainingHostPolicyArgs {
  env: AwsEnv;
  bucket: string;
  prefixes: { data: string; code: string; output: string };
  kmsKeyArn?: string;
}

/**
 * Session Manager shell access and the bucket paths the host syncs and writes. The Session
 * Manager actions are the ones AWS lists for a custom instance profile
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html);
 * the ssmmessages actions take no resource.
 */
export function trainingHostPolicy(a: TrainingHostPolicyArgs): PolicyDocument {
  const { data, code, output } = a.prefixes;
  return doc(
    {
      Sid: "SessionManagerRegistration",
      Effect: "Allow",
      Action: "ssm:UpdateInstanceInformation",
      Resource: `arn:${a.env.partition}:ec2:${a.env.region}:${a.env.account}:instance/*`,
    },
    {
      Sid: "SessionManagerChannels",
      Effect: "Allow",
      Action: [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ],
      Resource: "*",
    },
    listPrefixes(a.env, a.bucket, [data, code, output]),
    {
      Sid: "ReadDataAndCode",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [objectArn(a.env, a.bucket, data), objectArn(a.env, a.bucket, code)],
    },
    {
      Sid: "WriteModel",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: objectArn(a.env, a.bucket, output),
    },
    kmsStatement(a.env, a.kmsKeyArn, ["kms:Decrypt", "kms:GenerateDataKey"], ["s3"]),
  );
}
