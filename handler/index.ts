// Lambda entry point (`index.handler`). Module scope runs once per container: settings, logger and
// the SageMaker client are built here and reused by every invocation.
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { type HandlerResponse, handleEvent } from "./app";
import { createSageMakerClient } from "./client";
import { loadConfig } from "./config";
import { defaultGuard } from "./fetch-image";

// Level from POWERTOOLS_LOG_LEVEL or Lambda's own log-level setting; JSON lines to CloudWatch.
const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "dog-breed-classifier",
});

const config = (() => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    logger.error("the function is misconfigured", { error });
    throw error;
  }
})();

const client = createSageMakerClient(config.invokeMaxAttempts);

const guard = defaultGuard({
  maxBytes: config.maxImageBytes,
  timeoutMs: config.fetchTimeoutMs,
  maxRedirects: config.fetchMaxRedirects,
});

/** Classifies the image in a direct invocation or a function URL / HTTP API request. */
export async function handler(event: unknown, context: Context): Promise<HandlerResponse> {
  logger.addContext(context);
  return handleEvent(event, context, { client, config, guard, log: logger });
}
