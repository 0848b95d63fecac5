// The Pulumi program: load and validate the stack config, declare the stack, export its outputs.
// The module exports a promise of the outputs, which the Node.js runtime awaits
// (@pulumi/pulumi cmd/run: a program's exported value is awaited).
import { loadConfig } from "./config";
import { StackOutputs, buildStack } from "./stack";

export = buildStack(loadConfig()).then(exportsOf);

function exportsOf(outputs: StackOutputs) {
  const roles = outputs.roleArns;
  return {
    bucketName: outputs.bucketName,
    endpointName: outputs.endpointName,
    functionName: outputs.functionName,
    aliasArn: outputs.aliasArn,
    /** Set when the stack has lambdaFunctionUrl on. */
    functionUrl: outputs.functionUrl,
    /** Set when the stack has notebookEnabled on. */
    notebookName: outputs.notebookName,
    /** Set when the stack has ec2Enabled on. */
    trainingInstanceId: outputs.trainingInstanceId,
    /** The model artifact the endpoint serves: the one promoted by config, or the job's output. */
    modelDataUrl: outputs.modelDataUrl,
    /** Set when the stack has trainingMode train or tune. */
    trainingJobName: outputs.trainingJobName,
    /** Set when a training or tuning job is a retry: why the previous attempt failed or stopped. */
    trainingJobPreviousFailure: outputs.trainingJobPreviousFailure,
    /** What the stack does not declare yet (its inference tier without a model), why, and what to run. */
    waiting: outputs.waiting,
    modelRoleArn: roles.model,
    lambdaRoleArn: roles.lambda,
    trainingRoleArn: roles.training,
    notebookRoleArn: roles.notebook,
    trainingHostRoleArn: roles.trainingHost,
  };
}
