// Runs one policy on fixtures the way the policy SDK's analyzer calls it: properties behind the
// SDK's unknown-checking proxy, config without defaults (the policy applies them), and the
// violations collected as the messages the policy reported.
import * as path from "path";
import type {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { nameOf } from "../../policies/common";
import { PROJECT } from "../../shared/project";
import type { Diagnostic } from "../../tools/policy-analyzer";

/** The value the engine sends for an Output that is unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A customer-managed KMS key of the fixtures' account. */
export const KMS_KEY_ARN =
  "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export interface Fixture {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Stack name in the URN; `dev` unless given. */
  stack?: string;
  /** Provider inputs (defaultTags, region). */
  provider?: Record<string, unknown>;
  /** Engine property dependencies: property name to the names of the fixtures it depends on. */
  deps?: Record<string, string[]>;
}

export function urnOf(f: Pick<Fixture, "type" | "name" | "stack">): string {
  return `urn:pulumi:${f.stack ?? "dev"}::${PROJECT}::${f.type}::${f.name}`;
}

/** Properties as tests edit them: any nested field, assigned freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Editable = Record<string, any>;

export function clone<T>(x: T): T {
  return structuredClone(x);
}

const PROVIDER_TYPE = "pulumi:providers:aws";

function providerOf(f: Fixture) {
  if (!f.provider) return undefined;
  return {
    type: PROVIDER_TYPE,
    name: "aws",
    urn: urnOf({ type: PROVIDER_TYPE, name: "aws", stack: f.stack }),
    props: unknownCheckingProxy(f.provider),
  };
}

/** What the policy SDK gives every policy about a resource, built from a fixture. */
function resourceView(f: Fixture) {
  return {
    type: f.type,
    name: f.name,
    urn: urnOf(f),
    props: unknownCheckingProxy(clone(f.props)),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    provider: providerOf(f),
  };
}

/**
 * Messages `policy` reports for one resource; a stack policy is given a stack of that resource
 * alone.
 */
export async function check(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  f: Fixture,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  if ("validateStack" in policy) {
    return (await checkStack(policy, [f], config)).map((x) => x.message);
  }
  const messages: string[] = [];
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const validate of validations) {
    if (!validate) continue;
    await validate(
      {
        ...resourceView(f),
        stackTags: new Map(),
        getConfig: <T extends object>() => clone(config) as T,
        isType: () => false,
        asType: () => undefined,
        notApplicable: () => {
          throw new Error("not applicable");
        },
      } as never,
      (message: string | object) => {
        messages.push(typeof message === "string" ? message : JSON.stringify(message));
      },
    );
  }
  return messages;
}

export interface StackFinding {
  name: string;
  message: string;
}

/** Findings `policy` reports for a stack of fixtures, with the fixture name each one is about. */
export async function checkStack(
  policy: StackValidationPolicy,
  fixtures: Fixture[],
  config: Record<string, unknown> = {},
): Promise<StackFinding[]> {
  const resources = fixtures.map(
    (f) =>
      ({
        ...resourceView(f),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  const byName = new Map(resources.map((r) => [r.name, r]));
  fixtures.forEach((f, i) => {
    for (const [prop, names] of Object.entries(f.deps ?? {})) {
      const deps = names.map((n) => {
        const d = byName.get(n);
        if (!d) throw new Error(`fixture ${f.name} depends on unknown fixture ${n}`);
        return d;
      });
      resources[i].propertyDependencies[prop] = deps;
      resources[i].dependencies.push(...deps);
    }
  });
  const byUrn = new Map(resources.map((r) => [r.urn, r.name]));
  const findings: StackFinding[] = [];
  await policy.validateStack(
    {
      resources,
      getConfig: <T extends object>() => clone(config) as T,
      stackTags: new Map(),
      notApplicable: () => {
        throw new Error("not applicable");
      },
    } as never,
    (message: string | object, urn?: string) => {
      findings.push({ name: byUrn.get(urn ?? "") ?? "(stack)", message: String(message) });
    },
  );
  return findings;
}

/** A policy document as the program writes it: JSON text. */
export function doc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The pack as the CLI serves it: this folder. */
export const PACK_DIR = path.resolve(__dirname, "../../policies");

/** The mandatory findings of a run through the analyzer protocol, as sorted `policy resource`. */
export function mandatory(found: Diagnostic[]): string[] {
  return found
    .filter((v) => v.enforcementLevel === "mandatory")
    .map((v) => `${v.policyName} ${nameOf(v.urn)}`)
    .sort();
}
