// Lambda guardrails: a concurrency reservation, provisioned concurrency within it, function URLs
// that require IAM auth, a runtime AWS still patches, and logs that expire.
import {
  isUnknown,
  label,
  num,
  obj,
  refersVia,
  resourcePolicy,
  stackPolicy,
  str,
  StackItem,
} from "./common";
import { LAMBDA_RUNTIMES } from "../shared/aws-limits";
import {
  LAMBDA_RUNTIMES_PAGE,
  deprecationDay,
  runtimeLanguage,
  successorOf,
  utcDay,
} from "../shared/lambda-runtimes";
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

/** The day the pack was loaded (UTC), read once; a check may set its own day in config. */
const LOADED_ON = utcDay(new Date());

/** What to use instead of `runtime`: the same language's longest supported, else the handler's. */
function replacementFor(runtime: string, today: string): string {
  const same = successorOf(runtime, today);
  if (same) return `"${same}" (supported until ${deprecationDay(same)})`;
  const own = LAMBDA_RUNTIMES[LAMBDA_RUNTIMES.length - 1];
  return (
    `a ${runtimeLanguage(runtime)} runtime that ${LAMBDA_RUNTIMES_PAGE} lists as supported ` +
    `(or "${own}", supported until ${deprecationDay(own)})`
  );
}

interface RuntimeConfig {
  today: string;
}

export const supportedRuntime = resourcePolicy<RuntimeConfig>({
  name: "lambda-function-require-supported-runtime",
  description:
    "Forbids Lambda runtimes whose AWS deprecation day has come: AWS no longer patches them.",
  enforcementLevel: "mandatory",
  types: [LAMBDA.function],
  config: {
    today: {
      type: "string",
      description:
        "The day runtimes are judged on, YYYY-MM-DD (empty: the day the pack started, UTC).",
      default: "",
    },
  },
  check: (r, c) => {
    // Container-image functions carry their runtime in the image: there is no runtime here.
    const runtime = str(r.props.runtime);
    if (!runtime) return;
    const today = c.today || LOADED_ON;
    const day = deprecationDay(runtime);
    if (day === undefined || day > today) return;
    r.report(
      `${label(r.type, r.name)} uses runtime "${runtime}", which AWS deprecated on ${day}: it gets ` +
        `no security patches, and Lambda then refuses to create and later to update functions on ` +
        `it. Set runtime to ${replacementFor(runtime, today)}.`,
    );
  },
});

export const datedRuntime = resourcePolicy({
  name: "lambda-function-require-dated-runtime",
  description:
    "Flags Lambda runtimes the pack's dated table does not list, whose deprecation it cannot judge.",
  enforcementLevel: "advisory",
  types: [LAMBDA.function],
  check: (r) => {
    const runtime = str(r.props.runtime);
    if (!runtime || deprecationDay(runtime) !== undefined) return;
    r.report(
      `${label(r.type, r.name)} uses runtime "${runtime}", which has no deprecation day in ` +
        `LAMBDA_RUNTIME_DEPRECATION (shared/lambda-runtimes.ts), so whether AWS still patches it ` +
        `is not judged. Look it up on ${LAMBDA_RUNTIMES_PAGE} and add its day to the table, or ` +
        `use a listed runtime.`,
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
  datedRuntime,
  provisionedWithinReserved,
  logRetention,
];
