// Data: the bucket that holds the dataset, the training code, models and captures, and its KMS key.
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { DataBucket } from "../components/data-bucket";
import type { StackNames } from "../naming";

/** The stack's bucket (and KMS key when kmsEnabled). */
export function dataPart(
  config: StackConfig,
  names: StackNames,
  account: pulumi.Output<string>,
  partition: pulumi.Output<string>,
  opts: pulumi.ComponentResourceOptions,
): DataBucket {
  return new DataBucket(
    "data",
    {
      bucketName: account.apply(names.bucket),
      partition,
      kms: config.kmsEnabled,
      kmsKeyDeletionDays: config.kmsKeyDeletionDays,
      noncurrentVersionDays: config.bucketNoncurrentVersionDays,
      retain: config.bucketRetain,
    },
    opts,
  );
}
