// The Pulumi program: load and validate the stack config, declare the stack, export its outputs.
import { loadConfig } from "./config";
import { buildStack } from "./stack";

const outputs = buildStack(loadConfig());

export const bucketName = outputs.bucketName;
export const endpointName = outputs.endpointName;
export const functionName = outputs.functionName;
export const aliasArn = outputs.aliasArn;
export const functionUrl = outputs.functionUrl;
export const notebookName = outputs.notebookName;
export const trainingInstanceId = outputs.trainingInstanceId;
export const roleArns = outputs.roleArns;
