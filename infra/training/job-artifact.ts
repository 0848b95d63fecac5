// The model artifact of a finished SageMaker training or tuning job, as a resource: created once
// the job has completed (the provider waits for it), its output feeds the deployed model.
import * as pulumi from "@pulumi/pulumi";
import { JobKind, jobArtifactProvider } from "./artifact-provider";

export interface JobArtifactArgs {
  jobKind: JobKind;
  /** The training job, or the tuning job whose best training job's model is wanted. */
  jobName: pulumi.Input<string>;
  region: string;
  /** `s3://bucket/prefix/` under which the job writes its models. */
  outputPath: pulumi.Input<string>;
  /** Give up after this many seconds (the job keeps running; the next `pulumi up` waits again). */
  timeoutSeconds: number;
  /** Seconds between two Describe calls. */
  pollSeconds: number;
}

export class JobArtifact extends pulumi.dynamic.Resource {
  /** `s3://.../output/model.tar.gz` of the (best) training job. */
  declare readonly modelArtifactUri: pulumi.Output<string>;
  /** The training job that produced it. */
  declare readonly trainingJobName: pulumi.Output<string>;

  constructor(name: string, args: JobArtifactArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      jobArtifactProvider,
      name,
      { ...args, modelArtifactUri: undefined, trainingJobName: undefined },
      opts,
      "sagemaker",
      "JobArtifact",
    );
  }
}
