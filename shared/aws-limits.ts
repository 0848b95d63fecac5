// AWS limits and accepted values that more than one part of the project relies on, each with the
// page that states it.

/**
 * InvokeEndpoint takes a request body of at most 6 MB (6,291,456 bytes) and answers with at most
 * the same. https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 */
export const INVOKE_ENDPOINT_MAX_BYTES = 6_291_456;

/**
 * Serverless endpoints take request payloads up to 4 MB.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html
 */
export const SERVERLESS_INVOKE_MAX_BYTES = 4 * 1024 * 1024;

/** CloudWatch Logs' accepted retention values. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

// The Node.js runtimes the handler is built for, oldest first. The day AWS deprecates each is in
// LAMBDA_RUNTIME_DEPRECATION (shared/lambda-runtimes.ts), which the policy pack reads too: the
// stack config refuses one past its day.
// nodejs26.x is a public preview only (since 2026-08, "not for production use", outside the Lambda
// SLA: https://github.com/aws/aws-lambda-roadmap/issues/56), so it is not offered yet.
export const LAMBDA_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;

/**
 * A notebook lifecycle hook's `Content`, the base64 encoding of its script, holds 1 to 16,384
 * characters, so the script itself may have at most 12,288 bytes.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NotebookInstanceLifecycleHook.html
 */
export const LIFECYCLE_CONTENT_MAX_CHARS = 16_384;

/** Characters of the base64 encoding of `bytes` bytes (padded, as the API takes it). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}
