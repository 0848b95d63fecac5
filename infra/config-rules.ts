// The rules of the stack configuration that relate keys to each other, or to the stack, its
// environment and the day of the run (a Lambda runtime past AWS's deprecation day). The fixed rules
// of one key alone (ranges, allowed values, forms, instance types) are data in shared/stack-keys.ts,
// applied by the generic checks of config.ts.
import {
  GPU_HOST_AMI_PARAMETER,
  GPU_HOST_MIN_ROOT_GB,
  HOST_GPU_FAMILIES,
  HOST_GPU_TYPES,
  gpuCount,
  isAcceleratedType,
  isGpuAmiParameter,
} from "../shared/accelerated-types";
import { LAMBDA_RUNTIMES } from "../shared/aws-limits";
import { LAMBDA_RUNTIMES_PAGE, deprecationDay, isDeprecated } from "../shared/lambda-runtimes";
import { STACK_KEYS, StackKey, StackValues, S3_ARTIFACT } from "../shared/stack-keys";
import { HOST_PYTORCH_PINS, hostPytorchPins } from "./host-scripts/pytorch-pins";
import {
  TORCH_DISTRIBUTED_MIN_VERSION,
  gpusPerInstance,
  supportsTorchDistributed,
  usesTorchDistributed,
} from "./training/job-spec";

/** What a rule sees: the parsed values, which of them passed their own checks, and where to report. */
export interface RuleContext {
  /** The stack's name. */
  readonly stack: string;
  /** The stack's environment, as `resolveEnvironment` decides it. */
  readonly environment: string;
  /** The day of the run, UTC YYYY-MM-DD: rules that depend on AWS's dates read it. */
  readonly today: string;
  /** Whether `key`'s value parsed as its type (rules read only such values). */
  has(key: StackKey): boolean;
  /** Whether `key`'s value parsed and passed the checks of its own table entry. */
  valid(key: StackKey): boolean;
  v<K extends StackKey>(key: K): StackValues[K];
  fail(key: StackKey, message: string): void;
}

/** Concurrency Lambda keeps unreserved in every account. https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** A stack name, or a fully qualified `org/project/stack`. */
const STACK_REF = /^([\w.-]+\/[\w.-]+\/)?[a-zA-Z0-9][\w.-]*$/;
const INVOKER = /^(\d{12}|arn:aws[\w-]*:iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]+))$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)([eE]-?\d+)?$/;
const decimal = (s: string) => (DECIMAL.test(s) ? Number(s) : NaN);

function notebookRules({ v, fail }: RuleContext): void {
  if (v("notebookEnabled") === true && v("kmsEnabled") === false) {
    fail(
      "kmsEnabled",
      "false needs notebookEnabled false too: the notebook's storage volume is encrypted with the stack's KMS key",
    );
  }
  if (
    v("notebookEnabled") === true &&
    v("notebookDirectInternetAccess") === false &&
    v("notebookSubnetId") === ""
  ) {
    fail(
      "notebookDirectInternetAccess",
      "false needs notebookSubnetId: without direct access the notebook reaches the network only through a VPC subnet",
    );
  }
}

function trainingHostRules({ has, valid, v, fail }: RuleContext): void {
  if (v("ec2Enabled") !== true) return;
  if (
    has("trainingFrameworkVersion") &&
    hostPytorchPins(v("trainingFrameworkVersion")) === undefined
  ) {
    fail(
      "trainingFrameworkVersion",
      `with ec2Enabled true must be a version the training host has pinned torch, torchvision and numpy for: ${Object.keys(HOST_PYTORCH_PINS).join(", ")}`,
    );
  }
  if (!valid("ec2InstanceType") || !valid("ec2AmiParameter")) return;
  // The image and the instance type go together: the GPU image's driver on the host's GPU types,
  // any other image on CPU types. The host's setup is written for these, nothing else.
  const type = v("ec2InstanceType");
  const parameter = v("ec2AmiParameter");
  const cpuImage = String(STACK_KEYS.ec2AmiParameter.default);
  const gpuTypes = `${HOST_GPU_FAMILIES.map((f) => `${f}.*`).join(", ")} (e.g. g5.xlarge, 1 GPU; g5.12xlarge, ${gpuCount("g5.12xlarge")} GPUs)`;
  if (isAcceleratedType(type) && !HOST_GPU_TYPES.includes(type)) {
    fail(
      "ec2InstanceType",
      `is an accelerated type the training host does not set up: it trains on the NVIDIA GPUs of ${gpuTypes}, each priced in the estimate, or on a CPU type such as m5.xlarge`,
    );
    return;
  }
  const gpus = gpuCount(type);
  if (gpus > 0 && parameter !== GPU_HOST_AMI_PARAMETER) {
    fail(
      "ec2AmiParameter",
      `${isGpuAmiParameter(parameter) ? "is a GPU image the training host does not set up (it installs PyTorch with dnf on Amazon Linux 2023)" : "names an image without the NVIDIA driver"}, but ec2InstanceType ${type} has ${gpus} GPU${gpus > 1 ? "s" : ""}: set ec2AmiParameter to ${GPU_HOST_AMI_PARAMETER} (Deep Learning Base OSS Nvidia Driver GPU AMI, Amazon Linux 2023), or ec2InstanceType to a CPU type such as m5.xlarge`,
    );
  }
  if (gpus === 0 && isGpuAmiParameter(parameter)) {
    fail(
      "ec2AmiParameter",
      `is an image for GPU instances, but ec2InstanceType ${type} has no GPU: remove ec2AmiParameter from the stack file for the default ${cpuImage}, or set ec2InstanceType to a GPU type: ${gpuTypes}`,
    );
  }
  if (gpus > 0 && has("ec2RootVolumeGb") && v("ec2RootVolumeGb") < GPU_HOST_MIN_ROOT_GB) {
    fail(
      "ec2RootVolumeGb",
      `must be at least ${GPU_HOST_MIN_ROOT_GB} with the GPU image of ec2InstanceType ${type}: its root snapshot is ${GPU_HOST_MIN_ROOT_GB} GB and EC2 refuses a smaller root volume (set ec2RootVolumeGb to 100, the project default)`,
    );
  }
}

// Model source: at most one of a configured artifact, a promotion and a training job. With none
// the stack deploys everything but its inference tier, which waits for a model.
function modelSourceRules({ stack, has, valid, v, fail }: RuleContext): void {
  const promoteSource = has("modelPromoteSource") ? v("modelPromoteSource") : "";
  if (promoteSource !== "") {
    if (!S3_ARTIFACT.test(promoteSource) && !STACK_REF.test(promoteSource)) {
      fail(
        "modelPromoteSource",
        "must be a stack of this project (e.g. dev, or org/project/stack) or an S3 URI of a .tar.gz",
      );
    } else if (promoteSource === stack) {
      fail("modelPromoteSource", "must name another stack than this one");
    }
    if (v("modelArtifactUri") !== "") {
      fail(
        "modelPromoteSource",
        "cannot be set together with modelArtifactUri: the stack deploys one model (clear one)",
      );
    }
    if (has("trainingMode") && v("trainingMode") !== "none") {
      fail(
        "modelPromoteSource",
        `cannot be set while trainingMode is ${v("trainingMode")}: the stack deploys either its own job's model or a promoted one`,
      );
    }
  }
  if (valid("modelPromoteEtag") && v("modelPromoteEtag") !== "" && promoteSource === "") {
    fail("modelPromoteEtag", "needs modelPromoteSource: the source object it pins");
  }
  // A pin names the object itself: a stack's output moves on with every retrain, reset or
  // destroy, and prod must copy what was reviewed until the pin changes.
  const pinnedObject = valid("modelPromoteObject") ? v("modelPromoteObject") : "";
  const pinnedEtag = valid("modelPromoteEtag") ? v("modelPromoteEtag") : "";
  if (STACK_REF.test(promoteSource) && !S3_ARTIFACT.test(promoteSource)) {
    const anyObject = has("modelPromoteObject") ? v("modelPromoteObject") : "";
    if (pinnedEtag !== "" && anyObject === "") {
      fail(
        "modelPromoteObject",
        `must be set with modelPromoteEtag when modelPromoteSource is the stack ${promoteSource}: the exact object the ETag pins (npm run promote -- --from ${promoteSource} --stack ${stack} prints both)`,
      );
    }
  }
  if (pinnedObject !== "" && pinnedEtag === "") {
    fail("modelPromoteObject", "needs modelPromoteEtag: the ETag the copy is refused without");
  }
  if (
    pinnedObject !== "" &&
    S3_ARTIFACT.test(promoteSource) &&
    pinnedObject.split("?")[0] !== promoteSource
  ) {
    fail(
      "modelPromoteObject",
      `must be the release artifact modelPromoteSource names (${promoteSource}), optionally with ?versionId=<id>`,
    );
  }
  if (
    has("modelArtifactUri") &&
    v("modelArtifactUri") !== "" &&
    has("trainingMode") &&
    v("trainingMode") !== "none"
  ) {
    fail(
      "modelArtifactUri",
      `cannot be set while trainingMode is ${v("trainingMode")}: the stack deploys its own job's model (clear one)`,
    );
  }
}

function endpointRules({ has, v, fail }: RuleContext): void {
  const serverless = v("endpointServerless") === true;
  // The canary is at most half of the variant's instances; an update starts the new fleet at
  // endpointInstanceCount (the provider cannot keep the autoscaled count), so that is the total.
  if (
    v("endpointBlueGreen") === true &&
    !serverless &&
    has("endpointCanaryInstances") &&
    has("endpointInstanceCount") &&
    v("endpointCanaryInstances") * 2 > v("endpointInstanceCount")
  ) {
    fail(
      "endpointCanaryInstances",
      `must be at most half of endpointInstanceCount (${v("endpointInstanceCount")}): a blue/green canary of N instances needs at least 2N instances`,
    );
  }
  if (v("endpointAutoscaling") === true) {
    if (serverless) {
      fail(
        "endpointAutoscaling",
        "cannot be true while endpointServerless is true: serverless variants scale by themselves (set one of them to false)",
      );
    }
    // Application Auto Scaling does not support burstable hosting instances. https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-prerequisites.html
    if (has("endpointInstanceType") && v("endpointInstanceType").startsWith("ml.t")) {
      fail(
        "endpointInstanceType",
        "autoscaling does not support burstable ml.t* hosting instances; use e.g. ml.m5.large or turn endpointAutoscaling off",
      );
    }
    if (
      has("endpointMinInstances") &&
      has("endpointMaxInstances") &&
      v("endpointMinInstances") > v("endpointMaxInstances")
    ) {
      fail(
        "endpointMinInstances",
        `must be <= endpointMaxInstances (${v("endpointMaxInstances")})`,
      );
    }
    if (
      has("endpointInstanceCount") &&
      has("endpointMinInstances") &&
      has("endpointMaxInstances") &&
      (v("endpointInstanceCount") < v("endpointMinInstances") ||
        v("endpointInstanceCount") > v("endpointMaxInstances"))
    ) {
      fail(
        "endpointInstanceCount",
        `must be between endpointMinInstances (${v("endpointMinInstances")}) and endpointMaxInstances (${v("endpointMaxInstances")})`,
      );
    }
  }
  if (serverless) {
    // Serverless variants take no data capture, network isolation or deployment guardrails.
    // https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html#serverless-endpoints-how-it-works-exclusions
    for (const key of [
      "endpointDataCapture",
      "endpointNetworkIsolation",
      "endpointBlueGreen",
    ] as const) {
      if (v(key) === true)
        fail(
          key,
          "needs an instance-based variant: set endpointServerless to false or this to false",
        );
    }
  }
}

function lambdaRules({ has, valid, v, fail, today }: RuleContext): void {
  // The handler's runtimes go out of AWS support on the days of the dated table, which the policy
  // pack reads too: a stack refuses one past its day before Lambda refuses to create it.
  if (valid("lambdaRuntime") && isDeprecated(v("lambdaRuntime"), today)) {
    const current = LAMBDA_RUNTIMES.filter((r) => !isDeprecated(r, today));
    fail(
      "lambdaRuntime",
      `was deprecated by AWS on ${deprecationDay(v("lambdaRuntime"))} (no security patches; ${LAMBDA_RUNTIMES_PAGE}): ` +
        (current.length > 0
          ? `use ${current.join(" or ")}`
          : "every runtime the handler is built for is past its day; upgrade the project"),
    );
  }
  // Reserved and provisioned concurrency come out of the account's quota, of which Lambda keeps
  // LAMBDA_UNRESERVED_MINIMUM unreserved; a new account's quota of 10 allows no reservation at all.
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
  if (has("lambdaAccountConcurrency")) {
    const quota = v("lambdaAccountConcurrency");
    for (const key of ["lambdaReservedConcurrency", "lambdaProvisionedConcurrency"] as const) {
      const n = has(key) ? v(key) : 0;
      if (n > 0 && n > quota - LAMBDA_UNRESERVED_MINIMUM) {
        fail(
          key,
          `${n} needs an account concurrency quota of at least ${n + LAMBDA_UNRESERVED_MINIMUM} (Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved) but lambdaAccountConcurrency is ${quota}: request the quota (Service Quotas L-B99A9384) and set lambdaAccountConcurrency, or lower this`,
        );
      }
    }
  }
  if (has("lambdaUrlInvokers")) {
    const invokers = v("lambdaUrlInvokers");
    const bad = invokers.filter((p) => !INVOKER.test(p));
    if (bad.length > 0) {
      fail(
        "lambdaUrlInvokers",
        `holds ${bad.map((p) => JSON.stringify(p)).join(", ")}: each must be an IAM role or user ARN or a 12-digit account id`,
      );
    } else if (invokers.length > 0 && v("lambdaFunctionUrl") !== true) {
      fail("lambdaUrlInvokers", "needs lambdaFunctionUrl true: they are callers of the URL");
    }
  }
  if (valid("lambdaProvisionedConcurrency")) {
    const p = v("lambdaProvisionedConcurrency");
    const r = has("lambdaReservedConcurrency") ? v("lambdaReservedConcurrency") : -1;
    if (r >= 0 && p > r)
      fail("lambdaProvisionedConcurrency", `must be <= lambdaReservedConcurrency (${r})`);
  }
}

function trainingRules({ environment, has, v, fail }: RuleContext): void {
  // Several processes (instances, or GPUs of one instance) train together only through the
  // containers' torch_distributed launch, which runs on GPU instances from PyTorch 1.13 on; on
  // CPU instances each would train alone on the whole dataset and bill for it.
  if (has("trainingInstanceType") && has("trainingInstanceCount")) {
    const type = v("trainingInstanceType");
    const count = v("trainingInstanceCount");
    if (count > 1 && gpusPerInstance(type) === 0) {
      fail(
        "trainingInstanceCount",
        `must be 1 with trainingInstanceType ${type}: the training code runs on several instances through the torch_distributed launch, which needs GPU instances (ml.p*, ml.g*, e.g. ml.g5.xlarge)`,
      );
    }
    if (
      usesTorchDistributed(type, count) &&
      gpusPerInstance(type) > 0 &&
      has("trainingFrameworkVersion") &&
      /^\d+\.\d+/.test(v("trainingFrameworkVersion")) &&
      !supportsTorchDistributed(v("trainingFrameworkVersion"))
    ) {
      fail(
        "trainingFrameworkVersion",
        `must be ${TORCH_DISTRIBUTED_MIN_VERSION.join(".")} or later to train on ${count} x ${type} (${count * gpusPerInstance(type)} GPUs): older PyTorch containers have no torch_distributed launch`,
      );
    }
  }
  if (
    v("trainingUseSpot") === true &&
    has("trainingMaxWaitSeconds") &&
    has("trainingMaxRuntimeSeconds") &&
    v("trainingMaxWaitSeconds") < v("trainingMaxRuntimeSeconds")
  ) {
    fail(
      "trainingMaxWaitSeconds",
      `must be >= trainingMaxRuntimeSeconds (${v("trainingMaxRuntimeSeconds")}) with spot training`,
    );
  }
  if (has("trainingLearningRate")) {
    const lr = decimal(v("trainingLearningRate"));
    if (!(lr > 0 && lr < 1))
      fail(
        "trainingLearningRate",
        'must be a decimal number > 0 and < 1, as a string (e.g. "0.001")',
      );
  }
  if (
    has("tuningMaxJobs") &&
    has("tuningMaxParallelJobs") &&
    v("tuningMaxParallelJobs") > v("tuningMaxJobs")
  ) {
    fail("tuningMaxParallelJobs", `must be <= tuningMaxJobs (${v("tuningMaxJobs")})`);
  }
  // Production deploys an artifact promoted from another stack; it never trains.
  if (environment === "production" && has("trainingMode") && v("trainingMode") !== "none") {
    fail(
      "trainingMode",
      "must be none in a production stack: promote a trained artifact with modelArtifactUri",
    );
  }
  if (has("tuningLearningRateRange")) {
    const r = v("tuningLearningRateRange").map(decimal);
    if (r.length !== 2 || !(r[0] > 0 && r[0] < r[1] && r[1] < 1)) {
      fail(
        "tuningLearningRateRange",
        'must be ["<min>", "<max>"] decimal strings with 0 < min < max < 1',
      );
    }
  }
  if (has("tuningBatchSizeValues")) {
    const b = v("tuningBatchSizeValues");
    if (b.length === 0 || b.length > 30 || !b.every((s) => /^[1-9]\d{0,3}$/.test(s))) {
      fail("tuningBatchSizeValues", 'must be 1-30 positive integers as strings, e.g. ["32", "64"]');
    }
  }
  if (has("tuningEpochsRange")) {
    const e = v("tuningEpochsRange");
    if (e.length !== 2 || !(e[0] >= 1 && e[0] <= e[1] && e[1] <= 200)) {
      fail("tuningEpochsRange", "must be [min, max] integers with 1 <= min <= max <= 200");
    }
  }
}

/** Applies every rule that relates keys, in the order of Pulumi.yaml's groups. */
export function applyCrossKeyRules(ctx: RuleContext): void {
  notebookRules(ctx);
  trainingHostRules(ctx);
  modelSourceRules(ctx);
  endpointRules(ctx);
  lambdaRules(ctx);
  trainingRules(ctx);
}
