// S3 ACL grants to everyone or to every AWS account, on every type that carries an ACL, and the
// TLS deny judged by the bucket it names and the conditions it adds.
import * as assert from "assert";
import { publicAccess, tlsOnly } from "../../policies/s3";
import { checkStack, doc, Fixture } from "./harness";
import { BUCKET, bucketSet } from "./s3-fixtures";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

function withPolicy(statement: Record<string, unknown>): Fixture[] {
  return bucketSet().map((f) =>
    f.name === "data-policy" ? { ...f, props: { ...f.props, policy: doc(statement) } } : f,
  );
}

const TLS_DENY = {
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};

describe("s3-bucket-block-public-access: ACL grants", () => {
  const caught: [string, Fixture, RegExp][] = [
    [
      "a BucketAclV2 granting READ to AllUsers",
      {
        type: "aws:s3/bucketAclV2:BucketAclV2",
        name: "data-acl",
        props: {
          bucket: BUCKET,
          accessControlPolicy: {
            owner: { id: "owner" },
            grants: [
              { grantee: { type: "CanonicalUser", id: "owner" }, permission: "FULL_CONTROL" },
              { grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" },
            ],
          },
        },
      },
      /^BucketAclV2 "data-acl" accessControlPolicy\.grants\[1\] grants READ on Bucket "data-bucket" to AllUsers \(everyone on the internet\)\. Remove the grant/,
    ],
    [
      "a BucketAcl granting WRITE to AuthenticatedUsers",
      {
        type: "aws:s3/bucketAcl:BucketAcl",
        name: "data-acl",
        props: {
          bucket: BUCKET,
          accessControlPolicy: {
            owner: { id: "owner" },
            grants: [{ grantee: { type: "Group", uri: AUTHENTICATED }, permission: "WRITE" }],
          },
        },
      },
      /grants WRITE on Bucket "data-bucket" to AuthenticatedUsers \(anyone with an AWS account\)/,
    ],
    [
      "a BucketAcl with canned authenticated-read",
      {
        type: "aws:s3/bucketAcl:BucketAcl",
        name: "data-acl",
        props: { bucket: BUCKET, acl: "authenticated-read" },
      },
      /^BucketAcl "data-acl" sets acl "authenticated-read" on Bucket "data-bucket"\. Remove the ACL/,
    ],
    [
      "an object uploaded public-read",
      {
        type: "aws:s3/bucketObjectv2:BucketObjectv2",
        name: "model-file",
        props: { bucket: BUCKET, key: "models/model.tar.gz", acl: "public-read" },
      },
      /^BucketObjectv2 "model-file" sets acl "public-read" on object "models\/model\.tar\.gz" in Bucket "data-bucket"/,
    ],
    [
      "an object copy granting AllUsers in a bucket outside the stack",
      {
        type: "aws:s3/objectCopy:ObjectCopy",
        name: "copy",
        props: {
          bucket: "elsewhere",
          key: "k",
          source: "a/b",
          grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }],
        },
      },
      /^ObjectCopy "copy" grants\[0\] grants READ on object "k" in bucket "elsewhere" to AllUsers/,
    ],
    [
      "inline bucket grants to AllUsers",
      {
        type: "aws:s3/bucketV2:BucketV2",
        name: "legacy",
        props: {
          bucket: "legacy-bucket",
          grants: [{ type: "Group", uri: `${ALL_USERS}/`, permissions: ["READ_ACP", "READ"] }],
        },
      },
      /^BucketV2 "legacy" grants\[0\] grants READ_ACP, READ on itself to AllUsers/,
    ],
  ];
  for (const [what, f, re] of caught) {
    it(`reports ${what}`, async () => {
      const found = await checkStack(publicAccess, [...bucketSet(), f]);
      const about = found.filter(
        (x) => x.name === f.name && /sets acl|grants\[|grants\]? grants/.test(x.message),
      );
      assert.strictEqual(about.length, 1, JSON.stringify(found));
      assert.match(about[0].message, re);
    });
  }

  it("passes private, bucket-owner and log-delivery ACLs, and grants to named accounts", async () => {
    const fine: Fixture[] = [
      {
        type: "aws:s3/bucketAclV2:BucketAclV2",
        name: "a",
        props: { bucket: BUCKET, acl: "private" },
      },
      {
        type: "aws:s3/bucketObjectv2:BucketObjectv2",
        name: "o",
        props: { bucket: BUCKET, key: "k", acl: "bucket-owner-full-control" },
      },
      {
        type: "aws:s3/bucketAcl:BucketAcl",
        name: "logs",
        props: {
          bucket: BUCKET,
          accessControlPolicy: {
            owner: { id: "owner" },
            grants: [
              {
                grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/s3/LogDelivery" },
                permission: "WRITE",
              },
              { grantee: { type: "CanonicalUser", id: "owner" }, permission: "FULL_CONTROL" },
            ],
          },
        },
      },
    ];
    assert.deepStrictEqual(await checkStack(publicAccess, [...bucketSet(), ...fine]), []);
  });
});

describe("s3-bucket-block-public-access: the account-wide block", () => {
  const account = (flags: Record<string, unknown>): Fixture => ({
    type: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    name: "account-pab",
    props: flags,
  });
  const ALL_ON = {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  };

  it("reports an account-wide block with a setting off or unset", async () => {
    const found = await checkStack(publicAccess, [
      ...bucketSet(),
      account({ ...ALL_ON, restrictPublicBuckets: false, ignorePublicAcls: undefined }),
    ]);
    assert.deepStrictEqual(found, [
      {
        name: "account-pab",
        message:
          'AccountPublicAccessBlock "account-pab" leaves ignorePublicAcls unset, restrictPublicBuckets false for ' +
          "every bucket of the account. Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and " +
          "restrictPublicBuckets to true.",
      },
    ]);
  });

  it("passes an account-wide block with all four settings on", async () => {
    assert.deepStrictEqual(await checkStack(publicAccess, [...bucketSet(), account(ALL_ON)]), []);
  });
});

describe("s3-bucket-require-tls: the bucket the deny names", () => {
  const caught: [string, Record<string, unknown>][] = [
    [
      "a deny on another bucket",
      { ...TLS_DENY, Resource: ["arn:aws:s3:::other-bucket", "arn:aws:s3:::other-bucket/*"] },
    ],
    [
      "a deny on one prefix of the bucket",
      { ...TLS_DENY, Resource: [`arn:aws:s3:::${BUCKET}/public/*`] },
    ],
    [
      "a deny narrowed by another condition",
      {
        ...TLS_DENY,
        Condition: {
          Bool: { "aws:SecureTransport": "false" },
          StringEquals: { "aws:SourceVpce": "vpce-1" },
        },
      },
    ],
    [
      "a deny whose condition is true",
      { ...TLS_DENY, Condition: { Bool: { "aws:SecureTransport": "true" } } },
    ],
  ];
  for (const [what, statement] of caught) {
    it(`reports ${what}`, async () => {
      const found = await checkStack(tlsOnly, withPolicy(statement));
      assert.deepStrictEqual(
        found.map((f) => f.name),
        ["data-bucket"],
      );
      assert.match(found[0].message, /has no bucket policy statement denying plain-HTTP requests/);
    });
  }

  it("knows the bucket by its ARN when its name is not given", async () => {
    const byArn = (statement: Record<string, unknown>) =>
      withPolicy(statement).map((f) =>
        f.name === "data-bucket"
          ? { ...f, props: { id: BUCKET, arn: `arn:aws:s3:::${BUCKET}` } }
          : f,
      );
    const other = { ...TLS_DENY, Resource: "arn:aws:s3:::other-bucket/*" };
    assert.strictEqual((await checkStack(tlsOnly, byArn(other))).length, 1);
    assert.deepStrictEqual(await checkStack(tlsOnly, byArn(TLS_DENY)), []);
  });

  it("passes the deny on the bucket, on a wildcard covering it, and in another partition", async () => {
    for (const resource of [
      `arn:aws:s3:::${BUCKET}/*`,
      "arn:aws:s3:::dog-breed-classifier-*/*",
      "*",
      `arn:aws-cn:s3:::${BUCKET}/*`,
    ]) {
      assert.deepStrictEqual(
        await checkStack(tlsOnly, withPolicy({ ...TLS_DENY, Resource: resource })),
        [],
        resource,
      );
    }
    assert.deepStrictEqual(
      await checkStack(
        tlsOnly,
        withPolicy({ ...TLS_DENY, Condition: { BoolIfExists: { "aws:SecureTransport": false } } }),
      ),
      [],
    );
  });
});
