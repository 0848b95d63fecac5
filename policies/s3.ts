// S3 guardrails. With provider v7 a bucket's settings are separate resources (public access
// block, encryption, versioning, policy), so these are stack checks that find each bucket's
// settings through the engine's dependencies or the bucket name they hold.
import {
  globMatch,
  isUnknown,
  label,
  list,
  obj,
  Props,
  refersVia,
  stackPolicy,
  str,
  StackItem,
} from "./common";
import { conditionKeys, covers, parseDocument, Statement } from "./iam-documents";
import { TYPES } from "../shared/resource-types";

export const S3 = {
  buckets: [TYPES.bucket, TYPES.bucketV2],
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  versioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  policy: TYPES.bucketPolicy,
  acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  objects: [
    "aws:s3/bucketObject:BucketObject",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/objectCopy:ObjectCopy",
  ],
} as const;

const PAB_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];
/**
 * Canned ACLs that grant to the AllUsers or AuthenticatedUsers group: everyone, or anyone with an
 * AWS account (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl).
 */
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

/** The grantee groups that stand for everyone and for every AWS account. */
export const PUBLIC_GROUPS: [RegExp, string][] = [
  [/\/groups\/global\/AllUsers\/?$/i, "AllUsers (everyone on the internet)"],
  [/\/groups\/global\/AuthenticatedUsers\/?$/i, "AuthenticatedUsers (anyone with an AWS account)"],
];

interface AclGrant {
  /** Where the ACL is set, for the message: `acl`, `grants[0]`. */
  where: string;
  /** The canned ACL, or the grantee group's description. */
  to: string;
  canned: boolean;
  permission?: string;
}

function cannedAcl(v: unknown): AclGrant[] {
  const a = str(v)?.trim().toLowerCase();
  return a && PUBLIC_ACLS.includes(a) ? [{ where: "acl", to: a, canned: true }] : [];
}

function groupGrant(where: string, grantee: unknown, permission: unknown): AclGrant[] {
  const g = obj(grantee);
  const uri = str(g?.uri);
  if (!uri) return [];
  const group = PUBLIC_GROUPS.find(([re]) => re.test(uri.trim()));
  if (!group) return [];
  const perms = list(permission).map(String).join(", ") || "access";
  return [{ where, to: group[1], canned: false, permission: perms }];
}

/** Each type's ACL settings: the one place this rule learns where a type keeps them. */
const ACL_READERS: Record<string, (p: Props) => AclGrant[]> = {};
for (const t of S3.buckets) {
  // Inline grants on a bucket: {type: "Group", uri, permissions}.
  ACL_READERS[t] = (p) => [
    ...cannedAcl(p.acl),
    ...list(p.grants).flatMap((g, i) => groupGrant(`grants[${i}]`, g, obj(g)?.permissions)),
  ];
}
for (const t of S3.acl) {
  ACL_READERS[t] = (p) => [
    ...cannedAcl(p.acl),
    ...list(obj(p.accessControlPolicy)?.grants).flatMap((g, i) =>
      groupGrant(`accessControlPolicy.grants[${i}]`, obj(g)?.grantee, obj(g)?.permission),
    ),
  ];
}
for (const t of S3.objects) {
  ACL_READERS[t] = (p) => [
    ...cannedAcl(p.acl),
    ...list(p.grants).flatMap((g, i) => groupGrant(`grants[${i}]`, g, obj(g)?.permissions)),
  ];
}

/** The types whose ACL grants this rule judges. */
export const ACL_TYPES: ReadonlySet<string> = new Set(Object.keys(ACL_READERS));

function bucketIds(b: StackItem): unknown[] {
  return [b.props.bucket, b.props.id, b.props.arn];
}

/** Settings resources of `types` that belong to `bucket` (via their `bucket` property). */
function settingsOf(items: StackItem[], types: readonly string[], bucket: StackItem): StackItem[] {
  return items.filter(
    (it) => types.includes(it.type) && refersVia(it, "bucket", bucket, bucketIds(bucket)),
  );
}

function bucketsOf(items: StackItem[]): StackItem[] {
  return items.filter((it) => (S3.buckets as readonly string[]).includes(it.type));
}

export const publicAccess = stackPolicy({
  name: "s3-bucket-block-public-access",
  description:
    "Requires every bucket, and an account-wide block when declared, to block public access with all four settings true, and forbids public ACLs and bucket policies.",
  enforcementLevel: "mandatory",
  check: (items, report) => {
    for (const b of bucketsOf(items)) {
      const name = label(b.type, b.name);
      const blocks = settingsOf(items, [S3.publicAccessBlock], b);
      if (blocks.length === 0) {
        report(
          b.urn,
          `${name} has no aws.s3.BucketPublicAccessBlock, so an ACL or policy can make it public. Add ` +
            `one with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.`,
        );
      }
      for (const pab of blocks) {
        const off = PAB_FLAGS.filter((f) => pab.props[f] !== true && !isUnknown(pab.props[f]));
        if (off.length === 0) continue;
        report(
          pab.urn,
          `${label(pab.type, pab.name)} for ${name} leaves ${off.map((f) => `${f} ${String(pab.props[f] ?? "unset")}`).join(", ")}. ` +
            `Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.`,
        );
      }
      for (const { where, statement } of policyStatements(items, b)) {
        if (statement.effect !== "allow" || !isPublicPrincipal(statement.principal)) continue;
        if (statement.conditionUnknown || conditionKeys(statement).size > 0) continue;
        report(
          where.urn,
          `${label(where.type, where.name)} statement ${statement.index} allows Principal "*" on ${name} without a condition, ` +
            `making it public. Name the roles that need access, or add a condition such as aws:SourceVpce.`,
        );
      }
    }
    // The account-wide block carries the same four settings for every bucket of the account.
    for (const pab of items.filter((it) => it.type === S3.accountPublicAccessBlock)) {
      const off = PAB_FLAGS.filter((f) => pab.props[f] !== true && !isUnknown(pab.props[f]));
      if (off.length === 0) continue;
      report(
        pab.urn,
        `${label(pab.type, pab.name)} leaves ${off.map((f) => `${f} ${String(pab.props[f] ?? "unset")}`).join(", ")} ` +
          `for every bucket of the account. Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and ` +
          `restrictPublicBuckets to true.`,
      );
    }
    // ACLs on buckets, bucket ACL resources and objects, whether or not their bucket is in the stack.
    const buckets = bucketsOf(items);
    for (const it of items) {
      const read = ACL_READERS[it.type];
      if (!read) continue;
      const grants = read(it.props);
      if (grants.length === 0) continue;
      const own = (S3.buckets as readonly string[]).includes(it.type)
        ? it
        : buckets.find((b) => refersVia(it, "bucket", b, bucketIds(b)));
      const target = own
        ? label(own.type, own.name)
        : `bucket "${str(it.props.bucket) ?? "(unknown)"}"`;
      const object = (S3.objects as readonly string[]).includes(it.type)
        ? `object "${str(it.props.key) ?? it.name}" in `
        : "";
      for (const g of grants) {
        report(
          it.urn,
          g.canned
            ? `${label(it.type, it.name)} sets acl "${g.to}" on ${object}${target}. Remove the ACL (use "private") and grant access with IAM.`
            : `${label(it.type, it.name)} ${g.where} grants ${g.permission} on ${own === it ? "itself" : object + target} to ${g.to}. ` +
                `Remove the grant (set object ownership to BucketOwnerEnforced to disable ACLs) and grant access with IAM.`,
        );
      }
    }
  },
});

function isPublicPrincipal(p: unknown): boolean {
  if (p === "*") return true;
  const o = obj(p);
  return (
    !!o && Object.entries(o).some(([k, v]) => k.toLowerCase() === "aws" && list(v).includes("*"))
  );
}

/** Statements of the bucket's policy: the bucket's own `policy` input and BucketPolicy resources. */
function policyStatements(
  items: StackItem[],
  b: StackItem,
): { where: StackItem; statement: Statement }[] {
  const sources = [
    { where: b, doc: b.props.policy },
    ...settingsOf(items, [S3.policy], b).map((p) => ({ where: p, doc: p.props.policy })),
  ];
  return sources.flatMap(({ where, doc }) => {
    const parsed = parseDocument(doc);
    return parsed.kind === "statements"
      ? parsed.statements.map((statement) => ({ where, statement }))
      : [];
  });
}

function hasUnknownPolicy(items: StackItem[], b: StackItem): boolean {
  const docs = [b.props.policy, ...settingsOf(items, [S3.policy], b).map((p) => p.props.policy)];
  return docs.some((d) => parseDocument(d).kind === "unknown");
}

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

export const encryption = stackPolicy({
  name: "s3-bucket-require-encryption",
  description:
    "Requires every bucket to have default server-side encryption configured (SSE-S3 or SSE-KMS).",
  enforcementLevel: "mandatory",
  check: (items, report) => {
    for (const b of bucketsOf(items)) {
      const configs = [
        obj(b.props.serverSideEncryptionConfiguration),
        ...settingsOf(items, S3.encryption, b).map((e) => e.props),
      ].filter((x): x is Record<string, unknown> => !!x);
      const ok = configs.some((cfg) =>
        list(cfg.rules ?? cfg.rule).some((rule) => {
          const byDefault = obj(obj(rule)?.applyServerSideEncryptionByDefault);
          const alg = byDefault?.sseAlgorithm;
          return isUnknown(alg) || SSE_ALGORITHMS.includes(String(alg));
        }),
      );
      if (ok || configs.some((cfg) => isUnknown(cfg.rules))) continue;
      report(
        b.urn,
        `${label(b.type, b.name)} has no default encryption configured. Add an ` +
          `aws.s3.BucketServerSideEncryptionConfiguration with rules [{applyServerSideEncryptionByDefault: ` +
          `{sseAlgorithm: "aws:kms", kmsMasterKeyId: <key ARN>}, bucketKeyEnabled: true}] (or "AES256").`,
      );
    }
  },
});

export const versioning = stackPolicy({
  name: "s3-bucket-require-versioning",
  description:
    "Requires versioning enabled on every bucket, so overwritten or deleted objects can be recovered.",
  enforcementLevel: "mandatory",
  check: (items, report) => {
    for (const b of bucketsOf(items)) {
      const inline = obj(b.props.versioning)?.enabled;
      const resources = settingsOf(items, S3.versioning, b);
      const statuses = resources.map((v) => obj(v.props.versioningConfiguration)?.status);
      if (inline === true || statuses.some((s) => s === "Enabled" || isUnknown(s))) continue;
      if (resources.length > 0) {
        const v = resources[0];
        report(
          v.urn,
          `${label(v.type, v.name)} leaves ${label(b.type, b.name)} with versioning status "${String(statuses[0] ?? "unset")}". ` +
            `Set versioningConfiguration: {status: "Enabled"}.`,
        );
        continue;
      }
      report(
        b.urn,
        `${label(b.type, b.name)} has no versioning. Add an aws.s3.BucketVersioning with versioningConfiguration: {status: "Enabled"}.`,
      );
    }
  },
});

function isFalse(v: unknown): boolean {
  return v === false || (typeof v === "string" && v.toLowerCase() === "false");
}

/**
 * Whether an ARN pattern of a statement covers every object of the bucket named `bucket`
 * (undefined when the name is not known yet: then any pattern counts).
 */
function coversObjects(pattern: string, bucket: string | undefined): boolean {
  const p = pattern.trim();
  if (/^\*+$/.test(p)) return true;
  if (bucket === undefined) return p.endsWith("/*");
  const partition = p.toLowerCase().startsWith("arn:") ? p.split(":")[1] : "aws";
  // A probe object name no prefix rule would list: the pattern must cover the whole bucket.
  return globMatch(p, `arn:${partition}:s3:::${bucket}/any-object`);
}

/**
 * A Deny for all principals and S3 actions when aws:SecureTransport is false, on this bucket's
 * objects, with no other condition narrowing when it applies.
 */
function isTlsDeny(s: Statement, bucket: string | undefined): Promise<boolean> | boolean {
  if (s.effect !== "deny" || !isPublicPrincipal(s.principal)) return false;
  const blocks = Object.entries(s.condition ?? {});
  // Any other condition key makes the deny apply to fewer requests than every plain-HTTP one.
  const keys = conditionKeys(s);
  if (keys.size !== 1 || !keys.has("aws:securetransport")) return false;
  const bool = blocks.find(([k]) => /^bool(ifexists)?$/i.test(k))?.[1];
  const secure = Object.entries(obj(bool) ?? {}).find(
    ([k]) => k.toLowerCase() === "aws:securetransport",
  )?.[1];
  if (!list(secure).some(isFalse)) return false;
  const objects = (s.resource?.values ?? []).some((r) => coversObjects(r, bucket));
  if (!objects && !s.resource?.unknown) return false;
  return covers(s.action?.values ?? [], "s3:GetObject");
}

export const tlsOnly = stackPolicy({
  name: "s3-bucket-require-tls",
  description:
    "Requires every bucket's policy to deny requests that do not use TLS (aws:SecureTransport false) on that bucket's objects.",
  enforcementLevel: "mandatory",
  check: async (items, report) => {
    for (const b of bucketsOf(items)) {
      if (hasUnknownPolicy(items, b)) continue;
      let ok = false;
      const arn = str(b.props.arn);
      const bucket = str(b.props.bucket) ?? (arn ? arn.slice(arn.indexOf(":::") + 3) : undefined);
      for (const { statement } of policyStatements(items, b)) {
        if (await isTlsDeny(statement, bucket)) {
          ok = true;
          break;
        }
      }
      if (ok) continue;
      report(
        b.urn,
        `${label(b.type, b.name)} has no bucket policy statement denying plain-HTTP requests. Add an ` +
          `aws.s3.BucketPolicy statement {Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ` +
          `[<bucket ARN>, "<bucket ARN>/*"], Condition: {Bool: {"aws:SecureTransport": "false"}}}.`,
      );
    }
  },
});

export const s3Policies = [publicAccess, encryption, versioning, tlsOnly];
