// What every part of a stack is declared with: its config, names, provider, account and bucket.
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { AwsEnv, PolicyDocument } from "../iam/policies";
import type { StackNames } from "../naming";

export interface StackContext {
  readonly config: StackConfig;
  /** The folder holding Pulumi.yaml, dist/handler and training/. */
  readonly root: string;
  readonly names: StackNames;
  /** Options that put a resource on the stack's one explicit provider. */
  readonly withProvider: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
  readonly partition: pulumi.Output<string>;
  readonly env: pulumi.Output<AwsEnv>;
  /** The trust policy of the roles SageMaker assumes for this account's jobs and models. */
  readonly sagemakerTrust: pulumi.Output<PolicyDocument>;
  readonly bucket: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string> | undefined;
}
