// Lambda guardrails: a concurrency reservation, provisioned concurrency within it, function URLs
// that require IAM auth, a runtime AWS still patches, and logs that expire.
import {
  isUnknown,
  label,
  num,
  obj,
  refersVia,
  resourcePolicy,
  schema,
  stackPolicy,
  str,
  StackItem,
} from "./common";
import { TYPES } from "../shared/resource-types";

export const LAMBDA = {
  function: TYPES.function,
  alias: "aws:lambda/alias:Alias",
  provisioned: TYPES.provisionedConcurrency,
  url: TYPES.functionUrl,
  logGroup: TYPES.logGroup,
} as const;

export const reservedConcurrency = resourcePolicy({
  name: "lambda-function-require-reserved-concurrency",
  description:
    "Requires Lambda functions to reserve concurrency, capping what one function can consume.",
  enforcementLevel: "advisory",
  types: [LAMBDA.function],
  check: (r) => {
    const v = r.props.reservedConcurrentExecutions;
    if (isUnknown(v) || (typeof v === "number" && v >= 0)) return;
    r.report(
      `${label(r.type, r.name)} has reservedConcurrentExecutions ${v === undefined ? "unset" : String(v)} (unreserved), ` +
        `so a flood of calls can take the account's whole concurrency and cost. Set ` +
        `reservedConcurrentExecutions to the peak the function needs.`,
    );
  },
});

export const functionUrlAuth = resourcePolicy({
  name: "lambda-function-url-require-auth",
  description: 'Forbids Lambda function URLs with authorizationType "NONE".',
  enforcementLevel: "mandatory",
  types: [LAMBDA.url],
  check: (r) => {
    const v = r.props.authorizationType;
    if (isUnknown(v) || v !== "NONE") return;
    r.report(
      `${label(r.type, r.name)} has authorizationType "NONE", so anyone on the internet can invoke the ` +
        `function (and run up the endpoint's bill). Set authorizationType: "AWS_IAM" and grant ` +
        `lambda:InvokeFunctionUrl to the callers.`,
    );
  },
});

/**
 * Runtimes past their deprecation date on the Lambda runtimes page
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html): AWS no longer applies
 * security patches to them, and after a few months Lambda refuses to create functions on them.
 * nodejs20.x was deprecated on 2026-04-30, python3.9 on 2025-12-15, nodejs18.x on 2025-09-01,
 * ruby3.2 on 2026-03-31.
 */
export const DEPRECATED_RUNTIMES = [
  "nodejs",
  "nodejs4.3",
  "nodejs4.3-edge",
  "nodejs6.10",
  "nodejs8.10",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "nodejs16.x",
  "nodejs18.x",
  "nodejs20.x",
  "python2.7",
  "python3.6",
  "python3.7",
  "python3.8",
  "python3.9",
  "java8",
  "dotnetcore1.0",
  "dotnetcore2.0",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "dotnet5.0",
  "dotnet6",
  "dotnet7",
  "go1.x",
  "ruby2.5",
  "ruby2.7",
  "ruby3.2",
  "provided",
];

interface RuntimeConfig {
  deprecatedRuntimes: string[];
}

export const supportedRuntime = resourcePolicy<RuntimeConfig>({
  name: "lambda-function-require-supported-runtime",
  description: "Forbids Lambda runtimes that AWS has deprecated and no longer patches.",
  enforcementLevel: "mandatory",
  types: [LAMBDA.function],
  config: {
    deprecatedRuntimes: schema.strings(
      "Runtime identifiers that are deprecated.",
      DEPRECATED_RUNTIMES,
    ),
  },
  check: (r, c) => {
    const runtime = str(r.props.runtime);
    if (!runtime || !c.deprecatedRuntimes.includes(runtime)) return;
    r.report(
      `${label(r.type, r.name)} uses runtime "${runtime}", which AWS has deprecated and no longer ` +
        `patches. Set runtime to a supported one (for example "nodejs22.x" or "python3.13").`,
    );
  },
});

// ---------------------------------------------------------------------------------------------
// Stack checks: provisioned vs reserved concurrency, log retention.

/** The function a provisioned-concurrency config, URL or alias points at (name or ARN). */
function functionOf(items: StackItem[], it: StackItem): StackItem | undefined {
  const fns = items.filter((x) => x.type === LAMBDA.function);
  const direct = fns.find((fn) =>
    refersVia(it, "functionName", fn, [fn.props.name, fn.props.arn, fn.props.id]),
  );
  if (direct) return direct;
  const ref = str(it.props.functionName);
  if (!ref) return undefined;
  const name = ref.startsWith("arn:") ? ref.split(":")[6] : ref;
  return fns.find((fn) => str(fn.props.name) === name || fn.name === name);
}

export const provisionedWithinReserved = stackPolicy({
  name: "lambda-provisioned-concurrency-within-reserved",
  description:
    "Requires the provisioned concurrency of a function's aliases and versions to fit within its reserved concurrency.",
  enforcementLevel: "mandatory",
  check: (items, report) => {
    const byFunction = new Map<StackItem, StackItem[]>();
    for (const pc of items.filter((it) => it.type === LAMBDA.provisioned)) {
      const fn = functionOf(items, pc);
      if (fn) byFunction.set(fn, [...(byFunction.get(fn) ?? []), pc]);
    }
    for (const [fn, configs] of byFunction) {
      const amounts = configs.map((pc) => pc.props.provisionedConcurrentExecutions);
      if (amounts.some(isUnknown)) continue;
      const provisioned = amounts.reduce<number>((sum, v) => sum + (num(v) ?? 0), 0);
      const reserved = fn.props.reservedConcurrentExecutions;
      const r = num(reserved);
      // Unreserved functions draw provisioned concurrency from the account pool instead.
      if (isUnknown(reserved) || r === undefined || r < 0 || provisioned <= r) continue;
      const last = configs[configs.length - 1];
      report(
        last.urn,
        `${label(last.type, last.name)} provisions ${provisioned} concurrent executions` +
          `${configs.length > 1 ? ` (with ${configs.length - 1} other config(s))` : ""} but ` +
          `${label(fn.type, fn.name)} reserves ${r}; Lambda rejects provisioned concurrency above the ` +
          `reservation. Lower provisionedConcurrentExecutions to at most ${r}, or raise reservedConcurrentExecutions.`,
      );
    }
  },
});

interface RetentionConfig {
  maxRetentionDays: number;
}

export const logRetention = stackPolicy<RetentionConfig>({
  name: "lambda-function-require-log-retention",
  description:
    "Requires every Lambda function's log group to be in the stack with a retention period.",
  enforcementLevel: "advisory",
  config: {
    maxRetentionDays: {
      type: "number",
      description: "Longest retention accepted, in days (0 accepts any).",
      default: 0,
    },
  },
  check: (items, report, c) => {
    const groups = items.filter((it) => it.type === LAMBDA.logGroup);
    const groupName = (g: StackItem) => str(g.props.name) ?? str(g.props.id);
    for (const fn of items.filter((it) => it.type === LAMBDA.function)) {
      const fnName = str(fn.props.name);
      const explicit = str(obj(fn.props.loggingConfig)?.logGroup);
      const wanted = explicit ?? (fnName ? `/aws/lambda/${fnName}` : undefined);
      const group = groups.find((g) => {
        const n = groupName(g);
        return (wanted !== undefined && n === wanted) || refersVia(fn, "loggingConfig", g, [n]);
      });
      if (!group) {
        if (!wanted && !fnName) continue;
        report(
          fn.urn,
          `${label(fn.type, fn.name)} has no log group ${wanted ? `"${wanted}" ` : ""}in the stack, so Lambda ` +
            `creates one that keeps logs forever. Declare an aws.cloudwatch.LogGroup named ` +
            `"${wanted ?? "/aws/lambda/<function name>"}" with retentionInDays.`,
        );
        continue;
      }
      const days = group.props.retentionInDays;
      if (isUnknown(days)) continue;
      const d = num(days);
      if (d !== undefined && d > 0 && (c.maxRetentionDays <= 0 || d <= c.maxRetentionDays))
        continue;
      report(
        group.urn,
        `${label(group.type, group.name)} (logs of ${label(fn.type, fn.name)}) has retentionInDays ` +
          `${d === undefined || d === 0 ? "unset (never expire)" : d}. Set retentionInDays ` +
          `(for example 14 in dev, 90 in prod)${c.maxRetentionDays > 0 ? `, at most ${c.maxRetentionDays}` : ""}.`,
      );
    }
  },
});

export const lambdaPolicies = [
  reservedConcurrency,
  functionUrlAuth,
  supportedRuntime,
  provisionedWithinReserved,
  logRetention,
];
