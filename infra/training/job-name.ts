// The name of a training or tuning job, as a resource: the digest-derived base for the first
// attempt, the next free `<base>-<n>` once an attempt failed or was stopped (see the provider).
import * as pulumi from "@pulumi/pulumi";
import { JobNameKind, jobNameProvider } from "./job-name-provider";

export interface JobNameArgs {
  base: pulumi.Input<string>;
  kind: JobNameKind;
  region: string;
  maxLength: number;
}

export class JobName extends pulumi.dynamic.Resource {
  /** The name the job gets. */
  declare readonly name: pulumi.Output<string>;
  declare readonly attempt: pulumi.Output<number>;
  /** Why the previous attempt ended; empty for a first attempt. */
  declare readonly previousFailure: pulumi.Output<string>;

  constructor(name: string, args: JobNameArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      jobNameProvider,
      name,
      { ...args, name: undefined, attempt: undefined, previousFailure: undefined },
      opts,
      "sagemaker",
      "JobName",
    );
  }
}
