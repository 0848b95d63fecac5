// SageMaker hosting and notebooks: notebook instance hours and ML storage, and endpoints
// (instance-based variants over their autoscaling range, serverless by expected use).
import {
  Estimator,
  type GraphResource,
  fmt,
  usd,
  GB_PER_KB,
  amount,
  str,
  num,
  list,
  path,
  read,
} from "./core";
import { HOURS_PER_MONTH, SAGEMAKER_HOSTING, SAGEMAKER_NOTEBOOK, SAGEMAKER_OTHER } from "./prices";
import { TYPES } from "../shared/resource-types";

export function notebook(e: Estimator, r: GraphResource): void {
  const type = str(read(r.props, "instanceType"));
  const p = type ? SAGEMAKER_NOTEBOOK[type] : undefined;
  const hours = Math.min(e.usage.notebookActiveHoursPerMonth, HOURS_PER_MONTH);
  if (p && type) {
    const cost = hours * p.usd;
    e.add(
      r,
      "notebook instance hours",
      `1 × ${type} × ${fmt(hours)} h × ${usd(p)}/h`,
      { instances: 1, instanceType: type, hoursPerMonth: hours, usdPerHour: p.usd },
      cost,
      cost,
    );
  } else {
    e.unpricedInstance(r, "SageMaker notebook", type);
  }
  // The ML storage volume is billed while the notebook exists, running or stopped; 5 GB is the
  // SageMaker default size.
  const gb = num(read(r.props, "volumeSize")) ?? 5;
  const s = SAGEMAKER_OTHER.mlStorageGbMonth;
  e.add(
    r,
    "notebook ML storage",
    `${fmt(gb)} GB × ${usd(s)}/GB-month`,
    { volumeGb: gb, usdPerGbMonth: s.usd },
    gb * s.usd,
    gb * s.usd,
  );
}

const configIndex = new WeakMap<Estimator, Map<string, GraphResource>>();

/** Endpoint configurations by physical name and by the program's name for them. */
function configsByName(e: Estimator): Map<string, GraphResource> {
  let index = configIndex.get(e);
  if (!index) {
    index = new Map();
    configIndex.set(e, index);
    for (const c of e.ofType(TYPES.endpointConfig)) {
      const physical = str(read(c.props, "name"));
      if (physical !== undefined) index.set(physical, c);
      if (!index.has(c.name)) index.set(c.name, c);
    }
  }
  return index;
}

const targetIndex = new WeakMap<
  Estimator,
  { all: GraphResource[]; byId: Map<string, GraphResource> }
>();

/** Scalable targets on a variant's instance count, by resource id. */
function variantTargets(e: Estimator): { all: GraphResource[]; byId: Map<string, GraphResource> } {
  let index = targetIndex.get(e);
  if (!index) {
    const all = e
      .ofType(TYPES.scalingTarget)
      .filter(
        (t) => str(read(t.props, "scalableDimension")) === "sagemaker:variant:DesiredInstanceCount",
      );
    const byId = new Map<string, GraphResource>();
    for (const t of all) {
      const id = str(read(t.props, "resourceId"));
      if (id === undefined) continue;
      // Two targets on one variant: the range the estimate holds to is the wider one.
      const seen = byId.get(id);
      const max = (x: GraphResource) => num(read(x.props, "maxCapacity")) ?? 0;
      if (!seen || max(t) > max(seen)) byId.set(id, t);
    }
    index = { all, byId };
    targetIndex.set(e, index);
  }
  return index;
}

function endpointConfigFor(e: Estimator, endpoint: GraphResource): GraphResource | undefined {
  const configs = e.ofType(TYPES.endpointConfig);
  const wanted = str(read(endpoint.props, "endpointConfigName"));
  const named = wanted ? configsByName(e).get(wanted) : undefined;
  if (named) return named;
  // The name is often unknown at preview: with one endpoint and one configuration, they pair.
  const endpoints = e.ofType(TYPES.endpoint);
  if (configs.length === 1 && endpoints.length === 1) return configs[0];
  return undefined;
}

/** The autoscaling range of an instance-based variant, from its scalable target. */
function scalingRange(
  e: Estimator,
  endpoint: GraphResource,
  variant: string | undefined,
  instanceVariants: number,
): { min: number; max: number; target: GraphResource } | undefined {
  const targets = variantTargets(e);
  const endpointName = str(read(endpoint.props, "name"));
  let target =
    endpointName !== undefined
      ? targets.byId.get(`endpoint/${endpointName}/variant/${variant}`)
      : undefined;
  // At preview the resource id may be unknown: one variant and its targets belong together.
  if (
    !target &&
    targets.all.length >= 1 &&
    instanceVariants === 1 &&
    e.ofType(TYPES.endpoint).length === 1
  ) {
    target = targets.all.reduce((a, b) =>
      (num(read(b.props, "maxCapacity")) ?? 0) > (num(read(a.props, "maxCapacity")) ?? 0) ? b : a,
    );
  }
  if (!target) return undefined;
  const min = num(read(target.props, "minCapacity"));
  const max = num(read(target.props, "maxCapacity"));
  if (min === undefined || max === undefined) return undefined;
  // A scheduled action on the same variant resets the range when it runs: its maximum counts.
  const id = str(read(target.props, "resourceId"));
  const scheduled = e
    .ofType(TYPES.scheduledAction)
    .filter((a) => id !== undefined && str(read(a.props, "resourceId")) === id)
    .map((a) => num(path(a.props, "scalableTargetAction", "maxCapacity")))
    .filter((n): n is number => n !== undefined);
  return { min, max: Math.max(max, ...scheduled), target };
}

export function endpoint(e: Estimator, r: GraphResource): void {
  const config = endpointConfigFor(e, r);
  if (!config) {
    const named = str(read(r.props, "endpointConfigName"));
    const warning = `${r.name}: its endpoint configuration is not in the stack or not resolvable — endpoint left out of the estimate`;
    // A configuration named but outside the stack still runs instances: its cost is unknown.
    if (named) e.noPrice(r, `endpoint on configuration "${named}", not in the stack`, warning);
    else e.warnings.push(warning);
    return;
  }
  const variants = [
    ...list(read(config.props, "productionVariants")).map((v) => ["variant", v] as const),
    ...list(read(config.props, "shadowProductionVariants")).map(
      (v) => ["shadow variant", v] as const,
    ),
  ];
  const instanceVariants = variants.filter(
    ([, v]) => read(v, "serverlessConfig") === undefined,
  ).length;
  const requests = e.usage.monthlyRequests;
  for (const [kind, v] of variants) {
    const variant = str(read(v, "variantName"));
    const label = `${kind} ${variant ?? ""}`.trim();
    const serverless = read(v, "serverlessConfig");
    if (serverless !== undefined) {
      const mb = num(read(serverless, "memorySizeInMb"));
      if (mb === undefined) {
        e.warnings.push(
          `${r.name}: serverless ${label} memory size unknown — left out of the estimate`,
        );
        continue;
      }
      const gb = mb / 1024;
      const seconds = e.usage.inferenceDurationMs / 1000;
      const p = SAGEMAKER_OTHER.serverlessGbSecond;
      const cost = requests * seconds * gb * p.usd;
      e.add(
        r,
        `serverless inference (${label})`,
        `${fmt(requests)} requests × ${fmt(seconds)} s × ${fmt(gb)} GB × ${usd(p)}/GB-s`,
        {
          requestsPerMonth: requests,
          secondsPerRequest: seconds,
          memoryGb: gb,
          usdPerGbSecond: p.usd,
        },
        cost,
        cost,
      );
      const provisioned = num(read(serverless, "provisionedConcurrency")) ?? 0;
      if (provisioned > 0) {
        e.noPrice(
          r,
          `provisioned concurrency on serverless ${label}`,
          `${r.name}: provisioned concurrency ${provisioned} on serverless ${label} is not priced — add its price to cost/prices.ts`,
        );
      }
      continue;
    }
    const type = str(read(v, "instanceType"));
    const p = type ? SAGEMAKER_HOSTING[type] : undefined;
    if (!p || !type) {
      e.unpricedInstance(r, "SageMaker hosting", type);
      continue;
    }
    const initial = num(read(v, "initialInstanceCount")) ?? 1;
    const range = scalingRange(e, r, variant, instanceVariants);
    const min = range ? range.min : initial;
    // Managed instance scaling grows the variant up to its own maximum.
    const managed = read(v, "managedInstanceScaling");
    const managedMax =
      managed !== undefined && String(read(managed, "status") ?? "").toUpperCase() !== "DISABLED"
        ? num(read(managed, "maxInstanceCount"))
        : undefined;
    const max = Math.max(range ? range.max : initial, managedMax ?? 0);
    const count = min === max ? fmt(min) : `${fmt(min)}–${fmt(max)}`;
    e.add(
      r,
      `endpoint instances (${label})`,
      `${count} × ${type} × ${HOURS_PER_MONTH} h × ${usd(p)}/h`,
      {
        minInstances: min,
        maxInstances: max,
        instanceType: type,
        hoursPerMonth: HOURS_PER_MONTH,
        usdPerHour: p.usd,
        ...(range ? { scalableTarget: range.target.name } : { fixedInstanceCount: initial }),
      },
      min * HOURS_PER_MONTH * p.usd,
      max * HOURS_PER_MONTH * p.usd,
    );
  }

  // Data processed in and out of the endpoint.
  const kb = e.usage.payloadKbPerRequest;
  const gbProcessed = requests * kb * GB_PER_KB;
  const dp = SAGEMAKER_OTHER.dataProcessedGb;
  e.add(
    r,
    "endpoint data processed",
    `${fmt(requests)} requests × ${fmt(kb)} KB (in + out) × ${usd(dp)}/GB`,
    {
      requestsPerMonth: requests,
      kbPerRequest: kb,
      gbPerMonth: amount(gbProcessed),
      usdPerGb: dp.usd,
    },
    gbProcessed * dp.usd,
    gbProcessed * dp.usd,
  );

  // Captured records land in the bucket, whose storage the `storageGb` assumption covers; the line
  // shows how fast captures grow so that assumption can be checked.
  const capture = read(config.props, "dataCaptureConfig");
  if (capture !== undefined && read(capture, "enableCapture") !== false) {
    const percent = num(read(capture, "initialSamplingPercentage")) ?? 100;
    const gb = requests * (percent / 100) * kb * GB_PER_KB;
    e.add(
      r,
      "data capture volume",
      `${fmt(requests)} requests × ${fmt(percent)}% × ${fmt(kb)} KB = ${fmt(amount(gb))} GB/month kept in the bucket (priced under storageGb)`,
      {
        requestsPerMonth: requests,
        samplingPercent: percent,
        kbPerRequest: kb,
        gbPerMonth: amount(gb),
      },
      0,
      0,
    );
  }
}
