// Who the stacks are: the project's name (the config namespace and every physical name's prefix)
// and how a stack's environment is decided. The program, the policy pack, the estimator and the
// offline check all read these from here.

/** The Pulumi project name, as `Pulumi.yaml` declares it; also the config namespace. */
export const PROJECT = "dog-breed-classifier";

/** The tag that carries a stack's environment on every resource (the provider's default tags). */
export const ENVIRONMENT_TAG = "environment";

/** The training a stack runs: none (deploy an artifact), one training job, or a tuning job. */
export type TrainingMode = "none" | "train" | "tune";

/** A stack's environment: the `environment` config key, or the stack's name when that is empty. */
export function resolveEnvironment(stack: string, configured: string): string {
  return configured !== "" ? configured : stack;
}
