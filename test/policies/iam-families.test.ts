// The IAM families end to end: each case is a small stack served to the pack the way the Pulumi
// CLI serves it (Analyze per resource, then AnalyzeStack). A bypass must be reported as mandatory
// by the policy that owns its family; a least-privilege configuration must pass with no mandatory
// finding at all.
import { type FamilyCase, familyCases } from "./families";
import { KMS_KEY_ARN } from "./harness";

const ACCOUNT = "123456789012";
const OTHER = "999988887777";

type Props = Record<string, unknown>;

/** A resource; `computed` holds what only its outputs carry (an ARN), as after a preview's Analyze. */
function res(
  type: string,
  name: string,
  props: Props,
  deps: Record<string, string[]> = {},
  computed: Props = {},
) {
  return { type, name, props, deps, computed };
}
type Res = ReturnType<typeof res>;

const doc = (...Statement: Props[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  policy: "aws:iam/policy:Policy",
  attach: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  kmsKey: "aws:kms/key:Key",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  permission: "aws:lambda/permission:Permission",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
};

const lambdaTrust = doc({
  Effect: "Allow",
  Principal: { Service: "lambda.amazonaws.com" },
  Action: "sts:AssumeRole",
});

/** A workload role with one inline policy. */
function roleWith(...statements: Props[]): Res[] {
  return [
    res(T.role, "worker", {
      name: "worker",
      arn: `arn:aws:iam::${ACCOUNT}:role/worker`,
      assumeRolePolicy: lambdaTrust,
    }),
    res(T.rolePolicy, "worker-policy", { role: "worker", policy: doc(...statements) }),
  ];
}

/** The workload role with no policy, its ARN known once it is deployed. */
function deployedWorker(): Res {
  const arn = `arn:aws:iam::${ACCOUNT}:role/worker`;
  return res(T.role, "worker", { name: "worker", assumeRolePolicy: lambdaTrust }, {}, { arn });
}

function roleTrusting(...statements: Props[]): Res[] {
  return [res(T.role, "assumed", { name: "assumed", assumeRolePolicy: doc(...statements) })];
}

function attached(policyPath: string): Res[] {
  return [
    res(T.role, "worker", { name: "worker", assumeRolePolicy: lambdaTrust }),
    res(T.attach, "worker-managed", {
      role: "worker",
      policyArn: `arn:aws:iam::aws:policy/${policyPath}`,
    }),
  ];
}

const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

function kmsKey(...statements: Props[]): Res[] {
  return [res(T.kmsKey, "data-key", { arn: KMS_KEY_ARN, policy: doc(...statements) })];
}
const keyRoot = {
  Sid: "EnableIamPolicies",
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: "kms:*",
  Resource: "*",
};

function bucketPolicy(...statements: Props[]): Res[] {
  return [res(T.bucketPolicy, "data-policy", { bucket: "data", policy: doc(...statements) })];
}

const AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").map((c) => `s3:${c}*`);

const CASES: FamilyCase[] = [
  // Broad managed policies under other names.
  ...(
    [
      ["CloudWatchFullAccessV2", /every logs action/],
      ["job-function/SystemAdministrator", /privilege escalation: .*lambda:UpdateFunctionCode/],
      ["job-function/DataScientist", /whole services: every dynamodb action/],
      ["SecretsManagerReadWrite", /every secretsmanager action/],
      ["ReadOnlyAccess", /reads of stored data on every resource: s3:GetObject on "\*"/],
    ] as const
  ).map(([p, says]) => ({
    family: "broad managed policies",
    name: `${p} on a workload role`,
    resources: attached(p),
    caughtBy: "iam-managed-policy-disallow-full-access",
    says,
  })),
  {
    family: "broad managed policies",
    name: "an AWS-managed ARN that names no known policy",
    resources: attached("DogBreedClassifierAccess"),
    caughtBy: "iam-managed-policy-disallow-full-access",
    says: /no AWS-managed policy of that name is known/,
  },
  ...["service-role/AWSLambdaBasicExecutionRole", "AWSXRayDaemonWriteAccess"].map((p) => ({
    family: "broad managed policies",
    name: `${p} on a workload role`,
    resources: attached(p),
  })),
  {
    family: "broad managed policies",
    name: "AmazonEC2ContainerRegistryReadOnly through Role.managedPolicyArns",
    resources: [
      res(T.role, "worker", {
        name: "worker",
        assumeRolePolicy: lambdaTrust,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"],
      }),
    ],
  },

  {
    family: "broad managed policies",
    name: "job-function/SystemAdministrator on an SSO permission set",
    resources: [
      res("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "ops-admin", {
        instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
        permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
        managedPolicyArn: "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
      }),
    ],
    caughtBy: "iam-managed-policy-disallow-full-access",
    says: /to permission set "ps-0123456789abcdef"/,
  },
  {
    family: "wildcards split or moved",
    name: "a permission set inline policy granting s3 in halves",
    resources: [
      res("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ops-inline", {
        instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
        permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
        inlinePolicy: doc(
          { Effect: "Allow", Action: AZ.slice(0, 13), Resource: "arn:aws:s3:::data/*" },
          { Effect: "Allow", Action: AZ.slice(13), Resource: "arn:aws:s3:::data/*" },
        ),
      }),
    ],
    caughtBy: "iam-policy-disallow-wildcard-actions",
  },

  // Wildcards split or moved.
  {
    family: "wildcards split or moved",
    name: "26 patterns s3:A* .. s3:Z* in one statement",
    resources: roleWith({ Effect: "Allow", Action: AZ, Resource: "arn:aws:s3:::data/*" }),
    caughtBy: "iam-policy-disallow-wildcard-actions",
    says: /which together grant every s3 action/,
  },
  {
    family: "wildcards split or moved",
    name: "s3:A* .. s3:M* and s3:N* .. s3:Z* in two statements",
    resources: roleWith(
      { Effect: "Allow", Action: AZ.slice(0, 13), Resource: "arn:aws:s3:::data/*" },
      { Effect: "Allow", Action: AZ.slice(13), Resource: "arn:aws:s3:::data/*" },
    ),
    caughtBy: "iam-policy-disallow-wildcard-actions",
    says: /grants every s3 action across statement 0, statement 1/,
  },
  {
    family: "wildcards split or moved",
    name: "the two halves of s3 in two policies of the same role",
    resources: [
      ...roleWith({ Effect: "Allow", Action: AZ.slice(0, 13), Resource: "arn:aws:s3:::data/*" }),
      res(T.rolePolicy, "worker-policy-2", {
        role: "worker",
        policy: doc({ Effect: "Allow", Action: AZ.slice(13), Resource: "arn:aws:s3:::data/*" }),
      }),
    ],
    caughtBy: "iam-principal-disallow-broad-grants",
    says: /role "worker" holds whole services: every s3 action/,
  },
  {
    family: "wildcards split or moved",
    name: "s3:GetObject on arn:aws:s3:::*/*",
    resources: roleWith({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" }),
    caughtBy: "iam-policy-require-scoped-resources",
    says: /on Resource "arn:aws:s3:::\*\/\*"/,
  },
  {
    family: "wildcards split or moved",
    name: "secretsmanager:GetSecretValue on arn:aws:secretsmanager:*:*:secret:*",
    resources: roleWith({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "arn:aws:secretsmanager:*:*:secret:*",
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
    says: /secretsmanager:GetSecretValue on "arn:aws:secretsmanager:\*:\*:secret:\*"/,
  },
  {
    family: "wildcards split or moved",
    name: "iam:PassRole on arn:aws:iam::*:role/*",
    resources: roleWith({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::*:role/*",
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    }),
    caughtBy: "iam-policy-restrict-pass-role",
    says: /which is every role/,
  },
  {
    family: "wildcards split or moved",
    name: "reads under one prefix of one bucket",
    resources: roleWith({
      Effect: "Allow",
      Action: ["s3:Get*", "s3:List*"],
      Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/models/*"],
    }),
  },
  {
    family: "wildcards split or moved",
    name: "the four Session Manager channel actions named one by one",
    resources: roleWith({
      Effect: "Allow",
      Action: [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ],
      Resource: "*",
    }),
  },

  {
    family: "wildcards split or moved",
    name: "the two halves of s3 in a user's own policy and in its group's",
    resources: [
      res("aws:iam/user:User", "analyst", { name: "analyst" }),
      res("aws:iam/userPolicy:UserPolicy", "analyst-policy", {
        user: "analyst",
        policy: doc({ Effect: "Allow", Action: AZ.slice(0, 13), Resource: "arn:aws:s3:::data/*" }),
      }),
      res(T.groupPolicy, "analysts-policy", {
        group: "analysts",
        policy: doc({ Effect: "Allow", Action: AZ.slice(13), Resource: "arn:aws:s3:::data/*" }),
      }),
      res("aws:iam/userGroupMembership:UserGroupMembership", "analyst-groups", {
        user: "analyst",
        groups: ["analysts"],
      }),
    ],
    caughtBy: "iam-principal-disallow-broad-grants",
    says: /user "analyst" holds whole services: every s3 action/,
  },

  // Conditions that restrict nothing.
  {
    family: "conditions that restrict nothing",
    name: 'StringLike aws:ResourceTag/project "*" on s3:GetObject "*"',
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { StringLike: { "aws:ResourceTag/project": "*" } },
    }),
    caughtBy: "iam-policy-require-scoped-resources",
  },
  {
    family: "conditions that restrict nothing",
    name: "Null aws:ResourceTag/project false on sagemaker:InvokeEndpoint",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: "*",
      Condition: { Null: { "aws:ResourceTag/project": "false" } },
    }),
    caughtBy: "iam-policy-require-scoped-resources",
  },
  {
    family: "conditions that restrict nothing",
    name: 'StringNotEquals aws:PrincipalAccount on Principal "*"',
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "sts:AssumeRole",
      Condition: { StringNotEquals: { "aws:PrincipalAccount": OTHER } },
    }),
    caughtBy: "iam-role-restrict-trust",
    says: /with a condition that narrows nothing \(StringNotEquals aws:PrincipalAccount/,
  },
  {
    family: "conditions that restrict nothing",
    name: "aws:SecureTransport on a cross-account trust",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: "sts:AssumeRole",
      Condition: { Bool: { "aws:SecureTransport": "true" } },
    }),
    caughtBy: "iam-role-restrict-trust",
    says: /trusts account 999988887777 .* with a condition that narrows nothing/,
  },
  {
    family: "conditions that restrict nothing",
    name: "StringEqualsIfExists aws:PrincipalOrgID on Principal *",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: "*",
      Action: "sts:AssumeRole",
      Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123def4" } },
    }),
    caughtBy: "iam-role-restrict-trust",
  },
  {
    family: "conditions that restrict nothing",
    name: "iam:PassedToService matched with StringLike *",
    resources: roleWith({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/jobs`,
      Condition: { StringLike: { "iam:PassedToService": "*" } },
    }),
    caughtBy: "iam-policy-restrict-pass-role",
    says: /StringLike iam:PassedToService "\*" accepts any service/,
  },
  {
    family: "conditions that restrict nothing",
    name: "Principal * narrowed to one organisation",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
    }),
  },
  {
    family: "conditions that restrict nothing",
    name: "Resource * narrowed by a resource tag",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/project": "dog-breed-classifier" } },
    }),
  },

  {
    family: "conditions that restrict nothing",
    name: "secrets read on Resource * narrowed by the service's own tag key",
    resources: roleWith({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { StringEquals: { "secretsmanager:ResourceTag/app": "dog-breed-classifier" } },
    }),
  },
  {
    family: "conditions that restrict nothing",
    name: 'secrets read on Resource * with StringLike aws:ResourceTag/app "*"',
    resources: roleWith({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { StringLike: { "aws:ResourceTag/app": "*" } },
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
    says: /secretsmanager:GetSecretValue on "\*"/,
  },

  // PassRole and escalation.
  {
    family: "PassRole and escalation",
    name: "PassRole on role/* with PassedToService, and lambda:CreateFunction",
    resources: roleWith(
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
        Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      },
      { Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*" },
    ),
    caughtBy: "iam-policy-disallow-privilege-escalation",
    says: /iam:PassRole on "arn:aws:iam::123456789012:role\/\*" with lambda:CreateFunction/,
  },
  {
    family: "PassRole and escalation",
    name: "PassRole on every role in one policy, ec2:RunInstances in another",
    resources: [
      ...roleWith({
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
        Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      }),
      res(T.rolePolicy, "worker-run", {
        role: "worker",
        policy: doc({ Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" }),
      }),
    ],
    caughtBy: "iam-principal-disallow-broad-grants",
    says: /privilege escalation: iam:PassRole .* with ec2:RunInstances/,
  },
  {
    family: "PassRole and escalation",
    name: "lambda:UpdateFunctionCode on every function",
    resources: roleWith({
      Effect: "Allow",
      Action: "lambda:UpdateFunctionCode",
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`,
    }),
    caughtBy: "iam-policy-disallow-privilege-escalation",
  },
  {
    family: "PassRole and escalation",
    name: "ssm:SendCommand on all instances",
    resources: roleWith({
      Effect: "Allow",
      Action: "ssm:SendCommand",
      Resource: [
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
      ],
    }),
    caughtBy: "iam-policy-disallow-privilege-escalation",
    says: /ssm:SendCommand on "arn:aws:ec2:\*:\*:instance\/\*"/,
  },
  {
    family: "PassRole and escalation",
    name: "sagemaker:CreatePresignedNotebookInstanceUrl on every notebook",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:CreatePresignedNotebookInstanceUrl",
      Resource: "*",
    }),
    caughtBy: "iam-policy-disallow-privilege-escalation",
  },
  {
    family: "PassRole and escalation",
    name: "sts:AssumeRole on arn:aws:iam::*:role/*",
    resources: roleWith({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: "arn:aws:iam::*:role/*",
    }),
    caughtBy: "iam-policy-disallow-privilege-escalation",
    says: /sts:AssumeRole on "arn:aws:iam::\*:role\/\*"/,
  },
  {
    family: "PassRole and escalation",
    name: "iam:CreatePolicyVersion through iam:*PolicyVersion",
    resources: roleWith({
      Effect: "Allow",
      Action: "iam:*PolicyVersion",
      Resource: `arn:aws:iam::${ACCOUNT}:policy/app-*`,
    }),
    caughtBy: "iam-policy-disallow-privilege-escalation",
  },
  {
    family: "PassRole and escalation",
    name: "a notebook passing one training role to SageMaker and starting training jobs",
    resources: roleWith(
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${ACCOUNT}:role/training`,
        Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      },
      {
        Effect: "Allow",
        Action: ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],
        Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/dog-breed-*`,
      },
    ),
  },
  {
    family: "PassRole and escalation",
    name: "AWS's self-service credentials policy on a group",
    resources: [
      res(T.groupPolicy, "self-service", {
        group: "developers",
        policy: doc(
          {
            Sid: "AllowViewAccountInfo",
            Effect: "Allow",
            Action: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
            Resource: "*",
          },
          {
            Sid: "AllowManageOwnPasswordsAndKeys",
            Effect: "Allow",
            Action: [
              "iam:ChangePassword",
              "iam:GetUser",
              "iam:CreateAccessKey",
              "iam:DeleteAccessKey",
              "iam:ListAccessKeys",
              "iam:UpdateAccessKey",
              "iam:GetAccessKeyLastUsed",
              "iam:CreateLoginProfile",
              "iam:UpdateLoginProfile",
            ],
            Resource: "arn:aws:iam::*:user/${aws:username}",
          },
        ),
      }),
    ],
  },
  {
    family: "PassRole and escalation",
    name: "AWS's documented policy for users managing their own credentials with MFA",
    resources: [
      res(T.groupPolicy, "own-credentials", {
        group: "console-users",
        policy: doc(
          {
            Sid: "AllowViewAccountInfo",
            Effect: "Allow",
            Action: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
            Resource: "*",
          },
          {
            Sid: "AllowManageOwnPasswords",
            Effect: "Allow",
            Action: ["iam:ChangePassword", "iam:GetUser"],
            Resource: "arn:aws:iam::*:user/${aws:username}",
          },
          {
            Sid: "AllowManageOwnAccessKeys",
            Effect: "Allow",
            Action: [
              "iam:CreateAccessKey",
              "iam:DeleteAccessKey",
              "iam:ListAccessKeys",
              "iam:UpdateAccessKey",
              "iam:GetAccessKeyLastUsed",
            ],
            Resource: "arn:aws:iam::*:user/${aws:username}",
          },
          {
            Sid: "AllowManageOwnSSHPublicKeys",
            Effect: "Allow",
            Action: [
              "iam:DeleteSSHPublicKey",
              "iam:GetSSHPublicKey",
              "iam:ListSSHPublicKeys",
              "iam:UpdateSSHPublicKey",
              "iam:UploadSSHPublicKey",
            ],
            Resource: "arn:aws:iam::*:user/${aws:username}",
          },
          {
            Sid: "AllowManageOwnVirtualMFADevice",
            Effect: "Allow",
            Action: ["iam:CreateVirtualMFADevice"],
            Resource: "arn:aws:iam::*:mfa/*",
          },
          {
            Sid: "AllowManageOwnUserMFA",
            Effect: "Allow",
            Action: [
              "iam:DeactivateMFADevice",
              "iam:EnableMFADevice",
              "iam:ListMFADevices",
              "iam:ResyncMFADevice",
            ],
            Resource: "arn:aws:iam::*:user/${aws:username}",
          },
          {
            Sid: "DenyAllExceptListedIfNoMFA",
            Effect: "Deny",
            NotAction: [
              "iam:CreateVirtualMFADevice",
              "iam:EnableMFADevice",
              "iam:GetUser",
              "iam:ListMFADevices",
              "iam:ListVirtualMFADevices",
              "iam:ResyncMFADevice",
              "sts:GetSessionToken",
            ],
            Resource: "*",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
          },
        ),
      }),
    ],
  },
  {
    family: "PassRole and escalation",
    name: "sts:AssumeRole on one named role",
    resources: roleWith({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/reader`,
    }),
  },

  // Trust.
  {
    family: "trust",
    name: 'a GitHub OIDC trust with sub "repo:*"',
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { Federated: GITHUB },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" },
      },
    }),
    caughtBy: "iam-role-restrict-trust",
    says: /any GitHub repository/,
  },
  {
    family: "trust",
    name: "a GitHub OIDC trust with only the audience",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { Federated: GITHUB },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      },
    }),
    caughtBy: "iam-role-restrict-trust",
    says: /every identity token.actions.githubusercontent.com issues tokens for/,
  },
  {
    family: "trust",
    name: "a cross-account root with an unrelated condition",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: OTHER },
      Action: "sts:AssumeRole",
      Condition: { StringLike: { "sts:ExternalId": "*" } },
    }),
    caughtBy: "iam-role-restrict-trust",
  },
  {
    family: "trust",
    name: "a wildcard service principal",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { Service: "*.amazonaws.com" },
      Action: "sts:AssumeRole",
    }),
    caughtBy: "iam-role-restrict-trust",
  },
  {
    family: "trust",
    name: "one named role of the same account",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci-deployer` },
      Action: "sts:AssumeRole",
    }),
  },
  {
    family: "trust",
    name: "GitHub OIDC pinned to one repository's main branch",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { Federated: GITHUB },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: {
          "token.actions.githubusercontent.com:sub":
            "repo:acme/dog-breed-classifier:ref:refs/heads/main",
        },
      },
    }),
  },
  {
    family: "trust",
    name: "a third-party account with an external id",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "a1b2c3d4-shared-secret" } },
    }),
  },

  // Resource policies.
  {
    family: "resource policies",
    name: 'a KMS key policy giving kms:* to {"AWS":"*"}',
    resources: kmsKey(keyRoot, {
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "kms:*",
      Resource: "*",
    }),
    caughtBy: "iam-resource-policy-restrict-outside-access",
    says: /lets any AWS principal, in any account \(Principal "\*"\) call \["kms:\*"\]/,
  },
  {
    family: "resource policies",
    name: "a Lambda permission to principal * with no source",
    resources: [
      res(T.permission, "invoke-any", {
        action: "lambda:InvokeFunction",
        function: "classifier",
        principal: "*",
      }),
    ],
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    family: "resource policies",
    name: "a function URL whose invoke permission goes to *",
    resources: [
      res(T.permission, "url-any", {
        action: "lambda:InvokeFunctionUrl",
        function: "classifier",
        principal: "*",
        functionUrlAuthType: "NONE",
      }),
    ],
    caughtBy: "iam-resource-policy-restrict-outside-access",
    says: /anyone on the internet/,
  },
  {
    family: "resource policies",
    name: "a bucket policy with NotPrincipal",
    resources: bucketPolicy({
      Effect: "Allow",
      NotPrincipal: { AWS: ROOT },
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
    }),
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    family: "resource policies",
    name: "a bucket policy to * with a vacuous source condition",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:*:*:*:*" } },
    }),
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    family: "resource policies",
    name: "the default key policy with a service using the key through S3",
    resources: kmsKey(keyRoot, {
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": ACCOUNT,
          "kms:ViaService": "s3.us-east-1.amazonaws.com",
        },
      },
    }),
  },
  {
    family: "resource policies",
    name: "a Lambda permission for one bucket's notifications",
    resources: [
      res(T.permission, "from-bucket", {
        action: "lambda:InvokeFunction",
        function: "classifier",
        principal: "s3.amazonaws.com",
        sourceArn: "arn:aws:s3:::dog-breed-uploads",
        sourceAccount: ACCOUNT,
      }),
    ],
  },
  {
    family: "resource policies",
    name: "a TLS-only bucket policy",
    resources: bucketPolicy({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }),
  },

  {
    family: "wildcards split or moved",
    name: 'Action "*:*" on every resource',
    resources: roleWith({ Effect: "Allow", Action: "*:*", Resource: "*" }),
    caughtBy: "iam-policy-disallow-wildcard-actions",
    says: /allows Action "\*:\*", which grants every action of every service/,
  },
  {
    family: "trust",
    name: "a named role of another account, the role's own account known from its policies",
    resources: [
      res(T.role, "assumed", {
        name: "assumed",
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${OTHER}:role/deployer` },
          Action: "sts:AssumeRole",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        }),
        inlinePolicies: [
          {
            name: "read",
            policy: doc({
              Effect: "Allow",
              Action: "sagemaker:InvokeEndpoint",
              Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/classifier`,
            }),
          },
        ],
      }),
    ],
    caughtBy: "iam-role-restrict-trust",
    says: /of account 999988887777 can assume the role/,
  },
  {
    family: "resource policies",
    name: "a key policy letting another account's root decrypt",
    resources: kmsKey(keyRoot, {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: "*",
    }),
    caughtBy: "iam-resource-policy-restrict-outside-access",
    says: /every principal that account 999988887777 allows/,
  },
  {
    family: "resource policies",
    name: "a queue policy to * narrowed only by TLS",
    resources: [
      res(T.queuePolicy, "jobs-policy", {
        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
        policy: doc({
          Effect: "Allow",
          Principal: "*",
          Action: "sqs:SendMessage",
          Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
          Condition: { Bool: { "aws:SecureTransport": "true" } },
        }),
      }),
    ],
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    family: "fail closed",
    name: "a Principal inside an identity policy",
    resources: roleWith({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
    }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /has a Principal, which IAM rejects in an identity policy/,
  },
  {
    family: "PassRole and escalation",
    name: "iam:PutUserPolicy on the caller's own user",
    resources: [
      res(T.groupPolicy, "self-policy", {
        group: "developers",
        policy: doc({
          Effect: "Allow",
          Action: "iam:PutUserPolicy",
          Resource: "arn:aws:iam::*:user/${aws:username}",
        }),
      }),
    ],
    caughtBy: "iam-policy-disallow-privilege-escalation",
    says: /grants group "developers" privilege-escalation actions: iam:PutUserPolicy/,
  },
  {
    family: "broad managed policies",
    name: "ReadOnlyAccess through a customer route: PolicyAttachment",
    resources: [
      res(T.role, "worker", { name: "worker", assumeRolePolicy: lambdaTrust }),
      res("aws:iam/policyAttachment:PolicyAttachment", "readers", {
        roles: ["worker"],
        policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      }),
    ],
    caughtBy: "iam-managed-policy-disallow-full-access",
  },

  {
    family: "conditions that restrict nothing",
    name: 'iam:PassedToService matched with StringLike "*.amazonaws.com"',
    resources: roleWith({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/jobs`,
      Condition: { StringLike: { "iam:PassedToService": "*.amazonaws.com" } },
    }),
    caughtBy: "iam-policy-restrict-pass-role",
  },
  {
    family: "resource policies",
    name: "a Lambda permission for one API's routes",
    resources: [
      res(T.permission, "from-api", {
        action: "lambda:InvokeFunction",
        function: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:classifier`,
        principal: "apigateway.amazonaws.com",
        sourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5/*/POST/classify`,
      }),
    ],
  },
  {
    family: "broad managed policies",
    name: "AmazonS3ReadOnlyAccess on a workload role",
    resources: attached("AmazonS3ReadOnlyAccess"),
    caughtBy: "iam-managed-policy-disallow-full-access",
    says: /s3:GetObject on "\*"/,
  },
  {
    family: "broad managed policies",
    name: "the Lambda SQS execution policy on a queue consumer",
    resources: attached("service-role/AWSLambdaSQSQueueExecutionRole"),
  },

  {
    family: "resource policies",
    name: "a bucket policy letting another account read, the stack's account told by its ARNs",
    resources: [
      deployedWorker(),
      ...bucketPolicy({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::data/*",
      }),
    ],
    caughtBy: "iam-resource-policy-restrict-cross-account",
    says: /lets every principal that account 999988887777 allows/,
  },
  {
    family: "trust",
    name: "a named role of another account, the role's account known once deployed",
    resources: [
      res(
        T.role,
        "assumed",
        {
          name: "assumed",
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OTHER}:role/deployer` },
            Action: "sts:AssumeRole",
          }),
        },
        {},
        { arn: `arn:aws:iam::${ACCOUNT}:role/assumed` },
      ),
    ],
    caughtBy: "iam-resource-policy-restrict-cross-account",
    says: /of account 999988887777 can assume the role/,
  },
  {
    family: "resource policies",
    name: "a bucket policy letting a role of the stack's own account read",
    resources: [
      deployedWorker(),
      ...bucketPolicy({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/worker` },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::data/*",
      }),
    ],
  },

  // Statements IAM would reject or read differently.
  {
    family: "fail closed",
    name: "a statement without Effect",
    resources: roleWith({ Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /has no Effect/,
  },
  {
    family: "fail closed",
    name: "an unknown action",
    resources: roleWith({ Effect: "Allow", Action: "s3:GetObjekt", Resource: "arn:aws:s3:::d/*" }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /matches no s3 action/,
  },
  {
    family: "fail closed",
    name: "an unknown service",
    resources: roleWith({ Effect: "Allow", Action: "s4:GetObject", Resource: "*" }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /no known service's action/,
  },
  {
    family: "fail closed",
    name: "a document that is not JSON",
    resources: [res(T.rolePolicy, "broken", { role: "worker", policy: "{Statement: [" })],
    caughtBy: "iam-policy-require-valid-statements",
  },
  {
    family: "fail closed",
    name: "a misspelt condition operator",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: "*",
      Condition: { StringEqual: { "aws:ResourceTag/project": "dog-breed-classifier" } },
    }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /"StringEqual", which is no condition operator IAM knows/,
  },
  {
    family: "fail closed",
    name: "a policy variable under the 2008 policy language",
    resources: [
      res(T.groupPolicy, "own-keys", {
        group: "developers",
        policy: JSON.stringify({
          Version: "2008-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "iam:CreateAccessKey",
              Resource: "arn:aws:iam::*:user/${aws:username}",
            },
          ],
        }),
      }),
    ],
    caughtBy: "iam-policy-require-valid-statements",
    says: /Set "Version": "2012-10-17"/,
  },
  {
    family: "fail closed",
    name: "a wildcard inside a trusted principal ARN",
    resources: roleTrusting({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER}:role/*` },
      Action: "sts:AssumeRole",
    }),
    caughtBy: "iam-policy-require-valid-statements",
    says: /a wildcard inside a principal ARN/,
  },
  {
    family: "resource policies",
    name: "a topic policy to * narrowed by the publishing account",
    resources: [
      res("aws:sns/topicPolicy:TopicPolicy", "alerts-policy", {
        arn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
        policy: doc({
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "sns:Publish",
          Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
          Condition: { StringEquals: { "aws:SourceOwner": ACCOUNT } },
        }),
      }),
    ],
  },
  {
    family: "fail closed",
    name: "a Deny of a known action",
    resources: roleWith(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
      { Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" },
    ),
  },
  {
    family: "fail closed",
    name: "a customer-managed policy attached to a role",
    resources: [
      res(T.role, "worker", { name: "worker", assumeRolePolicy: lambdaTrust }),
      res(T.policy, "read-models", {
        name: "read-models",
        arn: `arn:aws:iam::${ACCOUNT}:policy/read-models`,
        policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::m/*" }),
      }),
      res(T.attach, "worker-read", {
        role: "worker",
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/read-models`,
      }),
    ],
  },
];

familyCases("IAM families through the analyzer protocol", CASES, { caught: 3, clean: 2 });
