// The handler's settings, read once from the environment at cold start. A bad value fails the
// init with one message that lists every offending variable, rather than surfacing later as a
// confusing error on some request.
import * as z from "zod/mini";
import { INVOKE_ENDPOINT_MAX_BYTES } from "../shared/aws-limits";

// MAX_IMAGE_BYTES is at most InvokeEndpoint's request limit; a serverless endpoint takes less
// (SERVERLESS_INVOKE_MAX_BYTES), and the program sets it accordingly.

// Endpoint names: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html
const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const intVar = (fallback: number, min: number, max: number) =>
  z.pipe(
    z._default(z.string(), String(fallback)).check(z.regex(/^\d{1,9}$/, "must be a whole number")),
    z.pipe(
      z.transform((text: string) => Number(text)),
      z
        .number()
        .check(z.minimum(min, `must be at least ${min}`), z.maximum(max, `must be at most ${max}`)),
    ),
  );

const envSchema = z.object({
  ENDPOINT_NAME: z
    .string()
    .check(z.regex(ENDPOINT_NAME_PATTERN, "must be a SageMaker endpoint name")),
  TOP_K: intVar(5, 1, 100),
  MAX_IMAGE_BYTES: intVar(INVOKE_ENDPOINT_MAX_BYTES, 1024, INVOKE_ENDPOINT_MAX_BYTES),
  FETCH_TIMEOUT_MS: intVar(5_000, 100, 60_000),
  FETCH_MAX_REDIRECTS: intVar(3, 0, 10),
  INVOKE_MAX_ATTEMPTS: intVar(3, 1, 5),
  DEADLINE_MARGIN_MS: intVar(500, 50, 10_000),
});

/** The parsed, frozen settings; see handler/README.md for each variable. */
export interface HandlerConfig {
  readonly endpointName: string;
  readonly topK: number;
  readonly maxImageBytes: number;
  readonly fetchTimeoutMs: number;
  readonly fetchMaxRedirects: number;
  readonly invokeMaxAttempts: number;
  /** Time kept back from the Lambda deadline to log and answer. */
  readonly deadlineMarginMs: number;
}

/** Thrown at cold start when the environment is unusable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid handler environment: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; an empty string counts as unset so deploy tools can blank a value. */
export function loadConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  const present: Record<string, string> = {};
  for (const key of Object.keys(envSchema.def.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") present[key] = value.trim();
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "environment");
        const shown = present[key] === undefined ? "unset" : JSON.stringify(present[key]);
        const why = issue.code === "invalid_type" ? "is required" : issue.message;
        return `${key} (${shown}) ${why}`;
      }),
    );
  }
  const v = parsed.data;
  return Object.freeze({
    endpointName: v.ENDPOINT_NAME,
    topK: v.TOP_K,
    maxImageBytes: v.MAX_IMAGE_BYTES,
    fetchTimeoutMs: v.FETCH_TIMEOUT_MS,
    fetchMaxRedirects: v.FETCH_MAX_REDIRECTS,
    invokeMaxAttempts: v.INVOKE_MAX_ATTEMPTS,
    deadlineMarginMs: v.DEADLINE_MARGIN_MS,
  });
}
