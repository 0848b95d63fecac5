// Promotion of a reviewed model into the stack's own bucket: S3 copies the pinned source object
// (another stack's model, or a release artifact, by bucket, key and version) under
// models/releases/<etag>/ only while it still has the pinned ETag, so the deployed model is exactly
// the one reviewed, and the model role reads this stack's bucket only. The pin is config: nothing
// the source stack does later (a retrain, a reset, a destroy) changes what this stack copies.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { copySource, quotedEtag } from "../model-source";

export interface ModelPromotionArgs {
  /** `s3://bucket/key.tar.gz` of the source object, with `?versionId=<id>` for one version. */
  sourceObject: string;
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
    // CopyObject's source is `bucket/key`, with `?versionId=` for one version.
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
    const source = copySource(args.sourceObject);
    this.copy = new aws.s3.ObjectCopy(
      `${name}-copy`,
      {
        bucket: args.bucketName,
        key: `${args.releasesPrefix}${etag}/model.tar.gz`,
        source,
        copyIfMatch: quotedEtag(etag),
        contentType: "application/gzip",
        // The copy gets the stack's default tags. Without REPLACE, S3 copies the source's tags
        // instead, the provider reads tags that differ from the default tags and every `up` shows
        // a diff and copies again (hashicorp/terraform-provider-aws#25477, open).
        taggingDirective: "REPLACE",
        ...(args.kmsKeyArn !== undefined
          ? { serverSideEncryption: "aws:kms", kmsKeyId: args.kmsKeyArn, bucketKeyEnabled: true }
          : { serverSideEncryption: "AES256" }),
      },
      // A superseded release stays in the bucket (versioned, expired by its lifecycle), so a
      // rollback to the previous endpoint configuration still finds its model.
      // Tags never re-copy a release: a changed default tag leaves the reviewed copy as it is.
      { parent: this, retainOnDelete: true, ignoreChanges: ["tags", "tagsAll"] },
    );
    this.modelDataUrl = pulumi.interpolate`s3://${this.copy.bucket}/${this.copy.key}`;
    this.registerOutputs({ modelDataUrl: this.modelDataUrl });
  }
}
