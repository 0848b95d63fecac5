// CloudWatch: alarms (those declared and those target tracking creates) and log ingestion and
// storage by retention.
import { Estimator, type GraphResource, fmt, usd, str, num, list, read } from "./core";
import { CLOUDWATCH_PRICES, HOURS_PER_MONTH } from "./prices";
import { TYPES } from "../shared/resource-types";

export function alarm(e: Estimator, r: GraphResource): void {
  const queries = list(read(r.props, "metricQueries"));
  const metrics =
    queries.length > 0 ? queries.filter((q) => read(q, "metric") !== undefined) : [r.props];
  const periods = (
    queries.length > 0
      ? metrics.map((q) => read(read(q, "metric"), "period"))
      : [read(r.props, "period")]
  ).map(num);
  // Alarms on periods under a minute are high resolution, billed at a higher rate.
  const highResolution = periods.some((p) => p !== undefined && p < 60);
  const p = highResolution
    ? CLOUDWATCH_PRICES.highResolutionAlarmMetricMonth
    : CLOUDWATCH_PRICES.standardAlarmMetricMonth;
  const n = Math.max(metrics.length, 1);
  const kind = highResolution ? "high-resolution" : "standard";
  e.add(
    r,
    `CloudWatch alarm (${kind})`,
    `${fmt(n)} alarm metric${n === 1 ? "" : "s"} × ${usd(p)}/alarm metric-month`,
    { alarmMetrics: n, highResolution, usdPerAlarmMetricMonth: p.usd },
    n * p.usd,
    n * p.usd,
  );
}

export function scalingPolicy(e: Estimator, r: GraphResource): void {
  if (str(read(r.props, "policyType")) !== "TargetTrackingScaling") return;
  // Target tracking creates and manages its own CloudWatch alarms, one to scale out and one to
  // scale in, billed like any other alarm
  // (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html).
  const p = CLOUDWATCH_PRICES.standardAlarmMetricMonth;
  e.add(
    r,
    "CloudWatch alarms of target tracking",
    `2 alarms × ${usd(p)}/alarm metric-month`,
    { alarmMetrics: 2, usdPerAlarmMetricMonth: p.usd },
    2 * p.usd,
    2 * p.usd,
  );
}

export function logs(e: Estimator): void {
  const total = e.usage.logIngestGbPerMonth;
  if (total <= 0) return;
  const groups = e.ofType(TYPES.logGroup);
  const ingest = CLOUDWATCH_PRICES.logIngestGb;
  const store = CLOUDWATCH_PRICES.logStorageGbMonth;
  const daysPerMonth = HOURS_PER_MONTH / 24;
  // Without declared log groups the services write to groups they create themselves, which
  // never expire.
  const targets: [GraphResource | undefined, number | undefined][] =
    groups.length > 0
      ? groups.map((g) => [g, num(read(g.props, "retentionInDays"))])
      : [[undefined, undefined]];
  const share = total / targets.length;
  for (const [g, retention] of targets) {
    const split = targets.length > 1 ? ` (${fmt(total)} GB ÷ ${targets.length} log groups)` : "";
    e.add(
      g,
      "CloudWatch Logs ingestion",
      `${fmt(share)} GB${split} × ${usd(ingest)}/GB`,
      { ingestGbPerMonth: share, usdPerGb: ingest.usd },
      share * ingest.usd,
      share * ingest.usd,
    );
    if (retention !== undefined && retention > 0) {
      // Steady state: the group holds `retention` days of logs.
      const months = retention / daysPerMonth;
      const cost = share * months * store.usd;
      e.add(
        g,
        "CloudWatch Logs storage",
        `${fmt(share)} GB/month × ${fmt(retention)} d ÷ ${fmt(daysPerMonth)} d × ${usd(store)}/GB-month`,
        { ingestGbPerMonth: share, retentionDays: retention, usdPerGbMonth: store.usd },
        cost,
        cost,
      );
    } else {
      // Logs that never expire grow every month: the bounds are the first month and the twelfth.
      e.add(
        g,
        "CloudWatch Logs storage (never expires)",
        `${fmt(share)} GB/month × 1–12 months kept × ${usd(store)}/GB-month`,
        {
          ingestGbPerMonth: share,
          monthsKeptMin: 1,
          monthsKeptMax: 12,
          usdPerGbMonth: store.usd,
        },
        share * store.usd,
        share * 12 * store.usd,
      );
      e.warnings.push(
        `${g ? g.name : "logs"}: no log retention; storage grows every month (estimated for months 1 to 12)`,
      );
    }
  }
}
