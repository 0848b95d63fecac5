import * as assert from "assert";
import {
  managedPolicyFullAccess,
  notActionNotResource,
  passRole,
  privilegeEscalation,
  roleInUse,
  roleTrust,
  scopedResources,
  wildcardActions,
} from "../../policies/iam";
import { check, checkStack, clone, doc, Fixture, UNKNOWN } from "./harness";

const ACCOUNT = "123456789012";
const ENDPOINT_ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/classifier`;

/** The Lambda role's inline policy, least privilege as the program writes it. */
const rolePolicy: Fixture = {
  type: "aws:iam/rolePolicy:RolePolicy",
  name: "lambda-policy",
  props: {
    role: "classifier-lambda",
    policy: doc(
      {
        Sid: "InvokeEndpoint",
        Effect: "Allow",
        Action: "sagemaker:InvokeEndpoint",
        Resource: ENDPOINT_ARN,
      },
      {
        Sid: "WriteLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/classify:log-stream:*`,
      },
    ),
  },
};

function withStatement(s: Record<string, unknown>, base: Fixture = rolePolicy): Fixture {
  const f = clone(base);
  f.props.policy = doc(s);
  return f;
}

describe("iam-managed-policy-disallow-full-access", () => {
  const attachment: Fixture = {
    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    name: "lambda-logs",
    props: {
      role: "classifier-lambda",
      policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    },
  };

  it("accepts narrow AWS-managed and customer-managed policies", async () => {
    assert.deepStrictEqual(await check(managedPolicyFullAccess, attachment), []);
    const custom = clone(attachment);
    custom.props.policyArn = `arn:aws:iam::${ACCOUNT}:policy/AmazonSageMakerFullAccess`;
    assert.deepStrictEqual(await check(managedPolicyFullAccess, custom), []);
  });

  it("reports AmazonSageMakerFullAccess attached to the Lambda role, naming role, ARN and the fix", async () => {
    const f = clone(attachment);
    f.props.policyArn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess";
    const found = await check(managedPolicyFullAccess, f);
    assert.strictEqual(found.length, 1);
    // Judged by its document: what it grants, including the images and notebooks it can take over.
    assert.ok(
      found[0].startsWith(
        'RolePolicyAttachment "lambda-logs" attaches AWS-managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess ' +
          'to role "classifier-lambda": AmazonSageMakerFullAccess grants whole services: every sagemaker action',
      ),
      found[0],
    );
    assert.match(found[0], /privilege escalation: .*sagemaker:CreatePresigned\w*Url/);
    assert.ok(
      found[0].endsWith(
        "Attach a customer-managed policy (aws.iam.RolePolicy or aws.iam.Policy) that lists only the actions the " +
          'role "classifier-lambda" calls, on the ARNs it uses (for example sagemaker:InvokeEndpoint on the endpoint ARN).',
      ),
    );
  });

  const routes: [string, Fixture][] = [
    [
      "Role.managedPolicyArns",
      {
        type: "aws:iam/role:Role",
        name: "r",
        props: {
          name: "model",
          managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
      },
    ],
    [
      "PolicyAttachment",
      {
        type: "aws:iam/policyAttachment:PolicyAttachment",
        name: "r",
        props: { roles: ["model"], policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
      },
    ],
    [
      "UserPolicyAttachment",
      {
        type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        name: "r",
        props: { user: "ci", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" },
      },
    ],
    [
      "GroupPolicyAttachment",
      {
        type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        name: "r",
        props: { group: "ops", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
      },
    ],
    [
      "RolePolicyAttachmentsExclusive",
      {
        type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        name: "r",
        props: { roleName: "model", policyArns: ["arn:aws:iam::aws:policy/AmazonEC2FullAccess"] },
      },
    ],
    [
      "UserPolicyAttachmentsExclusive",
      {
        type: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        name: "r",
        props: { userName: "ci", policyArns: ["arn:aws:iam::aws:policy/AWSLambda_FullAccess"] },
      },
    ],
    [
      "GroupPolicyAttachmentsExclusive",
      {
        type: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
        name: "r",
        props: {
          groupName: "ops",
          policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess-Amplify"],
        },
      },
    ],
    [
      "a GovCloud ARN under a path",
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "r",
        props: {
          role: "arn:aws-us-gov:iam::123456789012:role/svc/model",
          policyArn: "arn:aws-us-gov:iam::aws:policy/job-function/amazonsagemakerfullaccess",
        },
      },
    ],
  ];
  for (const [route, f] of routes) {
    it(`reports a broad policy attached through ${route}`, async () => {
      const messages = await check(managedPolicyFullAccess, f);
      assert.strictEqual(messages.length, 1, messages.join("\n"));
      assert.match(messages[0], /attaches AWS-managed policy arn:aws[a-z-]*:iam::aws:policy\//);
    });
  }

  it("names the role of an ARN by its name", async () => {
    const [m] = await check(managedPolicyFullAccess, routes[7][1]);
    assert.match(m, /to role "model":/);
  });

  it("accepts an ARN listed in allowedPolicyArns, and values unknown at preview", async () => {
    const f = clone(routes[0][1]);
    assert.deepStrictEqual(
      await check(managedPolicyFullAccess, f, {
        allowedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      }),
      [],
    );
    f.props.managedPolicyArns = UNKNOWN;
    assert.deepStrictEqual(await check(managedPolicyFullAccess, f), []);
    f.props.managedPolicyArns = [UNKNOWN];
    assert.deepStrictEqual(await check(managedPolicyFullAccess, f), []);
  });
});

describe("iam-policy-disallow-wildcard-actions", () => {
  it("accepts the least-privilege Lambda policy and wildcards inside action names", async () => {
    assert.deepStrictEqual(await check(wildcardActions, rolePolicy), []);
    const f = withStatement({
      Effect: "Allow",
      Action: ["sagemaker:*Endpoint*", "s3:Get*"],
      Resource: ENDPOINT_ARN,
    });
    assert.deepStrictEqual(await check(wildcardActions, f), []);
  });

  it('reports Action "*"', async () => {
    const f = withStatement({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" });
    assert.deepStrictEqual(await check(wildcardActions, f), [
      'RolePolicy "lambda-policy" policy statement 0 ("All") allows Action "*", which grants every action of every ' +
        'service. List the actions the principal calls instead (for example "s3:GetObject" and "s3:PutObject" on the ' +
        "bucket's objects).",
    ]);
  });

  it("reports a whole service in any case and spelling (s3:*, S3:**)", async () => {
    for (const action of ["s3:*", "S3:**", ["sagemaker:InvokeEndpoint", "sagemaker:*"]]) {
      const f = withStatement({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::data/*" });
      const messages = await check(wildcardActions, f);
      assert.strictEqual(messages.length, 1, JSON.stringify(action));
      assert.match(
        messages[0],
        /statement 0 allows Action "[^"]+", which grants every (s3|sagemaker) action/,
      );
    }
  });

  it("ignores Deny statements and documents unknown at preview", async () => {
    assert.deepStrictEqual(
      await check(wildcardActions, withStatement({ Effect: "Deny", Action: "*", Resource: "*" })),
      [],
    );
    const f = clone(rolePolicy);
    f.props.policy = UNKNOWN;
    assert.deepStrictEqual(await check(wildcardActions, f), []);
    const partly = withStatement({
      Effect: "Allow",
      Action: [UNKNOWN, "s3:GetObject"],
      Resource: "*",
    });
    assert.deepStrictEqual(await check(wildcardActions, partly), []);
  });

  it("reads getPolicyDocument output (empty Sid, lists everywhere)", async () => {
    const f = clone(rolePolicy);
    f.props.policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "",
          Effect: "Allow",
          Action: ["s3:*"],
          Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
        },
      ],
    });
    assert.deepStrictEqual(await check(wildcardActions, f), [
      'RolePolicy "lambda-policy" policy statement 0 allows Action "s3:*", which grants every s3 action. List the ' +
        'actions the principal calls instead (for example "s3:GetObject" and "s3:PutObject" on the bucket\'s objects).',
    ]);
  });

  it("reads Role.inlinePolicies, customer-managed policies and object documents", async () => {
    const role: Fixture = {
      type: "aws:iam/role:Role",
      name: "model-role",
      props: {
        inlinePolicies: [
          { name: "inline", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
        ],
      },
    };
    assert.match(
      (await check(wildcardActions, role))[0],
      /^Role "model-role" inline policy "inline" statement 0 allows Action "\*"/,
    );
    const policy: Fixture = {
      type: "aws:iam/policy:Policy",
      name: "shared",
      props: {
        policy: {
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: "iam:*", Resource: "*" },
        },
      },
    };
    assert.match(
      (await check(wildcardActions, policy))[0],
      /^Policy "shared" policy statement 0 allows Action "iam:\*"/,
    );
  });
});

describe("iam-policy-disallow-not-action", () => {
  it("reports NotAction and NotResource on Allow, not on Deny", async () => {
    const f = withStatement({ Effect: "Allow", NotAction: "iam:*", Resource: "*" });
    assert.deepStrictEqual(await check(notActionNotResource, f), [
      'RolePolicy "lambda-policy" policy statement 0 allows NotAction ["iam:*"], which grants every other action, ' +
        "including ones AWS adds later. Use Action with the actions needed.",
    ]);
    const g = withStatement({
      Effect: "Allow",
      Action: "s3:GetObject",
      NotResource: ["arn:aws:s3:::secret/*"],
    });
    assert.deepStrictEqual(await check(notActionNotResource, g), [
      'RolePolicy "lambda-policy" policy statement 0 allows NotResource ["arn:aws:s3:::secret/*"], which grants every ' +
        "other resource. Use Resource with the ARNs needed.",
    ]);
    assert.deepStrictEqual(
      await check(
        notActionNotResource,
        withStatement({ Effect: "Deny", NotAction: "s3:*", Resource: "*" }),
      ),
      [],
    );
  });
});

describe("iam-policy-require-scoped-resources", () => {
  it("accepts scoped resources and actions that only take *", async () => {
    assert.deepStrictEqual(await check(scopedResources, rolePolicy), []);
    for (const action of [
      "ecr:GetAuthorizationToken",
      "cloudwatch:PutMetricData",
      "ec2:DescribeInstances",
      "sagemaker:ListEndpoints",
    ]) {
      assert.deepStrictEqual(
        await check(
          scopedResources,
          withStatement({ Effect: "Allow", Action: action, Resource: "*" }),
        ),
        [],
        action,
      );
    }
  });

  it('reports an action with resource-level permissions on "*", with its ARN format', async () => {
    const f = withStatement({
      Sid: "Read",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
    });
    assert.deepStrictEqual(await check(scopedResources, f), [
      'RolePolicy "lambda-policy" policy statement 0 ("Read") allows s3:GetObject on Resource "*", but these actions ' +
        "support resource-level permissions. Set Resource to the ARNs they act on (s3:GetObject takes " +
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}), or add a condition on the resource (for example aws:ResourceTag/...).",
    ]);
  });

  it("expands wildcards and mixed case, and treats an ARN with a bare * resource as every resource of its service", async () => {
    const f = withStatement({
      Effect: "Allow",
      Action: ["SageMaker:invokeendpoint", "logs:PutLogE*"],
      Resource: ["arn:aws:sagemaker:us-east-1:123456789012:*"],
    });
    const [m] = await check(scopedResources, f);
    assert.match(
      m,
      /allows sagemaker:InvokeEndpoint on Resource "arn:aws:sagemaker:us-east-1:123456789012:\*"/,
    );
  });

  it("accepts a condition that scopes the resource, a configured action, and unknown resources", async () => {
    const tagged = withStatement({
      Effect: "Allow",
      Action: "sagemaker:InvokeEndpoint",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/project": "dog-breed-classifier" } },
    });
    assert.deepStrictEqual(await check(scopedResources, tagged), []);
    const g = withStatement({ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" });
    assert.deepStrictEqual(await check(scopedResources, g), []);
    const h = withStatement({ Effect: "Allow", Action: "logs:CreateLogGroup", Resource: "*" });
    assert.strictEqual((await check(scopedResources, h)).length, 1);
    assert.deepStrictEqual(
      await check(scopedResources, h, { actionsAllowedOnAnyResource: ["logs:CreateLogGroup"] }),
      [],
    );
    assert.deepStrictEqual(
      await check(
        scopedResources,
        withStatement({ Effect: "Allow", Action: "s3:GetObject", Resource: UNKNOWN }),
      ),
      [],
    );
  });
});

describe("iam-policy-restrict-pass-role", () => {
  const passing = {
    Effect: "Allow",
    Action: "iam:PassRole",
    Resource: `arn:aws:iam::${ACCOUNT}:role/model`,
    Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
  };

  it("accepts PassRole on a role ARN with iam:PassedToService", async () => {
    assert.deepStrictEqual(await check(passRole, withStatement(passing)), []);
  });

  it('reports PassRole on "*"', async () => {
    const f = withStatement({ ...passing, Resource: "*" });
    assert.deepStrictEqual(await check(passRole, f), [
      'RolePolicy "lambda-policy" policy statement 0 allows iam:PassRole on Resource "*", so the principal can hand any ' +
        "role (an admin role too) to a service. Set Resource to the ARNs of the roles it passes.",
    ]);
  });

  it("reports PassRole without iam:PassedToService, also through a wildcard", async () => {
    const { Condition: _c, ...noCondition } = passing;
    assert.deepStrictEqual(await check(passRole, withStatement(noCondition)), [
      'RolePolicy "lambda-policy" policy statement 0 allows iam:PassRole without an iam:PassedToService condition. Add ' +
        'Condition {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}} naming the service that ' +
        "receives the role (for example sagemaker.amazonaws.com).",
    ]);
    const wild = withStatement({ Effect: "Allow", Action: "IAM:Pass*", Resource: "*" });
    assert.strictEqual((await check(passRole, wild)).length, 2);
  });
});

describe("iam-policy-disallow-privilege-escalation", () => {
  it("accepts workload permissions", async () => {
    assert.deepStrictEqual(await check(privilegeEscalation, rolePolicy), []);
    const assume = withStatement({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/reader`,
    });
    assert.deepStrictEqual(await check(privilegeEscalation, assume), []);
  });

  it("reports iam:PutRolePolicy granted to a workload role", async () => {
    const f = withStatement({
      Effect: "Allow",
      Action: "iam:PutRolePolicy",
      Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
    });
    assert.deepStrictEqual(await check(privilegeEscalation, f), [
      'RolePolicy "lambda-policy" policy statement 0 grants role "classifier-lambda" privilege-escalation actions: ' +
        "iam:PutRolePolicy. Remove them (a workload role never needs to change IAM or run code as other roles; scope " +
        "code updates, commands and sessions to named resources), or, for a deliberate admin role, list it in this " +
        "policy's adminPrincipals config.",
    ]);
  });

  it('reports escalation through wildcards and sts:AssumeRole on "*"', async () => {
    const f = withStatement({
      Effect: "Allow",
      Action: ["iam:Attach*", "sts:AssumeRole"],
      Resource: "*",
    });
    const [m] = await check(privilegeEscalation, f);
    assert.match(
      m,
      /actions: iam:AttachUserPolicy, iam:AttachGroupPolicy, iam:AttachRolePolicy, sts:AssumeRole on "\*"\./,
    );
  });

  it("accepts an admin principal from config, by glob", async () => {
    const f = withStatement({ Effect: "Allow", Action: "iam:*", Resource: "*" });
    f.props.role = "ops-admin";
    assert.deepStrictEqual(
      await check(privilegeEscalation, f, { adminPrincipals: ["*-admin"] }),
      [],
    );
    assert.strictEqual((await check(privilegeEscalation, f)).length, 1);
  });
});

describe("iam-role-restrict-trust", () => {
  const role: Fixture = {
    type: "aws:iam/role:Role",
    name: "model-role",
    props: {
      name: "model",
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    },
  };

  function trusting(s: Record<string, unknown>): Fixture {
    const f = clone(role);
    f.props.assumeRolePolicy = doc({ Effect: "Allow", Action: "sts:AssumeRole", ...s });
    return f;
  }

  it("accepts a service principal, also as an object document", async () => {
    assert.deepStrictEqual(await check(roleTrust, role), []);
    const f = clone(role);
    f.props.assumeRolePolicy = JSON.parse(f.props.assumeRolePolicy as string);
    assert.deepStrictEqual(await check(roleTrust, f), []);
  });

  it('reports Principal "*"', async () => {
    assert.deepStrictEqual(await check(roleTrust, trusting({ Principal: "*" })), [
      'Role "model-role" trust policy statement 0 trusts Principal "*", so any AWS principal can assume the role. Set ' +
        'Principal to the service that uses it (for example {"Service": "sagemaker.amazonaws.com"}) or to specific role ARNs.',
    ]);
  });

  it("accepts Principal * restricted by organisation", async () => {
    const f = trusting({
      Principal: { AWS: "*" },
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    });
    assert.deepStrictEqual(await check(roleTrust, f), []);
  });

  it("reports another account without a condition, accepts it with one or when trusted", async () => {
    const f = trusting({ Principal: { AWS: ["arn:aws:iam::999988887777:root"] } });
    assert.deepStrictEqual(await check(roleTrust, f), [
      'Role "model-role" trust policy statement 0 trusts account 999988887777 (arn:aws:iam::999988887777:root) ' +
        "without a condition, so every principal that account allows can assume the role. Add a condition " +
        "(sts:ExternalId, aws:PrincipalArn or aws:PrincipalOrgID), or list the account in trustedAccountIds.",
    ]);
    const g = trusting({
      Principal: { AWS: "999988887777" },
      Condition: { StringEquals: { "sts:ExternalId": "x" } },
    });
    assert.deepStrictEqual(await check(roleTrust, g), []);
    assert.deepStrictEqual(await check(roleTrust, f, { trustedAccountIds: ["999988887777"] }), []);
  });

  it("reports NotPrincipal, and skips a document unknown at preview", async () => {
    assert.strictEqual(
      (await check(roleTrust, trusting({ NotPrincipal: { Service: "ec2.amazonaws.com" } }))).length,
      1,
    );
    const f = clone(role);
    f.props.assumeRolePolicy = UNKNOWN;
    assert.deepStrictEqual(await check(roleTrust, f), []);
  });
});

describe("iam-role-require-use", () => {
  const role = (name: string): Fixture => ({
    type: "aws:iam/role:Role",
    name,
    props: { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, assumeRolePolicy: "{}" },
  });
  const fn: Fixture = {
    type: "aws:lambda/function:Function",
    name: "fn",
    props: { role: `arn:aws:iam::${ACCOUNT}:role/lambda` },
  };
  const policy: Fixture = {
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "p",
    props: { role: "lambda" },
  };

  it("accepts a role a function uses, by ARN or by engine dependency", async () => {
    assert.deepStrictEqual(await checkStack(roleInUse, [role("lambda"), policy, fn]), []);
    const f = clone(fn);
    f.props.role = UNKNOWN;
    f.deps = { role: ["lambda"] };
    assert.deepStrictEqual(await checkStack(roleInUse, [role("lambda"), f]), []);
  });

  it("reports a role only its own policies refer to", async () => {
    assert.deepStrictEqual(
      await checkStack(roleInUse, [role("lambda"), policy, fn, role("stale")]),
      [
        {
          name: "stale",
          message:
            'Role "stale" is not used by any resource in the stack (no function, notebook, model, instance profile in ' +
            "use, ... references it, and no policy lets another principal pass it). Delete it, or list it in " +
            "ignoreRoles if something outside the stack assumes it.",
        },
      ],
    );
    assert.deepStrictEqual(
      await checkStack(roleInUse, [role("stale")], { ignoreRoles: ["st*"] }),
      [],
    );
  });

  it("counts a role another principal may pass to a service, but not one passing itself", async () => {
    const passing = (principal: string, action: string | string[]): Fixture => ({
      type: "aws:iam/rolePolicy:RolePolicy",
      name: `${principal}-pass`,
      props: {
        role: principal,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: action,
              Resource: `arn:aws:iam::${ACCOUNT}:role/jobs`,
              Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
            },
          ],
        }),
      },
    });
    const notebook: Fixture = {
      type: "aws:sagemaker/notebookInstance:NotebookInstance",
      name: "nb",
      props: { roleArn: `arn:aws:iam::${ACCOUNT}:role/notebook` },
    };
    const base = [role("notebook"), notebook, role("jobs")];
    assert.deepStrictEqual(
      await checkStack(roleInUse, [...base, passing("notebook", "iam:PassRole")]),
      [],
    );
    assert.deepStrictEqual(
      await checkStack(roleInUse, [...base, passing("notebook", ["IAM:Pass*"])]),
      [],
    );
    const names = async (extra: Fixture) =>
      (await checkStack(roleInUse, [...base, extra])).map((v) => v.name);
    assert.deepStrictEqual(await names(passing("notebook", "iam:GetRole")), ["jobs"]);
    assert.deepStrictEqual(await names(passing("jobs", "iam:PassRole")), ["jobs"]);
  });

  it("counts an instance profile only when an instance uses it", async () => {
    const profile: Fixture = {
      type: "aws:iam/instanceProfile:InstanceProfile",
      name: "host-profile",
      props: { name: "host-profile", role: "host" },
    };
    assert.strictEqual((await checkStack(roleInUse, [role("host"), profile])).length, 1);
    const instance: Fixture = {
      type: "aws:ec2/instance:Instance",
      name: "host",
      props: { iamInstanceProfile: "host-profile" },
    };
    assert.deepStrictEqual(await checkStack(roleInUse, [role("host"), profile, instance]), []);
  });
});
