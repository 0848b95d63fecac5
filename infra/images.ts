// SageMaker PyTorch framework images (AWS Deep Learning Containers): which ECR registry serves
// them in each region, and the image URI for a framework version.

/**
 * Account of the ECR registry holding the `pytorch-training` and `pytorch-inference` images, per
 * region of the `aws` partition, from the SageMaker Python SDK's image table
 * (https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/image_uri_config/pytorch.json)
 * and the registry paths page
 * (https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html).
 */
export const FRAMEWORK_REGISTRIES: Readonly<Record<string, string>> = Object.freeze({
  "af-south-1": "626614931356",
  "ap-east-1": "871362719292",
  "ap-northeast-1": "763104351884",
  "ap-northeast-2": "763104351884",
  "ap-northeast-3": "364406365360",
  "ap-south-1": "763104351884",
  "ap-southeast-1": "763104351884",
  "ap-southeast-2": "763104351884",
  "ca-central-1": "763104351884",
  "eu-central-1": "763104351884",
  "eu-north-1": "763104351884",
  "eu-south-1": "692866216735",
  "eu-west-1": "763104351884",
  "eu-west-2": "763104351884",
  "eu-west-3": "763104351884",
  "me-south-1": "217643126080",
  "sa-east-1": "763104351884",
  "us-east-1": "763104351884",
  "us-east-2": "763104351884",
  "us-west-1": "763104351884",
  "us-west-2": "763104351884",
});

export type FrameworkScope = "training" | "inference";

/** GPU instance families get the CUDA build of the image; everything else the CPU build. */
export function processorFor(instanceType: string | undefined): "cpu" | "gpu" {
  return instanceType !== undefined && /^ml\.(p|g)\d/.test(instanceType) ? "gpu" : "cpu";
}

function registry(region: string): string {
  const account = FRAMEWORK_REGISTRIES[region];
  if (account === undefined) {
    throw new Error(`no SageMaker PyTorch image registry known for region ${region}`);
  }
  return account;
}

/** The ECR repository ARN of the framework image, for IAM statements that pull it. */
export function frameworkRepositoryArn(region: string, scope: FrameworkScope): string {
  return `arn:aws:ecr:${region}:${registry(region)}:repository/pytorch-${scope}`;
}

/**
 * The framework image URI, e.g.
 * `763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310`.
 * Serverless variants run on CPU, so they pass no instance type.
 */
export function frameworkImageUri(args: {
  region: string;
  scope: FrameworkScope;
  frameworkVersion: string;
  pythonVersion: string;
  instanceType?: string;
}): string {
  const { region, scope, frameworkVersion, pythonVersion, instanceType } = args;
  const tag = `${frameworkVersion}-${processorFor(instanceType)}-${pythonVersion}`;
  return `${registry(region)}.dkr.ecr.${region}.amazonaws.com/pytorch-${scope}:${tag}`;
}
