// Declares every resource of one stack from its validated config and returns the stack outputs.
// No module state: it can run several times in one process, once per stack.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { DataBucket } from "./components/data-bucket";
import { NAME_LIMITS, physicalName } from "./naming";

export type StackOutputs = Record<string, pulumi.Output<unknown> | unknown>;

export function buildStack(config: StackConfig): StackOutputs {
  const { prefix } = config;

  // One explicit provider carries the region and the default tags to every resource.
  const provider = new aws.Provider(`${prefix}-aws`, {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags } },
  });
  const providerOpts = { providers: { aws: provider } };
  const invokeOpts = { provider };

  const identity = aws.getCallerIdentityOutput({}, invokeOpts);
  const partition = aws.getPartitionOutput({}, invokeOpts).partition;
  const account = identity.accountId;

  const data = new DataBucket(
    "data",
    {
      bucketName: account.apply((id) => physicalName(prefix, id, NAME_LIMITS.s3Bucket, true)),
      partition,
      kms: config.kmsEnabled,
      kmsKeyDeletionDays: config.kmsKeyDeletionDays,
      noncurrentVersionDays: config.bucketNoncurrentVersionDays,
      retain: config.bucketRetain,
    },
    providerOpts,
  );

  return {
    bucketName: data.bucketName,
  };
}
