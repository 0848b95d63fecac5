// The Pulumi program: load and validate the stack config, declare the stack, export its outputs.
import { loadConfig } from "./config";
import { buildStack } from "./stack";

const outputs = buildStack(loadConfig());
const roles = outputs.roleArns;

export const bucketName = outputs.bucketName;
export const endpointName = outputs.endpointName;
export const functionName = outputs.functionName;
export const aliasArn = outputs.aliasArn;
/** Set when the stack has lambdaFunctionUrl on. */
export const functionUrl = outputs.functionUrl;
/** Set when the stack has notebookEnabled on. */
export const notebookName = outputs.notebookName;
/** Set when the stack has ec2Enabled on. */
export const trainingInstanceId = outputs.trainingInstanceId;
/** The model artifact the endpoint serves: the one promoted by config, or the job's output. */
export const modelDataUrl = outputs.modelDataUrl;
/** Set when the stack has trainingMode train or tune. */
export const trainingJobName = outputs.trainingJobName;
/** Set when a training or tuning job is a retry: why the previous attempt failed or stopped. */
export const trainingJobPreviousFailure = outputs.trainingJobPreviousFailure;
/** What the stack does not declare yet (its inference tier without a model), why, and what to run. */
export const waiting = outputs.waiting;
export const modelRoleArn = roles.model;
export const lambdaRoleArn = roles.lambda;
export const trainingRoleArn = roles.training;
export const notebookRoleArn = roles.notebook;
export const trainingHostRoleArn = roles.trainingHost;
