// The real instance types a stack key may name, by kind, and the nearest real type to a typo.
// The lists are generated from packaged data (scripts/generate-instance-types.ts), so the
// program reads plain JSON and never loads the SDK.
import INSTANCE_TYPES from "./instance-type-lists.json";
import type { InstanceTypeKind } from "./stack-keys";

export { INSTANCE_TYPES };

/** Whether `value` is an instance type of `kind` (CreateNotebookInstance, ProductionVariant, ResourceConfig or EC2). */
export function isInstanceType(kind: InstanceTypeKind, value: string): boolean {
  return INSTANCE_TYPES[kind].includes(value);
}

/** The edit distance between two strings (insertions, deletions and substitutions). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The candidate nearest to `word` (case-insensitive edit distance), when it is near enough to be
 * a likely typo: at most 2 edits, or a quarter of the word's length for longer words.
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || d < best.d) best = { candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 4)) ? best.candidate : undefined;
}

/** The real instance type of `kind` nearest to `value`, if one is near. */
export function nearestInstanceType(kind: InstanceTypeKind, value: string): string | undefined {
  return nearest(value, INSTANCE_TYPES[kind]);
}
