// The data and model bucket: encrypted (a rotated customer-managed KMS key when asked), versioned,
// closed to the public, TLS only, old versions expired; optionally kept on `pulumi destroy`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyBucketPolicy } from "../iam/policies";

export interface DataBucketArgs {
  /** Physical bucket name (lower case, at most 63 characters). */
  bucketName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  /** Encrypt with a customer-managed KMS key instead of S3-managed keys. */
  kms: boolean;
  kmsKeyDeletionDays: number;
  noncurrentVersionDays: number;
  /** Protect the bucket and keep it and its key when the stack is destroyed. */
  retain: boolean;
}

export class DataBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly kmsKey?: aws.kms.Key;
  /** The KMS key ARN, when the bucket uses a customer-managed key. */
  readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, args: DataBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:storage:DataBucket", name, {}, opts);
    const parent = { parent: this };
    const keep = { parent: this, protect: args.retain, retainOnDelete: args.retain };

    if (args.kms) {
      this.kmsKey = new aws.kms.Key(
        `${name}-key`,
        {
          description: pulumi.interpolate`Data and model bucket ${args.bucketName}`,
          enableKeyRotation: true,
          rotationPeriodInDays: 365,
          deletionWindowInDays: args.kmsKeyDeletionDays,
        },
        keep,
      );
      this.kmsKeyArn = this.kmsKey.arn;
      new aws.kms.Alias(
        `${name}-key-alias`,
        { name: pulumi.interpolate`alias/${args.bucketName}`, targetKeyId: this.kmsKey.keyId },
        parent,
      );
    }

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      // A bucket that is not retained is emptied on destroy, so that dev stacks come down cleanly.
      { bucket: args.bucketName, forceDestroy: !args.retain },
      keep,
    );
    const bucket = this.bucket.bucket;

    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: this.kmsKey
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKey.arn }
              : { sseAlgorithm: "AES256" },
            // S3 Bucket Keys cut KMS requests (and their cost) for SSE-KMS.
            bucketKeyEnabled: this.kmsKey !== undefined,
          },
        ],
      },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket,
        policy: pulumi
          .all([args.partition, bucket])
          .apply(([partition, b]) => JSON.stringify(tlsOnlyBucketPolicy({ partition }, b))),
      },
      // The public access block must exist first, or S3 may judge the policy as it stands alone.
      { parent: this, dependsOn: [publicAccess] },
    );

    this.bucketName = bucket;
    this.arn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn, kmsKeyArn: this.kmsKeyArn });
  }
}
