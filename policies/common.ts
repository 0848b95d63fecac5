// Helpers shared by every policy: plain access to resource properties (values unknown at preview
// are detected, never thrown), the environment from a URN, and policy config merged over defaults.
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

import { asAwsType, isNative, NATIVE_TYPES } from "./aws-native";
import { ENVIRONMENT_TAG } from "../shared/project";
import { isUnknown, obj, plain, str, type Props } from "../shared/props";

// The property readers every policy uses live with the estimator's in shared/props.ts.
export { isUnknown, list, num, obj, plain, type Props, str } from "../shared/props";

/** The stack name from `urn:pulumi:<stack>::<project>::...`. */
export function stackOf(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : "";
}

/** The URN's last segment: the name the program gave the resource. */
export function nameOf(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

/** `Role "api-role"`: the resource kind from its type token and the program's name for it. */
export function label(type: string, name: string): string {
  const kind = type.slice(type.lastIndexOf(":") + 1) || type;
  return `${kind} "${name}"`;
}

/** Default tags of an AWS provider: its `defaultTags` input is an object or, as the SDK sends it, JSON. */
export function defaultTags(providerProps: Props | undefined): Props | "unknown" {
  let dt: unknown = providerProps?.defaultTags;
  if (isUnknown(dt)) return "unknown";
  if (typeof dt === "string") {
    try {
      dt = JSON.parse(dt);
    } catch {
      return {};
    }
  }
  const tags = obj(dt)?.tags;
  if (isUnknown(tags)) return "unknown";
  return obj(tags) ?? {};
}

/**
 * A resource whose environment a policy asks for: a resource rule's subject, a stack item, or a
 * bare URN.
 */
export type Placed =
  | string
  | { urn: string; provider?: { props: Props }; resource?: Pick<PolicyResource, "provider"> };

/**
 * The environment a resource belongs to: the `environment` tag of its provider's default tags,
 * which the program sets from the same decision as everything else (resolveEnvironment in
 * shared/project.ts); the stack name from the URN only when the provider carries no such tag.
 */
export function environmentOf(r: Placed): string {
  if (typeof r === "string") return stackOf(r);
  const provider =
    r.provider?.props ?? (r.resource?.provider ? plain(r.resource.provider.props) : undefined);
  const tags = defaultTags(provider);
  const tagged = tags === "unknown" ? undefined : str(tags[ENVIRONMENT_TAG]);
  return tagged && tagged.trim() !== "" ? tagged : stackOf(r.urn);
}

/**
 * A per-environment setting: the entry for the resource's environment, else `default`. Maps are
 * keyed by environment so one policy config serves every stack.
 */
export function forStack<T>(byStack: Record<string, T> | undefined, r: Placed): T | undefined {
  if (!byStack) return undefined;
  const env = environmentOf(r);
  return Object.prototype.hasOwnProperty.call(byStack, env) ? byStack[env] : byStack.default;
}

/** Whether the resource's environment is one of `stacks` (`*` matches every environment). */
export function inStacks(stacks: readonly string[] | undefined, r: Placed): boolean {
  if (!stacks) return false;
  return stacks.includes("*") || stacks.includes(environmentOf(r));
}

/** Shell-style match where `*` is any run of characters, case-insensitive. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${re}$`, "i").test(value);
}

/** JSON Schema fragments for config properties. */
export const schema = {
  strings: (description: string, def: string[]): PolicyConfigJSONSchema => ({
    type: "array",
    items: { type: "string" },
    description,
    default: def,
  }),
  stringsByStack: (description: string, def: Record<string, string[]>): PolicyConfigJSONSchema => ({
    type: "object",
    additionalProperties: { type: "array", items: { type: "string" } },
    description,
    default: def,
  }),
  numberByStack: (description: string, def: Record<string, number>): PolicyConfigJSONSchema => ({
    type: "object",
    additionalProperties: { type: "number" },
    description,
    default: def,
  }),
};

type Schema = Record<string, PolicyConfigJSONSchema>;

/**
 * Policy config as the engine would send it (schema defaults, then the config file), also when the
 * policy runs without the CLI having filled the defaults in.
 */
export function configOf<C>(properties: Schema, args: { getConfig<T extends object>(): T }): C {
  const given = args.getConfig<Record<string, unknown>>() ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(properties)) out[k] = given[k] ?? s.default;
  return out as C;
}

/** What a resource rule sees: plain properties and the resource's identity. */
export interface Subject {
  type: string;
  urn: string;
  name: string;
  props: Props;
  /** Inputs of the resource's provider, when the engine sent them. */
  provider?: { type: string; urn: string; props: Props };
  report(message: string): void;
}

/** Builds the `Subject` for a resource-level check. */
export function subject(args: ResourceValidationArgs, report: ReportViolation): Subject {
  const judged = judgedAs(args.type, plain(args.props));
  return {
    type: judged.type,
    urn: args.urn,
    name: args.name,
    props: judged.props,
    provider: args.provider
      ? { type: args.provider.type, urn: args.provider.urn, props: plain(args.provider.props) }
      : undefined,
    report: (message) => report(message, args.urn),
  };
}

/** A resource in a stack check, with plain properties. */
export interface StackItem {
  type: string;
  urn: string;
  name: string;
  props: Props;
  resource: PolicyResource;
}

export function stackItems(args: StackValidationArgs): StackItem[] {
  return args.resources.map((r) => {
    const judged = judgedAs(r.type, plain(r.props));
    return { type: judged.type, urn: r.urn, name: r.name, props: judged.props, resource: r };
  });
}

/**
 * The type and properties every rule judges a resource as: its own, or for an aws-native resource
 * the AWS provider type that carries the same settings (./aws-native).
 */
function judgedAs(type: string, props: Props): { type: string; props: Props } {
  return (isNative(type) && asAwsType(type, props)) || { type, props };
}

/** What every policy declares about itself. */
interface PolicyMeta {
  name: string;
  description: string;
  enforcementLevel: "advisory" | "mandatory";
  config?: Schema;
}

/** The SDK's fields for a policy's metadata, with its config schema when it takes config. */
function metadata(def: PolicyMeta) {
  return {
    name: def.name,
    description: def.description,
    enforcementLevel: def.enforcementLevel,
    configSchema: def.config ? { properties: def.config } : undefined,
  };
}

/**
 * A resource policy whose check runs only on the given type tokens; `check` gets the config with
 * defaults applied.
 */
export function resourcePolicy<C = Record<string, never>>(
  def: PolicyMeta & {
    types: readonly string[];
    check: (r: Subject, config: C) => void | Promise<void>;
  },
): ResourceValidationPolicy {
  const types = new Set(def.types);
  const properties = def.config ?? {};
  return {
    ...metadata(def),
    // Untyped on purpose: the SDK's per-type shortcut answers every other resource with a
    // "not applicable" entry, which costs more than this check once properties are cached.
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      if (
        !types.has(args.type) &&
        !(isNative(args.type) && types.has(NATIVE_TYPES[args.type]?.type))
      ) {
        return;
      }
      return def.check(subject(args, report), configOf<C>(properties, args));
    },
  };
}

/**
 * An advisory allowlist of instance types per stack. `instanceTypes` lists the types a resource
 * uses, each with the words that place it in the message (`variant "AllTraffic" `, or nothing).
 */
export function instanceTypeAllowlist(def: {
  name: string;
  description: string;
  types: readonly string[];
  /** What the types run, for the config's description: "EC2", "Notebook", "Endpoint". */
  what: string;
  defaults: Record<string, string[]>;
  instanceTypes: (props: Props) => { instanceType: string; where: string }[];
}): ResourceValidationPolicy {
  return resourcePolicy<{ allowedInstanceTypes: Record<string, string[]> }>({
    name: def.name,
    description: def.description,
    enforcementLevel: "advisory",
    types: def.types,
    config: {
      allowedInstanceTypes: schema.stringsByStack(
        `${def.what} instance types allowed, by environment (\`default\` for the others).`,
        def.defaults,
      ),
    },
    check: (r, c) => {
      const allowed = forStack(c.allowedInstanceTypes, r) ?? [];
      for (const { instanceType, where } of def.instanceTypes(r.props)) {
        if (allowed.includes(instanceType)) continue;
        r.report(
          `${label(r.type, r.name)} ${where}uses instanceType "${instanceType}", not allowed in this ` +
            `stack. Use one of: ${allowed.join(", ")}.`,
        );
      }
    },
  });
}

/** A stack policy: `check` sees every resource with plain properties. */
export function stackPolicy<C = Record<string, never>>(
  def: PolicyMeta & {
    check: (
      items: StackItem[],
      report: (urn: string, message: string) => void,
      config: C,
    ) => void | Promise<void>;
  },
): StackValidationPolicy {
  const properties = def.config ?? {};
  return {
    ...metadata(def),
    validateStack: (args, report) =>
      def.check(
        stackItems(args),
        (urn, message) => report(message, urn),
        configOf<C>(properties, args),
      ),
  };
}

interface ReferenceIndex {
  /** Items by the URN of each resource they depend on. */
  byDependency: Map<string, StackItem[]>;
  /** Items by each string their properties hold. */
  byValue: Map<string, StackItem[]>;
}

const referenceIndexes = new WeakMap<StackItem[], ReferenceIndex>();

function push(map: Map<string, StackItem[]>, key: string, item: StackItem): void {
  const list = map.get(key);
  if (!list) map.set(key, [item]);
  else if (list[list.length - 1] !== item) list.push(item);
}

function referenceIndex(items: StackItem[]): ReferenceIndex {
  let index = referenceIndexes.get(items);
  if (!index) {
    index = { byDependency: new Map(), byValue: new Map() };
    for (const it of items) {
      for (const d of it.resource.dependencies ?? []) push(index.byDependency, d.urn, it);
      for (const deps of Object.values(it.resource.propertyDependencies ?? {})) {
        for (const d of deps) push(index.byDependency, d.urn, it);
      }
      for (const v of leaves(it.props)) push(index.byValue, v, it);
    }
    referenceIndexes.set(items, index);
  }
  return index;
}

/** Resources that reference `target`: through engine dependencies, or a property holding its id. */
export function referrers(items: StackItem[], target: StackItem, values: unknown[]): StackItem[] {
  const index = referenceIndex(items);
  const found = new Set<StackItem>(index.byDependency.get(target.urn) ?? []);
  for (const v of values) {
    if (typeof v !== "string" || v === "" || isUnknown(v)) continue;
    for (const it of index.byValue.get(v) ?? []) found.add(it);
  }
  found.delete(target);
  return [...found];
}

// Every string inside a property value, computed once per value: stack policies look resources
// up by the ids and ARNs they hold, for every pair of resources.
const leafCache = new WeakMap<object, Set<string>>();

function leaves(v: object): Set<string> {
  let set = leafCache.get(v);
  if (!set) {
    set = new Set<string>();
    const walk = (x: unknown) => {
      if (typeof x === "string") set!.add(x);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") Object.values(x).forEach(walk);
    };
    walk(v);
    leafCache.set(v, set);
  }
  return set;
}

function mentions(v: unknown, keys: Set<unknown>): boolean {
  if (typeof v === "string") return keys.has(v);
  if (!v || typeof v !== "object") return false;
  const set = leaves(v);
  for (const k of keys) if (set.has(k as string)) return true;
  return false;
}

/** Whether `item` depends on `target` through the given property (engine data or value match). */
export function refersVia(
  item: StackItem,
  prop: string,
  target: StackItem,
  values: unknown[],
): boolean {
  const deps = item.resource.propertyDependencies?.[prop];
  if (deps?.some((d) => d.urn === target.urn)) return true;
  const v = item.props[prop];
  const keys = new Set(values.filter((x) => typeof x === "string" && x !== "" && !isUnknown(x)));
  return keys.size > 0 && mentions(v, keys);
}
