// Lambda: requests and duration of each function (on-demand, or at the provisioned rate for the
// share its provisioned concurrency covers) and the provisioned concurrency kept warm.
import { Estimator, type GraphResource, fmt, usd, amount, str, num, list, read } from "./core";
import { LAMBDA_PRICES, SECONDS_PER_MONTH } from "./prices";
import { TYPES } from "../shared/resource-types";

function functionMemory(e: Estimator, fn: GraphResource): { gb: number; arch: "arm64" | "x86_64" } {
  const mb = num(read(fn.props, "memorySize")) ?? 128;
  const arch = str(list(read(fn.props, "architectures"))[0]) === "arm64" ? "arm64" : "x86_64";
  return { gb: mb / 1024, arch };
}

const provisionedIndex = new WeakMap<Estimator, Map<string, GraphResource[]>>();

/** Provisioned concurrency configs by the function name (or ARN) they target. */
function provisionedByTarget(e: Estimator): Map<string, GraphResource[]> {
  let index = provisionedIndex.get(e);
  if (!index) {
    index = new Map();
    provisionedIndex.set(e, index);
    for (const c of e.ofType(TYPES.provisionedConcurrency)) {
      const target = str(read(c.props, "functionName"));
      if (target === undefined) continue;
      index.set(target, [...(index.get(target) ?? []), c]);
    }
  }
  return index;
}

const functionIndex = new WeakMap<Estimator, Map<string, GraphResource>>();

/** The names a provisioned concurrency config may give its function by. */
function functionKeys(e: Estimator, fn: GraphResource): string[] {
  return [str(read(fn.props, "name")), str(read(fn.props, "arn")), fn.name].filter(
    (k): k is string => k !== undefined,
  );
}

function provisionedFor(e: Estimator, fn: GraphResource): GraphResource[] {
  const configs = e.ofType(TYPES.provisionedConcurrency);
  const byTarget = provisionedByTarget(e);
  const matched = functionKeys(e, fn).flatMap((k) => byTarget.get(k) ?? []);
  if (matched.length > 0) return [...new Set(matched)];
  return configs.length > 0 && e.ofType(TYPES.function).length === 1 ? configs : [];
}

export function lambdaFunction(e: Estimator, r: GraphResource): void {
  const { gb, arch } = functionMemory(e, r);
  const requests = e.usage.monthlyRequests;
  const rp = LAMBDA_PRICES.requests;
  e.add(
    r,
    "Lambda requests",
    `${fmt(requests)} requests × ${usd(rp)}/request`,
    { requestsPerMonth: requests, usdPerRequest: rp.usd },
    requests * rp.usd,
    requests * rp.usd,
  );

  const seconds = e.usage.lambdaDurationMs / 1000;
  const gbSeconds = requests * seconds * gb;
  const onDemand = LAMBDA_PRICES.durationGbSecond[arch];
  const provisioned = provisionedFor(e, r).reduce(
    (n, c) => n + (num(read(c.props, "provisionedConcurrentExecutions")) ?? 0),
    0,
  );
  if (provisioned > 0) {
    // Invocations served by provisioned concurrency bill a lower duration rate; the overflow bills
    // the on-demand rate. Lower bound: all served warm; upper bound: none.
    const warm = LAMBDA_PRICES.provisionedDurationGbSecond[arch];
    e.add(
      r,
      `Lambda duration (${arch})`,
      `${fmt(requests)} requests × ${fmt(seconds)} s × ${fmt(gb)} GB × ${usd(warm)}–${usd(onDemand)}/GB-s (provisioned–on-demand rate)`,
      {
        requestsPerMonth: requests,
        secondsPerRequest: seconds,
        memoryGb: gb,
        gbSeconds: amount(gbSeconds),
        usdPerGbSecondProvisioned: warm.usd,
        usdPerGbSecondOnDemand: onDemand.usd,
      },
      gbSeconds * warm.usd,
      gbSeconds * onDemand.usd,
    );
  } else {
    e.add(
      r,
      `Lambda duration (${arch})`,
      `${fmt(requests)} requests × ${fmt(seconds)} s × ${fmt(gb)} GB × ${usd(onDemand)}/GB-s`,
      {
        requestsPerMonth: requests,
        secondsPerRequest: seconds,
        memoryGb: gb,
        gbSeconds: amount(gbSeconds),
        usdPerGbSecond: onDemand.usd,
      },
      gbSeconds * onDemand.usd,
      gbSeconds * onDemand.usd,
    );
  }
}

export function provisionedConcurrency(e: Estimator, r: GraphResource): void {
  const n = num(read(r.props, "provisionedConcurrentExecutions"));
  if (n === undefined) {
    e.warnings.push(`${r.name}: provisioned concurrency unknown — left out of the estimate`);
    return;
  }
  const functions = e.ofType(TYPES.function);
  const target = str(read(r.props, "functionName"));
  let index = functionIndex.get(e);
  if (!index) {
    index = new Map();
    functionIndex.set(e, index);
    for (const fn of functions) {
      for (const k of functionKeys(e, fn)) index.set(k, fn);
    }
  }
  const named = target !== undefined ? index.get(target) : undefined;
  let fns = named ? [named] : [];
  // Unknown at preview, or named some other way: a stack's only function is the one.
  if (fns.length === 0 && functions.length === 1) fns = functions;
  if (fns.length !== 1) {
    const warning = `${r.name}: its function is not in the stack or not resolvable — provisioned concurrency left out of the estimate`;
    // Provisioned concurrency bills whatever function it is for; one named outside the stack
    // has a memory size the estimate cannot know.
    if (target !== undefined && functions.length === 0) {
      e.noPrice(r, `provisioned concurrency of function "${target}", not in the stack`, warning);
    } else e.warnings.push(warning);
    return;
  }
  const { gb, arch } = functionMemory(e, fns[0]);
  const p = LAMBDA_PRICES.provisionedConcurrencyGbSecond[arch];
  const cost = n * gb * SECONDS_PER_MONTH * p.usd;
  e.add(
    r,
    `Lambda provisioned concurrency (${arch})`,
    `${fmt(n)} × ${fmt(gb)} GB × ${fmt(SECONDS_PER_MONTH)} s (730 h) × ${usd(p)}/GB-s`,
    {
      provisionedConcurrency: n,
      memoryGb: gb,
      secondsPerMonth: SECONDS_PER_MONTH,
      usdPerGbSecond: p.usd,
    },
    cost,
    cost,
  );
}
