// The program's data bucket and its settings resources, as the S3 tests start from.
import { doc, Fixture } from "./harness";

export const BUCKET = "dog-breed-classifier-prod-123456789012";

/** The program's bucket and its v7 settings resources, each holding the bucket's name. */
export function bucketSet(): Fixture[] {
  return [
    {
      type: "aws:s3/bucket:Bucket",
      name: "data-bucket",
      props: { bucket: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
    },
    {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "data-public-access",
      props: {
        bucket: BUCKET,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
    {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: "data-encryption",
      props: {
        bucket: BUCKET,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
            },
            bucketKeyEnabled: true,
          },
        ],
      },
    },
    {
      type: "aws:s3/bucketVersioning:BucketVersioning",
      name: "data-versioning",
      props: { bucket: BUCKET, versioningConfiguration: { status: "Enabled" } },
    },
    {
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: "data-policy",
      props: {
        bucket: BUCKET,
        policy: doc({
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      },
    },
  ];
}
