// The stack's monthly cost budget in AWS Budgets: it tracks the actual spend of the resources tagged
// with this project and environment, and alerts its subscribers (an email address and/or an SNS
// topic) when the month's actual cost passes 80% of the limit or its forecast passes 100%. The
// policy pack holds the stack's cost estimate to the same limit before anything is deployed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeployRefusedError } from "./deploy-gate";
import type { Waiting } from "./model-source";

export interface StackBudgetArgs {
  /** The budget's name in AWS (unique in the account). */
  budgetName: string;
  /** The monthly limit in whole US dollars; must be positive (declare no budget for none). */
  monthlyLimitUsd: number;
  /** Value of the `project` tag the budget's cost filter matches. */
  project: string;
  /** Value of the `environment` tag the budget's cost filter matches. */
  environment: string;
  /** Address that receives the alerts; a budget needs this or `alertSnsTopicArn`. */
  alertEmail?: string;
  /** SNS topic that receives the alerts; its policy must let budgets.amazonaws.com publish. */
  alertSnsTopicArn?: string;
  /**
   * Activate `project` and `environment` as cost allocation tags, so that the filter sees costs.
   * Only a management (or standalone) account may, and only once the keys appear in billing data.
   */
  activateCostTags?: boolean;
}

/** What the budget needs from the stack config. */
export interface BudgetConfig {
  prefix: string;
  budgetMonthlyUsd: number;
  tags: Readonly<Record<string, string>>;
  budgetAlertEmail?: string;
  budgetAlertSnsTopicArn?: string;
  budgetActivateCostTags?: boolean;
}

/**
 * The budget a stack's config asks for, or undefined when `budgetMonthlyUsd` is 0. Named
 * `${prefix}-monthly`, over the stack's `project` and `environment` tags.
 */
export function budgetArgsFromConfig(config: BudgetConfig): StackBudgetArgs | undefined {
  if (config.budgetMonthlyUsd === 0) return undefined;
  return {
    budgetName: `${config.prefix}-monthly`,
    monthlyLimitUsd: config.budgetMonthlyUsd,
    project: config.tags.project ?? "",
    environment: config.tags.environment ?? "",
    ...(config.budgetAlertEmail ? { alertEmail: config.budgetAlertEmail } : {}),
    ...(config.budgetAlertSnsTopicArn ? { alertSnsTopicArn: config.budgetAlertSnsTopicArn } : {}),
    ...(config.budgetActivateCostTags ? { activateCostTags: true } : {}),
  };
}

/**
 * Domains reserved for documentation and testing, which never receive mail: example.com, .net and
 * .org (RFC 2606 section 3, https://www.rfc-editor.org/rfc/rfc2606#section-3), the top-level names
 * .test, .example, .invalid and .localhost (RFC 2606 section 2) and localhost itself (RFC 6761
 * section 6.3, https://www.rfc-editor.org/rfc/rfc6761#section-6.3).
 */
export const RESERVED_MAIL_DOMAINS = ["example.com", "example.net", "example.org"] as const;
export const RESERVED_MAIL_TLDS = ["test", "example", "invalid", "localhost"] as const;

/** The reserved domain an address is in, or undefined for a domain that can receive mail. */
export function reservedMailDomain(address: string): string | undefined {
  const domain = (address.split("@").pop() ?? "").toLowerCase().replace(/\.$/, "");
  if (domain === "localhost") return "localhost";
  for (const d of RESERVED_MAIL_DOMAINS) if (domain === d || domain.endsWith(`.${d}`)) return d;
  const tld = domain.split(".").pop() ?? "";
  return (RESERVED_MAIL_TLDS as readonly string[]).includes(tld) ? `.${tld}` : undefined;
}

const q = (key: string) => `dog-breed-classifier:${key}`;

/**
 * What keeps the budget's alerts from reaching anyone: no subscriber, or an address in a
 * reserved domain. A preview and the offline check list it as a step still to do; `pulumi up`
 * refuses to deploy (see `refuseUndeliverableAlerts`).
 */
export function budgetAlertWaiting(config: BudgetConfig & { stack: string }): Waiting | undefined {
  if (config.budgetMonthlyUsd === 0) return undefined;
  const email = config.budgetAlertEmail ?? "";
  const topic = config.budgetAlertSnsTopicArn ?? "";
  const reserved = email === "" ? undefined : reservedMailDomain(email);
  if (reserved === undefined && (email !== "" || topic !== "")) return undefined;
  const reason =
    email === ""
      ? `budgetMonthlyUsd is ${config.budgetMonthlyUsd} but budgetAlertEmail and budgetAlertSnsTopicArn are empty: the budget's alerts would reach nobody`
      : `budgetAlertEmail = ${JSON.stringify(email)} is in ${reserved}, a domain reserved for examples that receives no mail`;
  return {
    what: "budget alerts: the address that receives them",
    reason: `${reason}; \`pulumi up\` refuses to deploy until it is a real address (or an SNS topic)`,
    next: [
      `pulumi config set ${q("budgetAlertEmail")} <your team's address> --stack ${config.stack}`,
    ],
  };
}

/** Throws, naming the key, its value and what is allowed, when the alerts would reach nobody. */
export function refuseUndeliverableAlerts(config: BudgetConfig & { stack: string }): void {
  const waiting = budgetAlertWaiting(config);
  if (waiting === undefined) return;
  throw new DeployRefusedError(
    `dog-breed-classifier:budgetAlertEmail = ${JSON.stringify(config.budgetAlertEmail ?? "")}: ` +
      `${waiting.reason.split(";")[0]}. Allowed: an address in a domain that receives mail (not ` +
      `${[...RESERVED_MAIL_DOMAINS, ...RESERVED_MAIL_TLDS.map((t) => `.${t}`)].join(", ")}), ` +
      `or budgetAlertSnsTopicArn. Set it: ${waiting.next[0]}`,
  );
}

/** Alert thresholds, in percent of the limit. */
export const BUDGET_ALERTS = Object.freeze({ actualPercent: 80, forecastedPercent: 100 });

export class BudgetArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetArgsError";
  }
}

function validate(args: StackBudgetArgs): void {
  const problems: string[] = [];
  if (!Number.isInteger(args.monthlyLimitUsd) || args.monthlyLimitUsd <= 0) {
    problems.push(
      `monthlyLimitUsd: ${args.monthlyLimitUsd} must be a whole number of dollars above 0`,
    );
  }
  // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html
  if (!/^[^:\\]{1,100}$/.test(args.budgetName)) {
    problems.push(
      `budgetName: ${JSON.stringify(args.budgetName)} must be 1-100 characters without ':' or '\\'`,
    );
  }
  for (const key of ["project", "environment"] as const) {
    if (args[key] === "") problems.push(`${key}: must not be empty (it selects the stack's costs)`);
  }
  // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Subscriber.html
  if (
    args.alertEmail !== undefined &&
    args.alertEmail !== "" &&
    !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.alertEmail)
  ) {
    problems.push(`alertEmail: ${JSON.stringify(args.alertEmail)} is not an email address`);
  }
  // A preview shows the budget before its subscriber is set; `pulumi up` refuses it earlier.
  if (!args.alertEmail && !args.alertSnsTopicArn && !pulumi.runtime.isDryRun()) {
    problems.push(
      "alertEmail or alertSnsTopicArn: a budget needs a subscriber, or its alerts reach nobody",
    );
  }
  if (problems.length > 0) throw new BudgetArgsError(`StackBudget: ${problems.join("; ")}`);
}

/**
 * A monthly cost budget over the stack's resources. The tag filter only matches costs once
 * `project` and `environment` are activated as cost allocation tags in the Billing console
 * (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html).
 */
export class StackBudget extends pulumi.ComponentResource {
  readonly budget: aws.budgets.Budget;
  readonly budgetName: pulumi.Output<string>;

  constructor(name: string, args: StackBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dog-breed-classifier:cost:StackBudget", name, {}, opts);
    validate(args);

    const notification = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
      notificationType,
      comparisonOperator: "GREATER_THAN",
      threshold,
      thresholdType: "PERCENTAGE",
      subscriberEmailAddresses: args.alertEmail ? [args.alertEmail] : undefined,
      subscriberSnsTopicArns: args.alertSnsTopicArn ? [args.alertSnsTopicArn] : undefined,
    });

    this.budget = new aws.budgets.Budget(
      `${name}-budget`,
      {
        name: args.budgetName,
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: String(args.monthlyLimitUsd),
        limitUnit: "USD",
        // Both tags must match: costs of this project in this environment only. A filter expression
        // ANDs them; the older cost filters would OR values of one tag key.
        metrics: "UnblendedCost",
        filterExpression: {
          ands: [
            { tags: { key: "project", values: [args.project], matchOptions: ["EQUALS"] } },
            { tags: { key: "environment", values: [args.environment], matchOptions: ["EQUALS"] } },
          ],
        },
        // Every notification has the stack's subscribers (validated above: at least one).
        notifications: [
          notification("ACTUAL", BUDGET_ALERTS.actualPercent),
          notification("FORECASTED", BUDGET_ALERTS.forecastedPercent),
        ],
      },
      { parent: this },
    );

    // The filter matches only costs of active cost allocation tags. UpdateCostAllocationTagsStatus
    // answers AccessDenied in a member account of an organization (the management account
    // activates tags for all) and fails for a key not yet seen in billing data, so it is opt-in.
    // https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
    if (args.activateCostTags) {
      for (const tagKey of ["project", "environment"]) {
        new aws.costexplorer.CostAllocationTag(
          `${name}-tag-${tagKey}`,
          { tagKey, status: "Active" },
          // Account-wide: deleting this stack must not deactivate the tags for the other stacks.
          { parent: this, retainOnDelete: true },
        );
      }
    }

    this.budgetName = this.budget.name;
    this.registerOutputs({ budgetName: this.budgetName });
  }
}
