// SageMaker guardrails: notebooks without root or direct internet, encrypted volumes, endpoint
// configurations with KMS and data capture, isolated models in prod, and instance types each
// stack may use. Serverless variants cannot take a KMS key, a VPC, network isolation or data
// capture (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html#serverless-endpoints-how-it-works-exclusions),
// so those rules apply to instance-based variants.
import {
  inStacks,
  instanceTypeAllowlist,
  label,
  list,
  obj,
  Props,
  refersVia,
  resourcePolicy,
  schema,
  stackPolicy,
  str,
  isUnknown,
} from "./common";

export const SM = {
  notebook: "aws:sagemaker/notebookInstance:NotebookInstance",
  endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  model: "aws:sagemaker/model:Model",
} as const;

/** Production variants, each with whether it is serverless. */
export function variants(props: Props): { variant: Props; name: string; serverless: boolean }[] {
  return list(props.productionVariants).flatMap((v, i) => {
    const variant = obj(v);
    if (!variant) return [];
    return [
      {
        variant,
        name: str(variant.variantName) ?? `#${i}`,
        serverless: variant.serverlessConfig !== undefined && variant.serverlessConfig !== null,
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Notebook instances

export const notebookRootAccess = resourcePolicy({
  name: "sagemaker-notebook-disable-root-access",
  description: "Requires SageMaker notebook instances to disable root access for their users.",
  enforcementLevel: "mandatory",
  types: [SM.notebook],
  check: (r) => {
    const v = r.props.rootAccess;
    if (isUnknown(v) || v === "Disabled") return;
    r.report(
      `${label(r.type, r.name)} has rootAccess ${v === undefined ? "unset (SageMaker's default is Enabled)" : `"${String(v)}"`}; ` +
        `notebook users with root can change the instance and read its role's credentials. Set rootAccess: "Disabled".`,
    );
  },
});

interface InternetConfig {
  stacks: string[];
}

export const notebookDirectInternet = resourcePolicy<InternetConfig>({
  name: "sagemaker-notebook-disable-direct-internet",
  description:
    "Forbids direct internet access on SageMaker notebook instances in the listed stacks.",
  enforcementLevel: "mandatory",
  types: [SM.notebook],
  config: {
    stacks: schema.strings(
      "Stacks whose notebooks must reach the internet only through their VPC.",
      ["prod"],
    ),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r.urn)) return;
    const v = r.props.directInternetAccess;
    if (isUnknown(v) || v === "Disabled") return;
    r.report(
      `${label(r.type, r.name)} has directInternetAccess ${v === undefined ? "unset (SageMaker's default is Enabled)" : `"${String(v)}"`} ` +
        `in this stack. Set directInternetAccess: "Disabled" with subnetId and securityGroups, so ` +
        `traffic leaves through the VPC's controls.`,
    );
  },
});

export const notebookKms = resourcePolicy({
  name: "sagemaker-notebook-require-kms",
  description:
    "Requires SageMaker notebook instances to encrypt their storage volume with a KMS key.",
  enforcementLevel: "mandatory",
  types: [SM.notebook],
  check: (r) => {
    const v = r.props.kmsKeyId;
    if (isUnknown(v) || (typeof v === "string" && v !== "")) return;
    r.report(
      `${label(r.type, r.name)} has no kmsKeyId, so its storage volume (notebooks, data copies) is ` +
        `not under a key the stack controls. Set kmsKeyId to a customer-managed KMS key ARN.`,
    );
  },
});

export const notebookImdsV2 = resourcePolicy({
  name: "sagemaker-notebook-require-imdsv2",
  description: "Requires SageMaker notebook instances to accept only IMDSv2 (session tokens).",
  enforcementLevel: "mandatory",
  types: [SM.notebook],
  check: (r) => {
    const cfg = r.props.instanceMetadataServiceConfiguration;
    if (isUnknown(cfg)) return;
    const v = obj(cfg)?.minimumInstanceMetadataServiceVersion;
    if (isUnknown(v) || v === "2") return;
    r.report(
      `${label(r.type, r.name)} has instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion ` +
        `${v === undefined ? "unset (IMDSv1 allowed)" : `"${String(v)}"`}, so code in a notebook can read the ` +
        `role's credentials through IMDSv1. Set instanceMetadataServiceConfiguration: ` +
        `{minimumInstanceMetadataServiceVersion: "2"}.`,
    );
  },
});

/** Instance types each stack may use, by stack name; `default` covers other stacks. */
export const NOTEBOOK_INSTANCE_TYPES: Record<string, string[]> = {
  dev: ["ml.t3.medium", "ml.t3.large"],
  prod: ["ml.t3.medium", "ml.t3.large", "ml.m5.xlarge"],
  default: ["ml.t3.medium"],
};

export const ENDPOINT_INSTANCE_TYPES: Record<string, string[]> = {
  dev: ["ml.t2.medium", "ml.m5.large", "ml.c5.large"],
  prod: ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.g4dn.xlarge"],
  default: ["ml.m5.large"],
};

export const notebookInstanceType = instanceTypeAllowlist({
  name: "sagemaker-notebook-restrict-instance-type",
  description: "Restricts SageMaker notebook instance types to the stack's allowlist.",
  types: [SM.notebook],
  what: "Notebook",
  defaults: NOTEBOOK_INSTANCE_TYPES,
  instanceTypes: (props) => {
    const t = str(props.instanceType);
    return t ? [{ instanceType: t, where: "" }] : [];
  },
});

// ---------------------------------------------------------------------------------------------
// Endpoint configurations

/**
 * Whether a hosting instance type has local NVMe instance storage, which the instance encrypts in
 * hardware and for which CreateEndpointConfig rejects a KmsKeyId
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html#sagemaker-CreateEndpointConfig-request-KmsKeyId).
 * Families with instance store carry a `d` after the generation (m5d, c6id, g4dn, p4d) or are
 * storage-backed by design (g5, g6, p5, trn1), per
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-store-volumes.html.
 */
export function hasLocalStorage(instanceType: string): boolean {
  const family = instanceType.replace(/^ml\./, "").split(".")[0];
  const m = /^[a-z]+\d+([a-z-]*)$/.exec(family);
  if (m && m[1].includes("d")) return true;
  return /^(g5|g6|g6e|p5|p5e|p5en|trn1|trn1n)$/.test(family);
}

export const endpointConfigKms = resourcePolicy({
  name: "sagemaker-endpoint-config-require-kms",
  description:
    "Requires endpoint configurations with instance-based variants on EBS storage to encrypt it with a KMS key.",
  enforcementLevel: "mandatory",
  types: [SM.endpointConfig],
  check: (r) => {
    const all = variants(r.props).filter((v) => !v.serverless);
    // Variants on instance storage are encrypted by the instance and cannot take a key.
    const instance = all.filter((v) => !hasLocalStorage(str(v.variant.instanceType) ?? ""));
    if (instance.length === 0) return;
    const v = r.props.kmsKeyArn;
    if (isUnknown(v) || (typeof v === "string" && v !== "")) return;
    r.report(
      `${label(r.type, r.name)} has instance-based variant(s) ${instance.map((x) => `"${x.name}"`).join(", ")} ` +
        `but no kmsKeyArn, so the ML storage volumes attached to the instances use no key the stack ` +
        `controls. Set kmsKeyArn to a customer-managed KMS key ARN.`,
    );
  },
});

export const endpointConfigInstanceType = instanceTypeAllowlist({
  name: "sagemaker-endpoint-config-restrict-instance-type",
  description: "Restricts endpoint variant instance types to the stack's allowlist.",
  types: [SM.endpointConfig],
  what: "Endpoint",
  defaults: ENDPOINT_INSTANCE_TYPES,
  instanceTypes: (props) =>
    variants(props).flatMap((v) => {
      const t = str(v.variant.instanceType);
      return v.serverless || !t ? [] : [{ instanceType: t, where: `variant "${v.name}" ` }];
    }),
});

interface StacksConfig {
  stacks: string[];
}

export const endpointConfigDataCapture = resourcePolicy<StacksConfig>({
  name: "sagemaker-endpoint-config-require-data-capture",
  description:
    "Requires data capture on endpoint configurations with instance-based variants in the listed stacks.",
  enforcementLevel: "mandatory",
  types: [SM.endpointConfig],
  config: {
    stacks: schema.strings("Stacks whose endpoints must capture requests and responses.", ["prod"]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r.urn)) return;
    if (!variants(r.props).some((v) => !v.serverless)) return;
    const dc = r.props.dataCaptureConfig;
    if (isUnknown(dc)) return;
    const cfg = obj(dc);
    const enabled = cfg?.enableCapture;
    if (cfg && (enabled === true || isUnknown(enabled))) return;
    r.report(
      `${label(r.type, r.name)} has dataCaptureConfig ${cfg ? `with enableCapture ${String(enabled)}` : "unset"}, ` +
        `so requests to the model leave no record for monitoring or audit. Set dataCaptureConfig ` +
        `{enableCapture: true, initialSamplingPercentage, destinationS3Uri, kmsKeyId, captureOptions: [{captureMode: "Input"}, {captureMode: "Output"}]}.`,
    );
  },
});

export const endpointConfigInstanceBased = resourcePolicy<StacksConfig>({
  name: "sagemaker-endpoint-config-require-instance-variant",
  description:
    "Forbids serverless variants in the listed stacks, where endpoints need KMS, VPC, network isolation and data capture.",
  enforcementLevel: "mandatory",
  types: [SM.endpointConfig],
  config: {
    stacks: schema.strings("Stacks whose endpoints must be instance-based.", ["prod"]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r.urn)) return;
    for (const v of variants(r.props).filter((x) => x.serverless)) {
      r.report(
        `${label(r.type, r.name)} variant "${v.name}" is serverless (serverlessConfig set) in a stack ` +
          `that must be instance-based: serverless endpoints cannot use a KMS key, a VPC, network ` +
          `isolation or data capture. Set instanceType and initialInstanceCount instead of serverlessConfig.`,
      );
    }
  },
});

// ---------------------------------------------------------------------------------------------
// sagemaker-model-require-network-isolation (stack: which variants use the model decides it)

export const modelNetworkIsolation = stackPolicy<StacksConfig>({
  name: "sagemaker-model-require-network-isolation",
  description:
    "Requires network isolation on models served by instance-based variants in the listed stacks.",
  enforcementLevel: "mandatory",
  config: {
    stacks: schema.strings("Stacks whose models must run without network access.", ["prod"]),
  },
  check: (items, report, c) => {
    const configs = items.filter((it) => it.type === SM.endpointConfig);
    for (const model of items.filter((it) => it.type === SM.model)) {
      if (!inStacks(c.stacks, model.urn)) continue;
      const v = model.props.enableNetworkIsolation;
      if (v === true || isUnknown(v)) continue;
      const modelNames = [model.props.name, model.props.id];
      // A model only ever served by serverless variants cannot be isolated.
      const servingVariants = configs.flatMap((cfg) =>
        variants(cfg.props).filter(
          (x) =>
            (str(x.variant.modelName) !== undefined &&
              modelNames.includes(str(x.variant.modelName))) ||
            (refersVia(cfg, "productionVariants", model, modelNames) &&
              variants(cfg.props).length === 1),
        ),
      );
      if (servingVariants.length > 0 && servingVariants.every((x) => x.serverless)) continue;
      report(
        model.urn,
        `${label(model.type, model.name)} has enableNetworkIsolation ${v === undefined ? "unset" : String(v)}, ` +
          `so the inference container can reach the network (and exfiltrate data or pull code). Set ` +
          `enableNetworkIsolation: true; fetch inputs in the caller and send the bytes.`,
      );
    }
  },
});

export const sagemakerPolicies = [
  notebookRootAccess,
  notebookDirectInternet,
  notebookKms,
  notebookImdsV2,
  notebookInstanceType,
  endpointConfigKms,
  endpointConfigInstanceType,
  endpointConfigDataCapture,
  endpointConfigInstanceBased,
  modelNetworkIsolation,
];
