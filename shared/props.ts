// Reading resource properties as the policy SDK and a recorded stack run hand them over. Values
// unknown at preview arrive as the SDK's sentinel strings or behind its unknown-checking proxy,
// which throws when read; every reader here detects them and answers `undefined` (or nothing), so
// neither a policy nor the cost estimate ever fails on a value it cannot know yet.

// The sentinels the policy SDK deserializes unknown values into. `@pulumi/policy` keeps them
// internal, so they are read from its module rather than copied.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
/** The names of the sentinels among `@pulumi/policy/proxy`'s exports. */
export const UNKNOWN_SENTINEL_EXPORTS = [
  "unknownBooleanValue",
  "unknownNumberValue",
  "unknownStringValue",
  "unknownArrayValue",
  "unknownAssetValue",
  "unknownArchiveValue",
  "unknownObjectValue",
] as const;
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set(
  UNKNOWN_SENTINEL_EXPORTS.map((k) => sdkProxy[k]),
);
const PROXY_TARGET = "__getSpecialProxyTarget";

export type Props = Record<string, unknown>;

/** True for a value that is only known after the update (an Output of a resource being created). */
export function isUnknown(v: unknown): boolean {
  return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** The wrapped object behind the SDK's unknown-checking proxy, so reads never throw. */
export function plain(props: unknown): Props {
  if (props && typeof props === "object") {
    const target = (props as Record<string, unknown>)[PROXY_TARGET];
    if (target && typeof target === "object") return target as Props;
    return props as Props;
  }
  return {};
}

/** A known string (possibly empty). */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

/** A known finite number. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}

export function obj(v: unknown): Props | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : undefined;
}

/** An array value, or a single value as a one-element array; unknown or absent gives []. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null || isUnknown(v)) return [];
  return Array.isArray(v) ? v : [v];
}

// Lenient readers, for properties that may come from either the policy SDK (behind its proxy) or
// a recorded stack run (plain JSON, numbers sometimes as strings).

/** One property, also under the AWS API's spelling (`ResourceConfig` for `resourceConfig`). */
export function readProp(o: unknown, key: string): unknown {
  if (o === null || typeof o !== "object") return undefined;
  try {
    const r = o as Record<string, unknown>;
    let v = r[key];
    if (v === undefined) v = r[key.charAt(0).toUpperCase() + key.slice(1)];
    return isUnknown(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

/** A nested property, `readPath(props, "resourceConfig", "instanceType")`. */
export function readPath(o: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((x, k) => readProp(x, k), o);
}

/**
 * The values at a path of nested arguments (`details.policy`, `permissions[].principal`, where
 * `[]` reads a list element by element), each with where it sits (`permissions[1].principal`).
 * Absent and unknown values give nothing.
 */
export function valuesAt(o: unknown, path: string): { at: string; value: unknown }[] {
  let found: { at: string; value: unknown }[] = [{ at: "", value: o }];
  for (const segment of path.split(".")) {
    const name = segment.replace(/\[\]$/, "");
    found = found.flatMap(({ at, value }) => {
      const v = readProp(value, name);
      const here = at ? `${at}.${name}` : name;
      if (v === undefined || v === null) return [];
      if (!segment.endsWith("[]")) return [{ at: here, value: v }];
      return list(v).map((e, i) => ({ at: `${here}[${i}]`, value: e }));
    });
  }
  return found;
}

/** A finite number, or a string that spells one. */
export function numeric(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A non-empty string. */
export function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The elements of an array, each read like a property; an unreadable element ends the list. */
export function readList(v: unknown): unknown[] {
  if (!Array.isArray(v)) return [];
  const out: unknown[] = [];
  try {
    for (let i = 0; i < v.length; i++) out.push(readProp(v, String(i)));
  } catch {
    return out;
  }
  return out;
}
