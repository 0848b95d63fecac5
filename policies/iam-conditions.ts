// Whether a statement's Condition narrows a grant, judged by what it says rather than by its
// presence: the entries on the keys that matter for a risk are evaluated by @cloud-copilot/iam-simulate
// against the values an outsider would bring (their own account, organisation, role ARN, any
// string they choose) and against the key being absent. A condition restricts only if every such
// request is refused. So `StringLike "*"`, `Null: false`, negated operators (`StringNotEquals`),
// `...IfExists` on a key the request may omit, `ForAllValues:` on an empty set and keys unrelated
// to the risk (`aws:SecureTransport` on a cross-account trust) all restrict nothing.
// Condition operators and their evaluation:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
import type { EvaluationResult, Simulation } from "@cloud-copilot/iam-simulate";
import * as fs from "fs";
import * as path from "path";
import { SIMULATOR_FILE } from "./bundle";
import { exposure, parseCidr, publicAddresses, type Range } from "./cidr";
import { list, obj, Props } from "./common";

/** An outsider's identifiers: AWS's documentation account and made-up organisation and names. */
export const OUTSIDER = {
  account: "444455556666",
  org: "o-outsider000",
  orgPath: "o-outsider000/r-0utr/ou-0utr-outsider/",
  roleArn: "arn:aws:iam::444455556666:role/outsider",
  ip: "203.0.113.7",
  service: "zz-outsider.amazonaws.com",
  value: "zz-outsider-~value",
} as const;

/**
 * Global keys AWS puts in the request context of every signed request, so `...IfExists` on them
 * still tests a value (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 */
const ALWAYS_PRESENT = new Set(["aws:principalarn", "aws:principalaccount", "aws:securetransport"]);

const ACCOUNT_KEYS = new Set([
  "s3:dataaccesspointaccount",
  "aws:principalaccount",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:resourceaccount",
  "kms:calleraccount",
]);
const ORG_KEYS = new Set(["aws:principalorgid", "aws:sourceorgid", "aws:resourceorgid"]);
const ORG_PATH_KEYS = new Set([
  "aws:principalorgpaths",
  "aws:sourceorgpaths",
  "aws:resourceorgpaths",
]);
const IP_KEYS = new Set(["aws:sourceip", "aws:vpcsourceip"]);
/**
 * Keys whose values are meant to be unique (an account, organisation, external id, endpoint or
 * user id): a pattern on them (`StringLike sts:ExternalId "acme-*"`) pins nothing, since another
 * value it matches can be someone else's.
 */
const UNIQUE_KEYS = new Set([
  ...ACCOUNT_KEYS,
  ...ORG_KEYS,
  "sts:externalid",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "aws:userid",
]);

export interface ConditionTest {
  operator: string;
  key: string;
  values: string[];
}

/** Every (operator, key, values) a Condition tests, in document order. */
export function conditionTests(condition: Props | undefined): ConditionTest[] {
  const out: ConditionTest[] = [];
  for (const [operator, block] of Object.entries(condition ?? {})) {
    for (const [key, v] of Object.entries(obj(block) ?? {})) {
      out.push({ operator, key, values: list(v).map((x) => String(x)) });
    }
  }
  return out;
}

/** `StringLike aws:PrincipalOrgID "*"`: a test as messages show it. */
export function describeTest(t: ConditionTest): string {
  const values = t.values.length === 1 ? `"${t.values[0]}"` : JSON.stringify(t.values);
  return `${t.operator} ${t.key} ${values}`;
}

/**
 * Where an outsider may call from, given the blocks a condition on `aws:SourceIp` names: an
 * address outside all of them, and, when together they open to the internet (all of it, or a /8 of
 * it, as security-group sources are measured in ./cidr), one inside. S3 counts a policy that
 * limits `*` to a set of CIDRs as not public ("The meaning of public",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
 * which is what a narrow set does here; the probe never falls inside a narrow set by chance.
 */
function outsiderAddresses(values: string[]): string[] {
  const ranges = values.map((v) =>
    parseCidr(v.includes("/") ? v : `${v}/${v.includes(":") ? 128 : 32}`),
  );
  if (ranges.some((r) => r === undefined)) return [OUTSIDER.ip];
  const known = ranges as Range[];
  const { inside, outside } = publicAddresses(known);
  const out = [outside ?? OUTSIDER.ip];
  if (exposure(known).length > 0 && inside) out.push(inside);
  return out;
}

/**
 * What an outsider could send for a key, given the values the condition compares it with. For an
 * ARN, their own account and their names wherever the value has a wildcard; for other strings, a
 * value of their choosing, which only a pattern of wildcards alone (`*`) accepts: a pattern with a
 * literal part (`dog-*`, `repo:acme/*`) is taken to name what it starts with.
 */
function outsiderValues(key: string, values: string[]): string[] {
  const k = key.toLowerCase();
  if (UNIQUE_KEYS.has(k)) {
    // Someone else's value that the pattern matches: its wildcards filled in.
    const matched = values.filter((v) => /[*?]/.test(v)).map((v) => v.replace(/[*?]/g, "9"));
    if (matched.length > 0) return matched;
  }
  if (ACCOUNT_KEYS.has(k)) return [OUTSIDER.account];
  if (ORG_KEYS.has(k)) return [OUTSIDER.org];
  if (ORG_PATH_KEYS.has(k)) return [OUTSIDER.orgPath];
  if (IP_KEYS.has(k)) return outsiderAddresses(values);
  // A role passed to a service of the outsider's choosing.
  if (k === "iam:passedtoservice") return [OUTSIDER.service];
  const out = new Set<string>([OUTSIDER.value]);
  for (const v of values) {
    const parts = v.split(":");
    if (parts.length >= 6 && parts[0].toLowerCase() === "arn") {
      // An ARN the outsider controls: their account, their names wherever the value has a wildcard.
      out.add(OUTSIDER.roleArn);
      const hasAccount = parts[4] !== "";
      if (hasAccount) parts[4] = OUTSIDER.account;
      if (hasAccount || /[*?]/.test(v))
        out.add(parts.join(":").replace(/\*/g, "outsider").replace(/\?/g, "o"));
    }
  }
  return [...out];
}

type Simulate = (s: Simulation, o: object) => EvaluationResult;
let simulate: Simulate | undefined;

/**
 * The simulator, loaded on first use, not at the pack's start. The pack's bundle carries it as one
 * file beside itself (SIMULATOR_FILE): 9-13 ms to load against 28-34 ms for
 * the package's own modules; the sources use the package.
 */
function simulator(): Simulate {
  if (!simulate) {
    const bundled = path.join(__dirname, SIMULATOR_FILE);
    /* eslint-disable @typescript-eslint/no-require-imports */
    const sim = (
      fs.existsSync(bundled) ? require(bundled) : require("@cloud-copilot/iam-simulate")
    ) as typeof import("@cloud-copilot/iam-simulate");
    /* eslint-enable @typescript-eslint/no-require-imports */
    simulate = sim.runUnsafeSimulation as Simulate;
  }
  return simulate;
}

function allows(condition: Props, context: Record<string, string | string[]>): boolean {
  const result = simulator()(
    {
      request: {
        principal: OUTSIDER.roleArn,
        action: "sts:AssumeRole",
        resource: { resource: "*", accountId: OUTSIDER.account },
        contextVariables: context,
      },
      identityPolicies: [
        {
          name: "probe",
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*", Condition: condition }],
          },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  return result === "Allowed";
}

/**
 * A `/0` range as its two `/1` halves. The simulator builds an IPv4 mask as `-1 << (32 - prefix)`,
 * and JavaScript takes shift counts modulo 32, so `/0` would match only one address
 * (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/Left_shift).
 */
function halves(v: unknown): unknown[] {
  const s = String(v).trim();
  if (/^[\d.]+\/0$/.test(s)) return ["0.0.0.0/1", "128.0.0.0/1"];
  if (/^[0-9a-f:]+\/0$/i.test(s)) return ["::/1", "8000::/1"];
  return [v];
}

const verdicts = new Map<string, boolean>();

/**
 * Whether `condition`'s tests on the keys `relevant` accepts refuse every request an outsider can
 * make. Tests on other keys are ignored: the outsider satisfies them at will (or they say nothing
 * about the risk at hand).
 */
export function restricts(
  condition: Props | undefined,
  relevant: (key: string) => boolean,
): boolean {
  const sub: Record<string, Record<string, unknown>> = {};
  const keys = new Map<string, string[]>();
  for (const [operator, block] of Object.entries(condition ?? {})) {
    for (const [key, v] of Object.entries(obj(block) ?? {})) {
      if (!relevant(key.toLowerCase())) continue;
      (sub[operator] ??= {})[key] = /ipaddress/i.test(operator) ? list(v).flatMap(halves) : v;
      keys.set(key, [...(keys.get(key) ?? []), ...list(v).map(String)]);
    }
  }
  if (keys.size === 0) return false;
  const cacheKey = JSON.stringify(sub);
  const known = verdicts.get(cacheKey);
  if (known !== undefined) return known;
  const probes = [...keys].map(([k, values]) => [k, outsiderValues(k, values)] as const);
  const contexts: Record<string, string | string[]>[] = [];
  // The keys absent (where the request may omit them), then each outsider value in turn.
  const absent: Record<string, string> = {};
  for (const [k, values] of probes) if (ALWAYS_PRESENT.has(k.toLowerCase())) absent[k] = values[0];
  contexts.push(absent);
  const rounds = Math.max(...probes.map(([, v]) => v.length));
  for (let i = 0; i < rounds; i++) {
    const c: Record<string, string | string[]> = {};
    for (const [k, values] of probes) c[k] = values[Math.min(i, values.length - 1)];
    contexts.push(c);
  }
  const verdict = !contexts.some((c) => allows(sub, c));
  if (verdicts.size > 10_000) verdicts.clear();
  verdicts.set(cacheKey, verdict);
  return verdict;
}

/**
 * Principal-identifying keys: who is asking, from which organisation, account or resource. The S3
 * access-point keys are among them: S3 does not count a bucket policy as public when `*` is pinned
 * to fixed values of them ("The meaning of public",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
 * which is how AWS delegates a bucket's access control to its access points
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html#access-points-delegating-control);
 * the access points' own policies are judged on their own.
 */
export const PRINCIPAL_KEYS = new Set([
  "s3:dataaccesspointaccount",
  "s3:dataaccesspointarn",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "aws:sourceip",
  "aws:userid",
  "sts:externalid",
  "kms:calleraccount",
]);

export const isPrincipalKey = (k: string): boolean => PRINCIPAL_KEYS.has(k);

/**
 * The condition operators IAM accepts, before `...IfExists` and the `ForAnyValue:`/`ForAllValues:`
 * qualifiers (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
const OPERATORS = new Set(
  [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
  ].map((o) => o.toLowerCase()),
);

/** Whether IAM knows a condition operator (`ForAnyValue:StringLikeIfExists` included). */
export function isKnownOperator(operator: string): boolean {
  const base = operator
    .trim()
    .replace(/^for(any|all)values:/i, "")
    .replace(/ifexists$/i, "")
    .toLowerCase();
  return OPERATORS.has(base) && !(base === "null" && /ifexists$/i.test(operator.trim()));
}
