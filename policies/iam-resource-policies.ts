// Resource policies judged as "who outside the account can do what": KMS key policies, S3 bucket
// policies, SQS, SNS, Secrets Manager and ECR policies, and Lambda permissions (function URLs
// included). A statement that lets in `*`, another account, or any AWS service, with no condition
// that narrows who (./iam-conditions), is reported with the actions it opens.
import {
  isUnknown,
  label,
  list,
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
import { TYPES } from "../shared/resource-types";

/** Resource types that carry a resource policy, and the property that holds it. */
export const RESOURCE_POLICY_TYPES: Record<string, string> = {
  [TYPES.kmsKey]: "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  [TYPES.bucketPolicy]: "policy",
  [TYPES.bucket]: "policy",
  [TYPES.bucketV2]: "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
};

const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

interface OutsideConfig {
  trustedAccountIds: string[];
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
 * Reports who outside the account a resource policy lets in. With `stackAccount`, it judges only
 * what the resource alone could not: principals of other accounts, the resource's own account
 * taken from the stack because the resource itself does not tell it.
 */
function documentCheck(r: Subject, prop: string, c: OutsideConfig, stackAccount?: string): void {
  const parsed = parseDocument(r.props[prop]);
  if (parsed.kind !== "statements") return;
  const resources = parsed.statements.flatMap((s) => s.resource?.values ?? []);
  const own = ownAccounts(r, resources, stackAccount === undefined);
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
    own.add(ownAccounts(r)[Symbol.iterator]().next().value ?? stackAccount);
  }
  const inside = {
    own,
    trusted: c.trustedAccountIds,
    accountWhenUnknown: "inside" as const,
  };
  for (const s of parsed.statements) {
    if (!isAllow(s)) continue;
    const head = `${label(r.type, r.name)} policy ${where(s)}`;
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

/** A source ARN that names resources of one account (or a globally named bucket). */
function narrowArn(arn: string | undefined): boolean {
  if (!arn) return false;
  const parts = arn.trim().split(":");
  if (parts.length < 6 || /[*?]/.test(parts[4])) return false;
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
    own.add(ownAccounts(r, named)[Symbol.iterator]().next().value ?? stackAccount);
  }
  if (principal.trim() === "*") {
    r.report(
      `${head} to principal "*" with no sourceArn, sourceAccount or principalOrgId${urlNote || ", so any AWS principal in any account can invoke the function"}. ${fix}.`,
    );
    return;
  }
  if (/\.amazonaws\.com$/i.test(principal) || principal.includes("*")) {
    r.report(
      `${head} to service ${principal} with no sourceArn or sourceAccount, so that service acting ` +
        `for any account's resources can invoke the function. ${fix}.`,
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

export const outsideAccess = resourcePolicy<OutsideConfig>({
  name: "iam-resource-policy-restrict-outside-access",
  description:
    "Forbids resource policies (KMS keys, S3 buckets, SQS, SNS, Secrets Manager, ECR, Lambda permissions and function URLs) that let anyone, another account or any service in without a condition that narrows who.",
  enforcementLevel: "mandatory",
  types: [...Object.keys(RESOURCE_POLICY_TYPES), LAMBDA_PERMISSION],
  config: {
    trustedAccountIds: schema.strings(
      "AWS account ids whose principals resource policies may name without a condition.",
      [],
    ),
  },
  check: (r, c) => {
    if (r.type === LAMBDA_PERMISSION) permissionCheck(r, c);
    else documentCheck(r, RESOURCE_POLICY_TYPES[r.type], c);
  },
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
    "Forbids resource policies, Lambda permissions and trust policies that let another account's principals in without a condition, where the resource alone does not tell its own account and the stack's ARNs do.",
  enforcementLevel: "mandatory",
  config: {
    trustedAccountIds: schema.strings(
      "AWS account ids whose principals resource and trust policies may name without a condition.",
      [],
    ),
  },
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
      if (it.type === LAMBDA_PERMISSION) permissionCheck(r, c, account);
      else if (RESOURCE_POLICY_TYPES[it.type]) {
        documentCheck(r, RESOURCE_POLICY_TYPES[it.type], c, account);
      } else if (it.type === TYPES.role) trustCheck(r, c, account);
    }
  },
});

export const resourcePolicyPolicies = [outsideAccess, outsideAccountAccess];
