// Accelerated instance types: how many GPUs each has, which of them the EC2 training host sets up,
// and the machine images that carry an NVIDIA driver for them. The training jobs (their `ml.`
// types), the config rules, the host's user data and the estimate's tests read these facts here.
import { instanceFamily } from "./aws-facts";
import { INSTANCE_TYPES } from "./instance-types";

/**
 * GPUs of the accelerated types that have more than one; every other size of a GPU family has one.
 * From the accelerated computing specifications (https://aws.amazon.com/ec2/instance-types/,
 * "Accelerated Computing"), which SageMaker's `ml.` types of the same name share.
 */
export const MULTI_GPU_TYPES: Readonly<Record<string, number>> = Object.freeze({
  "p2.8xlarge": 8,
  "p2.16xlarge": 16,
  "p3.8xlarge": 4,
  "p3.16xlarge": 8,
  "p3dn.24xlarge": 8,
  "p4d.24xlarge": 8,
  "p4de.24xlarge": 8,
  "p5.48xlarge": 8,
  "g4dn.12xlarge": 4,
  "g4dn.metal": 8,
  "g5.12xlarge": 4,
  "g5.24xlarge": 4,
  "g5.48xlarge": 8,
  "g6.12xlarge": 4,
  "g6.24xlarge": 4,
  "g6.48xlarge": 8,
  "g6e.12xlarge": 4,
  "g6e.24xlarge": 4,
  "g6e.48xlarge": 8,
});

/**
 * Accelerated EC2 families: GPUs (p*, g*), AWS Inferentia and Trainium (inf*, trn*), Gaudi (dl*),
 * FPGAs (f*) and video transcoders (vt*), per the accelerated computing list above.
 */
const ACCELERATED_FAMILY = /^(p|g|inf|trn|dl|f|vt)\d/;

/** Whether an EC2 type (or its `ml.` twin) is an accelerated type. */
export function isAcceleratedType(instanceType: string): boolean {
  return ACCELERATED_FAMILY.test(instanceFamily(instanceType));
}

/** GPUs per instance of an EC2 or `ml.` type of a GPU family (p*, g*); 0 for every other type. */
export function gpuCount(instanceType: string): number {
  if (!/^(p|g)\d/.test(instanceFamily(instanceType))) return 0;
  return MULTI_GPU_TYPES[instanceType.replace(/^ml\./, "")] ?? 1;
}

/**
 * The image the host boots on a GPU type: AWS's Deep Learning Base OSS Nvidia Driver GPU AMI on
 * Amazon Linux 2023, x86_64. Its public parameter follows the DLAMI naming
 * `/aws/service/deeplearning/ami/<architecture>/<ami type>/latest/ami-id`
 * (https://docs.aws.amazon.com/dlami/latest/devguide/find-dlami-id.html). It is the CPU image's
 * Amazon Linux 2023 plus the NVIDIA driver (595.x in the 2026-05 release, with CUDA 12.8-13.2
 * toolkits), so the host installs the same pinned PyTorch set, from the CUDA wheel index instead
 * of the CPU one, with the same commands.
 */
export const GPU_HOST_AMI_PARAMETER =
  "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id";

/** The DLAMIs' public parameters; those naming `gpu` or `nvidia` carry the NVIDIA driver. */
const DLAMI_PARAMETER = /^\/aws\/service\/deeplearning\/ami\//;

/** Whether an AMI parameter names an image built for GPUs (a DLAMI with the NVIDIA driver). */
export function isGpuAmiParameter(parameter: string): boolean {
  return DLAMI_PARAMETER.test(parameter) && /gpu|nvidia/.test(parameter);
}

/**
 * The families the Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023, x86_64) supports, from its
 * release notes' `supported_ec2_instances` (2026-05-20 release:
 * https://docs.aws.amazon.com/dlami/latest/devguide/aws-deep-learning-ami-gpubaseoss-al2023-2026-05-20.html).
 */
export const DLAMI_GPU_FAMILIES: readonly string[] = Object.freeze([
  "g4dn",
  "g5",
  "g6",
  "gr6",
  "g6e",
  "g7e",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
  "p6-b300",
]);

/**
 * The GPU families the training host sets up: supported by the image above, with GPUs that every
 * pinned PyTorch CUDA build runs on (T4, A10G, L4; the Blackwell GPUs of g7e and p6 need CUDA 12.8
 * builds, PyTorch 2.7 and later), and priced in `cost/prices.ts`. Larger families (g6e, p4d, p5)
 * are supported by the image too; add them here with their prices to allow them.
 */
export const HOST_GPU_FAMILIES: readonly string[] = Object.freeze(["g4dn", "g5", "g6"]);

/**
 * The EC2 types the training host trains on with GPUs: every size of HOST_GPU_FAMILIES but the
 * bare-metal ones, which have no hypervisor-provided devices the image expects.
 */
export const HOST_GPU_TYPES: readonly string[] = Object.freeze(
  INSTANCE_TYPES.ec2.filter(
    (t) =>
      HOST_GPU_FAMILIES.includes(instanceFamily(t)) &&
      DLAMI_GPU_FAMILIES.includes(instanceFamily(t)) &&
      !t.endsWith(".metal"),
  ),
);

/**
 * The smallest root volume for the GPU image, in GB. A root volume must be at least the size of the
 * image's root snapshot (EC2 refuses a smaller one with `InvalidBlockDeviceMapping: Volume of size
 * 60GB is smaller than snapshot ..., expect size >= 75GB`; "it must be equal or greater than the
 * size of the snapshot", https://docs.aws.amazon.com/cdk/api/latest/dotnet/api/Amazon.CDK.AWS.AutoScaling.IEbsDeviceSnapshotOptions.html),
 * and this image's root snapshot is 75 GiB (as public launch templates of it record: "GPU AMI
 * requires >=75 GB of EBS Storage"). The CUDA wheels (about 3 GB installed) and the dataset fit in
 * the rest of the default 100 GB.
 */
export const GPU_HOST_MIN_ROOT_GB = 75;
