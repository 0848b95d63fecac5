// S3 guardrails. With provider v7 a bucket's settings are separate resources (public access
// block, encryption, versioning, policy), so these are stack checks that find each bucket's
// settings through the engine's dependencies or the bucket name they hold.
import { isUnknown, label, list, obj, refersVia, stackPolicy, str, StackItem } from "./common";
import { conditionKeys, covers, parseDocument, Statement } from "./iam-documents";

export const S3 = {
  buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  versioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
} as const;

const PAB_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

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
    "Requires every bucket to have a public access block with all four settings true, and no public ACL or bucket policy.",
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
      const acls = [
        { where: b, acl: b.props.acl },
        ...settingsOf(items, S3.acl, b).map((a) => ({ where: a, acl: a.props.acl })),
      ];
      for (const { where, acl } of acls) {
        const a = str(acl);
        if (!a || !PUBLIC_ACLS.includes(a)) continue;
        report(
          where.urn,
          `${label(where.type, where.name)} sets acl "${a}" on ${name}. Remove the ACL (use "private") and grant access with IAM.`,
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

/** A Deny for all principals and S3 actions when aws:SecureTransport is false. */
function isTlsDeny(s: Statement): Promise<boolean> | boolean {
  if (s.effect !== "deny" || !isPublicPrincipal(s.principal)) return false;
  const bool = Object.entries(s.condition ?? {}).find(([k]) => k.toLowerCase() === "bool")?.[1];
  const secure = Object.entries(obj(bool) ?? {}).find(
    ([k]) => k.toLowerCase() === "aws:securetransport",
  )?.[1];
  if (!list(secure).some(isFalse)) return false;
  const objects = (s.resource?.values ?? []).some((r) => r === "*" || r.endsWith("/*"));
  if (!objects && !s.resource?.unknown) return false;
  return covers(s.action?.values ?? [], "s3:GetObject");
}

export const tlsOnly = stackPolicy({
  name: "s3-bucket-require-tls",
  description:
    "Requires every bucket's policy to deny requests that do not use TLS (aws:SecureTransport false).",
  enforcementLevel: "mandatory",
  check: async (items, report) => {
    for (const b of bucketsOf(items)) {
      if (hasUnknownPolicy(items, b)) continue;
      let ok = false;
      for (const { statement } of policyStatements(items, b)) {
        if (await isTlsDeny(statement)) {
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
