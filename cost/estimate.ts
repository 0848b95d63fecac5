// The monthly cost estimate of a stack: one pure function from the resource graph, the usage
// assumptions and the region to cost lines and totals. The budget policy and the offline report
// both call `estimateCost`, so what the check prints is what the policy enforces.
//
// Every line carries the formula with all its inputs, so a reader can redo the arithmetic. Lines
// have a lower and an upper bound: they differ where the stack itself leaves a range (autoscaling
// between min and max instances, spot or on-demand training prices, provisioned or on-demand Lambda
// duration rates, log retention that never expires); usage-driven lines use the expected usage for
// both bounds. Free tiers are ignored: they are per account, not per stack.
import { type Usage, regionFromConfig, usageFromConfig } from "./usage";
import {
  CLOUDWATCH_PRICES,
  EBS_VOLUMES,
  EC2_INSTANCES,
  HOURS_PER_MONTH,
  KMS_PRICES,
  LAMBDA_PRICES,
  type Price,
  S3_PRICES,
  SAGEMAKER_HOSTING,
  SAGEMAKER_NOTEBOOK,
  SAGEMAKER_OTHER,
  SAGEMAKER_TRAINING,
  SECONDS_PER_MONTH,
  SECRETS_MANAGER_PRICES,
  SPOT_TRAINING_SAVING,
  VPC_PRICES,
  regionMultiplier,
} from "./prices";
export * from "./usage";

/** A resource as the estimator sees it: its type, name, URN and properties. */
export interface GraphResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  /** URN of the parent resource, when there is one. */
  parent?: string;
}

/**
 * A resource in either shape the estimator is given: the policy pack's `PolicyResource`
 * (`props`, `parent` as a resource) or a recorded stack run's resource (`inputs`, `outputs`,
 * `parent` as a URN).
 */
export interface ResourceLike {
  type: string;
  name: string;
  urn: string;
  props?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string | { urn: string };
}

export interface CostLine {
  /** URN of the resource the cost belongs to (`stack` for lines from the usage alone). */
  resource: string;
  /** Name of the resource. */
  name: string;
  type: string;
  /** Name of the component the resource belongs to, when it has one. */
  component?: string;
  /** What is billed, e.g. "endpoint instances". */
  item: string;
  /** The arithmetic with every input, e.g. "1 × ml.m5.xlarge × 730 h × $0.23/h". */
  formula: string;
  inputs: Record<string, string | number | boolean>;
  monthlyMin: number;
  monthlyMax: number;
}

export interface CostEstimate {
  region: string;
  regionMultiplier: number;
  currency: "USD";
  lines: CostLine[];
  totals: { min: number; max: number };
  /** Resources or settings left out of the estimate, and assumptions a reader should know. */
  warnings: string[];
  /**
   * Billable resources or settings the estimate has no price for. The budget policy reports them:
   * an estimate that leaves out the priciest resource cannot be held to a budget.
   */
  unpriced: Unpriced[];
}

export interface Unpriced {
  /** URN of the resource (`stack` for training from the config alone). */
  resource: string;
  name: string;
  type: string;
  /** What has no price, e.g. "SageMaker notebook instance type ml.p3.16xlarge". */
  what: string;
}

/** Turns either resource shape into the estimator's. */
export function toGraph(resources: readonly ResourceLike[]): GraphResource[] {
  return resources.map((r) => {
    const parent = read(r, "parent");
    const props =
      (read(r, "props") as Record<string, unknown> | undefined) ??
      ({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) } as Record<string, unknown>);
    return {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: props ?? {},
      parent:
        typeof parent === "string"
          ? parent
          : parent && typeof parent === "object"
            ? (read(parent, "urn") as string | undefined)
            : undefined,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Reading properties. Values unknown at preview come through the policy framework as proxies that
// throw when read, or as the SDK's sentinel strings once unwrapped; both read as `undefined` here,
// so an unknown value never fails the estimate.

// The sentinel strings the policy SDK deserializes unknown values into (kept internal by the SDK).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const UNKNOWN: ReadonlySet<unknown> = new Set(
  Object.keys(sdkProxy)
    .filter((k) => /^unknown\w+Value$/.test(k))
    .map((k) => sdkProxy[k]),
);

function isUnknown(v: unknown): boolean {
  return typeof v === "string" && UNKNOWN.has(v);
}

function read(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    const o = obj as Record<string, unknown>;
    let v = o[key];
    // The AWS API spelling (ResourceConfig) as well as the provider's (resourceConfig).
    if (v === undefined) v = o[key.charAt(0).toUpperCase() + key.slice(1)];
    return isUnknown(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

function path(obj: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((o, k) => read(o, k), obj);
}

function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) return [];
  const out: unknown[] = [];
  try {
    for (let i = 0; i < v.length; i++) out.push(read(v, String(i)));
  } catch {
    return out;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting the formulas.

// Formatters are built once: a fresh one per call (what toLocaleString does) is slow.
const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });
const PRICE = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 10,
});

/** A number as a person writes it: thousands separators, no float noise. */
export function fmt(n: number): string {
  const rounded = Math.round(n * 1e6) / 1e6;
  return NUMBER.format(rounded);
}

/** A price exactly as the price table holds it. */
function usd(p: Price | number): string {
  const v = typeof p === "number" ? p : p.usd;
  return `$${PRICE.format(v)}`;
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Lines keep sub-cent amounts (a few cents per line add up) at a precision that hides float noise. */
function amount(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

const GB_PER_KB = 1 / (1024 * 1024);

// ---------------------------------------------------------------------------------------------

/** Resource types that cost nothing by themselves, or whose cost is counted on another resource. */
const FREE_TYPES: RegExp[] = [
  /^aws:iam\//, // IAM is free.
  /^aws:s3\/bucket[A-Z]\w*:/, // Bucket settings (policy, versioning, encryption, ...); buckets are priced.
  /^aws:ec2\/securityGroup/,
  /^aws:vpc\/securityGroup/,
  /^aws:kms\/(alias|grant|keyPolicy):/, // The key is priced; its alias, grants and policy are not billed.
  /^aws:lambda\/(alias|functionUrl|permission|eventInvokeConfig):/,
  // The endpoint configuration is priced through the endpoint that serves it.
  /^aws:sagemaker\/(model|endpointConfiguration|notebookInstanceLifecycleConfiguration|codeRepository):/,
  /^aws:appautoscaling\/(target|scheduledAction):/, // Their range is read by the endpoint line.
  /^aws:ssm\/parameter:/, // Standard parameters are free.
  /^aws:budgets\/budget:/, // The first two budgets of an account are free.
  // Objects copied into a bucket: their storage is the `storageGb` assumption.
  /^aws:s3\/objectCopy:/,
  /^aws:costexplorer\/costAllocationTag:/, // Activating a cost allocation tag is free.
  // Templates and settings that launch or connect billable resources without billing themselves.
  /^aws:ec2\/(launchTemplate|launchConfiguration|defaultSecurityGroup|securityGroupAssociation|eipAssociation|keyPair|managedPrefixList|managedPrefixListEntry):/,
  // VPC plumbing without an hourly charge (NAT gateways, interface endpoints and public IPv4
  // addresses are billed, so they are not here).
  /^aws:ec2\/(vpc|subnet|routeTable|routeTableAssociation|route|internetGateway|egressOnlyInternetGateway|networkAcl|networkAclRule|networkAclAssociation|networkInterface|networkInterfaceAttachment|defaultVpc|defaultSubnet|defaultRouteTable|defaultNetworkAcl|mainRouteTableAssociation|vpcDhcpOptions|vpcDhcpOptionsAssociation):/,
  /^aws:ebs\/(encryptionByDefault|defaultKmsKey):/, // Account settings.
  /^aws:ec2\/instanceMetadataDefaults:/, // An account setting.
  /^aws:s3\/accountPublicAccessBlock:/, // An account setting.
  /^aws:ecr\/(repositoryPolicy|lifecyclePolicy):/, // Settings of a repository.
  // Settings and policies of resources priced (or billed per use) elsewhere.
  /^aws:secretsmanager\/(secretPolicy|secretVersion|secretRotation):/,
  /^aws:cloudwatch\/(logResourcePolicy|logStream):/,
  /^aws:lambda\/(layerVersion|layerVersionPermission|eventSourceMapping):/,
  /^aws:sagemaker\/(modelPackageGroup|modelPackageGroupPolicy):/,
  /^aws:ssoadmin\//, // IAM Identity Center permission sets and their policies are free.
  // A Studio domain, its profiles and spaces bill through their apps (aws:sagemaker/app, priced
  // per instance) and the data they store, not by themselves.
  /^aws:sagemaker\/(domain|userProfile|space|studioLifecycleConfig):/,
  // SNS bills per million publishes ($0.50); budget and alarm notices are a handful a month.
  /^aws:sns\/(topic|topicPolicy|topicSubscription):/,
];

const PRICED_TYPES = new Set([
  "aws:sagemaker/notebookInstance:NotebookInstance",
  "aws:ec2/instance:Instance",
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  "aws:ebs/volume:Volume",
  "aws:ec2/eip:Eip",
  "aws:secretsmanager/secret:Secret",
  "aws:sagemaker/trainingJob:TrainingJob",
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
  "aws:sagemaker/endpoint:Endpoint",
  "aws:lambda/function:Function",
  "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:kms/key:Key",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:appautoscaling/policy:Policy",
  "aws:cloudwatch/logGroup:LogGroup",
]);

class Estimator {
  readonly lines: CostLine[] = [];
  readonly warnings: string[] = [];
  readonly unpriced: Unpriced[] = [];
  private readonly byUrn: Map<string, GraphResource>;
  private readonly m: number;

  constructor(
    private readonly graph: GraphResource[],
    private readonly usage: Usage,
    readonly region: string,
  ) {
    this.byUrn = new Map(graph.map((r) => [r.urn, r]));
    const { multiplier, warning } = regionMultiplier(region);
    this.m = multiplier;
    if (warning) this.warnings.push(warning);
  }

  get multiplier(): number {
    return this.m;
  }

  private readonly byType = new Map<string, GraphResource[]>();

  private ofType(type: string): GraphResource[] {
    if (this.byType.size === 0) {
      for (const r of this.graph) {
        const list = this.byType.get(r.type);
        if (list) list.push(r);
        else this.byType.set(r.type, [r]);
      }
    }
    return this.byType.get(type) ?? [];
  }

  private component(r: GraphResource): string | undefined {
    const parent = r.parent ? this.byUrn.get(r.parent) : undefined;
    return parent && parent.type !== "pulumi:pulumi:Stack" ? parent.name : undefined;
  }

  /** Adds a line; prices are us-east-1 and carried to the region by the multiplier. */
  private add(
    r: GraphResource | undefined,
    item: string,
    formula: string,
    inputs: Record<string, string | number | boolean>,
    min: number,
    max: number,
  ): void {
    const regional = this.m !== 1;
    this.lines.push({
      resource: r?.urn ?? "stack",
      name: r?.name ?? "stack",
      type: r?.type ?? "stack",
      ...(r && this.component(r) ? { component: this.component(r) } : {}),
      item,
      formula: regional ? `${formula} × ${this.m} (${this.region} price level)` : formula,
      inputs: regional ? { ...inputs, regionMultiplier: this.m } : inputs,
      monthlyMin: amount(min * this.m),
      monthlyMax: amount(max * this.m),
    });
  }

  /** A billable item without a price: a warning, and a finding for the budget policy. */
  private noPrice(r: GraphResource | undefined, what: string, warning: string): void {
    this.warnings.push(warning);
    this.unpriced.push({
      resource: r?.urn ?? "stack",
      name: r?.name ?? "stack",
      type: r?.type ?? "stack",
      what,
    });
  }

  private unpricedInstance(r: GraphResource, kind: string, type: string | undefined): void {
    // A type unknown until deploy is judged once it is known; a named type without a price is not.
    if (type) {
      this.noPrice(
        r,
        `${kind} instance type ${type}`,
        `${r.name}: no ${kind} price for ${type}; add it to cost/prices.ts — left out of the estimate`,
      );
      return;
    }
    this.warnings.push(
      type
        ? `${r.name}: no ${kind} price for ${type}; add it to cost/prices.ts — left out of the estimate`
        : `${r.name}: ${kind} instance type unknown (not set, or unknown until deploy) — left out of the estimate`,
    );
  }

  run(): void {
    for (const r of this.graph) {
      switch (r.type) {
        case "aws:sagemaker/notebookInstance:NotebookInstance":
          this.notebook(r);
          break;
        // A spot request runs the same instance; on-demand is the most it can cost.
        case "aws:ec2/instance:Instance":
        case "aws:ec2/spotInstanceRequest:SpotInstanceRequest":
          this.ec2(r);
          break;
        case "aws:sagemaker/trainingJob:TrainingJob":
          this.trainingJob(r);
          break;
        case "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob":
          this.tuningJob(r);
          break;
        case "aws:sagemaker/endpoint:Endpoint":
          this.endpoint(r);
          break;
        case "aws:lambda/function:Function":
          this.lambdaFunction(r);
          break;
        case "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig":
          this.provisionedConcurrency(r);
          break;
        case "aws:ebs/volume:Volume":
          this.volume(r, "volume", r.props, "size");
          break;
        case "aws:ec2/eip:Eip": {
          const p = VPC_PRICES.publicIpv4Hour;
          this.add(
            r,
            "public IPv4 address",
            `1 address × ${HOURS_PER_MONTH} h × ${usd(p)}/h`,
            { addresses: 1, hoursPerMonth: HOURS_PER_MONTH, usdPerHour: p.usd },
            HOURS_PER_MONTH * p.usd,
            HOURS_PER_MONTH * p.usd,
          );
          break;
        }
        case "aws:secretsmanager/secret:Secret": {
          const p = SECRETS_MANAGER_PRICES.secretMonth;
          this.add(
            r,
            "secret",
            `1 secret × ${usd(p)}/secret-month`,
            { secrets: 1, usdPerSecretMonth: p.usd },
            p.usd,
            p.usd,
          );
          break;
        }
        case "aws:kms/key:Key":
          this.add(
            r,
            "KMS key",
            `1 key × ${usd(KMS_PRICES.keyMonth)}/key-month`,
            { keys: 1, usdPerKeyMonth: KMS_PRICES.keyMonth.usd },
            KMS_PRICES.keyMonth.usd,
            KMS_PRICES.keyMonth.usd,
          );
          break;
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
          this.alarm(r);
          break;
        case "aws:appautoscaling/policy:Policy":
          this.scalingPolicy(r);
          break;
        default:
          if (
            !PRICED_TYPES.has(r.type) &&
            r.type.startsWith("aws:") &&
            !FREE_TYPES.some((re) => re.test(r.type))
          ) {
            this.noPrice(
              r,
              `resource type ${r.type}`,
              `${r.name}: no price for ${r.type} — left out of the estimate`,
            );
          }
      }
    }
    this.storage();
    this.logs();
    this.trainingFromConfig();
  }

  private notebook(r: GraphResource): void {
    const type = str(read(r.props, "instanceType"));
    const p = type ? SAGEMAKER_NOTEBOOK[type] : undefined;
    const hours = Math.min(this.usage.notebookActiveHoursPerMonth, HOURS_PER_MONTH);
    if (p && type) {
      const cost = hours * p.usd;
      this.add(
        r,
        "notebook instance hours",
        `1 × ${type} × ${fmt(hours)} h × ${usd(p)}/h`,
        { instances: 1, instanceType: type, hoursPerMonth: hours, usdPerHour: p.usd },
        cost,
        cost,
      );
    } else {
      this.unpricedInstance(r, "SageMaker notebook", type);
    }
    // The ML storage volume is billed while the notebook exists, running or stopped; 5 GB is the
    // SageMaker default size.
    const gb = num(read(r.props, "volumeSize")) ?? 5;
    const s = SAGEMAKER_OTHER.mlStorageGbMonth;
    this.add(
      r,
      "notebook ML storage",
      `${fmt(gb)} GB × ${usd(s)}/GB-month`,
      { volumeGb: gb, usdPerGbMonth: s.usd },
      gb * s.usd,
      gb * s.usd,
    );
  }

  private ec2(r: GraphResource): void {
    const type = str(read(r.props, "instanceType"));
    const p = type ? EC2_INSTANCES[type] : undefined;
    const hours = Math.min(this.usage.ec2HoursPerMonth, HOURS_PER_MONTH);
    if (p && type) {
      const cost = hours * p.usd;
      this.add(
        r,
        "EC2 instance hours",
        `1 × ${type} × ${fmt(hours)} h × ${usd(p)}/h`,
        { instances: 1, instanceType: type, hoursPerMonth: hours, usdPerHour: p.usd },
        cost,
        cost,
      );
    } else {
      this.unpricedInstance(r, "EC2", type);
    }
    // EBS volumes are billed for the whole month, whether the instance runs or is stopped. A root
    // volume without a size takes the AMI's (8 GB for Amazon Linux).
    const volumes: [string, unknown][] = [["root volume", read(r.props, "rootBlockDevice") ?? {}]];
    list(read(r.props, "ebsBlockDevices")).forEach((v, i) =>
      volumes.push([`EBS volume ${i + 1}`, v]),
    );
    for (const [item, v] of volumes) this.volume(r, item, v, "volumeSize", "volumeType");
  }

  /** An EBS volume, billed for the whole month: a device of an instance, or a standalone volume. */
  private volume(
    r: GraphResource,
    item: string,
    v: unknown,
    sizeKey: string,
    typeKey = "type",
  ): void {
    const gb = num(read(v, sizeKey)) ?? 8;
    const volumeType = str(read(v, typeKey)) ?? "gp3";
    const vp = EBS_VOLUMES[volumeType];
    if (!vp) {
      this.noPrice(
        r,
        `EBS volume type ${volumeType} (${item})`,
        `${r.name}: no price for EBS volume type ${volumeType}; ${item} left out of the estimate`,
      );
      return;
    }
    this.add(
      r,
      `EBS ${item} (${volumeType})`,
      `${fmt(gb)} GB × ${usd(vp)}/GB-month`,
      { volumeGb: gb, volumeType, usdPerGbMonth: vp.usd },
      gb * vp.usd,
      gb * vp.usd,
    );
  }

  /** Instance-hours of one training job definition, with its spot setting. */
  private jobShape(
    r: GraphResource,
    def: unknown,
  ): { type: string; count: number; hours: number; spot: boolean; price: Price } | undefined {
    const type = str(path(def, "resourceConfig", "instanceType"));
    const price = type ? SAGEMAKER_TRAINING[type] : undefined;
    if (!price || !type) {
      this.unpricedInstance(r, "SageMaker training", type);
      return undefined;
    }
    const count = num(path(def, "resourceConfig", "instanceCount")) ?? 1;
    // SageMaker's default MaxRuntimeInSeconds is one day; billed time never exceeds it.
    const seconds = num(path(def, "stoppingCondition", "maxRuntimeInSeconds")) ?? 86400;
    const spot = read(def, "enableManagedSpotTraining") === true;
    return { type, count, hours: seconds / 3600, spot, price };
  }

  private addTraining(
    r: GraphResource | undefined,
    item: string,
    shape: { type: string; count: number; spot: boolean; price: Price },
    instanceHoursPerRun: number,
    runFormula: string,
    inputs: Record<string, string | number | boolean>,
  ): void {
    const runs = this.usage.trainingRunsPerMonth;
    const max = instanceHoursPerRun * runs * shape.price.usd;
    const saving = SPOT_TRAINING_SAVING.assumed;
    const min = shape.spot ? max * (1 - saving) : max;
    const spotNote = shape.spot ? `; spot: min assumes ${saving * 100}% saving, max on-demand` : "";
    this.add(
      r,
      item,
      `${runFormula} × ${fmt(runs)} runs × ${usd(shape.price)}/h${spotNote}`,
      {
        ...inputs,
        instanceType: shape.type,
        instanceCount: shape.count,
        runsPerMonth: runs,
        usdPerHour: shape.price.usd,
        spot: shape.spot,
        ...(shape.spot ? { assumedSpotSaving: saving } : {}),
      },
      min,
      max,
    );
  }

  private trainingJob(r: GraphResource): void {
    const shape = this.jobShape(r, r.props);
    if (!shape) return;
    this.addTraining(
      r,
      "training job",
      shape,
      shape.count * shape.hours,
      `${fmt(shape.count)} × ${shape.type} × ${fmt(shape.hours)} h`,
      { maxRuntimeHours: shape.hours },
    );
  }

  private tuningJob(r: GraphResource): void {
    const defs = [
      read(r.props, "trainingJobDefinition"),
      ...list(read(r.props, "trainingJobDefinitions")),
    ].filter((d) => d && typeof d === "object");
    const shapes = defs
      .map((d) => this.jobShape(r, d))
      .filter((s): s is NonNullable<typeof s> => s !== undefined);
    if (shapes.length === 0) {
      if (defs.length === 0)
        this.warnings.push(
          `${r.name}: tuning job without a training job definition — left out of the estimate`,
        );
      return;
    }
    // With several definitions every job may run the priciest one: the upper bound.
    const shape = shapes.reduce((a, b) =>
      b.count * b.hours * b.price.usd > a.count * a.hours * a.price.usd ? b : a,
    );
    const limits = path(r.props, "config", "resourceLimits") ?? read(r.props, "resourceLimits");
    let jobs = num(read(limits, "maxNumberOfTrainingJobs"));
    if (jobs === undefined) {
      jobs = this.usage.training.tuningMaxJobs;
      this.warnings.push(
        `${r.name}: maxNumberOfTrainingJobs not set; assuming ${jobs} (tuningMaxJobs)`,
      );
    }
    const parallel = num(read(limits, "maxParallelTrainingJobs"));
    const tuningSeconds = num(read(limits, "maxRuntimeInSeconds"));
    let jobHours = jobs * shape.hours;
    let runFormula = `${fmt(jobs)} jobs × ${fmt(shape.count)} × ${shape.type} × ${fmt(shape.hours)} h`;
    const inputs: Record<string, number> = {
      maxTrainingJobs: jobs,
      maxRuntimeHoursPerJob: shape.hours,
    };
    // The tuning job's own time limit caps the total: at most `parallel` jobs run at a time.
    if (
      parallel !== undefined &&
      tuningSeconds !== undefined &&
      parallel * (tuningSeconds / 3600) < jobHours
    ) {
      jobHours = parallel * (tuningSeconds / 3600);
      runFormula = `${fmt(parallel)} parallel jobs × ${fmt(tuningSeconds / 3600)} h tuning limit × ${fmt(shape.count)} × ${shape.type}`;
      Object.assign(inputs, {
        maxParallelTrainingJobs: parallel,
        tuningMaxRuntimeHours: tuningSeconds / 3600,
      });
    }
    this.addTraining(r, "tuning job", shape, jobHours * shape.count, runFormula, inputs);
  }

  /** Training the config asks for when the graph has no job resource (yet). */
  private trainingFromConfig(): void {
    const t = this.usage.training;
    if (t.mode === "none") return;
    const declared = this.graph.some(
      (r) =>
        r.type === "aws:sagemaker/trainingJob:TrainingJob" ||
        r.type === "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
    );
    if (declared) return;
    const price = SAGEMAKER_TRAINING[t.instanceType];
    if (!price) {
      this.noPrice(
        undefined,
        `SageMaker training instance type ${t.instanceType} (trainingInstanceType)`,
        `trainingInstanceType: no SageMaker training price for ${t.instanceType} — training left out of the estimate`,
      );
      return;
    }
    const hours = t.maxRuntimeSeconds / 3600;
    const shape = { type: t.instanceType, count: t.instanceCount, spot: t.useSpot, price };
    if (t.mode === "train") {
      this.addTraining(
        undefined,
        "training job (from config)",
        shape,
        t.instanceCount * hours,
        `${fmt(t.instanceCount)} × ${t.instanceType} × ${fmt(hours)} h`,
        { maxRuntimeHours: hours },
      );
    } else {
      this.addTraining(
        undefined,
        "tuning job (from config)",
        shape,
        t.tuningMaxJobs * t.instanceCount * hours,
        `${fmt(t.tuningMaxJobs)} jobs × ${fmt(t.instanceCount)} × ${t.instanceType} × ${fmt(hours)} h`,
        { maxTrainingJobs: t.tuningMaxJobs, maxRuntimeHoursPerJob: hours },
      );
    }
  }

  private configIndex?: Map<string, GraphResource>;

  /** Endpoint configurations by physical name and by the program's name for them. */
  private configsByName(): Map<string, GraphResource> {
    if (!this.configIndex) {
      this.configIndex = new Map();
      for (const c of this.ofType("aws:sagemaker/endpointConfiguration:EndpointConfiguration")) {
        const physical = str(read(c.props, "name"));
        if (physical !== undefined) this.configIndex.set(physical, c);
        if (!this.configIndex.has(c.name)) this.configIndex.set(c.name, c);
      }
    }
    return this.configIndex;
  }

  private targetIndex?: { all: GraphResource[]; byId: Map<string, GraphResource> };

  /** Scalable targets on a variant's instance count, by resource id. */
  private variantTargets(): { all: GraphResource[]; byId: Map<string, GraphResource> } {
    if (!this.targetIndex) {
      const all = this.ofType("aws:appautoscaling/target:Target").filter(
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
      this.targetIndex = { all, byId };
    }
    return this.targetIndex;
  }

  private endpointConfigFor(endpoint: GraphResource): GraphResource | undefined {
    const configs = this.ofType("aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    const wanted = str(read(endpoint.props, "endpointConfigName"));
    const named = wanted ? this.configsByName().get(wanted) : undefined;
    if (named) return named;
    // The name is often unknown at preview: with one endpoint and one configuration, they pair.
    const endpoints = this.ofType("aws:sagemaker/endpoint:Endpoint");
    if (configs.length === 1 && endpoints.length === 1) return configs[0];
    return undefined;
  }

  /** The autoscaling range of an instance-based variant, from its scalable target. */
  private scalingRange(
    endpoint: GraphResource,
    variant: string | undefined,
    instanceVariants: number,
  ): { min: number; max: number; target: GraphResource } | undefined {
    const targets = this.variantTargets();
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
      this.ofType("aws:sagemaker/endpoint:Endpoint").length === 1
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
    const scheduled = this.ofType("aws:appautoscaling/scheduledAction:ScheduledAction")
      .filter((a) => id !== undefined && str(read(a.props, "resourceId")) === id)
      .map((a) => num(path(a.props, "scalableTargetAction", "maxCapacity")))
      .filter((n): n is number => n !== undefined);
    return { min, max: Math.max(max, ...scheduled), target };
  }

  private endpoint(r: GraphResource): void {
    const config = this.endpointConfigFor(r);
    if (!config) {
      const named = str(read(r.props, "endpointConfigName"));
      const warning = `${r.name}: its endpoint configuration is not in the stack or not resolvable — endpoint left out of the estimate`;
      // A configuration named but outside the stack still runs instances: its cost is unknown.
      if (named) this.noPrice(r, `endpoint on configuration "${named}", not in the stack`, warning);
      else this.warnings.push(warning);
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
    const requests = this.usage.monthlyRequests;
    for (const [kind, v] of variants) {
      const variant = str(read(v, "variantName"));
      const label = `${kind} ${variant ?? ""}`.trim();
      const serverless = read(v, "serverlessConfig");
      if (serverless !== undefined) {
        const mb = num(read(serverless, "memorySizeInMb"));
        if (mb === undefined) {
          this.warnings.push(
            `${r.name}: serverless ${label} memory size unknown — left out of the estimate`,
          );
          continue;
        }
        const gb = mb / 1024;
        const seconds = this.usage.inferenceDurationMs / 1000;
        const p = SAGEMAKER_OTHER.serverlessGbSecond;
        const cost = requests * seconds * gb * p.usd;
        this.add(
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
          this.noPrice(
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
        this.unpricedInstance(r, "SageMaker hosting", type);
        continue;
      }
      const initial = num(read(v, "initialInstanceCount")) ?? 1;
      const range = this.scalingRange(r, variant, instanceVariants);
      const min = range ? range.min : initial;
      // Managed instance scaling grows the variant up to its own maximum.
      const managed = read(v, "managedInstanceScaling");
      const managedMax =
        managed !== undefined && String(read(managed, "status") ?? "").toUpperCase() !== "DISABLED"
          ? num(read(managed, "maxInstanceCount"))
          : undefined;
      const max = Math.max(range ? range.max : initial, managedMax ?? 0);
      const count = min === max ? fmt(min) : `${fmt(min)}–${fmt(max)}`;
      this.add(
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
    const kb = this.usage.payloadKbPerRequest;
    const gbProcessed = requests * kb * GB_PER_KB;
    const dp = SAGEMAKER_OTHER.dataProcessedGb;
    this.add(
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
      this.add(
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

  private functionMemory(fn: GraphResource): { gb: number; arch: "arm64" | "x86_64" } {
    const mb = num(read(fn.props, "memorySize")) ?? 128;
    const arch = str(list(read(fn.props, "architectures"))[0]) === "arm64" ? "arm64" : "x86_64";
    return { gb: mb / 1024, arch };
  }

  private provisionedIndex?: Map<string, GraphResource[]>;

  /** Provisioned concurrency configs by the function name (or ARN) they target. */
  private provisionedByTarget(): Map<string, GraphResource[]> {
    if (!this.provisionedIndex) {
      this.provisionedIndex = new Map();
      for (const c of this.ofType(
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
      )) {
        const target = str(read(c.props, "functionName"));
        if (target === undefined) continue;
        this.provisionedIndex.set(target, [...(this.provisionedIndex.get(target) ?? []), c]);
      }
    }
    return this.provisionedIndex;
  }

  private functionIndex?: Map<string, GraphResource>;

  /** The names a provisioned concurrency config may give its function by. */
  private functionKeys(fn: GraphResource): string[] {
    return [str(read(fn.props, "name")), str(read(fn.props, "arn")), fn.name].filter(
      (k): k is string => k !== undefined,
    );
  }

  private provisionedFor(fn: GraphResource): GraphResource[] {
    const configs = this.ofType(
      "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
    );
    const byTarget = this.provisionedByTarget();
    const matched = this.functionKeys(fn).flatMap((k) => byTarget.get(k) ?? []);
    if (matched.length > 0) return [...new Set(matched)];
    return configs.length > 0 && this.ofType("aws:lambda/function:Function").length === 1
      ? configs
      : [];
  }

  private lambdaFunction(r: GraphResource): void {
    const { gb, arch } = this.functionMemory(r);
    const requests = this.usage.monthlyRequests;
    const rp = LAMBDA_PRICES.requests;
    this.add(
      r,
      "Lambda requests",
      `${fmt(requests)} requests × ${usd(rp)}/request`,
      { requestsPerMonth: requests, usdPerRequest: rp.usd },
      requests * rp.usd,
      requests * rp.usd,
    );

    const seconds = this.usage.lambdaDurationMs / 1000;
    const gbSeconds = requests * seconds * gb;
    const onDemand = LAMBDA_PRICES.durationGbSecond[arch];
    const provisioned = this.provisionedFor(r).reduce(
      (n, c) => n + (num(read(c.props, "provisionedConcurrentExecutions")) ?? 0),
      0,
    );
    if (provisioned > 0) {
      // Invocations served by provisioned concurrency bill a lower duration rate; the overflow bills
      // the on-demand rate. Lower bound: all served warm; upper bound: none.
      const warm = LAMBDA_PRICES.provisionedDurationGbSecond[arch];
      this.add(
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
      this.add(
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

  private provisionedConcurrency(r: GraphResource): void {
    const n = num(read(r.props, "provisionedConcurrentExecutions"));
    if (n === undefined) {
      this.warnings.push(`${r.name}: provisioned concurrency unknown — left out of the estimate`);
      return;
    }
    const functions = this.ofType("aws:lambda/function:Function");
    const target = str(read(r.props, "functionName"));
    if (!this.functionIndex) {
      this.functionIndex = new Map();
      for (const fn of functions) {
        for (const k of this.functionKeys(fn)) this.functionIndex.set(k, fn);
      }
    }
    const named = target !== undefined ? this.functionIndex.get(target) : undefined;
    let fns = named ? [named] : [];
    // Unknown at preview, or named some other way: a stack's only function is the one.
    if (fns.length === 0 && functions.length === 1) fns = functions;
    if (fns.length !== 1) {
      const warning = `${r.name}: its function is not in the stack or not resolvable — provisioned concurrency left out of the estimate`;
      // Provisioned concurrency bills whatever function it is for; one named outside the stack
      // has a memory size the estimate cannot know.
      if (target !== undefined && functions.length === 0) {
        this.noPrice(
          r,
          `provisioned concurrency of function "${target}", not in the stack`,
          warning,
        );
      } else this.warnings.push(warning);
      return;
    }
    const { gb, arch } = this.functionMemory(fns[0]);
    const p = LAMBDA_PRICES.provisionedConcurrencyGbSecond[arch];
    const cost = n * gb * SECONDS_PER_MONTH * p.usd;
    this.add(
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

  private alarm(r: GraphResource): void {
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
    this.add(
      r,
      `CloudWatch alarm (${kind})`,
      `${fmt(n)} alarm metric${n === 1 ? "" : "s"} × ${usd(p)}/alarm metric-month`,
      { alarmMetrics: n, highResolution, usdPerAlarmMetricMonth: p.usd },
      n * p.usd,
      n * p.usd,
    );
  }

  private scalingPolicy(r: GraphResource): void {
    if (str(read(r.props, "policyType")) !== "TargetTrackingScaling") return;
    // Target tracking creates and manages its own CloudWatch alarms, one to scale out and one to
    // scale in, billed like any other alarm
    // (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html).
    const p = CLOUDWATCH_PRICES.standardAlarmMetricMonth;
    this.add(
      r,
      "CloudWatch alarms of target tracking",
      `2 alarms × ${usd(p)}/alarm metric-month`,
      { alarmMetrics: 2, usdPerAlarmMetricMonth: p.usd },
      2 * p.usd,
      2 * p.usd,
    );
  }

  private storage(): void {
    const buckets = [
      ...this.ofType("aws:s3/bucket:Bucket"),
      ...this.ofType("aws:s3/bucketV2:BucketV2"),
    ];
    const gb = this.usage.storageGb;
    const p = S3_PRICES.standardGbMonth;
    if (buckets.length === 0) {
      if (gb > 0)
        this.warnings.push(
          `storageGb is ${gb} but the stack declares no bucket; storage left out of the estimate`,
        );
      return;
    }
    // `storageGb` is what the stack keeps in S3; it is counted once, on the first bucket.
    this.add(
      buckets[0],
      "S3 Standard storage",
      `${fmt(gb)} GB × ${usd(p)}/GB-month`,
      { storageGb: gb, usdPerGbMonth: p.usd },
      gb * p.usd,
      gb * p.usd,
    );
  }

  private logs(): void {
    const total = this.usage.logIngestGbPerMonth;
    if (total <= 0) return;
    const groups = this.ofType("aws:cloudwatch/logGroup:LogGroup");
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
      this.add(
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
        this.add(
          g,
          "CloudWatch Logs storage",
          `${fmt(share)} GB/month × ${fmt(retention)} d ÷ ${fmt(daysPerMonth)} d × ${usd(store)}/GB-month`,
          { ingestGbPerMonth: share, retentionDays: retention, usdPerGbMonth: store.usd },
          cost,
          cost,
        );
      } else {
        // Logs that never expire grow every month: the bounds are the first month and the twelfth.
        this.add(
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
        this.warnings.push(
          `${g ? g.name : "logs"}: no log retention; storage grows every month (estimated for months 1 to 12)`,
        );
      }
    }
  }
}

/**
 * The monthly cost of a stack: a line per billed item of every resource, totals, and warnings for
 * what is not priced. `resources` may be policy-pack resources or a recorded stack run's resources.
 */
export function estimateCost(
  resources: readonly ResourceLike[],
  usage: Usage,
  region: string,
): CostEstimate {
  const e = new Estimator(toGraph(resources), usage, region);
  e.run();
  const min = cents(e.lines.reduce((s, l) => s + l.monthlyMin, 0));
  const max = cents(e.lines.reduce((s, l) => s + l.monthlyMax, 0));
  return {
    region,
    regionMultiplier: e.multiplier,
    currency: "USD",
    lines: e.lines,
    totals: { min, max },
    warnings: e.warnings,
    unpriced: e.unpriced,
  };
}

/** The lines that cost the most at the upper bound, biggest first. */
export function biggestItems(estimate: CostEstimate, n = 3): CostLine[] {
  return [...estimate.lines]
    .sort((a, b) => b.monthlyMax - a.monthlyMax || a.resource.localeCompare(b.resource))
    .slice(0, n);
}

/**
 * The estimate of a recorded stack run (`runStack` in tools/stack-run.ts): its resources, with the
 * usage and region from its config.
 */
export function estimateStackRun(run: {
  resources: readonly ResourceLike[];
  config: Record<string, string>;
  region?: string;
}): CostEstimate {
  return estimateCost(
    run.resources,
    usageFromConfig(run.config),
    run.region ?? regionFromConfig(run.config),
  );
}
