// Cost: the stack's estimated monthly cost against the budget it declares.
//
// The budget is the stack's own AWS Budgets cost budget (infra/budget.ts declares it from
// `budgetMonthlyUsd`), so the limit the policy enforces is the one AWS alerts on. The usage
// assumptions (requests, hours, runs, storage) come from this policy's config, which the offline
// check and CI build from the stack config with `policyConfigFromStackConfig`; a stack without a
// budget is not checked.
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { budgetViolation, stackBudget, unpricedViolation } from "../cost/budget";
import { estimateCost } from "../cost/estimate";
import {
  BUDGET_POLICY,
  type UsagePolicyConfig,
  usageConfigSchema,
  usageFromPolicyConfig,
} from "../cost/usage";

/** The region of the stack's AWS provider, when the engine sent the provider. */
function providerRegion(resources: readonly PolicyResource[]): string | undefined {
  for (const r of resources) {
    const provider = r.type === "pulumi:providers:aws" ? r : r.provider;
    if (!provider || provider.type !== "pulumi:providers:aws") continue;
    try {
      const region = (provider.props as Record<string, unknown>).region;
      if (typeof region === "string" && region !== "") return region;
    } catch {
      // Unknown at preview.
    }
  }
  return undefined;
}

/**
 * Mandatory: the top of the stack's estimated monthly cost stays within its budget, and every
 * billable resource has a price.
 */
export const costBudgetEnforce: StackValidationPolicy = {
  name: BUDGET_POLICY,
  description:
    "The stack's estimated monthly cost, at the top of its range, stays within the limit of its AWS Budgets cost budget, and every billable resource in it has a price.",
  enforcementLevel: "mandatory",
  configSchema: usageConfigSchema() as PolicyConfigSchema,
  validateStack: (args, reportViolation) => {
    const budget = stackBudget(args.resources);
    if (!budget) return;
    const config = args.getConfig<Partial<UsagePolicyConfig>>() ?? {};
    const region = providerRegion(args.resources) ?? config.region ?? "us-east-1";
    const estimate = estimateCost(args.resources, usageFromPolicyConfig(config), region);
    const message = budgetViolation(estimate, budget);
    if (message) reportViolation(message, budget.urn);
    // Fail closed: an unpriced billable resource is a finding, never a zero in the total.
    const unpriced = unpricedViolation(estimate, budget);
    if (unpriced) reportViolation(unpriced, budget.urn);
  },
};

export const costPolicies = [costBudgetEnforce];
