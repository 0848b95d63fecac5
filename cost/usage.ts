// The usage assumptions behind the estimate: how many hours, requests and gigabytes a month a stack
// is expected to use. They come from the stack config (the program's `dog-breed-classifier:*` keys)
// and reach the policy pack through its policy config, built here from that same stack config.
// Their defaults and descriptions are those of the table of stack keys.
import { PROJECT, type TrainingMode } from "../shared/project";
import { STACK_KEYS } from "../shared/stack-keys";

export { PROJECT, type TrainingMode };

/** The stack policy that compares the estimate with the budget. */
export const BUDGET_POLICY = "cost-budget-enforce";

/** What a stack is expected to use in a month. */
export interface Usage {
  /** Hours a month the notebook instance runs before it stops itself. */
  notebookActiveHoursPerMonth: number;
  /** Hours a month the EC2 training host runs. */
  ec2HoursPerMonth: number;
  /** Training or tuning runs a month. */
  trainingRunsPerMonth: number;
  /** Classification requests a month (each is one Lambda invocation and one endpoint invocation). */
  monthlyRequests: number;
  /** Model inference time per request, in milliseconds (serverless endpoints bill it). */
  inferenceDurationMs: number;
  /** Lambda billed duration per request, in milliseconds. */
  lambdaDurationMs: number;
  /** Data, models and captures held in the bucket, in GB. */
  storageGb: number;
  /** CloudWatch Logs ingested a month, in GB. */
  logIngestGbPerMonth: number;
  /**
   * Request plus response bytes per request, in KB: the endpoint's data processed and the size of
   * a captured record. Not a stack config key; 100 KB is a typical JPEG photo plus a small JSON
   * answer.
   */
  payloadKbPerRequest: number;
  /** Used when the graph has no training or tuning job resource but the config asks for one. */
  training: {
    mode: TrainingMode;
    instanceType: string;
    instanceCount: number;
    useSpot: boolean;
    maxRuntimeSeconds: number;
    tuningMaxJobs: number;
    tuningMaxParallelJobs: number;
  };
}

const d = <K extends keyof typeof STACK_KEYS>(key: K): (typeof STACK_KEYS)[K]["default"] =>
  STACK_KEYS[key].default;

/** The defaults of the stack keys (Pulumi.yaml is generated from the same table). */
export const USAGE_DEFAULTS: Readonly<Usage> = Object.freeze({
  notebookActiveHoursPerMonth: d("notebookActiveHoursPerMonth"),
  ec2HoursPerMonth: d("ec2HoursPerMonth"),
  trainingRunsPerMonth: d("trainingRunsPerMonth"),
  monthlyRequests: d("monthlyRequests"),
  inferenceDurationMs: d("inferenceDurationMs"),
  lambdaDurationMs: d("lambdaDurationMs"),
  storageGb: d("storageGb"),
  logIngestGbPerMonth: d("logIngestGbPerMonth"),
  payloadKbPerRequest: 100,
  training: Object.freeze({
    mode: d("trainingMode") as TrainingMode,
    instanceType: d("trainingInstanceType"),
    instanceCount: d("trainingInstanceCount"),
    useSpot: d("trainingUseSpot"),
    maxRuntimeSeconds: d("trainingMaxRuntimeSeconds"),
    tuningMaxJobs: d("tuningMaxJobs"),
    tuningMaxParallelJobs: d("tuningMaxParallelJobs"),
  }),
});

/** Flat usage keys, the same names in the stack config and in the policy config. */
const NUMBER_KEYS = [
  "notebookActiveHoursPerMonth",
  "ec2HoursPerMonth",
  "trainingRunsPerMonth",
  "monthlyRequests",
  "inferenceDurationMs",
  "lambdaDurationMs",
  "storageGb",
  "logIngestGbPerMonth",
  "payloadKbPerRequest",
] as const;

const TRAINING_KEYS = {
  trainingMode: "mode",
  trainingInstanceType: "instanceType",
  trainingInstanceCount: "instanceCount",
  trainingUseSpot: "useSpot",
  trainingMaxRuntimeSeconds: "maxRuntimeSeconds",
  tuningMaxJobs: "tuningMaxJobs",
  tuningMaxParallelJobs: "tuningMaxParallelJobs",
} as const;

/** The policy config of `cost-budget-enforce`: the usage, flat, plus the stack's region. */
export type UsagePolicyConfig = {
  [K in (typeof NUMBER_KEYS)[number]]: number;
} & {
  trainingMode: TrainingMode;
  trainingInstanceType: string;
  trainingInstanceCount: number;
  trainingUseSpot: boolean;
  trainingMaxRuntimeSeconds: number;
  tuningMaxJobs: number;
  tuningMaxParallelJobs: number;
  region: string;
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function nonNegative(key: string, value: unknown): number {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`${key}: ${JSON.stringify(value)} is not a number >= 0`);
  }
  return n;
}

function bool(key: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new UsageError(`${key}: ${JSON.stringify(value)} is not true or false`);
}

function mode(value: unknown): TrainingMode {
  if (value === "none" || value === "train" || value === "tune") return value;
  throw new UsageError(`trainingMode: ${JSON.stringify(value)} is not one of none, train, tune`);
}

/** Builds a Usage from flat values keyed like the config (missing keys take the defaults). */
function fromFlat(get: (key: string) => unknown): Usage {
  const d = USAGE_DEFAULTS;
  const usage: Usage = { ...d, training: { ...d.training } };
  for (const key of NUMBER_KEYS) {
    const v = get(key);
    if (v !== undefined) usage[key] = nonNegative(key, v);
  }
  const t = usage.training;
  const value = (key: keyof typeof TRAINING_KEYS) => get(key);
  if (value("trainingMode") !== undefined) t.mode = mode(value("trainingMode"));
  if (value("trainingInstanceType") !== undefined)
    t.instanceType = String(value("trainingInstanceType"));
  if (value("trainingUseSpot") !== undefined)
    t.useSpot = bool("trainingUseSpot", value("trainingUseSpot"));
  for (const key of [
    "trainingInstanceCount",
    "trainingMaxRuntimeSeconds",
    "tuningMaxJobs",
    "tuningMaxParallelJobs",
  ] as const) {
    if (value(key) !== undefined) t[TRAINING_KEYS[key]] = nonNegative(key, value(key));
  }
  return usage;
}

/**
 * The usage assumptions of a stack from its config: the flat `namespace:key -> string` map the CLI
 * hands a program (qualified `dog-breed-classifier:monthlyRequests` or bare `monthlyRequests`).
 * Keys the config does not set take Pulumi.yaml's defaults.
 */
export function usageFromConfig(raw: Record<string, string>): Usage {
  return fromFlat((key) => raw[`${PROJECT}:${key}`] ?? raw[key]);
}

/** The monthly budget the stack config asks for, in USD; 0 means none. */
export function budgetFromConfig(raw: Record<string, string>): number {
  const v = raw[`${PROJECT}:budgetMonthlyUsd`] ?? raw.budgetMonthlyUsd;
  return v === undefined ? 0 : nonNegative("budgetMonthlyUsd", v);
}

/** The region a stack deploys to, from its config. */
export function regionFromConfig(raw: Record<string, string>): string {
  return raw["aws:region"] || "us-east-1";
}

/** The usage from the policy config the pack received (defaults fill what is missing). */
export function usageFromPolicyConfig(config: Partial<UsagePolicyConfig>): Usage {
  return fromFlat((key) => (config as Record<string, unknown>)[key]);
}

function flatten(usage: Usage, region: string): UsagePolicyConfig {
  const t = usage.training;
  return {
    notebookActiveHoursPerMonth: usage.notebookActiveHoursPerMonth,
    ec2HoursPerMonth: usage.ec2HoursPerMonth,
    trainingRunsPerMonth: usage.trainingRunsPerMonth,
    monthlyRequests: usage.monthlyRequests,
    inferenceDurationMs: usage.inferenceDurationMs,
    lambdaDurationMs: usage.lambdaDurationMs,
    storageGb: usage.storageGb,
    logIngestGbPerMonth: usage.logIngestGbPerMonth,
    payloadKbPerRequest: usage.payloadKbPerRequest,
    trainingMode: t.mode,
    trainingInstanceType: t.instanceType,
    trainingInstanceCount: t.instanceCount,
    trainingUseSpot: t.useSpot,
    trainingMaxRuntimeSeconds: t.maxRuntimeSeconds,
    tuningMaxJobs: t.tuningMaxJobs,
    tuningMaxParallelJobs: t.tuningMaxParallelJobs,
    region,
  };
}

/**
 * The policy config for a stack, from its config: the JSON for
 * `pulumi preview --policy-pack policies --policy-pack-config <file>` and for the analyzer's
 * Configure call. `{ "cost-budget-enforce": { monthlyRequests: ..., ..., region } }`.
 */
export function policyConfigFromStackConfig(
  raw: Record<string, string>,
): Record<typeof BUDGET_POLICY, UsagePolicyConfig> {
  return { [BUDGET_POLICY]: flatten(usageFromConfig(raw), regionFromConfig(raw)) };
}

type JsonSchema = {
  type: "integer" | "number" | "string" | "boolean";
  default: unknown;
  description: string;
  minimum?: number;
  enum?: string[];
};

/** The stack key's description; for the training keys, when the estimate reads them. */
const keyDescription = (key: keyof typeof STACK_KEYS) =>
  key in TRAINING_KEYS
    ? `${STACK_KEYS[key].description} The estimate reads it when the stack declares no training or tuning job.`
    : STACK_KEYS[key].description;

const DESCRIPTIONS: Record<keyof UsagePolicyConfig, string> = {
  notebookActiveHoursPerMonth: keyDescription("notebookActiveHoursPerMonth"),
  ec2HoursPerMonth: keyDescription("ec2HoursPerMonth"),
  trainingRunsPerMonth: keyDescription("trainingRunsPerMonth"),
  monthlyRequests: keyDescription("monthlyRequests"),
  inferenceDurationMs: keyDescription("inferenceDurationMs"),
  lambdaDurationMs: keyDescription("lambdaDurationMs"),
  storageGb: keyDescription("storageGb"),
  logIngestGbPerMonth: keyDescription("logIngestGbPerMonth"),
  payloadKbPerRequest:
    "Request plus response size per request in KB (endpoint data processed, captured records).",
  trainingMode: keyDescription("trainingMode"),
  trainingInstanceType: keyDescription("trainingInstanceType"),
  trainingInstanceCount: keyDescription("trainingInstanceCount"),
  trainingUseSpot: keyDescription("trainingUseSpot"),
  trainingMaxRuntimeSeconds: keyDescription("trainingMaxRuntimeSeconds"),
  tuningMaxJobs: keyDescription("tuningMaxJobs"),
  tuningMaxParallelJobs: keyDescription("tuningMaxParallelJobs"),
  region: "The stack's AWS region, for regional price levels (a provider resource's region wins).",
};

/** The `configSchema` of `cost-budget-enforce`, with the defaults of the stack keys. */
export function usageConfigSchema(): { properties: Record<string, JsonSchema> } {
  const defaults = flatten(USAGE_DEFAULTS, "us-east-1");
  const properties: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries(defaults) as [keyof UsagePolicyConfig, unknown][]) {
    const description = DESCRIPTIONS[key];
    if (typeof value === "number") {
      properties[key] = { type: "number", minimum: 0, default: value, description };
    } else if (typeof value === "boolean") {
      properties[key] = { type: "boolean", default: value, description };
    } else if (key === "trainingMode") {
      properties[key] = {
        type: "string",
        enum: [...STACK_KEYS.trainingMode.oneOf],
        default: value,
        description,
      };
    } else {
      properties[key] = { type: "string", default: value, description };
    }
  }
  return { properties };
}
