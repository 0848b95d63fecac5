// Resource policies judged as "who outside the account can do what", on every resource type of
// the AWS provider that carries a policy document, a principal or a grantee
// (./permission-types.json, derived from the provider's typings by
// scripts/permission-types.js): key policies, bucket, queue, topic, secret, registry, repository,
// file-system, domain, vault, stream, table and API policies, inline `policy` arguments, Lambda
// permissions (function URLs included), KMS grants, snapshot and image launch permissions and
// shares. A statement that lets in `*`, another account, any AWS service, or a service with no
// condition on the resource it acts for, with no condition that narrows who (./iam-conditions),
// is reported with the actions it opens; a document the pack cannot read is reported, never passed.
import {
  isUnknown,
  label,
  list,
  obj,
  resourcePolicy,
  schema,
  stackPolicy,
  StackItem,
  str,
  Subject,
} from "./common";
import { trustCheck } from "./iam";
import { wideness } from "./iam-analysis";
import { isAllow, parseDocument, where } from "./iam-documents";
import { accountOf, exposures, principalsOf } from "./iam-principals";
import permissionTypes from "./permission-types.json";
import { ACL_TYPES, PUBLIC_GROUPS } from "./s3";
import { valuesAt } from "../shared/props";
import { TYPES } from "../shared/resource-types";

/** Arguments are paths: `policy`, `details.policy`, `permissions[].principal` (`[]`: each element). */
interface PermissionType {
  /** Document arguments and what each one is: `resource`, `identity`, `trust`, `session`, or not a permission. */
  documents: Record<string, string>;
  /** Arguments that name a principal, an account or a grantee. */
  principals?: string[];
  /** Arguments beside them that narrow who: the calling resource, account or organisation. */
  narrowing?: string[];
  /** Principal arguments that let no one in, with the word that says so (a lifecycle rule's exclusions). */
  ignored?: Record<string, string>;
}

const PERMISSION_TYPES = permissionTypes.types as Record<string, PermissionType>;

/** Resource types that carry a resource policy, and the arguments that hold it. */
export const RESOURCE_POLICY_TYPES: Record<string, string[]> = {};
/** Types whose arguments name principals, accounts or grantees, and those arguments. */
export const PRINCIPAL_TYPES: Record<string, PermissionType> = {};
for (const [type, t] of Object.entries(PERMISSION_TYPES)) {
  const docs = Object.keys(t.documents).filter((k) => t.documents[k] === "resource");
  if (docs.length > 0) RESOURCE_POLICY_TYPES[type] = docs;
  // S3 ACL grants are judged with the canned ACLs by s3-bucket-block-public-access.
  if (t.principals && !ACL_TYPES.has(type)) PRINCIPAL_TYPES[type] = t;
}

const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

interface OutsideConfig {
  trustedAccountIds: string[];
  acceptedUnreadableTypes: string[];
}

/** Accounts a resource lives in: its own ARN, the provider's allowedAccountIds, and the ARNs its policy names as Resource. */
function ownAccounts(r: Subject, resources: string[] = [], withArn = true): Set<string> {
  const out = new Set<string>();
  for (const arn of [withArn ? str(r.props.arn) : undefined, ...resources]) {
    const m = arn ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn.trim()) : null;
    if (m) out.add(m[1]);
  }
  for (const a of list(r.provider?.props.allowedAccountIds)) if (typeof a === "string") out.add(a);
  return out;
}

/**
 * The account of a resource the stack check judges because Analyze could not place it: its own ARN's
 * (an output, which a preview's Analyze does not see), else the stack's.
 */
function stackHome(r: Subject, stackAccount: string): string {
  return [...ownAccounts(r)][0] ?? stackAccount;
}

/**
 * The resource a policy resource is attached to, where its arguments tell it: an ARN-valued
 * argument (`secretArn`, `resourceArn`, `topicArn`) or a queue URL, whose path names the queue's
 * account. Key ARNs are left out: a key may be another account's.
 */
function targetArns(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    const s = str(v)?.trim();
    if (!s || k === "arn" || /kms/i.test(k)) continue;
    if (/Arn$/.test(k) && s.startsWith("arn:")) out.push(s);
    const url =
      k === "queueUrl" && /^https:\/\/sqs\.([a-z0-9-]+)\.[^/]+\/(\d{12})\/([^/]+)$/.exec(s);
    if (url) out.push(`arn:aws:sqs:${url[1]}:${url[2]}:${url[3]}`);
  }
  return out;
}

/**
 * Reports who outside the account a resource policy lets in. With `stackAccount`, it judges only
 * what the resource alone could not: principals of other accounts, the resource's own account
 * taken from the stack because the resource itself does not tell it.
 */
function documentCheck(
  r: Subject,
  prop: string,
  value: unknown,
  c: OutsideConfig,
  stackAccount?: string,
): void {
  const parsed = parseDocument(value);
  if (parsed.kind === "unknown") return;
  const unreadable =
    parsed.kind !== "statements"
      ? "is not an IAM policy document (JSON with a Statement list)"
      : parsed.statements.some((s) => isAllow(s) && s.principal === undefined && !s.notPrincipal)
        ? "has Allow statements without a Principal, so whom it lets in is decided elsewhere"
        : undefined;
  if (unreadable) {
    if (stackAccount !== undefined || c.acceptedUnreadableTypes.includes(r.type)) return;
    r.report(
      `${label(r.type, r.name)} ${prop} ${unreadable}, so the pack cannot judge who it lets in. ` +
        `Write it as {"Version": "2012-10-17", "Statement": [...]} with a Principal in each Allow ` +
        `statement, or, once reviewed, list ${r.type} in acceptedUnreadableTypes.`,
    );
    return;
  }
  if (parsed.kind !== "statements") return;
  const resources = parsed.statements.flatMap((s) => s.resource?.values ?? []);
  const own = ownAccounts(r, [...resources, ...targetArns(r.props)], stackAccount === undefined);
  if (own.size === 0 && r.type.startsWith("aws:kms/")) {
    const roots = new Set<string>();
    // A key policy gives its own account's root kms:* ("Enable IAM policies", the default key
    // policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
    for (const s of parsed.statements) {
      if (!isAllow(s) || !(s.action?.values ?? []).some((a) => /^kms:\*$|^\*$/i.test(a.trim()))) {
        continue;
      }
      for (const { kind, value } of principalsOf(s.principal)) {
        const account =
          kind === "aws" && /^(\d{12}|arn:[^:]+:iam::\d{12}:root)$/.test(value.trim())
            ? accountOf(value)
            : undefined;
        if (account) roots.add(account);
      }
    }
    // Only an unambiguous owner: two accounts with kms:* leave both to be judged.
    if (roots.size === 1) own.add([...roots][0]);
  }
  if (stackAccount !== undefined) {
    // What a preview's Analyze saw (inputs: no ARN of the resource yet) was judged there.
    if (own.size > 0) return;
    own.add(stackHome(r, stackAccount));
  }
  const inside = {
    own,
    trusted: c.trustedAccountIds,
    accountWhenUnknown: "inside" as const,
    servicesNeedSource: stackAccount === undefined,
  };
  for (const s of parsed.statements) {
    if (!isAllow(s)) continue;
    const head = `${label(r.type, r.name)} ${prop === "policy" ? "policy" : prop} ${where(s)}`;
    const actions = s.action
      ? JSON.stringify(s.action.values)
      : `every action but ${JSON.stringify(s.notAction?.values ?? [])}`;
    if (s.notPrincipal !== undefined) {
      if (stackAccount !== undefined) continue;
      r.report(
        `${head} allows ${actions} with NotPrincipal ${JSON.stringify(s.notPrincipal)}, so everyone ` +
          `else, in any account, gets them. Name the principals in Principal instead.`,
      );
      continue;
    }
    for (const e of exposures(s, inside)) {
      if (stackAccount !== undefined && !accountOf(e.principal)) continue;
      const cond = e.vacuous ? `, with a condition that narrows nothing (${e.vacuous})` : "";
      r.report(
        `${head} lets ${e.who} (Principal ${JSON.stringify(e.principal)}${cond}) call ${actions}. ` +
          `${e.fix}.`,
      );
    }
  }
}

/**
 * A source ARN that names resources of one account. An ARN without an account (an S3 bucket's)
 * pins no account: the bucket could be another account's by the time the call comes
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
function narrowArn(arn: string | undefined): boolean {
  if (!arn) return false;
  const parts = arn.trim().split(":");
  if (parts.length < 6 || !/^\d{12}$/.test(parts[4])) return false;
  return wideness(arn) === undefined;
}

/**
 * A Lambda permission: who may invoke. `principal` takes `*`, an account, an ARN or a service;
 * `sourceArn`/`sourceAccount` and `principalOrgId` narrow it
 * (https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html: without
 * SourceArn/SourceAccount, a service's resources in any account can invoke the function).
 */
function permissionCheck(r: Subject, c: OutsideConfig, stackAccount?: string): void {
  const p = r.props;
  const principal = str(p.principal);
  if (!principal) return;
  const narrowing =
    isUnknown(p.sourceArn) ||
    isUnknown(p.sourceAccount) ||
    isUnknown(p.principalOrgId) ||
    /^\d{12}$/.test(str(p.sourceAccount)?.trim() ?? "") ||
    /^o-[a-z0-9]+$/.test(str(p.principalOrgId)?.trim() ?? "") ||
    narrowArn(str(p.sourceArn));
  if (narrowing) return;
  const action = str(p.action) ?? "lambda:InvokeFunction";
  const head = `${label(r.type, r.name)} grants ${action}`;
  const urlNote =
    /InvokeFunctionUrl/i.test(action) && str(p.functionUrlAuthType) === "NONE"
      ? " through a function URL without authentication, so anyone on the internet can call it"
      : "";
  const fix =
    "Set principal to the account, role or service that calls the function, with sourceArn (the " +
    "calling resource) and sourceAccount, or principalOrgId";
  const account = accountOf(principal);
  const named = [str(p.function) ?? "", str(p.sourceArn) ?? ""];
  const own = ownAccounts(r, named, stackAccount === undefined);
  if (stackAccount !== undefined) {
    // Only what the resource alone could not tell: another account's principal.
    if (own.size > 0 || !account) return;
    own.add(stackHome(r, stackAccount));
  }
  if (principal.trim() === "*") {
    r.report(
      `${head} to principal "*" with no sourceArn, sourceAccount or principalOrgId${urlNote || ", so any AWS principal in any account can invoke the function"}. ${fix}.`,
    );
    return;
  }
  if (/\.amazonaws\.com$/i.test(principal) || principal.includes("*")) {
    const arn = str(p.sourceArn);
    const missing = arn
      ? `with sourceArn "${arn}", which names no account, and no sourceAccount`
      : "with no sourceArn or sourceAccount";
    r.report(
      `${head} to service ${principal} ${missing}, so that service acting for any account's ` +
        `resources can invoke the function. ${fix}.`,
    );
    return;
  }
  if (!account || own.size === 0 || own.has(account) || c.trustedAccountIds.includes(account)) {
    return;
  }
  r.report(
    `${head} to ${principal} of account ${account}, outside the function's account, with no ` +
      `sourceArn, sourceAccount or principalOrgId. ${fix}, or list the account in trustedAccountIds.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Principal, account and grantee arguments of every other permission-bearing type.

/** Everyone: `*`, `all` (RDS snapshots, AMI launch permissions) and S3's public grantee groups. */
function isEveryone(v: string): boolean {
  const t = v.trim();
  return t === "*" || /^all$/i.test(t) || PUBLIC_GROUPS.some(([re]) => re.test(t));
}

/**
 * The strings of an argument, nested ones too (grantee blocks, principal lists), a comma-separated
 * list read as its items (an SSM document's `accountIds: "111122223333,444455556666"`).
 */
function strings(v: unknown): string[] {
  if (typeof v === "string") {
    if (isUnknown(v)) return [];
    return /^\s*[\w-]+(?:\s*,\s*[\w-]+)+\s*$/.test(v) ? v.split(",").map((s) => s.trim()) : [v];
  }
  if (Array.isArray(v)) return v.flatMap(strings);
  const o = obj(v);
  return o ? Object.values(o).flatMap(strings) : [];
}

/** The 12-digit account a principal value names: an id, an IAM/STS ARN or any ARN with one. */
function accountIn(v: string): string | undefined {
  return accountOf(v) ?? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(v.trim())?.[1];
}

/**
 * Who a permission, share or grant lets in, read from its principal arguments: everyone, a
 * service with nothing pinning the account it acts for, or an account other than the resource's.
 */
function principalCheck(r: Subject, t: PermissionType, c: OutsideConfig, stackAccount?: string) {
  const p = r.props;
  const narrowing = (t.narrowing ?? []).filter((k) => p[k] !== undefined && p[k] !== null);
  if (narrowing.some((k) => isUnknown(p[k]))) return;
  const narrowed = narrowing.filter(
    (k) => !(k === "sourceArn" && !narrowArn(str(p[k])) && !narrowing.includes("sourceAccount")),
  );
  const principalArgs = new Set((t.principals ?? []).map((a) => a.split(/[.[]/)[0]));
  // The ARNs it names besides its principals (its own `arn` is an output, which a preview's
  // Analyze does not see).
  const named = Object.entries(p)
    .filter(([k]) => !principalArgs.has(k) && k !== "arn")
    .flatMap(([, v]) => strings(v))
    .filter((v) => v.startsWith("arn:"));
  const own = ownAccounts(r, named, stackAccount === undefined);
  if (stackAccount !== undefined) {
    // What Analyze saw was judged there; here only what the stack tells besides.
    if (own.size > 0) return;
    own.add(stackHome(r, stackAccount));
  }
  const fixNarrow =
    t.narrowing && t.narrowing.length > 0
      ? `set ${t.narrowing.join(" or ")}`
      : "name the account or role that needs it";
  for (const { at, value } of (t.principals ?? []).flatMap((a) => valuesAt(p, a))) {
    for (const v of strings(value)) {
      const head = `${label(r.type, r.name)} ${at} "${v}"`;
      if (isEveryone(v)) {
        if (stackAccount !== undefined || narrowed.length > 0) continue;
        r.report(
          `${head} lets anyone in: every AWS account (or everyone on the internet) gets what ` +
            `${r.type.slice(r.type.lastIndexOf(":") + 1)} grants. Name the accounts or roles ` +
            `that need it${t.narrowing ? `, or ${fixNarrow}` : ""}.`,
        );
        continue;
      }
      if (/\.amazonaws\.com$/i.test(v.trim())) {
        if (stackAccount !== undefined || narrowed.length > 0) continue;
        r.report(
          `${head} is a service with nothing that pins the account or resource it acts for, so ` +
            `it acts for any account's resources (the cross-service confused deputy). ` +
            `${t.narrowing ? `Set ${t.narrowing.join(" and ")}` : "Grant to a role of your account instead"}.`,
        );
        continue;
      }
      // An organisation or OU ARN names the organisation's accounts, not its management
      // account's (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html#awsorganizations-resources-for-iam-policies);
      // whose organisation it is, the pack cannot see, as with principalOrgId.
      if (/^arn:[^:]+:organizations::\d{12}:(?:organization|ou)\//.test(v.trim())) continue;
      const account = accountIn(v);
      if (!account || own.size === 0 || own.has(account) || c.trustedAccountIds.includes(account)) {
        continue;
      }
      if (narrowed.length > 0) continue;
      r.report(
        `${head} lets account ${account} in, outside the resource's account (${[...own].join(", ")}). ` +
          `Remove it, or list the account in trustedAccountIds if it is yours.`,
      );
    }
  }
}

const OUTSIDE_CONFIG = {
  trustedAccountIds: schema.strings(
    "AWS account ids whose principals resource policies may name without a condition.",
    [],
  ),
  acceptedUnreadableTypes: schema.strings(
    "Resource types whose policy documents are not IAM JSON (Cedar, OpenSearch Serverless rules, IoT policies) and were reviewed by hand.",
    [],
  ),
};

/** Judges one resource: its resource-policy documents and its principal arguments. */
function outsideCheck(r: Subject, c: OutsideConfig, stackAccount?: string): void {
  if (r.type === LAMBDA_PERMISSION) return permissionCheck(r, c, stackAccount);
  for (const path of RESOURCE_POLICY_TYPES[r.type] ?? []) {
    for (const { at, value } of valuesAt(r.props, path))
      documentCheck(r, at, value, c, stackAccount);
  }
  const t = PRINCIPAL_TYPES[r.type];
  if (t) principalCheck(r, t, c, stackAccount);
}

export const outsideAccess = resourcePolicy<OutsideConfig>({
  name: "iam-resource-policy-restrict-outside-access",
  description:
    "Forbids resource policies, permissions, grants and shares of every AWS provider type that carries them (key, bucket, queue, topic, secret, registry, file-system, domain, vault, stream and table policies, Lambda permissions, KMS grants, snapshot and image permissions) that let anyone, another account, any service or a service acting for any account in without a condition that narrows who.",
  enforcementLevel: "mandatory",
  types: [...new Set([...Object.keys(RESOURCE_POLICY_TYPES), ...Object.keys(PRINCIPAL_TYPES)])],
  config: OUTSIDE_CONFIG,
  check: (r, c) => outsideCheck(r, c),
});

/** The account most ARNs of the stack's resources name: where the stack is deployed. */
export function stackAccount(items: StackItem[]): string | undefined {
  const counts = new Map<string, number>();
  for (const it of items) {
    const m = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(str(it.props.arn) ?? "");
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export const outsideAccountAccess = stackPolicy<OutsideConfig>({
  name: "iam-resource-policy-restrict-cross-account",
  description:
    "Forbids resource policies, permissions, grants, shares and trust policies that let another account's principals in without a condition, where the resource alone does not tell its own account and the stack's ARNs do.",
  enforcementLevel: "mandatory",
  config: OUTSIDE_CONFIG,
  check: (items, report, c) => {
    const account = stackAccount(items);
    if (!account) return;
    for (const it of items) {
      const r: Subject = {
        type: it.type,
        urn: it.urn,
        name: it.name,
        props: it.props,
        report: (m) => report(it.urn, m),
      };
      if (it.type === TYPES.role) trustCheck(r, c, account);
      else outsideCheck(r, c, account);
    }
  },
});

export const resourcePolicyPolicies = [outsideAccess, outsideAccountAccess];
