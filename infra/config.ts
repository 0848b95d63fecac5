// The stack configuration: reads Pulumi config, checks every key against its entry in the table
// of stack keys (shared/stack-keys.ts) and the rules between keys (config-rules.ts), and returns a
// frozen, typed object. This is the one module that reads Pulumi config. It validates the whole
// config before any resource is declared and reports every bad key at once.
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_ERROR_TITLE } from "../shared/program-errors";
import { LAMBDA_RUNTIMES } from "../shared/aws-limits";
import { utcDay } from "../shared/lambda-runtimes";
import { nearest, isInstanceType, nearestInstanceType } from "../shared/instance-types";
import { PROJECT, TrainingMode, resolveEnvironment } from "../shared/project";
import { ARCHITECTURES, KeySpec, STACK_KEYS, StackKey, StackValues } from "../shared/stack-keys";
import { applyCrossKeyRules } from "./config-rules";
import { FRAMEWORK_REGISTRIES } from "./images";

/** The validated, frozen stack configuration every component is built from. */
export interface StackConfig extends Readonly<
  Omit<
    StackValues,
    "trainingMode" | "lambdaRuntime" | "trainingArch" | "tuningEarlyStopping" | "environment"
  >
> {
  readonly project: string;
  readonly stack: string;
  /** The stack's environment: the `environment` key, or the stack's name when that is empty. */
  readonly environment: string;
  /** `aws:region` of the stack. */
  readonly region: string;
  /** `${project}-${stack}`: the prefix of every physical name. */
  readonly prefix: string;
  readonly trainingMode: TrainingMode;
  readonly lambdaRuntime: (typeof LAMBDA_RUNTIMES)[number];
  readonly trainingArch: (typeof ARCHITECTURES)[number];
  readonly tuningEarlyStopping: "Auto" | "Off";
  /** Tags applied to every taggable resource through the provider's default tags. */
  readonly tags: Readonly<Record<string, string>>;
}

interface Problem {
  key: string;
  value: string;
  message: string;
}

/** Raised before any resource is declared; lists every bad key, its value and what is allowed. */

/**
 * Every bad key at once. A RunError: the CLI prints its message alone, without a stack trace
 * (@pulumi/pulumi cmd/run, its uncaught-error handler).
 */
export class ConfigError extends pulumi.RunError {
  readonly problems: readonly Problem[];
  constructor(problems: Problem[]) {
    super(
      [
        `${CONFIG_ERROR_TITLE} (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
        ...problems.map((p) => `  ${p.key} = ${p.value}: ${p.message}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const INT = /^-?\d+$/;
const ML_TYPE = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const EC2_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const STACK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const shown = (v: unknown) =>
  typeof v === "string" || Array.isArray(v) ? JSON.stringify(v) : String(v);

/** A key's value from its config text, or the message of what it must be. */
function parseValue(spec: KeySpec, text: string): { value: unknown } | { error: string } {
  switch (spec.type) {
    case "string":
      return { value: text };
    case "integer":
      return INT.test(text.trim()) && Number.isSafeInteger(Number(text))
        ? { value: Number(text) }
        : { error: "must be an integer" };
    case "boolean":
      return text === "true" || text === "false"
        ? { value: text === "true" }
        : { error: "must be true or false" };
    case "array": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const itemOk = (v: unknown) =>
        spec.items === "integer" ? Number.isSafeInteger(v) : typeof v === "string";
      return Array.isArray(parsed) && parsed.every(itemOk)
        ? { value: Object.freeze(parsed) }
        : { error: `must be an array of ${spec.items}s` };
    }
  }
}

type InstanceTypeKind = NonNullable<KeySpec["instanceType"]>;

/** What an instance type of each kind is, in words, with an example of the form. */
const INSTANCE_TYPE_FORMS: Record<InstanceTypeKind, string> = {
  notebook: "must be a SageMaker notebook instance type (ml.<family>.<size>, e.g. ml.m5.xlarge)",
  hosting: "must be a SageMaker hosting instance type (ml.<family>.<size>, e.g. ml.m5.xlarge)",
  training: "must be a SageMaker training instance type (ml.<family>.<size>, e.g. ml.m5.xlarge)",
  ec2: "must be an EC2 instance type (<family>.<size>, e.g. m5.xlarge)",
};

/** Why `value` is not a real instance type of `kind`, with the nearest real one; or undefined. */
function instanceTypeProblem(kind: InstanceTypeKind, value: string): string | undefined {
  if (isInstanceType(kind, value)) return undefined;
  const near = nearestInstanceType(kind, value);
  const hint = near ? `; did you mean ${near}?` : "";
  if (kind === "ec2" && value.startsWith("ml."))
    return `must be an EC2 instance type, not a SageMaker ml.* type (e.g. m5.xlarge)${hint}`;
  // A well-formed name that the API does not list is a typo, a retired type or one of another kind.
  const shaped = kind === "ec2" ? EC2_TYPE.test(value) : ML_TYPE.test(value);
  return `${INSTANCE_TYPE_FORMS[kind]}${shaped ? `, and ${value} is not one` : ""}${hint}`;
}

/** The problem with a parsed value under its own table entry (range, allowed values, form). */
function keyProblem(spec: KeySpec, value: unknown): string | undefined {
  if (typeof value === "number" && spec.type === "integer") {
    const { min, max } = spec;
    if (min !== undefined && value < min)
      return spec.minMessage ?? `must be between ${min} and ${max}`;
    if (max !== undefined && value > max)
      return spec.maxMessage ?? `must be between ${min} and ${max}`;
  }
  if (spec.oneOf && !spec.oneOf.includes(value as string | number)) {
    return spec.oneOfMessage ?? `must be one of ${spec.oneOf.join(", ")}`;
  }
  if (typeof value === "string") {
    if (spec.pattern && !(spec.emptyAllowed && value === "") && !spec.pattern.test(value)) {
      return spec.patternMessage;
    }
    if (spec.instanceType) return instanceTypeProblem(spec.instanceType, value);
  }
  return undefined;
}

/**
 * Validates the flat `namespace:key -> string` map Pulumi hands a program (as
 * `pulumi.runtime.allConfig()` returns it) for `stack`, and returns the typed, frozen config.
 * Keys missing from `raw` take their defaults. Throws ConfigError listing every problem. `today`
 * (UTC YYYY-MM-DD) is the day AWS's dated facts are judged on.
 */
export function parseConfig(
  raw: Record<string, string>,
  stack: string,
  today: string = utcDay(new Date()),
): StackConfig {
  const problems: Problem[] = [];
  const ns = `${PROJECT}:`;
  const q = (key: string) => `${ns}${key}`;
  const values: Record<string, unknown> = {};
  const invalid = new Set<string>();

  // Unknown keys in our namespace (a typo would otherwise be silently ignored).
  for (const [full, value] of Object.entries(raw)) {
    if (!full.startsWith(ns)) continue;
    const key = full.slice(ns.length);
    if (!(key in STACK_KEYS)) {
      const near = nearest(key, Object.keys(STACK_KEYS));
      problems.push({
        key: full,
        value: shown(value),
        message: `unknown key${near ? `; did you mean ${near}?` : ""} (see Pulumi.yaml for the keys)`,
      });
    }
  }

  // Each key alone: its type, then the rules of its table entry.
  for (const [key, spec] of Object.entries(STACK_KEYS) as [StackKey, KeySpec][]) {
    const text = raw[q(key)];
    if (text === undefined) {
      values[key] = spec.default;
      continue;
    }
    const parsed = parseValue(spec, text);
    if ("error" in parsed) {
      problems.push({ key: q(key), value: shown(text), message: parsed.error });
      continue;
    }
    values[key] = parsed.value;
    const message = keyProblem(spec, parsed.value);
    if (message !== undefined) {
      invalid.add(key);
      problems.push({ key: q(key), value: shown(parsed.value), message });
    }
  }

  const region = raw["aws:region"] ?? "";
  if (!region) {
    problems.push({ key: "aws:region", value: '""', message: "must be set in the stack file" });
  } else if (!(region in FRAMEWORK_REGISTRIES)) {
    problems.push({
      key: "aws:region",
      value: JSON.stringify(region),
      message: `must be a region with SageMaker PyTorch images: ${Object.keys(FRAMEWORK_REGISTRIES).join(", ")}`,
    });
  }

  // The stack's environment, decided here once: the tag, the rules and the components read it.
  const has = (key: StackKey) => key in values;
  const v = <K extends StackKey>(key: K) => values[key] as StackValues[K];
  const environment = resolveEnvironment(stack, has("environment") ? v("environment") : "");
  applyCrossKeyRules({
    stack,
    environment,
    today,
    has,
    valid: (key) => has(key) && !invalid.has(key),
    v,
    fail: (key, message) => problems.push({ key: q(key), value: shown(values[key]), message }),
  });

  if (!STACK_NAME.test(stack)) {
    problems.push({
      key: "stack",
      value: JSON.stringify(stack),
      message: "must be a Pulumi stack name",
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    ...(values as StackValues),
    project: PROJECT,
    stack,
    environment,
    region,
    prefix: `${PROJECT}-${stack}`,
    trainingMode: v("trainingMode") as TrainingMode,
    lambdaRuntime: v("lambdaRuntime") as StackConfig["lambdaRuntime"],
    trainingArch: v("trainingArch") as StackConfig["trainingArch"],
    tuningEarlyStopping: v("tuningEarlyStopping") as StackConfig["tuningEarlyStopping"],
    tags: Object.freeze({
      project: PROJECT,
      environment,
      owner: v("owner"),
      "cost-center": v("costCenter"),
    }),
  });
}

/** Reads and validates the current stack's config (every key, so unknown ones are reported). */
export function loadConfig(): StackConfig {
  const raw = { ...pulumi.runtime.allConfig() };
  // `aws:region` may also come from the environment, as the AWS provider allows.
  const region =
    new pulumi.Config("aws").get("region") ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION;
  if (region !== undefined) raw["aws:region"] = region;
  return parseConfig(raw, pulumi.getStack());
}
