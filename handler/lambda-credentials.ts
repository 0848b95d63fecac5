// The credential chain the bundle gives the SDK in place of its Node default chain
// (@aws-sdk/credential-provider-node; scripts/build.mjs aliases it here).
//
// Lambda hands a function its execution role's credentials in environment variables, and compute
// that serves credentials over HTTP sets AWS_CONTAINER_CREDENTIALS_*; profiles, SSO, web identity
// files and instance metadata never apply to this function. Those providers are about a third of
// the bundle, and every cold start pays to load them.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
import { fromEnv } from "@aws-sdk/credential-provider-env";
import { fromHttp } from "@aws-sdk/credential-provider-http";

type Init = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

/** Environment credentials first, then the container credentials endpoint when one is set. */
export function defaultProvider(init: Init = {}): ReturnType<typeof fromEnv> {
  const fromEnvironment = fromEnv(init);
  // fromHttp throws at construction when no endpoint is set, so it is built on first need.
  let fromContainer: ReturnType<typeof fromHttp> | undefined;
  return async (properties) => {
    const env = process.env;
    const hasKeys = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
    const hasContainer = Boolean(
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
    );
    // Without either, fromEnv throws CredentialsProviderError naming the missing variables.
    if (hasKeys || !hasContainer) return fromEnvironment(properties);
    fromContainer ??= fromHttp(init);
    return fromContainer(properties);
  };
}
