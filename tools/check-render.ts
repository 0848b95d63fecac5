// Human-readable output of the offline check: plain text tables, colour only on a terminal.
import type { CheckReport, Violation } from "./check-types";
import type { StackDiff } from "./check-diff";
import { shortType } from "./resource-summary";
import { isUnknown } from "../shared/props";

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof CODES;

function paint(color: boolean) {
  return (style: Style, text: string) => (color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text);
}

/** Left-aligned columns separated by two spaces; the last column is never padded. */
export function table(header: string[], rows: string[][], indent = "  "): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : (c ?? "").padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function formatValue(v: unknown): string {
  // An output the stack has only once deployed (the report is a preview's: `up` refused).
  if (isUnknown(v)) return "(known after up)";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function violationLines(violations: Violation[], c: ReturnType<typeof paint>): string[] {
  const order = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };
  const sorted = [...violations].sort(
    (a, b) =>
      order[a.level] - order[b.level] ||
      a.name.localeCompare(b.name) ||
      a.policy.localeCompare(b.policy),
  );
  const out: string[] = [];
  let current = "\0";
  for (const v of sorted) {
    const where = v.urn ? `${v.name} (${shortType(v.type)})` : "(stack)";
    if (where !== current) {
      out.push(`  ${c("bold", where)}`);
      current = where;
    }
    const level = v.level === "mandatory" ? c("red", v.level) : c("yellow", v.level);
    // A finding a preview of a fresh stack cannot see (it needs values known only once deployed)
    // is marked: `pulumi preview` passes it, and `pulumi up` stops on it.
    const upOnly = v.seenAt === "up" ? ` ${c("yellow", "(up only)")}` : "";
    out.push(`    [${level}]${upOnly} ${v.policy}: ${v.message.replace(/\n/g, "\n      ")}`);
  }
  return out;
}

export function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function range(min: number, max: number): string {
  return min === max ? usd(min) : `${usd(min)} – ${usd(max)}`;
}

function costSection(report: CheckReport, c: ReturnType<typeof paint>): string[] {
  const cost = report.cost;
  if (!cost) return [];
  const region =
    cost.regionMultiplier === 1
      ? cost.region
      : `${cost.region}, ×${cost.regionMultiplier} over us-east-1`;
  const out = [c("bold", `Monthly cost estimate (USD, ${region})`)];
  out.push(
    table(
      ["COMPONENT", "RESOURCE", "ITEM", "FORMULA", "MIN", "MAX"],
      cost.lines.map((l) => [
        l.component ?? "-",
        l.name,
        l.item,
        l.formula,
        usd(l.monthlyMin),
        usd(l.monthlyMax),
      ]),
    ),
  );
  out.push(c("bold", `  Total: ${range(cost.totals.min, cost.totals.max)} per month`));
  if (cost.budget) {
    const over = cost.budget.overBy > 0;
    const text = `  Budget: ${usd(cost.budget.monthlyUsd)} per month (${cost.budget.declared}): ${
      over ? `upper bound over by ${usd(cost.budget.overBy)}` : `upper bound within budget`
    }`;
    out.push(over ? c("red", text) : c("green", text));
  } else {
    out.push("  Budget: none set (pulumi config set budgetMonthlyUsd <amount>)");
  }
  for (const w of cost.warnings) out.push(c("yellow", `  note: ${w}`));
  return out;
}

export function renderReport(report: CheckReport, color: boolean): string {
  const c = paint(color);
  const out: string[] = [];
  out.push(
    c("bold", `Stack ${report.stack}`) +
      (report.project ? ` (${report.project}, ${report.region})` : ""),
  );
  if (report.error) {
    const title = { config: "Config error", program: "Program error", policy: "Policy pack error" }[
      report.error.kind
    ];
    out.push(c("red", `${title}:`), report.error.message.replace(/^/gm, "  "), "");
    return out.join("\n") + "\n";
  }

  out.push("", c("bold", `Resources (${report.resources.length})`));
  out.push(
    table(
      ["COMPONENT", "TYPE", "NAME", "SETTINGS"],
      report.resources.map((r) => [
        r.component || "-",
        shortType(r.type),
        r.name,
        Object.entries(r.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
      ]),
    ),
  );

  out.push("", c("bold", "Outputs"));
  out.push(
    table(
      ["NAME", "VALUE"],
      Object.entries(report.outputs)
        .filter(([k]) => k !== "waiting")
        .map(([k, v]) => [k, formatValue(v)]),
    ),
  );

  // What the program leaves undeclared until its inputs exist (the `waiting` output), and the
  // commands that fill it in.
  const waiting = (report.outputs.waiting ?? []) as {
    what: string;
    reason: string;
    next: string[];
  }[];
  if (waiting.length > 0) {
    out.push("", c("bold", `Waiting (${waiting.length})`));
    for (const w of waiting) {
      out.push(c("yellow", `  ${w.what}`), `    why: ${w.reason}`, "    next:");
      out.push(...w.next.map((cmd) => `      ${cmd}`));
    }
  }

  const cost = costSection(report, c);
  if (cost.length) out.push("", ...cost);

  const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
  const advisory = report.violations.length - mandatory;
  out.push("", c("bold", `Policy violations (${mandatory} mandatory, ${advisory} advisory)`));
  out.push(...(report.violations.length ? violationLines(report.violations, c) : ["  none"]));
  out.push(
    "",
    mandatory
      ? c("red", `Result: ${mandatory} mandatory violation(s) in stack ${report.stack}`)
      : c("green", `Result: stack ${report.stack} passes`),
    "",
  );
  return out.join("\n") + "\n";
}

export function renderDiff(d: StackDiff, color: boolean): string {
  const c = paint(color);
  const out: string[] = [c("bold", `Diff ${d.base} -> ${d.head}`)];
  if (d.error) return [...out, c("red", `  ${d.error}`), ""].join("\n") + "\n";
  if (!d.added.length && !d.removed.length && !d.changed.length) out.push("  no resource changes");
  for (const r of d.added) out.push(c("green", `  + ${shortType(r.type)} ${r.name}`));
  for (const r of d.removed) out.push(c("red", `  - ${shortType(r.type)} ${r.name}`));
  for (const r of d.changed) {
    out.push(c("yellow", `  ~ ${shortType(r.type)} ${r.name}`));
    for (const [k, [from, to]] of Object.entries(r.settings))
      out.push(`      ${k}: ${from ?? "-"} -> ${to ?? "-"}`);
  }
  if (d.cost) {
    const { before, after } = d.cost;
    const delta = (a: number, b: number) => `${b - a >= 0 ? "+" : "-"}${usd(Math.abs(b - a))}`;
    out.push(
      `  cost: ${range(before.min, before.max)} -> ${range(after.min, after.max)} per month ` +
        `(min ${delta(before.min, after.min)}, max ${delta(before.max, after.max)})`,
    );
    for (const l of d.cost.lines) {
      out.push(
        `      ${l.change} ${l.name} ${l.item}: ${usd(l.beforeMax)} -> ${usd(l.afterMax)} (max)`,
      );
    }
  }
  return out.join("\n") + "\n";
}

/** What the check prints without `--json`: every stack's report, then the diffs, if any. */
export function renderText(reports: CheckReport[], diffs: StackDiff[] = [], color = false): string {
  const text = reports.map((r) => renderReport(r, color)).join("\n");
  const diffText = diffs.map((d) => renderDiff(d, color)).join("\n");
  return diffText ? `${text}\n${diffText}` : text;
}

/** The document `--json` prints (schema in README.md). */
export interface CheckDocument {
  schemaVersion: 1;
  exitCode: number;
  stacks: CheckReport[];
  diff?: StackDiff[];
}
