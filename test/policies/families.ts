// Families of bypasses and legitimate configurations served to the pack the way the Pulumi CLI
// serves them (Analyze per resource, then AnalyzeStack): a bypass must be reported as mandatory by
// the policy that owns it, a legitimate case must pass with no mandatory finding at all.
import * as assert from "assert";
import {
  type PolicyConfig,
  type PolicyPackClient,
  startPolicyPack,
} from "../../tools/policy-analyzer";
import type { StackResource } from "../../tools/stack-run";
import { PROJECT } from "../../shared/project";
import { PACK_DIR, urnOf } from "./harness";

/** A resource of a served stack; `computed` holds what only its outputs carry (an ARN). */
export interface Served {
  type: string;
  name: string;
  props: Record<string, unknown>;
  deps?: Record<string, string[]>;
  computed?: Record<string, unknown>;
}

/** Served resources as the offline check hands them to the pack (inputs, outputs, dependencies). */
export function served(rs: Served[], stack = "dev"): StackResource[] {
  const urnOfServed = (r: Served) => urnOf({ type: r.type, name: r.name, stack });
  const byName = new Map(rs.map((r) => [r.name, urnOfServed(r)]));
  return rs.map((r) => {
    const propertyDependencies = Object.fromEntries(
      Object.entries(r.deps ?? {}).map(([p, names]) => [p, names.map((n) => byName.get(n)!)]),
    );
    return {
      urn: urnOfServed(r),
      type: r.type,
      name: r.name,
      custom: true,
      inputs: r.props,
      outputs: { ...r.props, ...(r.computed ?? {}) },
      id: `${r.name}-id`,
      protect: false,
      retainOnDelete: false,
      dependencies: Object.values(propertyDependencies).flat(),
      propertyDependencies,
      ignoreChanges: [],
      replaceOnChanges: [],
      deleteBeforeReplace: false,
    };
  });
}

/** A bypass that `caughtBy` must report as mandatory, or (no `caughtBy`) a case that must pass. */
export interface FamilyCase {
  family: string;
  name: string;
  resources: Served[];
  caughtBy?: string;
  says?: RegExp;
  /** Findings the case must also carry at the advisory level: `policy` names. */
  advisory?: string[];
  /** Policy config for the run (none: the pack's defaults). */
  config?: PolicyConfig;
}

/** Per family: bypasses caught and legitimate cases passing. */
export function familyCounts(cases: FamilyCase[]): Map<string, { caught: number; clean: number }> {
  const counts = new Map<string, { caught: number; clean: number }>();
  for (const c of cases) {
    const e = counts.get(c.family) ?? { caught: 0, clean: 0 };
    if (c.caughtBy) e.caught++;
    else e.clean++;
    counts.set(c.family, e);
  }
  return counts;
}

/** Serves each case to one pack as the CLI would and asserts its verdict. */
export function familyCases(title: string, cases: FamilyCase[], minimum = { caught: 2, clean: 2 }) {
  describe(title, function () {
    this.timeout(120_000);
    let pack: PolicyPackClient;
    before(async () => {
      pack = await startPolicyPack({
        packDir: PACK_DIR,
        stack: { project: PROJECT, stack: "dev" },
      });
    });
    after(() => pack?.close());

    for (const c of cases) {
      const verdict = c.caughtBy ? `reports (${c.caughtBy})` : "passes";
      it(`${c.family}: ${verdict} ${c.name}`, async () => {
        if (c.config) await pack.configure(c.config);
        try {
          const all = await pack.check(served(c.resources));
          const found = all.filter((v) => v.enforcementLevel === "mandatory");
          const shown = found.map((v) => `${v.policyName}: ${v.message}`).join("\n");
          for (const name of c.advisory ?? []) {
            assert.ok(
              all.some((v) => v.policyName === name && v.enforcementLevel === "advisory"),
              `no advisory finding of ${name}`,
            );
          }
          if (!c.caughtBy) {
            assert.strictEqual(shown, "");
            return;
          }
          const own = found.filter((v) => v.policyName === c.caughtBy);
          assert.ok(own.length > 0, `not reported by ${c.caughtBy}; found:\n${shown}`);
          if (c.says)
            assert.ok(
              own.some((v) => c.says!.test(v.message)),
              shown,
            );
        } finally {
          if (c.config) await pack.configure();
        }
      });
    }

    it(`holds at least ${minimum.caught} bypasses and ${minimum.clean} legitimate cases per family`, () => {
      for (const [family, e] of familyCounts(cases)) {
        assert.ok(
          e.caught >= minimum.caught && e.clean >= minimum.clean,
          `${family}: ${JSON.stringify(e)}`,
        );
      }
    });
  });
}
