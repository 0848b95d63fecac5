// IAM Identity Center permission sets judged by the IAM rules, as the roles they become. A
// permission set is provisioned into every account it is assigned to as an IAM role holding the
// set's AWS-managed policies and its inline policy
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html), so an
// attachment or inline policy on a permission set grants what the same attachment or inline policy
// on a role grants. Each SSO type is mapped here, in one place, to the IAM resource it is
// equivalent to; the IAM policies then judge it with their own rules and messages.
import type {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
} from "@pulumi/policy";
import { label, plain, Props, str } from "./common";
import { T } from "./iam-documents";

export const SSO = {
  managedPolicyAttachment: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
  managedPolicyAttachmentsExclusive:
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
  inlinePolicy: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
} as const;

/** The permission set's id (`ps-...`, the last part of its ARN), standing for the role's name. */
function permissionSet(p: Props): string {
  const arn = str(p.permissionSetArn);
  return arn ? arn.slice(arn.lastIndexOf("/") + 1) : "(unknown permission set)";
}

/** Each SSO type as the IAM resource it is equivalent to. */
const AS_IAM: Record<string, { type: string; props: (p: Props) => Props }> = {
  [SSO.managedPolicyAttachment]: {
    type: T.rolePolicyAttachment,
    props: (p) => ({ role: permissionSet(p), policyArn: p.managedPolicyArn }),
  },
  [SSO.managedPolicyAttachmentsExclusive]: {
    type: T.rolePolicyAttachmentsExclusive,
    props: (p) => ({ roleName: permissionSet(p), policyArns: p.managedPolicyArns }),
  },
  [SSO.inlinePolicy]: {
    type: T.rolePolicy,
    props: (p) => ({ role: permissionSet(p), policy: p.inlinePolicy }),
  },
};

export const SSO_TYPES: readonly string[] = Object.keys(AS_IAM);

type Validate = (args: ResourceValidationArgs, report: ReportViolation) => Promise<void> | void;

function wrap(validate: Validate): Validate {
  return (args, report) => {
    const eq = AS_IAM[args.type];
    if (!eq) return validate(args, report);
    const given = plain(args.props);
    const props = eq.props(given);
    const ps = permissionSet(given);
    // Messages name the SSO resource and the permission set, not the role they stand for.
    const rewrite = (m: string) =>
      m
        .replace(label(eq.type, args.name), label(args.type, args.name))
        .split(`role "${ps}"`)
        .join(`permission set "${ps}"`);
    return validate({ ...args, type: eq.type, props } as ResourceValidationArgs, (message, urn) =>
      report(typeof message === "string" ? rewrite(message) : message, urn),
    );
  };
}

/**
 * The same policy, also judging permission-set attachments and inline policies as the role
 * attachments and inline role policies they are equivalent to. Stack policies pass unchanged.
 */
export function withPermissionSets<P extends object>(policy: P): P {
  const rp = policy as unknown as ResourceValidationPolicy;
  if (!rp.validateResource) return policy;
  const validateResource = Array.isArray(rp.validateResource)
    ? rp.validateResource.map((v) => wrap(v as Validate))
    : wrap(rp.validateResource as Validate);
  return { ...policy, validateResource } as P;
}
