// The real program for a stack, run under mocks: the resource graph the budget policy sees,
// with the stack's budget declared by infra/stack.ts when `budgetMonthlyUsd` is above 0.
import { type StackResource, type StackRun, runStack } from "../../tools/stack-run";
import { SERVING } from "../infra/helpers";

/**
 * Prod as its stack file declares it, pinned where the tests' hand-computed figures depend on it,
 * so the arithmetic stays checkable whatever the stack file says later.
 */
export const PINNED_PROD = Object.freeze({
  endpointServerless: false,
  endpointInstanceType: "ml.m5.xlarge",
  endpointAutoscaling: true,
  endpointMinInstances: 2,
  endpointMaxInstances: 3,
  lambdaMemoryMb: 1024,
  lambdaProvisionedConcurrency: 2,
  monthlyRequests: 1000000,
  lambdaDurationMs: 500,
});

/** Runs `stack` with `overrides`; the program declares the budget itself. */
export function runWithBudget(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  // The stack as it serves, so that the graph holds its inference tier.
  const serving = SERVING[stack as "dev" | "prod"];
  return runStack({
    stack,
    overrides: { ...serving?.overrides, ...overrides },
    stackOutputs: serving?.stackOutputs,
  });
}

/** The graph as the policy SDK hands it to a stack policy: `props` and a resolved `parent`. */
export function asPolicyResources(resources: readonly StackResource[]) {
  const byUrn = new Map<
    string,
    { type: string; name: string; urn: string; props: Record<string, unknown>; parent?: unknown }
  >();
  for (const r of resources)
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: r.outputs });
  for (const r of resources) {
    if (r.parent && byUrn.has(r.parent)) byUrn.get(r.urn)!.parent = byUrn.get(r.parent);
  }
  return [...byUrn.values()];
}
