// The core of the monthly cost estimate: the shapes it reads and writes, the formatting of its
// formulas, and the Estimator that collects lines and findings. The pricing of each service lives
// in its own module (sagemaker.ts, training.ts, ec2.ts, lambda.ts, storage.ts, cloudwatch.ts);
// estimate.ts dispatches the graph's resources to them.
import type { Usage } from "./usage";
import { type Price, regionMultiplier } from "./prices";
import { readProp as read } from "../shared/props";

// The lenient property readers every estimator module uses, under their short names.
export {
  nonEmpty as str,
  numeric as num,
  readList as list,
  readPath as path,
  readProp as read,
} from "../shared/props";

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
export function usd(p: Price | number): string {
  const v = typeof p === "number" ? p : p.usd;
  return `$${PRICE.format(v)}`;
}

export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Lines keep sub-cent amounts (a few cents per line add up) at a precision that hides float noise. */
export function amount(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export const GB_PER_KB = 1 / (1024 * 1024);

/** The state of one estimate: the graph, the usage, and the lines and findings so far. */
export class Estimator {
  readonly lines: CostLine[] = [];
  readonly warnings: string[] = [];
  readonly unpriced: Unpriced[] = [];
  private readonly byUrn: Map<string, GraphResource>;
  private readonly m: number;

  constructor(
    readonly graph: GraphResource[],
    readonly usage: Usage,
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

  ofType(type: string): GraphResource[] {
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
  add(
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
  noPrice(r: GraphResource | undefined, what: string, warning: string): void {
    this.warnings.push(warning);
    this.unpriced.push({
      resource: r?.urn ?? "stack",
      name: r?.name ?? "stack",
      type: r?.type ?? "stack",
      what,
    });
  }

  unpricedInstance(r: GraphResource, kind: string, type: string | undefined): void {
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
}
