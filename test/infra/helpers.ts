// Shared by the infra tests: one mocked run per stack (and per set of overrides) in this process,
// and IAM simulation of the roles that run declared.
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT } from "../../tools/mock-cloud";
import { RunOptions, StackResource, StackRun, ofType, runStack } from "../../tools/stack-run";
import type { PolicyDocument } from "../../infra/iam/policies";
import { EngineMode, RunMemo, runOnEngine } from "../../tools/local-engine";

const runs = new Map<string, Promise<StackRun>>();

/** A model artifact that exists before the stack does: a release bucket outside the stacks. */
export const RELEASE_ARTIFACT = `s3://dog-breed-classifier-releases-${MOCK_ACCOUNT}/2026-11-01/model.tar.gz`;
/** The ETag prod pins when it promotes dev's model. */
export const PROMOTED_ETAG = "9b2cf535f27731c974343645a3985328";
/** The exact object prod pins beside the ETag: a version of dev's model. */
export const PROMOTED_OBJECT = `s3://dog-breed-classifier-dev-${MOCK_ACCOUNT}/models/jobs/dog-breed-classifier-dev-1a2b/output/model.tar.gz?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY`;

/** The address a team sets for its budget alerts (the stack files leave it to the team). */
export const TEAM_EMAIL = "ml-platform@acme-pets.io";

/**
 * The stacks once they serve: dev with a model and its EC2 host on, prod with dev's model
 * promoted (the stack files alone leave the inference tier waiting for a model), both with the
 * team's alert address set.
 */
export const SERVING: Record<"dev" | "prod", Omit<RunOptions, "stack">> = {
  dev: {
    overrides: {
      modelArtifactUri: RELEASE_ARTIFACT,
      ec2Enabled: true,
      budgetAlertEmail: TEAM_EMAIL,
    },
  },
  prod: {
    overrides: {
      modelPromoteEtag: PROMOTED_ETAG,
      modelPromoteObject: PROMOTED_OBJECT,
      budgetAlertEmail: TEAM_EMAIL,
    },
  },
};

/**
 * The program run under mocks for `stack`, computed once per process for the same overrides; a
 * training stack's job reports `jobStatus` (InProgress, as the `up` that starts it sees it, unless
 * set).
 */
export function stackRun(
  stack: string,
  overrides: Record<string, unknown> = {},
  stackOutputs?: RunOptions["stackOutputs"],
  jobStatus?: string,
): Promise<StackRun> {
  const key = JSON.stringify([stack, overrides, stackOutputs, jobStatus]);
  let run = runs.get(key);
  if (!run) {
    run = runStack({ stack, overrides, stackOutputs, jobStatus });
    runs.set(key, run);
  }
  return run;
}

const engineRuns: RunMemo = new Map();

/**
 * The stack as it serves (SERVING), run the way `pulumi up` (or, in "preview" mode, `pulumi
 * preview` of a fresh stack) runs it: @pulumi/pulumi/cmd/run against the local engine. Once per
 * process and mode.
 */
export function servingEngineRun(
  stack: "dev" | "prod",
  mode: EngineMode = "update",
): Promise<StackRun> {
  const s = SERVING[stack];
  return runOnEngine({
    stack,
    mode,
    overrides: s.overrides,
    stackOutputs: s.stackOutputs,
    memo: engineRuns,
  });
}

/** The stack as it serves (SERVING), with more overrides on top. */
export function servingRun(
  stack: "dev" | "prod",
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  const s = SERVING[stack];
  return stackRun(stack, { ...s.overrides, ...overrides }, s.stackOutputs);
}

/** Resource counts by type, for a compact picture of a stack. */
export function countByType(run: StackRun): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** The single resource of a type, failing when there is not exactly one. */
export function one(run: StackRun, type: string): StackResource {
  const found = ofType(run, type);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} in ${run.stack}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/** Resource by logical name. */
export function named(run: StackRun, name: string): StackResource {
  const r = run.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource named ${name} in ${run.stack}`);
  return r;
}

export interface DeployedRole {
  name: string;
  arn: string;
  trust: PolicyDocument;
  /** Every identity policy that applies to the role: inline, attached, managed. */
  policies: { name: string; policy: PolicyDocument }[];
  managedPolicyArns: string[];
}

/** The roles of a run with the policies that reach them, as AWS would evaluate them. */
export function deployedRoles(run: StackRun): Map<string, DeployedRole> {
  const roles = new Map<string, DeployedRole>();
  for (const r of ofType(run, "aws:iam/role:Role")) {
    const name = String(r.outputs.name);
    roles.set(name, {
      name,
      arn: String(r.outputs.arn),
      trust: JSON.parse(String(r.inputs.assumeRolePolicy)),
      policies: (
        (r.inputs.inlinePolicies as { name: string; policy: string }[] | undefined) ?? []
      ).map((p) => ({
        name: p.name,
        policy: JSON.parse(p.policy),
      })),
      managedPolicyArns: (r.inputs.managedPolicyArns as string[] | undefined) ?? [],
    });
  }
  for (const p of ofType(run, "aws:iam/rolePolicy:RolePolicy")) {
    const role = roles.get(String(p.inputs.role));
    if (!role) throw new Error(`role policy ${p.name} names unknown role ${String(p.inputs.role)}`);
    role.policies.push({
      name: String(p.inputs.name),
      policy: JSON.parse(String(p.inputs.policy)),
    });
  }
  for (const a of [
    ...ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    ...ofType(run, "aws:iam/policyAttachment:PolicyAttachment"),
  ]) {
    for (const roleName of [a.inputs.role, ...((a.inputs.roles as string[] | undefined) ?? [])]) {
      roles.get(String(roleName))?.managedPolicyArns.push(String(a.inputs.policyArn));
    }
  }
  return roles;
}

/**
 * The key policy AWS gives a KMS key created without one: the account may delegate use of the
 * key through IAM policies. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/**
 * IAM's decision for `role` calling `action` on `resource` (a concrete ARN, or `*` for "on any
 * resource"), with the role's identity policies and an optional resource policy.
 */
export async function decide(
  role: DeployedRole,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  resourcePolicy?: PolicyDocument,
): Promise<Decision> {
  if (role.managedPolicyArns.length > 0) {
    throw new Error(
      `${role.name} has managed policies the simulation cannot see: ${role.managedPolicyArns.join(", ")}`,
    );
  }
  const result = await runSimulation(
    {
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // KMS evaluates the key policy even within the account; the program's keys keep the default.
      resourcePolicy:
        resourcePolicy ??
        (action.startsWith("kms:") && resource !== "*" ? DEFAULT_KEY_POLICY : undefined),
      request: {
        principal: role.arn,
        action,
        resource: { resource, accountId: MOCK_ACCOUNT },
        contextVariables: { "aws:SecureTransport": "true", ...context },
      },
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(
      `simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult;
}
