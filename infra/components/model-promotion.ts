// Promotion of a reviewed model into the stack's own bucket: S3 copies the source object (another
// stack's model, or a release artifact) under models/releases/<etag>/ only while the source still
// has the pinned ETag, so the deployed model is exactly the one reviewed, and the model role reads
// this stack's bucket only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { quotedEtag } from "../model-source";

export interface ModelPromotionArgs {
  /** `s3://bucket/key.tar.gz` of the source object. */
  sourceUri: pulumi.Input<string>;
  /** The source object's ETag; S3 refuses the copy when the source differs (x-amz-copy-source-if-match). */
  etag: string;
  bucketName: pulumi.Input<string>;
  /** Prefix of promoted models in the bucket, ending in `/`. */
  releasesPrefix: string;
  /** The stack's KMS key; the copy is encrypted with it. */
  kmsKeyArn?: pulumi.Input<string>;
}

export class ModelPromotion extends pulumi.ComponentResource {
  readonly copy: aws.s3.ObjectCopy;
  /** `s3://<bucket>/<releasesPrefix><etag>/model.tar.gz`, known once the copy exists. */
  readonly modelDataUrl: pulumi.Output<string>;

  constructor(name: string, args: ModelPromotionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:storage:ModelPromotion", name, {}, opts);
    if (!/^([\w.-]+\/)+$/.test(args.releasesPrefix)) {
      throw new Error(`${name}: releasesPrefix must end in "/", got ${args.releasesPrefix}`);
    }
    const etag = args.etag.replace(/"/g, "");
    // CopyObject's source is `bucket/key`. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
    const source = pulumi.output(args.sourceUri).apply((uri) => {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri ?? "");
      if (!m) {
        throw new Error(
          `${name}: the promoted source is not an S3 object URI (got ${JSON.stringify(uri)}); the source stack exports no modelDataUrl until it has a model`,
        );
      }
      return `${m[1]}/${m[2]}`;
    });
    this.copy = new aws.s3.ObjectCopy(
      `${name}-copy`,
      {
        bucket: args.bucketName,
        key: `${args.releasesPrefix}${etag}/model.tar.gz`,
        source,
        copyIfMatch: quotedEtag(etag),
        contentType: "application/gzip",
        ...(args.kmsKeyArn !== undefined
          ? { serverSideEncryption: "aws:kms", kmsKeyId: args.kmsKeyArn, bucketKeyEnabled: true }
          : { serverSideEncryption: "AES256" }),
      },
      // A superseded release stays in the bucket (versioned, expired by its lifecycle), so a
      // rollback to the previous endpoint configuration still finds its model.
      { parent: this, retainOnDelete: true },
    );
    this.modelDataUrl = pulumi.interpolate`s3://${this.copy.bucket}/${this.copy.key}`;
    this.registerOutputs({ modelDataUrl: this.modelDataUrl });
  }
}
