// Declares every resource of one stack from its validated config and returns the stack outputs,
// part by part as the README's resource table lists them: data, access, training, inference and
// the budget. No module state: it can run several times in one process, once per stack.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  StackBudget,
  budgetAlertWaiting,
  budgetArgsFromConfig,
  refuseUndeliverableAlerts,
} from "./budget";
import type { StackConfig } from "./config";
import { AwsEnv, serviceTrustPolicy } from "./iam/policies";
import { Waiting, modelSource } from "./model-source";
import { projectRoot, stackNames } from "./naming";
import { notebookRole, trainingHostRole, trainingRole } from "./parts/access";
import type { StackContext } from "./parts/context";
import { dataPart } from "./parts/data";
import { inferenceImage, inferencePart } from "./parts/inference";
import { notebook, servedModel, trainingHost, trainingJob } from "./parts/training";

export { deployedModelData } from "./parts/training";

/** The ARNs of the stack's roles; each is set when the stack declares that role. */
export interface RoleArns {
  training?: pulumi.Output<string>;
  notebook?: pulumi.Output<string>;
  trainingHost?: pulumi.Output<string>;
  model?: pulumi.Output<string>;
  lambda?: pulumi.Output<string>;
}

/** What a stack declares, for its exports; the inference tier's entries are set once it exists. */
export type StackOutputs = {
  region: string;
  bucketName: pulumi.Output<string>;
  kmsKeyArn?: pulumi.Output<string>;
  inferenceImage: string;
  notebookName?: pulumi.Output<string>;
  trainingInstanceId?: pulumi.Output<string>;
  trainingJobName?: pulumi.Output<string>;
  trainingJobPreviousFailure?: pulumi.Output<string | undefined>;
  /** What the stack does not declare yet, why, and the commands that fill it in. */
  waiting: Waiting[];
  roleArns: RoleArns;
  modelDataUrl?: pulumi.Input<string>;
  endpointName?: pulumi.Output<string>;
  endpointArn?: pulumi.Output<string>;
  functionName?: pulumi.Output<string>;
  aliasArn?: pulumi.Output<string>;
  functionUrl?: pulumi.Output<string>;
};

export interface BuildOptions {
  /** The folder holding Pulumi.yaml, dist/handler and training/; found from this file by default. */
  root?: string;
}

/**
 * Declares the stack. Asynchronous because a training stack's inference tier depends on its job's
 * status, which the program reads once the job resource is registered.
 */
export async function buildStack(
  config: StackConfig,
  options: BuildOptions = {},
): Promise<StackOutputs> {
  const root = options.root ?? projectRoot(__dirname);
  const names = stackNames(config.prefix);
  // A preview and the offline check list undeliverable alerts as a step still to do; an update
  // refuses them before anything is deployed.
  if (!pulumi.runtime.isDryRun()) refuseUndeliverableAlerts(config);
  const alertWaiting = budgetAlertWaiting(config);

  // One explicit provider carries the region and the default tags to every resource.
  const provider = new aws.Provider(`${config.prefix}-aws`, {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags } },
  });
  const withProvider = { providers: { aws: provider } };

  const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
  const partition = aws.getPartitionOutput({}, { provider }).partition;
  const env: pulumi.Output<AwsEnv> = pulumi
    .all([partition, account])
    .apply(([p, a]) => ({ partition: p, region: config.region, account: a }));

  const data = dataPart(config, names, account, partition, withProvider);
  const ctx: StackContext = {
    config,
    root,
    names,
    withProvider,
    partition,
    env,
    // SageMaker sets aws:SourceAccount when it assumes a job's or a model's role.
    sagemakerTrust: env.apply((e) => serviceTrustPolicy("sagemaker.amazonaws.com", e.account)),
    bucket: data.bucketName,
    kmsKeyArn: data.kmsKeyArn,
  };
  const image = inferenceImage(ctx);

  // Training, the notebook and the host, and the monthly cost budget in AWS Budgets (the policy
  // pack holds the cost estimate to it): everything that needs no model, declared before the
  // program reads the job's status.
  const jobRole = trainingRole(ctx);
  const training = trainingJob(ctx, jobRole);
  const notebookRoleOfStack = notebookRole(ctx, jobRole);
  const hostRole = trainingHostRole(ctx);
  const notebookInstance = notebook(ctx, notebookRoleOfStack);
  const host = trainingHost(ctx, hostRole);
  const budgetArgs = budgetArgsFromConfig(config);
  if (budgetArgs) new StackBudget("cost", budgetArgs, withProvider);

  // The model the inference tier serves.
  const served = await servedModel(ctx, modelSource(config), training, data);

  const outputs: StackOutputs = {
    region: config.region,
    bucketName: data.bucketName,
    kmsKeyArn: data.kmsKeyArn,
    inferenceImage: image,
    notebookName: notebookInstance?.notebookName,
    trainingInstanceId: host?.instanceId,
    trainingJobName: training?.jobName,
    trainingJobPreviousFailure: training?.previousFailure,
    waiting: [...served.waiting, ...(alertWaiting ? [alertWaiting] : [])],
    roleArns: {
      training: jobRole?.arn,
      notebook: notebookRoleOfStack?.arn,
      trainingHost: hostRole?.arn,
    },
  };

  // The inference tier, declared only once a model exists to serve: a model whose artifact nothing
  // has put in place fails CreateModel and leaves the stack half-built.
  if (served.modelDataUrl === undefined) return outputs;
  const inference = inferencePart(ctx, served.modelDataUrl, served.releases, image);
  return {
    ...outputs,
    modelDataUrl: inference.modelDataUrl,
    endpointName: inference.endpointName,
    endpointArn: inference.endpointArn,
    functionName: inference.functionName,
    aliasArn: inference.aliasArn,
    functionUrl: inference.functionUrl,
    roleArns: {
      ...outputs.roleArns,
      model: inference.modelRoleArn,
      lambda: inference.lambdaRoleArn,
    },
  };
}
