// Facts about AWS instance families that the program, the policy pack and the estimator rely on,
// each with the page that states it.

/** The family of an EC2 or SageMaker instance type: `m5d` for `ml.m5d.xlarge` or `m5d.large`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.replace(/^ml\./, "").split(".")[0];
}

/** Families with local NVMe instance storage without a `d` in their name. */
const STORAGE_FAMILIES = /^(g5|g6|g6e|p5|p5e|p5en|trn1|trn1n)$/;

/**
 * Whether an instance type has local NVMe instance storage. Families with instance store carry a
 * `d` after the generation (m5d, c6id, g4dn, p4d) or are storage-backed by design (g5, g6, p5,
 * trn1), per https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-store-volumes.html.
 * SageMaker hosting and training encrypt that storage in hardware and reject a KmsKeyId for its
 * volume (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html#sagemaker-CreateEndpointConfig-request-KmsKeyId).
 */
export function hasLocalNvmeStorage(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  const m = /^[a-z]+\d+([a-z-]*)$/.exec(family);
  if (m && m[1].includes("d")) return true;
  return STORAGE_FAMILIES.test(family);
}
