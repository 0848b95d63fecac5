// Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does, and produces the flat
// `namespace:key -> string` map the CLI hands to a Node.js program (PULUMI_CONFIG).
// https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../infra/naming";

/** The project root: the nearest folder above `from` holding Pulumi.yaml (works from dist/ too). */
export const findProjectRoot = projectRoot;

/** A project-level config declaration from Pulumi.yaml. */
export interface ConfigDeclaration {
  type: "string" | "integer" | "boolean" | "array";
  description?: string;
  default?: unknown;
  secret?: boolean;
  items?: { type: string };
}

export interface ProjectFile {
  name: string;
  runtime: unknown;
  main?: string;
  description?: string;
  /** Project keys (unqualified) with their declarations, and provider values (qualified). */
  config: Record<string, ConfigDeclaration | { value: unknown } | unknown>;
}

export class StackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigError";
  }
}

/** The last text parsed from each file, and its value: a check reads Pulumi.yaml once per run. */
const parsed = new Map<string, { text: string; value: unknown }>();

/** A YAML file's value; the parse is reused while the file's text is unchanged (a copy each time). */
function readYaml(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  let entry = parsed.get(file);
  if (entry?.text !== text) {
    // Loaded on first use: the offline check starts the policy pack before it reads any YAML.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require("yaml") as typeof import("yaml");
    parsed.set(file, (entry = { text, value: parse(text) }));
  }
  return structuredClone(entry.value);
}

export function readProject(root: string): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  const doc = readYaml(file) as ProjectFile;
  if (!doc || typeof doc.name !== "string") {
    throw new StackConfigError(`${file}: missing project name`);
  }
  return { ...doc, config: doc.config ?? {} };
}

/** Every stack with a Pulumi.<stack>.yaml beside Pulumi.yaml, sorted. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function stackFile(root: string, stack: string): string {
  for (const ext of ["yaml", "yml"]) {
    const f = path.join(root, `Pulumi.${stack}.${ext}`);
    if (fs.existsSync(f)) return f;
  }
  throw new StackConfigError(
    `no stack file Pulumi.${stack}.yaml in ${root} (stacks here: ${listStacks(root).join(", ") || "none"})`,
  );
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function isDeclaration(v: unknown): v is ConfigDeclaration {
  return typeof v === "object" && v !== null && "type" in v;
}

/**
 * The config a program sees for `stack`: project defaults, then the stack file's values, then
 * `overrides` (the same shape as `pulumi config set`: qualified or project-relative keys).
 */
export function loadStackConfig(
  root: string,
  stack: string,
  overrides: Record<string, unknown> = {},
): { project: ProjectFile; config: Record<string, string>; secretKeys: string[] } {
  const project = readProject(root);
  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];

  for (const [key, decl] of Object.entries(project.config)) {
    if (isDeclaration(decl)) {
      if (decl.default !== undefined) config[qualify(key)] = asConfigString(decl.default);
    } else if (typeof decl === "object" && decl !== null && "value" in decl) {
      config[qualify(key)] = asConfigString((decl as { value: unknown }).value);
    } else if (decl !== undefined) {
      config[qualify(key)] = asConfigString(decl);
    }
  }

  const file = stackFile(root, stack);
  const doc = (readYaml(file) ?? {}) as { config?: Record<string, unknown> };
  for (const [key, value] of Object.entries({ ...(doc.config ?? {}), ...overrides })) {
    const k = qualify(key);
    if (typeof value === "object" && value !== null && "secure" in value) {
      // Secrets cannot be decrypted offline; the program sees a stand-in of the right kind.
      config[k] = "offline-secret";
      secretKeys.push(k);
      continue;
    }
    if (value === null || value === undefined) {
      delete config[k];
      continue;
    }
    config[k] = asConfigString(value);
  }
  return { project, config, secretKeys };
}
