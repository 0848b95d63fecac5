// The offline check's report: what each stack's check finds, and the analyses that fill it in.
// Every part of the check depends on these types; they depend on nothing of the check itself.
import type { EnforcementLevel } from "./analyzer-config";
import type { CostReport } from "./check-analyses";
import type { ResourceRow } from "./resource-summary";
import type { StackResource, StackRun } from "./stack-run";

/** A policy's finding, as the report shows it. */
export interface Violation {
  policy: string;
  level: EnforcementLevel;
  /** URN of the resource at fault; empty for findings about the stack as a whole. */
  urn: string;
  /** Logical name and type of that resource, for display. */
  name: string;
  type: string;
  message: string;
  /**
   * Where the finding shows: "preview" when a `pulumi preview` of a fresh stack reports it, "up"
   * when only an update does (it depends on values unknown until deploy: ids, ARNs). Absent when
   * the check ran no preview.
   */
  seenAt?: "preview" | "up";
}

export interface CheckReport {
  stack: string;
  project: string;
  region: string;
  status: "ok" | "violations" | "error";
  error?: { kind: "config" | "program" | "policy"; message: string };
  resources: ResourceRow[];
  outputs: Record<string, unknown>;
  /** Monthly cost estimate; absent when the program did not run. */
  cost?: CostReport;
  violations: Violation[];
}

/** An analysis that reads the resource graphs of all stacks of one check. */
export interface Analysis {
  /** What the progress line says while it runs. */
  readonly label: string;
  /**
   * Started before the program runs, so that slow set-up overlaps it; given the first stack's name
   * and config when its stack file reads, to prepare for it.
   */
  start?(first?: Pick<StackRun, "stack" | "config">): Promise<void>;
  /** A resource the program of `stack` registered, before its run completes. */
  observe?(stack: string, resource: StackResource): void;
  apply(run: StackRun, report: CheckReport): Promise<void>;
  stop?(): Promise<void>;
}
