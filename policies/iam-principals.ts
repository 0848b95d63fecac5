// Who a trust or resource policy statement lets in from outside the account: `*`, another
// account's principals, a federated identity provider's users or any AWS service, each unless a
// condition narrows who (judged by ./iam-conditions, not by its presence). Same-account principals
// are inside; so is a named role or user whose account cannot be told from the stack.
import { isUnknown, list, obj, Props } from "./common";
import { conditionTests, describeTest, isPrincipalKey, restricts } from "./iam-conditions";
import { Statement } from "./iam-documents";

export interface Exposure {
  /** The principal as written (`"*"`, `arn:aws:iam::999988887777:root`). */
  principal: string;
  /** Who gets in, in words: `any AWS principal`, `every principal of account 999988887777`. */
  who: string;
  /** What to set instead. */
  fix: string;
  /** Condition tests that were present but narrow nothing, in words. */
  vacuous?: string;
}

export interface Inside {
  /** The account(s) the resource lives in, when known. */
  own: ReadonlySet<string>;
  /** Accounts trusted by configuration. */
  trusted: readonly string[];
  /** Account-wide principals of an unknown account count as outside (trust) or not (resource). */
  accountWhenUnknown: "outside" | "inside";
  /**
   * Resource and key policies: a grant to a service principal must pin the resource or account the
   * service acts for (the cross-service confused deputy).
   */
  servicesNeedSource?: boolean;
}

/** The 12-digit account of a principal (`123456789012`, an IAM/STS ARN), else undefined. */
export function accountOf(principal: string): string | undefined {
  const m = /^(?:(\d{12})|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.*)$/.exec(principal.trim());
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The principals of a statement by kind (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
export function principalsOf(p: unknown): { kind: string; value: string }[] {
  if (typeof p === "string") return isUnknown(p) ? [] : [{ kind: "aws", value: p }];
  const o = obj(p);
  if (!o) return [];
  const out: { kind: string; value: string }[] = [];
  for (const [k, v] of Object.entries(o)) {
    for (const x of list(v)) {
      if (typeof x === "string" && !isUnknown(x)) out.push({ kind: k.toLowerCase(), value: x });
    }
  }
  return out;
}

function vacuousTests(c: Props | undefined, relevant: (k: string) => boolean): string | undefined {
  const tests = conditionTests(c);
  if (tests.length === 0) return undefined;
  const shown = tests.filter((t) => relevant(t.key.toLowerCase()));
  return (shown.length > 0 ? shown : tests).map(describeTest).join(", ");
}

const PRINCIPAL_FIX =
  "Add a condition that names who may act (aws:PrincipalOrgID, aws:PrincipalArn, sts:ExternalId, " +
  "aws:SourceArn or aws:SourceAccount with exact values)";

/**
 * The GitHub Actions OIDC provider's host. AWS supports none of GitHub's custom claims, so `sub`
 * is what limits which workflows may assume a role
 * (https://docs.github.com/actions/how-tos/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
 */
const GITHUB = "token.actions.githubusercontent.com";

/** The identity provider host of a Federated principal (`oidc-provider/<host>` or the host itself). */
function providerHost(federated: string): { host: string; saml: boolean } {
  const m = /:(oidc-provider|saml-provider)\/(.+)$/.exec(federated.trim());
  if (m) return { host: m[2].toLowerCase(), saml: m[1] === "saml-provider" };
  return { host: federated.trim().toLowerCase(), saml: false };
}

/**
 * The claims that name the identity a web-identity provider vouches for: `sub` for OIDC providers
 * (GitHub, EKS), the identity pool (`aud`) for Cognito, the app (`aud`/`app_id`) for the public
 * providers (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 */
function identityClaims(host: string): string[] {
  if (host === "cognito-identity.amazonaws.com") return [`${host}:aud`];
  if (["accounts.google.com", "graph.facebook.com", "www.amazon.com"].includes(host)) {
    return [`${host}:aud`, `${host}:app_id`, `${host}:sub`];
  }
  return [`${host}:sub`];
}

function federatedExposure(s: Statement, federated: string): Exposure | undefined {
  const { host, saml } = providerHost(federated);
  if (saml) {
    if (s.condition && restricts(s.condition, (k) => k.startsWith("saml:"))) return undefined;
    return {
      principal: federated,
      who: "every user the SAML provider signs in",
      fix: 'Add Condition {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}} and a condition on the SAML attributes that name the users',
      vacuous: vacuousTests(s.condition, (k) => k.startsWith("saml:")),
    };
  }
  const claims = identityClaims(host);
  const relevant = (k: string) => claims.includes(k);
  const narrowed = !!s.condition && restricts(s.condition, relevant);
  if (narrowed && host === GITHUB) {
    // A sub that does not pin the repository owner lets any GitHub repository in (`repo:*`).
    const subs = conditionTests(s.condition)
      .filter((t) => t.key.toLowerCase() === `${GITHUB}:sub` && !/not/i.test(t.operator))
      .flatMap((t) => t.values);
    const loose = subs.filter(
      (v) => !/^repo:[^*?/:]+\/[^:]+(:.+)?$/.test(v) || /^repo:[*?]/.test(v),
    );
    if (subs.length === 0 || loose.length === 0) return undefined;
    return {
      principal: federated,
      who: `a workflow of any GitHub repository (sub ${JSON.stringify(loose)})`,
      fix: `Set ${GITHUB}:sub to your repository with StringLike ("repo:<owner>/<repo>:ref:refs/heads/main") and ${GITHUB}:aud to "sts.amazonaws.com" with StringEquals`,
    };
  }
  if (narrowed) return undefined;
  return {
    principal: federated,
    who: `every identity ${host} issues tokens for`,
    fix: `Add a StringEquals or StringLike condition on ${claims[0]} naming the identities (for GitHub, "repo:<owner>/<repo>:ref:refs/heads/main")`,
    vacuous: vacuousTests(s.condition, relevant),
  };
}

/** Everyone outside the account an Allow statement with a Principal lets in. */
export function exposures(s: Statement, inside: Inside): Exposure[] {
  if (s.conditionUnknown) return [];
  const out: Exposure[] = [];
  const narrowed = () => !!s.condition && restricts(s.condition, isPrincipalKey);
  for (const { kind, value } of principalsOf(s.principal)) {
    const v = value.trim();
    if (kind === "aws") {
      const account = accountOf(v);
      if (v === "*" || (!account && /^arn:[^:]*:(iam|sts)::[^:]*[*?]/.test(v))) {
        if (narrowed()) continue;
        out.push({
          principal: v,
          who: "any AWS principal, in any account",
          fix: `${PRINCIPAL_FIX}, or set Principal to specific role ARNs`,
          vacuous: vacuousTests(s.condition, isPrincipalKey),
        });
        continue;
      }
      if (!account) continue;
      if (inside.own.has(account) || inside.trusted.includes(account)) continue;
      const accountWide = /^\d{12}$/.test(v) || /:root$/.test(v);
      if (inside.own.size === 0 && (!accountWide || inside.accountWhenUnknown === "inside")) {
        continue;
      }
      if (narrowed()) continue;
      out.push({
        principal: v,
        who: accountWide
          ? `every principal that account ${account} allows`
          : `${v} of account ${account}`,
        fix: `${PRINCIPAL_FIX}, or list the account in trustedAccountIds`,
        vacuous: vacuousTests(s.condition, isPrincipalKey),
      });
    } else if (kind === "service") {
      if (/[*?]/.test(v)) {
        out.push({
          principal: v,
          who: "every AWS service",
          fix: 'Set Principal to the one service that uses it (for example {"Service": "sagemaker.amazonaws.com"})',
        });
      } else if (inside.servicesNeedSource) {
        const gap = sourceGap(s.condition);
        if (gap) {
          out.push({
            principal: v,
            who: `${v} acting for any account's resources (${gap})`,
            fix: SOURCE_FIX,
            vacuous: vacuousTests(s.condition, isSourceKey),
          });
        }
      }
    } else if (kind === "federated") {
      const e = federatedExposure(s, v);
      if (e) out.push(e);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Service principals: the cross-service confused deputy.

/**
 * Keys that pin the resource or account a service principal acts for: aws:SourceArn,
 * aws:SourceAccount and their organisation forms
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention),
 * aws:SourceOwner (SNS's older key), and in key policies the encryption context AWS prescribes
 * for a service's own calls (`kms:EncryptionContext:aws:cloudtrail:arn`,
 * `kms:EncryptionContext:aws:logs:arn`:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
const SOURCE_ACCOUNT_KEYS = new Set([
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
]);
const isSourceArnKey = (k: string): boolean =>
  k === "aws:sourcearn" || /^kms:encryptioncontext:aws:[^:]+:arn$/.test(k);
export const isSourceKey = (k: string): boolean => SOURCE_ACCOUNT_KEYS.has(k) || isSourceArnKey(k);

const SOURCE_FIX =
  "Add a condition that pins the calling resource and its account: aws:SourceArn with the " +
  "resource's ARN and aws:SourceAccount with your account id (StringEquals/ArnEquals, exact values)";

/**
 * Why a statement's condition does not pin what a service principal acts for, or undefined when
 * it does. A source ARN that carries no account, as S3 bucket ARNs do not, needs the account as
 * well: "If the aws:SourceArn value does not contain the account ID, such as an Amazon S3 bucket
 * ARN, you must use both global condition context keys"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function sourceGap(condition: Props | undefined): string | undefined {
  if (!condition || !restricts(condition, isSourceKey)) {
    return "no aws:SourceArn or aws:SourceAccount condition";
  }
  if (restricts(condition, (k) => SOURCE_ACCOUNT_KEYS.has(k))) return undefined;
  const arns = conditionTests(condition)
    .filter((t) => isSourceArnKey(t.key.toLowerCase()) && !/not/i.test(t.operator))
    .flatMap((t) => t.values);
  const accountless = arns.filter((a) => !/^arn:[^:]+:[^:]+:[^:]*:\d{12}:/.test(a.trim()));
  if (accountless.length === 0) return undefined;
  return `source ARN ${JSON.stringify(accountless[0])} names no account and no aws:SourceAccount pins one`;
}
