// The budget a stack declares (an AWS Budgets cost budget) and how its estimate compares with it.
import {
  type CostEstimate,
  type CostLine,
  type ResourceLike,
  biggestItems,
  fmt,
  toGraph,
} from "./estimate";
import { HOURS_PER_MONTH } from "./prices";
import { TYPES } from "../shared/resource-types";

export const BUDGET_TYPE = TYPES.budget;

export interface StackBudget {
  urn: string;
  name: string;
  /** The budget's name in AWS, when known. */
  budgetName?: string;
  /** The limit as a monthly amount in USD. */
  monthlyUsd: number;
  /** The limit as declared, e.g. "400 USD per MONTHLY". */
  declared: string;
}

/** Months per budget period, to carry any period's limit to a month. */
const MONTHS_PER_PERIOD: Record<string, number> = {
  MONTHLY: 1,
  QUARTERLY: 3,
  ANNUALLY: 12,
  DAILY: 24 / HOURS_PER_MONTH,
};

function read(obj: unknown, key: string): unknown {
  try {
    return obj && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined; // Unknown at preview.
  }
}

/**
 * The cost budgets in USD the stack declares, each as a monthly limit. Budgets on usage, in another
 * unit, or whose limit is unknown at preview are not cost limits this estimate can be held to.
 */
export function stackBudgets(resources: readonly ResourceLike[]): StackBudget[] {
  const out: StackBudget[] = [];
  for (const r of toGraph(resources)) {
    if (r.type !== BUDGET_TYPE) continue;
    const type = read(r.props, "budgetType");
    const unit = read(r.props, "limitUnit");
    const amount = Number(read(r.props, "limitAmount"));
    const period = String(read(r.props, "timeUnit") ?? "MONTHLY");
    const months = MONTHS_PER_PERIOD[period];
    if (
      type !== "COST" ||
      (unit !== undefined && unit !== "USD") ||
      !Number.isFinite(amount) ||
      !months
    )
      continue;
    const budgetName = read(r.props, "name");
    out.push({
      urn: r.urn,
      name: r.name,
      ...(typeof budgetName === "string" ? { budgetName } : {}),
      monthlyUsd: amount / months,
      declared: `${amount} USD per ${period}`,
    });
  }
  return out;
}

/** The budget the stack is held to: the strictest of its cost budgets, if it has one. */
export function stackBudget(resources: readonly ResourceLike[]): StackBudget | undefined {
  return stackBudgets(resources).sort((a, b) => a.monthlyUsd - b.monthlyUsd)[0];
}

const MONEY = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

function money(n: number): string {
  return `$${MONEY.format(n)}`;
}

function itemText(l: CostLine): string {
  return `${l.name} ${l.item} ${money(l.monthlyMax)} (${l.formula})`;
}

/** The stack name from `urn:pulumi:<stack>::...`. */
function stackOf(urn: string): string {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/**
 * The violation when the top of the estimate exceeds the budget: the budget, the figures, the three
 * biggest items with their amounts and formulas, and what to change. Undefined when within budget.
 */
export function budgetViolation(estimate: CostEstimate, budget: StackBudget): string | undefined {
  const { min, max } = estimate.totals;
  if (max <= budget.monthlyUsd) return undefined;
  const stack = stackOf(budget.urn);
  const label = budget.budgetName ? `${budget.name} (${budget.budgetName})` : budget.name;
  const items = biggestItems(estimate, 3).map((l, i) => `${i + 1}. ${itemText(l)}`);
  return (
    `Budget ${label}: stack ${stack} is estimated at ${money(min)}–${money(max)} a month, ` +
    `over its limit of ${money(budget.monthlyUsd)} a month (${budget.declared}) by ` +
    `${money(max - budget.monthlyUsd)} at the top of the range. Biggest items: ${items.join("; ")}. ` +
    `Lower these (fewer or smaller instances, a lower autoscaling maximum, less provisioned ` +
    `concurrency, serverless inference, fewer hours or runs) or raise ` +
    `dog-breed-classifier:budgetMonthlyUsd to at least ${fmt(Math.ceil(max))}.`
  );
}

/**
 * The violation when billable resources have no price: the estimate would leave them out, so the
 * budget check fails closed instead of comparing a total that misses them. Undefined when every
 * billable item is priced.
 */
export function unpricedViolation(estimate: CostEstimate, budget: StackBudget): string | undefined {
  if (estimate.unpriced.length === 0) return undefined;
  const stack = stackOf(budget.urn);
  const label = budget.budgetName ? `${budget.name} (${budget.budgetName})` : budget.name;
  const n = estimate.unpriced.length;
  const items = estimate.unpriced.map((u) => `${u.name} (${u.what})`);
  return (
    `Budget ${label}: stack ${stack} cannot be held to its limit of ${money(budget.monthlyUsd)} a month: ` +
    `${n} billable item${n === 1 ? " has" : "s have"} no price, so the estimate of ` +
    `${money(estimate.totals.min)}–${money(estimate.totals.max)} leaves ${n === 1 ? "it" : "them"} out: ` +
    `${items.join("; ")}. Use a type the price table covers (cost/prices.ts), or add the ` +
    `price there, with its source, so the budget counts it.`
  );
}
