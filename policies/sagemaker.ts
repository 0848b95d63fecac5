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
import { hasLocalNvmeStorage } from "../shared/aws-facts";
import { TYPES } from "../shared/resource-types";

export const SM = {
  notebook: TYPES.notebook,
  endpointConfig: TYPES.endpointConfig,
  endpoint: TYPES.endpoint,
  model: TYPES.model,
  domain: TYPES.domain,
  userProfile: TYPES.userProfile,
} as const;

export interface Variant {
  variant: Props;
  name: string;
  serverless: boolean;
  /** `variant "AllTraffic"` or `shadow variant "candidate"`, for messages. */
  label: string;
}

function readVariants(v: unknown, kind: string): Variant[] {
  return list(v).flatMap((x, i) => {
    const variant = obj(x);
    if (!variant) return [];
    const name = str(variant.variantName) ?? `#${i}`;
    return [
      {
        variant,
        name,
        serverless: variant.serverlessConfig !== undefined && variant.serverlessConfig !== null,
        label: `${kind} "${name}"`,
      },
    ];
  });
}

/** Production variants, each with whether it is serverless. */
export function variants(props: Props): Variant[] {
  return readVariants(props.productionVariants, "variant");
}

/**
 * Every variant that runs a model on the configuration's instances: production variants and
 * shadow variants, which receive a copy of the traffic and run on the same kind of capacity
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/shadow-tests.html). Rules on what a variant
 * runs and stores apply to both.
 */
export function allVariants(props: Props): Variant[] {
  return [...variants(props), ...readVariants(props.shadowProductionVariants, "shadow variant")];
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

/**
 * Where each type decides whether its notebooks reach the internet directly. A Studio domain's
 * apps do unless `appNetworkAccessType` is "VpcOnly"; "PublicInternetOnly" is the default
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html). A user
 * profile runs in its domain's network, so the domain is the one judged.
 */
const INTERNET_SETTINGS: Record<string, { key: string; closed: string; fix: string }> = {
  [SM.notebook]: {
    key: "directInternetAccess",
    closed: "Disabled",
    fix: 'Set directInternetAccess: "Disabled" with subnetId and securityGroups, so traffic leaves through the VPC\'s controls.',
  },
  [SM.domain]: {
    key: "appNetworkAccessType",
    closed: "VpcOnly",
    fix: 'Set appNetworkAccessType: "VpcOnly" with subnetIds and domainSettings.securityGroupIds, so traffic leaves through the VPC\'s controls.',
  },
};

export const notebookDirectInternet = resourcePolicy<InternetConfig>({
  name: "sagemaker-notebook-disable-direct-internet",
  description:
    "Forbids direct internet access on SageMaker notebook instances and Studio domains in the listed stacks.",
  enforcementLevel: "mandatory",
  types: Object.keys(INTERNET_SETTINGS),
  config: {
    stacks: schema.strings(
      "Environments whose notebooks must reach the internet only through their VPC.",
      ["production"],
    ),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r)) return;
    const setting = INTERNET_SETTINGS[r.type];
    const v = r.props[setting.key];
    if (isUnknown(v) || v === setting.closed) return;
    const dflt = r.type === SM.domain ? "PublicInternetOnly" : "Enabled";
    r.report(
      `${label(r.type, r.name)} has ${setting.key} ${v === undefined ? `unset (SageMaker's default is ${dflt})` : `"${String(v)}"`} ` +
        `in this stack. ${setting.fix}`,
    );
  },
});

interface KeySetting {
  /** Where the key goes, for the message. */
  where: string;
  value: unknown;
  /** What the key protects, for the message. */
  what: string;
}

/** Notebook sharing settings: shared notebook outputs are copied to S3, under `s3KmsKeyId`. */
function sharingKey(settings: unknown, at: string): KeySetting[] {
  const sharing = obj(obj(settings)?.sharingSettings);
  if (!sharing || sharing.notebookOutputOption !== "Allowed") return [];
  return [
    {
      where: `${at}.sharingSettings.s3KmsKeyId`,
      value: sharing.s3KmsKeyId,
      what: "the notebook outputs users share (copied to S3)",
    },
  ];
}

/** Each type's KMS key settings: the one place this rule learns where a type keeps them. */
const KEY_SETTINGS: Record<string, (p: Props) => KeySetting[]> = {
  [SM.notebook]: (p) => [
    { where: "kmsKeyId", value: p.kmsKeyId, what: "its storage volume (notebooks, data copies)" },
  ],
  // The domain's EFS volume holds every user's home directory.
  [SM.domain]: (p) => [
    {
      where: "kmsKeyId",
      value: p.kmsKeyId,
      what: "its EFS volume (every user's home directory: notebooks, data copies)",
    },
    ...sharingKey(p.defaultUserSettings, "defaultUserSettings"),
  ],
  [SM.userProfile]: (p) => sharingKey(p.userSettings, "userSettings"),
};

export const notebookKms = resourcePolicy({
  name: "sagemaker-notebook-require-kms",
  description:
    "Requires SageMaker notebook instances and Studio domains to encrypt their storage, and shared notebook outputs, with a KMS key.",
  enforcementLevel: "mandatory",
  types: Object.keys(KEY_SETTINGS),
  check: (r) => {
    for (const k of KEY_SETTINGS[r.type](r.props)) {
      if (isUnknown(k.value) || (typeof k.value === "string" && k.value !== "")) continue;
      r.report(
        `${label(r.type, r.name)} has no ${k.where}, so ${k.what} ${k.what.startsWith("its") ? "is" : "are"} ` +
          `not under a key the stack controls. Set ${k.where} to a customer-managed KMS key ARN.`,
      );
    }
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
  production: ["ml.t3.medium", "ml.t3.large", "ml.m5.xlarge"],
  default: ["ml.t3.medium"],
};

export const ENDPOINT_INSTANCE_TYPES: Record<string, string[]> = {
  dev: ["ml.t2.medium", "ml.m5.large", "ml.c5.large"],
  production: ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.g4dn.xlarge"],
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

/** Whether a hosting instance type has local NVMe storage, which cannot take a KMS key. */
export const hasLocalStorage = hasLocalNvmeStorage;

export const endpointConfigKms = resourcePolicy({
  name: "sagemaker-endpoint-config-require-kms",
  description:
    "Requires endpoint configurations with instance-based variants on EBS storage to encrypt it with a KMS key.",
  enforcementLevel: "mandatory",
  types: [SM.endpointConfig],
  check: (r) => {
    const all = allVariants(r.props).filter((v) => !v.serverless);
    // Variants on instance storage are encrypted by the instance and cannot take a key.
    const instance = all.filter((v) => !hasLocalStorage(str(v.variant.instanceType) ?? ""));
    if (instance.length === 0) return;
    const v = r.props.kmsKeyArn;
    if (isUnknown(v) || (typeof v === "string" && v !== "")) return;
    r.report(
      `${label(r.type, r.name)} has instance-based variant(s) ${instance.map((x) => `"${x.name}"${x.label.startsWith("shadow") ? " (shadow)" : ""}`).join(", ")} ` +
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
    allVariants(props).flatMap((v) => {
      const t = str(v.variant.instanceType);
      return v.serverless || !t ? [] : [{ instanceType: t, where: `${v.label} ` }];
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
    stacks: schema.strings("Environments whose endpoints must capture requests and responses.", [
      "production",
    ]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r)) return;
    if (!allVariants(r.props).some((v) => !v.serverless)) return;
    const dc = r.props.dataCaptureConfig;
    if (isUnknown(dc)) return;
    const cfg = obj(dc);
    // The provider sends enableCapture false when it is unset
    // (https://www.pulumi.com/registry/packages/aws/api-docs/sagemaker/endpointconfiguration/).
    const enabled = cfg?.enableCapture;
    const percent = cfg?.initialSamplingPercentage;
    const on = enabled === true || enabled === "true" || isUnknown(enabled);
    // Capture "on" at 0% samples no request: it is capture off.
    const pct = typeof percent === "string" && percent.trim() !== "" ? Number(percent) : percent;
    const sampled = isUnknown(percent) || (typeof pct === "number" && pct > 0);
    if (cfg && on && sampled) return;
    const state = !cfg
      ? "unset"
      : !on
        ? `with enableCapture ${String(enabled)}`
        : `with enableCapture true but initialSamplingPercentage ${String(percent ?? "unset")}`;
    r.report(
      `${label(r.type, r.name)} has dataCaptureConfig ${state}, ` +
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
    stacks: schema.strings("Environments whose endpoints must be instance-based.", ["production"]),
  },
  check: (r, c) => {
    if (!inStacks(c.stacks, r)) return;
    for (const v of allVariants(r.props).filter((x) => x.serverless)) {
      r.report(
        `${label(r.type, r.name)} ${v.label} is serverless (serverlessConfig set) in a stack ` +
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
    stacks: schema.strings("Environments whose models must run without network access.", [
      "production",
    ]),
  },
  check: (items, report, c) => {
    const configs = items.filter((it) => it.type === SM.endpointConfig);
    for (const model of items.filter((it) => it.type === SM.model)) {
      if (!inStacks(c.stacks, model)) continue;
      const v = model.props.enableNetworkIsolation;
      if (v === true || isUnknown(v)) continue;
      const modelNames = [model.props.name, model.props.id];
      // A model only ever served by serverless variants cannot be isolated.
      const servingVariants = configs.flatMap((cfg) =>
        allVariants(cfg.props).filter(
          (x) =>
            (str(x.variant.modelName) !== undefined &&
              modelNames.includes(str(x.variant.modelName))) ||
            ((refersVia(cfg, "productionVariants", model, modelNames) ||
              refersVia(cfg, "shadowProductionVariants", model, modelNames)) &&
              allVariants(cfg.props).length === 1),
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
