// Permission sets judged by the IAM policies as the roles they become: their AWS-managed policy
// attachments and inline policies.
import * as assert from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { iamPolicies } from "../../policies/iam";
import { check, doc, Fixture } from "./harness";

const INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
const PS = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef";

const policies = iamPolicies.filter(
  (p): p is ResourceValidationPolicy => "validateResource" in p && !!p.validateResource,
);

/** Every IAM finding on one fixture, as `policy: message`. */
async function findings(f: Fixture): Promise<string[]> {
  const out: string[] = [];
  for (const p of policies) for (const m of await check(p, f)) out.push(`${p.name}: ${m}`);
  return out;
}

function attachment(arn: string): Fixture {
  return {
    type: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
    name: "ps-attachment",
    props: { instanceArn: INSTANCE, permissionSetArn: PS, managedPolicyArn: arn },
  };
}

function inline(...statements: Record<string, unknown>[]): Fixture {
  return {
    type: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    name: "ps-inline",
    props: { instanceArn: INSTANCE, permissionSetArn: PS, inlinePolicy: doc(...statements) },
  };
}

describe("permission sets under the IAM policies", () => {
  it("reports AdministratorAccess attached to a permission set, naming the permission set", async () => {
    const found = await findings(attachment("arn:aws:iam::aws:policy/AdministratorAccess"));
    assert.ok(found.length >= 1, "a finding");
    assert.ok(
      found.some(
        (m) =>
          m.startsWith("iam-managed-policy-disallow-full-access: ") &&
          m.includes('ManagedPolicyAttachment "ps-attachment"') &&
          m.includes('permission set "ps-0123456789abcdef"'),
      ),
      found.join("\n"),
    );
  });

  it("reports a *FullAccess policy in an exclusive attachment list", async () => {
    const found = await findings({
      type: "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
      name: "ps-exclusive",
      props: {
        instanceArn: INSTANCE,
        permissionSetArn: PS,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
      },
    });
    assert.ok(
      found.some((m) => m.includes('ManagedPolicyAttachmentsExclusive "ps-exclusive"')),
      found.join("\n"),
    );
  });

  it("reports an inline policy allowing every action", async () => {
    const found = await findings(inline({ Effect: "Allow", Action: "*", Resource: "*" }));
    assert.ok(
      found.some(
        (m) =>
          m.startsWith("iam-policy-disallow-wildcard-actions: ") &&
          m.includes('PermissionSetInlinePolicy "ps-inline"'),
      ),
      found.join("\n"),
    );
  });

  it("reports an inline policy granting PassRole on every role", async () => {
    const found = await findings(
      inline({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }),
    );
    assert.ok(
      found.some((m) => m.includes('PermissionSetInlinePolicy "ps-inline"')),
      found.join("\n"),
    );
  });

  it("passes a least-privilege inline policy and a self-service managed policy", async () => {
    assert.deepStrictEqual(
      await findings(
        inline({
          Effect: "Allow",
          Action: "sagemaker:InvokeEndpoint",
          Resource: "arn:aws:sagemaker:us-east-1:123456789012:endpoint/dog-breed-classifier-prod",
        }),
      ),
      [],
    );
    assert.deepStrictEqual(
      await findings(attachment("arn:aws:iam::aws:policy/IAMUserChangePassword")),
      [],
    );
  });

  it("leaves IAM resources to the policies as they are", async () => {
    const role: Fixture = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "attach",
      props: { role: "app", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    };
    const found = await findings(role);
    assert.ok(
      found.some((m) => m.includes('RolePolicyAttachment "attach"') && m.includes('role "app"')),
    );
  });
});
