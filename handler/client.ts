// The one SageMaker Runtime client a container uses. Region, credentials and endpoint come from
// the standard SDK settings (AWS_REGION, the Lambda role's credentials,
// AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME), so nothing here is specific to an account.
import {
  SageMakerRuntimeClient,
  type SageMakerRuntimeClientConfig,
} from "@aws-sdk/client-sagemaker-runtime";

/** Connection settings shared by the production client and the benchmark's baselines. */
export function clientConfig(maxAttempts: number): SageMakerRuntimeClientConfig {
  // Keep-alive spares a TLS handshake per invocation on a warm container; the socket pool is
  // bounded because one Lambda container serves one request at a time.
  const agent = { keepAlive: true, maxSockets: 8 };
  return {
    maxAttempts,
    requestHandler: {
      connectionTimeout: 3_000,
      httpsAgent: agent,
      httpAgent: agent,
    },
  };
}

/** Builds the client; `maxAttempts` bounds the SDK's retries of throttling and 5xx answers. */
export function createSageMakerClient(maxAttempts: number): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient(clientConfig(maxAttempts));
}
