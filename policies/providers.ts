// Resources of other providers than the AWS one: aws-native resources are judged as their AWS
// provider equivalents (./aws-native); a type the table does not map is refused, since no rule
// would see what it grants or exposes.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { NATIVE_TYPES, isNative } from "./aws-native";
import { configOf, label, schema } from "./common";

const CONFIG = {
  acceptedNativeTypes: schema.strings(
    "aws-native types accepted without judgement, once reviewed (for example aws-native:logs:LogGroup).",
    [],
  ),
};

export const nativeTypes: ResourceValidationPolicy = {
  name: "aws-native-resource-require-judged-type",
  description:
    "Forbids aws-native resources of types the pack cannot judge: only those it maps to an AWS provider type pass its rules.",
  enforcementLevel: "mandatory",
  configSchema: { properties: CONFIG },
  validateResource: (args, report) => {
    if (!isNative(args.type) || NATIVE_TYPES[args.type]) return;
    const c = configOf<{ acceptedNativeTypes: string[] }>(CONFIG, args);
    if (c.acceptedNativeTypes.includes(args.type)) return;
    const [, service, kind] = args.type.split(":");
    report(
      `${label(args.type, args.name)} is an aws-native ${args.type} resource, which none of the ` +
        `pack's rules can judge (it maps ${Object.keys(NATIVE_TYPES).length} aws-native types: ` +
        `policies/aws-native.ts). Declare it with @pulumi/aws (aws.${service}.${kind}), add its ` +
        `mapping to NATIVE_TYPES, or, once reviewed, list ${args.type} in acceptedNativeTypes.`,
      args.urn,
    );
  },
};

export const providerPolicies = [nativeTypes];
