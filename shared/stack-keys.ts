// Every key of the stack configuration (the `dog-breed-classifier:*` namespace): its type, default,
// description, the Pulumi.yaml group it is listed under, and the rule data the generic checks of
// `infra/config.ts` apply to it. `Pulumi.yaml`'s config block is generated from this table
// (`npm run config:generate`), and the cost estimate's usage assumptions read their defaults and
// descriptions from it.
import { LAMBDA_RUNTIMES, LOG_RETENTION_DAYS } from "./aws-limits";
import ARCHITECTURES from "../training/architectures.json";

export type KeyType = "string" | "integer" | "boolean" | "array";

/** Which list of real instance types a key's value must come from (see `instance-type-lists.json`). */
export type InstanceTypeKind = "notebook" | "hosting" | "training" | "ec2";

export interface KeySpec {
  /** The `# <group>` comment of Pulumi.yaml the key is listed under. */
  group: string;
  type: KeyType;
  /** For arrays: the type of each item, as Pulumi.yaml declares it. */
  items?: "string" | "integer";
  default: string | number | boolean | readonly (string | number)[];
  description: string;
  /** Integers: the smallest and largest value allowed. */
  min?: number;
  max?: number;
  /** The messages for a value below `min` or above `max`; "must be between <min> and <max>" without. */
  minMessage?: string;
  maxMessage?: string;
  /** The values allowed, and the message when another is given ("must be one of ..." without). */
  oneOf?: readonly (string | number)[];
  oneOfMessage?: string;
  /** Strings: the form a value must have, in words for the message. */
  pattern?: RegExp;
  patternMessage?: string;
  /** Whether "" (the key's "none") passes without matching `pattern`. */
  emptyAllowed?: boolean;
  /** Strings: the value must be a real instance type of this kind. */
  instanceType?: InstanceTypeKind;
}

/** torchvision architectures the training code accepts for `--arch` (`training/modeldef.py`). */
export { ARCHITECTURES };

/** The training a stack runs: none (deploy an artifact), one training job, or a tuning job. */
export const TRAINING_MODES = ["none", "train", "tune"] as const;

/** AWS tag values are 1-256 characters. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html */
const TAG_VALUE = /^.{1,256}$/s;
/** An S3 URI of a gzipped tarball: `s3://bucket/path/model.tar.gz`. */
export const S3_ARTIFACT = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(.+\/)?[^/]+\.tar\.gz$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
/** An S3 ETag: an MD5, or for multipart uploads an MD5 of the parts' MD5s and the part count. */
const ETAG = /^"?[0-9a-f]{32}(-\d{1,5})?"?$/;
const SNS_TOPIC = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
/** Hours in a 31-day month: the most an instance can run in a month. */
const HOURS_PER_MONTH = 744;

// Limits and their sources:
// - KMS key deletion window: https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
// - notebook volume: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html
// - gp3 root volume: https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
// - serverless memory and concurrency: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html
// - canary size and wait interval: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html
// - Lambda memory and timeout: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
// - training run time: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html
// - tuning jobs: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceLimits.html
// - training volume: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html
// The training role may read data/ only, hence trainingDataPrefix's form.

/** Every project key, in Pulumi.yaml's order. Stack files hold only overrides. */
export const STACK_KEYS = {
  // Ownership and tags.
  owner: {
    group: "Ownership and tags",
    type: "string",
    default: "ml-platform",
    description: "Team that owns the stack; the `owner` tag on every resource.",
    pattern: TAG_VALUE,
    patternMessage: "must be 1-256 characters",
  },
  costCenter: {
    group: "Ownership and tags",
    type: "string",
    default: "ml-research",
    description: "Cost center billed for the stack; the `cost-center` tag on every resource.",
    pattern: TAG_VALUE,
    patternMessage: "must be 1-256 characters",
  },
  environment: {
    group: "Ownership and tags",
    type: "string",
    default: "",
    description: "The `environment` tag; empty means the stack name.",
    pattern: /^.{0,256}$/s,
    patternMessage: "must be at most 256 characters",
  },

  // Data and model bucket.
  kmsEnabled: {
    group: "Data and model bucket",
    type: "boolean",
    default: true,
    description:
      "Encrypt the bucket, notebook volume, endpoint storage and data capture with a customer-managed KMS key (rotated yearly) instead of S3-managed keys.",
  },
  kmsKeyDeletionDays: {
    group: "Data and model bucket",
    type: "integer",
    default: 30,
    description: "Waiting period in days (7-30) before a deleted KMS key is destroyed.",
    min: 7,
    max: 30,
  },
  bucketNoncurrentVersionDays: {
    group: "Data and model bucket",
    type: "integer",
    default: 30,
    description: "Days after which old (noncurrent) object versions in the bucket are deleted.",
    min: 1,
    max: 36500,
  },
  bucketRetain: {
    group: "Data and model bucket",
    type: "boolean",
    default: false,
    description:
      "Protect the bucket and keep it (and its KMS key) on `pulumi destroy`; when false the bucket is emptied and deleted with the stack.",
  },

  // Notebook.
  notebookEnabled: {
    group: "Notebook",
    type: "boolean",
    default: true,
    description: "Create the SageMaker notebook instance for exploration.",
  },
  notebookInstanceType: {
    group: "Notebook",
    type: "string",
    default: "ml.t3.medium",
    description: "Notebook instance type (an `ml.*` type).",
    instanceType: "notebook",
  },
  notebookVolumeSizeGb: {
    group: "Notebook",
    type: "integer",
    default: 10,
    description: "Notebook storage volume in GB (5-16384).",
    min: 5,
    max: 16384,
  },
  notebookIdleStopMinutes: {
    group: "Notebook",
    type: "integer",
    default: 60,
    description:
      "Minutes without Jupyter activity (no busy kernel, no kernel, terminal or UI activity) after which the notebook stops itself, checked every minute (5-1440).",
    min: 5,
    max: 1440,
  },
  notebookDirectInternetAccess: {
    group: "Notebook",
    type: "boolean",
    default: true,
    description:
      "Give the notebook SageMaker's direct internet access; false requires `notebookSubnetId` (traffic goes through your VPC), whose route to the SageMaker API (a NAT gateway or an interface VPC endpoint for sagemaker.api) the idle stop needs: without one the notebook fails to start.",
  },
  notebookSubnetId: {
    group: "Notebook",
    type: "string",
    default: "",
    description: "Subnet for the notebook's network interface; empty for none.",
    pattern: SUBNET,
    patternMessage: "must be empty or a subnet id (subnet-...)",
    emptyAllowed: true,
  },
  notebookRootAccess: {
    group: "Notebook",
    type: "boolean",
    default: false,
    description: "Allow root access for notebook users.",
  },

  // EC2 training host.
  ec2Enabled: {
    group: "EC2 training host",
    type: "boolean",
    default: false,
    description:
      "Create the EC2 training host, which trains once at boot and uploads the model to the bucket.",
  },
  ec2InstanceType: {
    group: "EC2 training host",
    type: "string",
    default: "m5.xlarge",
    description: "EC2 training host instance type (an EC2 type, not `ml.*`).",
    instanceType: "ec2",
  },
  ec2RootVolumeGb: {
    group: "EC2 training host",
    type: "integer",
    default: 100,
    description:
      "Encrypted gp3 root volume of the training host in GB (30-16384; holds the dataset and PyTorch).",
    min: 30,
    max: 16384,
  },
  ec2AmiParameter: {
    group: "EC2 training host",
    type: "string",
    default: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    description:
      "Public SSM parameter holding the AMI id for the training host, read when the host is created and pinned: a new image release does not replace the host, a new parameter does. GPU types need /aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id.",
    pattern: /^\/aws\/service\/.+/,
    patternMessage: "must be a public SSM parameter path under /aws/service/",
  },
  ec2SubnetId: {
    group: "EC2 training host",
    type: "string",
    default: "",
    description:
      "Subnet for the training host; empty for the default VPC's default subnet. It needs outbound access to S3, SSM and PyPI.",
    pattern: SUBNET,
    patternMessage: "must be empty or a subnet id (subnet-...)",
    emptyAllowed: true,
  },
  ec2StopAfterTraining: {
    group: "EC2 training host",
    type: "boolean",
    default: true,
    description:
      "Stop the training host when its user data ends (no dataset yet, a failed step, or the model uploaded), so that only its volume is billed; false leaves it running.",
  },

  // Model and endpoint.
  modelArtifactUri: {
    group: "Model and endpoint",
    type: "string",
    default: "",
    description:
      "S3 URI of a model.tar.gz that already exists and that the stack may read (`s3://bucket/key.tar.gz`); empty for none. Without a model source the inference tier waits.",
    pattern: S3_ARTIFACT,
    patternMessage: "must be an S3 URI of a .tar.gz (s3://bucket/path/model.tar.gz)",
    emptyAllowed: true,
  },
  modelPromoteSource: {
    group: "Model and endpoint",
    type: "string",
    default: "",
    description:
      "Promote a model into this stack's bucket from another stack of this project (its name, e.g. `dev`, or `org/project/stack`; its `modelDataUrl` output) or from a release artifact (`s3://bucket/key.tar.gz`); empty for none.",
  },
  modelPromoteEtag: {
    group: "Model and endpoint",
    type: "string",
    default: "",
    description:
      "ETag of the promoted source object: the copy is refused when the source differs. Empty while nothing is promoted yet (the inference tier waits).",
    pattern: ETAG,
    patternMessage:
      "must be an S3 ETag: 32 hex digits, with -<parts> for a multipart upload (quotes optional)",
    emptyAllowed: true,
  },
  modelPromoteObject: {
    group: "Model and endpoint",
    type: "string",
    default: "",
    description:
      "The exact source object promoted, pinned beside modelPromoteEtag: `s3://bucket/key`, with `?versionId=<id>` for a versioned bucket (`npm run promote -- --from <stack>` prints both). What prod copies never follows the source stack's later models.",
    pattern: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^?\s]+(\?versionId=[^\s&]+)?$/,
    patternMessage: "must be empty or s3://<bucket>/<key>, optionally with ?versionId=<id>",
    emptyAllowed: true,
  },
  endpointServerless: {
    group: "Model and endpoint",
    type: "boolean",
    default: true,
    description: "Serve with a serverless variant (no cost when idle) instead of instances.",
  },
  endpointServerlessMemoryMb: {
    group: "Model and endpoint",
    type: "integer",
    default: 3072,
    description: "Serverless variant memory in MB: 1024-6144 in steps of 1024.",
    oneOf: [1024, 2048, 3072, 4096, 5120, 6144],
    oneOfMessage: "must be 1024, 2048, 3072, 4096, 5120 or 6144",
  },
  endpointServerlessMaxConcurrency: {
    group: "Model and endpoint",
    type: "integer",
    default: 5,
    description: "Serverless variant maximum concurrent invocations (1-200).",
    min: 1,
    max: 200,
  },
  endpointInstanceType: {
    group: "Model and endpoint",
    type: "string",
    default: "ml.m5.xlarge",
    description: "Hosting instance type of an instance-based variant (an `ml.*` type).",
    instanceType: "hosting",
  },
  endpointInstanceCount: {
    group: "Model and endpoint",
    type: "integer",
    default: 1,
    description:
      "Initial instance count of an instance-based variant; within min..max when autoscaling is on.",
    min: 1,
    max: 100,
  },
  endpointAutoscaling: {
    group: "Model and endpoint",
    type: "boolean",
    default: false,
    description: "Scale an instance-based variant on invocations per instance.",
  },
  endpointMinInstances: {
    group: "Model and endpoint",
    type: "integer",
    default: 1,
    description: "Autoscaling minimum instance count (>= 1).",
    min: 1,
    max: 100,
  },
  endpointMaxInstances: {
    group: "Model and endpoint",
    type: "integer",
    default: 2,
    description: "Autoscaling maximum instance count (>= endpointMinInstances).",
    min: 1,
    max: 100,
  },
  endpointTargetInvocations: {
    group: "Model and endpoint",
    type: "integer",
    default: 30,
    description:
      "Autoscaling target: invocations per instance per minute (SageMakerVariantInvocationsPerInstance).",
    min: 1,
    minMessage: "must be > 0 (invocations per instance per minute)",
  },
  endpointScaleInCooldownSeconds: {
    group: "Model and endpoint",
    type: "integer",
    default: 300,
    description: "Seconds after a scale-in before another scale-in (>= 0).",
    min: 0,
    minMessage: "must be >= 0 seconds",
  },
  endpointScaleOutCooldownSeconds: {
    group: "Model and endpoint",
    type: "integer",
    default: 30,
    description: "Seconds after a scale-out before another scale-out (>= 0).",
    min: 0,
    minMessage: "must be >= 0 seconds",
  },
  endpointDataCapture: {
    group: "Model and endpoint",
    type: "boolean",
    default: false,
    description: "Capture requests and responses to the bucket (instance-based variants only).",
  },
  endpointDataCapturePercent: {
    group: "Model and endpoint",
    type: "integer",
    default: 20,
    description: "Percentage of requests captured (1-100).",
    min: 1,
    max: 100,
  },
  endpointNetworkIsolation: {
    group: "Model and endpoint",
    type: "boolean",
    default: false,
    description: "Run the model container without network access (instance-based variants only).",
  },
  endpointBlueGreen: {
    group: "Model and endpoint",
    type: "boolean",
    default: false,
    description:
      "Deploy endpoint updates blue/green with a canary and roll back on the 5XX and latency alarms (instance-based variants only).",
  },
  endpointCanaryInstances: {
    group: "Model and endpoint",
    type: "integer",
    default: 1,
    description:
      "Blue/green canary size in instances (>= 1, at most half of endpointInstanceCount).",
    min: 1,
    max: 100,
  },
  endpointBakeSeconds: {
    group: "Model and endpoint",
    type: "integer",
    default: 300,
    description: "Blue/green wait between traffic shifts, watching the alarms (0-3600).",
    min: 0,
    max: 3600,
  },
  endpointLatencyAlarmMs: {
    group: "Model and endpoint",
    type: "integer",
    default: 2000,
    description: "Average model latency in milliseconds above which the latency alarm fires.",
    min: 1,
    minMessage: "must be > 0",
  },
  endpointErrorAlarmThreshold: {
    group: "Model and endpoint",
    type: "integer",
    default: 5,
    description: "5XX errors per minute at or above which the error alarm fires.",
    min: 1,
    minMessage: "must be > 0",
  },

  // Lambda function.
  lambdaRuntime: {
    group: "Lambda function",
    type: "string",
    // The newest generally available runtime: supported a year longer than nodejs22.x, and the
    // Node.js line the project itself runs on. The handler is async (Node.js 24 dropped callback
    // handlers).
    default: "nodejs24.x",
    description: "Lambda runtime: nodejs24.x or nodejs22.x (nodejs20.x can no longer be created).",
    oneOf: LAMBDA_RUNTIMES,
  },
  lambdaMemoryMb: {
    group: "Lambda function",
    type: "integer",
    default: 512,
    description: "Lambda memory in MB (128-10240).",
    min: 128,
    max: 10240,
  },
  lambdaTimeoutSeconds: {
    group: "Lambda function",
    type: "integer",
    default: 30,
    description: "Lambda timeout in seconds (1-900).",
    min: 1,
    max: 900,
  },
  lambdaReservedConcurrency: {
    group: "Lambda function",
    type: "integer",
    default: -1,
    description:
      "Concurrency reserved for the function; -1 leaves it unreserved. Above 0 it needs lambdaAccountConcurrency >= reserved + 100.",
    min: -1,
    minMessage: "must be -1 (unreserved) or >= 0",
  },
  lambdaProvisionedConcurrency: {
    group: "Lambda function",
    type: "integer",
    default: 0,
    description: "Provisioned concurrency on the `live` alias; 0 for none.",
    min: 0,
    minMessage: "must be >= 0",
  },
  lambdaFunctionUrl: {
    group: "Lambda function",
    type: "boolean",
    default: false,
    description: "Expose the `live` alias through a function URL with AWS_IAM auth.",
  },
  lambdaUrlInvokers: {
    group: "Lambda function",
    type: "array",
    items: "string",
    default: [],
    description:
      "IAM principals (role or user ARNs, or account ids) allowed to call the function URL: each gets lambda:InvokeFunctionUrl and lambda:InvokeFunction on the `live` alias.",
  },
  lambdaAccountConcurrency: {
    group: "Lambda function",
    type: "integer",
    default: 10,
    description:
      "The account's Lambda concurrent executions quota in this region (Service Quotas L-B99A9384; 10 on a new account). Lambda keeps 100 of it unreserved.",
    min: 10,
    max: 10_000_000,
  },
  lambdaLogRetentionDays: {
    group: "Lambda function",
    type: "integer",
    default: 14,
    description:
      "Retention of the function's log group in days (a CloudWatch Logs retention value).",
    oneOf: LOG_RETENTION_DAYS,
  },
  lambdaTopK: {
    group: "Lambda function",
    type: "integer",
    default: 5,
    description:
      "Number of breeds the function returns, best first (1-100, what the handler accepts).",
    min: 1,
    max: 100,
  },

  // Training and tuning.
  trainingMode: {
    group: "Training and tuning",
    type: "string",
    default: "none",
    description:
      "none (deploy modelArtifactUri), train (one training job) or tune (a tuning job; its best model is deployed). Keep none until the dataset is in the bucket.",
    oneOf: TRAINING_MODES,
  },
  trainingInstanceType: {
    group: "Training and tuning",
    type: "string",
    default: "ml.m5.xlarge",
    description: "Training job instance type (an `ml.*` type).",
    instanceType: "training",
  },
  trainingInstanceCount: {
    group: "Training and tuning",
    type: "integer",
    default: 1,
    description:
      "Training job instance count (1-20); above 1 trains data-parallel (torch_distributed) and needs a GPU instance type.",
    min: 1,
    max: 20,
  },
  trainingUseSpot: {
    group: "Training and tuning",
    type: "boolean",
    default: true,
    description: "Use managed spot training (checkpoints in the bucket).",
  },
  trainingMaxRuntimeSeconds: {
    group: "Training and tuning",
    type: "integer",
    default: 7200,
    description: "Training job maximum run time in seconds (1-2419200).",
    min: 1,
    max: 2419200,
  },
  trainingMaxWaitSeconds: {
    group: "Training and tuning",
    type: "integer",
    default: 14400,
    description:
      "Maximum time including spot waits, in seconds; >= trainingMaxRuntimeSeconds when spot is on.",
    min: 1,
    max: 2419200,
  },
  trainingFrameworkVersion: {
    group: "Training and tuning",
    type: "string",
    default: "2.1",
    description: "PyTorch version of the training and inference framework images, e.g. 2.1.",
    pattern: /^\d+\.\d+(\.\d+)?$/,
    patternMessage: "must be a PyTorch version such as 2.1",
  },
  trainingPythonVersion: {
    group: "Training and tuning",
    type: "string",
    default: "py310",
    description: "Python version tag of the framework images, e.g. py310.",
    pattern: /^py3\d{1,2}$/,
    patternMessage: "must be a Python tag such as py310",
  },
  trainingEpochs: {
    group: "Training and tuning",
    type: "integer",
    default: 5,
    description: "Training epochs (1-200).",
    min: 1,
    max: 200,
  },
  trainingBatchSize: {
    group: "Training and tuning",
    type: "integer",
    default: 64,
    description: "Training batch size (1-1024).",
    min: 1,
    max: 1024,
  },
  trainingLearningRate: {
    group: "Training and tuning",
    type: "string",
    default: "0.001",
    description: "Learning rate, a decimal number as a string (Pulumi.yaml has no float type).",
  },
  trainingArch: {
    group: "Training and tuning",
    type: "string",
    default: "resnet50",
    description: `torchvision architecture: ${ARCHITECTURES.slice(0, -1).join(", ")} or ${ARCHITECTURES.at(-1)}.`,
    oneOf: ARCHITECTURES,
  },
  trainingPretrained: {
    group: "Training and tuning",
    type: "boolean",
    default: true,
    description: "Start from ImageNet weights.",
  },
  tuningMaxJobs: {
    group: "Training and tuning",
    type: "integer",
    default: 4,
    description: "Tuning job: total training jobs (1-500).",
    min: 1,
    max: 500,
  },
  tuningMaxParallelJobs: {
    group: "Training and tuning",
    type: "integer",
    default: 2,
    description: "Tuning job: training jobs at a time (1-100, <= tuningMaxJobs).",
    min: 1,
    max: 100,
  },
  tuningEarlyStopping: {
    group: "Training and tuning",
    type: "string",
    default: "Auto",
    description: "Tuning job early stopping: Auto or Off.",
    oneOf: ["Auto", "Off"],
  },
  tuningObjectiveMetric: {
    group: "Training and tuning",
    type: "string",
    default: "valid_accuracy",
    description: "Metric the tuning job maximizes: a name in training/metric_definitions.json.",
    pattern: /^[\w:./-]{1,255}$/,
    patternMessage: "must be a metric name (letters, digits, : . / _ -)",
  },
  tuningLearningRateRange: {
    group: "Training and tuning",
    type: "array",
    items: "string",
    default: ["0.0001", "0.1"],
    description: "Learning rate range [min, max], decimal strings, searched logarithmically.",
  },
  tuningBatchSizeValues: {
    group: "Training and tuning",
    type: "array",
    items: "string",
    default: ["32", "64", "128"],
    description: "Batch sizes the tuner picks from (categorical, positive integers as strings).",
  },
  tuningEpochsRange: {
    group: "Training and tuning",
    type: "array",
    items: "integer",
    default: [2, 6],
    description: "Epochs range [min, max], integers.",
  },
  tuningObjectiveType: {
    group: "Training and tuning",
    type: "string",
    default: "Maximize",
    description: "Direction of the tuning objective: Maximize (accuracies) or Minimize (losses).",
    oneOf: ["Maximize", "Minimize"],
  },
  trainingDataPrefix: {
    group: "Training and tuning",
    type: "string",
    default: "data/dog-images/",
    description:
      "Bucket prefix (under data/, ending in /) holding the train/, valid/ and test/ folders the jobs read; a new prefix trains again on new data.",
    pattern: /^data\/([\w.-]+\/)*$/,
    patternMessage: 'must be a bucket prefix under data/ ending in "/", e.g. data/dog-images/',
  },
  trainingVolumeSizeGb: {
    group: "Training and tuning",
    type: "integer",
    default: 30,
    description:
      "Storage volume of each training instance in GB (1-16384; holds the dataset copy and checkpoints).",
    min: 1,
    max: 16384,
  },

  // Cost assumptions for the estimate (integers; money in whole US dollars).
  budgetMonthlyUsd: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 0,
    description: "Monthly budget in whole US dollars; 0 for no budget.",
    min: 0,
    minMessage: "must be >= 0",
  },
  budgetAlertEmail: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "string",
    default: "",
    description:
      "Email address that receives the budget's alerts; a budget needs this or budgetAlertSnsTopicArn.",
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    patternMessage: "must be empty or an email address",
    emptyAllowed: true,
  },
  budgetAlertSnsTopicArn: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "string",
    default: "",
    description:
      "SNS topic that receives the budget's alerts (its policy must let budgets.amazonaws.com publish); empty for none.",
    pattern: SNS_TOPIC,
    patternMessage: "must be empty or an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)",
    emptyAllowed: true,
  },
  budgetActivateCostTags: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "boolean",
    default: false,
    description:
      "Activate `project` and `environment` as cost allocation tags (management or standalone account only, once the tags appear in billing data; in one stack per account).",
  },
  notebookActiveHoursPerMonth: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 40,
    description: "Hours a month the notebook runs before it stops itself.",
    min: 0,
    minMessage: "must be >= 0",
    max: HOURS_PER_MONTH,
    maxMessage: "must be <= 744 (hours in a 31-day month)",
  },
  ec2HoursPerMonth: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 10,
    description: "Hours a month the EC2 training host runs.",
    min: 0,
    minMessage: "must be >= 0",
    max: HOURS_PER_MONTH,
    maxMessage: "must be <= 744 (hours in a 31-day month)",
  },
  trainingRunsPerMonth: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 2,
    description: "Training or tuning runs a month.",
    min: 0,
    minMessage: "must be >= 0",
  },
  monthlyRequests: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 10000,
    description: "Classification requests a month.",
    min: 0,
    minMessage: "must be >= 0",
  },
  inferenceDurationMs: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 300,
    description: "Model inference time per request in milliseconds.",
    min: 0,
    minMessage: "must be >= 0",
  },
  lambdaDurationMs: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 500,
    description:
      "Lambda billed duration per request in milliseconds (download plus endpoint call).",
    min: 0,
    minMessage: "must be >= 0",
  },
  storageGb: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 10,
    description: "Data, models and captures held in the bucket, in GB.",
    min: 0,
    minMessage: "must be >= 0",
  },
  logIngestGbPerMonth: {
    group: "Budget, and cost assumptions for the estimate (integers; money in whole US dollars)",
    type: "integer",
    default: 1,
    description: "CloudWatch Logs ingested a month, in GB.",
    min: 0,
    minMessage: "must be >= 0",
  },
} as const satisfies Record<string, KeySpec>;
export type StackKey = keyof typeof STACK_KEYS;

type Widen<T> = T extends boolean
  ? boolean
  : T extends number
    ? number
    : T extends string
      ? string
      : T extends readonly (infer U)[]
        ? readonly Widen<U>[]
        : never;

/** The value of each key once parsed: its default's type. */
export type StackValues = { readonly [K in StackKey]: Widen<(typeof STACK_KEYS)[K]["default"]> };
