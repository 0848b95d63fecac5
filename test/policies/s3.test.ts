import * as assert from "assert";
import { encryption, publicAccess, tlsOnly, versioning } from "../../policies/s3";
import { checkStack, clone, doc, Fixture, UNKNOWN, Editable } from "./harness";
import { BUCKET, bucketSet } from "./s3-fixtures";

function without(fixtures: Fixture[], name: string): Fixture[] {
  return fixtures.filter((f) => f.name !== name);
}

function edit(fixtures: Fixture[], name: string, fn: (p: Editable) => void): Fixture[] {
  const out = clone(fixtures);
  fn(out.find((f) => f.name === name)!.props);
  return out;
}

describe("s3 bucket policies", () => {
  it("accept the program's bucket with its four settings resources", async () => {
    for (const p of [publicAccess, encryption, versioning, tlsOnly]) {
      assert.deepStrictEqual(await checkStack(p, bucketSet()), [], p.name);
    }
  });

  it("find settings through engine dependencies when the bucket name is unknown", async () => {
    const set = bucketSet();
    set[0].props.bucket = UNKNOWN;
    delete set[0].props.arn;
    for (const f of set.slice(1)) {
      f.props.bucket = UNKNOWN;
      f.deps = { bucket: ["data-bucket"] };
    }
    set[4].props.policy = UNKNOWN;
    for (const p of [publicAccess, encryption, versioning, tlsOnly]) {
      assert.deepStrictEqual(await checkStack(p, set), [], p.name);
    }
  });

  it("s3-bucket-block-public-access reports a missing block, a flag turned off, a public ACL and policy", async () => {
    assert.deepStrictEqual(
      await checkStack(publicAccess, without(bucketSet(), "data-public-access")),
      [
        {
          name: "data-bucket",
          message:
            'Bucket "data-bucket" has no aws.s3.BucketPublicAccessBlock, so an ACL or policy can make it public. Add one ' +
            "with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
        },
      ],
    );
    const off = edit(bucketSet(), "data-public-access", (p) => (p.blockPublicPolicy = false));
    assert.deepStrictEqual(await checkStack(publicAccess, off), [
      {
        name: "data-public-access",
        message:
          'BucketPublicAccessBlock "data-public-access" for Bucket "data-bucket" leaves blockPublicPolicy false. Set ' +
          "blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
      },
    ]);
    const acl = edit(bucketSet(), "data-bucket", (p) => (p.acl = "public-read"));
    assert.match(
      (await checkStack(publicAccess, acl))[0].message,
      /sets acl "public-read" on Bucket "data-bucket"/,
    );
    const open = edit(bucketSet(), "data-policy", (p) => {
      p.policy = doc({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      });
    });
    assert.match(
      (await checkStack(publicAccess, open))[0].message,
      /statement 0 allows Principal "\*" on Bucket "data-bucket" without a condition/,
    );
  });

  it("s3-bucket-require-encryption reports a bucket without default encryption", async () => {
    assert.deepStrictEqual(await checkStack(encryption, without(bucketSet(), "data-encryption")), [
      {
        name: "data-bucket",
        message:
          'Bucket "data-bucket" has no default encryption configured. Add an aws.s3.BucketServerSideEncryptionConfiguration ' +
          'with rules [{applyServerSideEncryptionByDefault: {sseAlgorithm: "aws:kms", kmsMasterKeyId: <key ARN>}, ' +
          'bucketKeyEnabled: true}] (or "AES256").',
      },
    ]);
  });

  it("s3-bucket-require-versioning reports suspended or missing versioning", async () => {
    const suspended = edit(
      bucketSet(),
      "data-versioning",
      (p) => (p.versioningConfiguration.status = "Suspended"),
    );
    assert.deepStrictEqual(await checkStack(versioning, suspended), [
      {
        name: "data-versioning",
        message:
          'BucketVersioning "data-versioning" leaves Bucket "data-bucket" with versioning status "Suspended". Set ' +
          'versioningConfiguration: {status: "Enabled"}.',
      },
    ]);
    assert.match(
      (await checkStack(versioning, without(bucketSet(), "data-versioning")))[0].message,
      /has no versioning\./,
    );
  });

  it("s3-bucket-require-tls reports a bucket whose policy does not deny plain HTTP", async () => {
    const expected = [
      {
        name: "data-bucket",
        message:
          'Bucket "data-bucket" has no bucket policy statement denying plain-HTTP requests. Add an aws.s3.BucketPolicy ' +
          'statement {Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], ' +
          'Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
      },
    ];
    assert.deepStrictEqual(
      await checkStack(tlsOnly, without(bucketSet(), "data-policy")),
      expected,
    );
    const allowed = edit(
      bucketSet(),
      "data-policy",
      (p) => (p.policy = p.policy.replace('"false"', '"true"')),
    );
    assert.deepStrictEqual(await checkStack(tlsOnly, allowed), expected);
  });
});
