// What the pack must stop reporting, and wideness in every part of a grant, served to the pack as
// the CLI serves it. Each case follows AWS's documentation of the setting (cited).
import { type FamilyCase, familyCases } from "./families";

const ACCOUNT = "123456789012";
const VALID = "iam-policy-require-valid-statements";
const OUTSIDE = "iam-resource-policy-restrict-outside-access";
const doc = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement });

const lambdaTrust = doc({
  Effect: "Allow",
  Principal: { Service: "lambda.amazonaws.com" },
  Action: "sts:AssumeRole",
});

function roleWith(...statements: Record<string, unknown>[]): FamilyCase["resources"] {
  return [
    {
      type: "aws:iam/role:Role",
      name: "worker",
      props: {
        name: "worker",
        arn: `arn:aws:iam::${ACCOUNT}:role/worker`,
        assumeRolePolicy: lambdaTrust,
      },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "worker-policy",
      props: { role: "worker", policy: doc(...statements) },
    },
  ];
}

function bucketPolicy(...statements: Record<string, unknown>[]): FamilyCase["resources"] {
  return [
    {
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: "data-policy",
      props: { bucket: "data", policy: doc(...statements) },
    },
  ];
}

const FALSE_POSITIVES: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html#access-points-delegating-control
    family: "not public by S3's meaning",
    name: "a bucket policy delegating access control to the account's access points",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "*",
      Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
      Condition: { StringEquals: { "s3:DataAccessPointAccount": ACCOUNT } },
    }),
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html
    family: "not public by S3's meaning",
    name: "a bucket policy to * pinned to one VPC endpoint",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    }),
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
    // ("Restricting access to specific IP addresses"): one range less one address.
    family: "not public by S3's meaning",
    name: "a bucket policy to * limited to one address range",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:*",
      Resource: "arn:aws:s3:::data/*",
      Condition: {
        IpAddress: { "aws:SourceIp": "54.240.143.0/24" },
        NotIpAddress: { "aws:SourceIp": "54.240.143.188/32" },
      },
    }),
  },
  {
    // The documentation ranges (RFC 5737) are as narrow as any other.
    family: "not public by S3's meaning",
    name: "a bucket policy to * limited to two documentation ranges",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { IpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } },
    }),
  },
  {
    family: "not public by S3's meaning",
    name: "a bucket policy to * from two halves of the IPv4 internet",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } },
    }),
    caughtBy: OUTSIDE,
    says: /narrows nothing \(IpAddress aws:SourceIp/,
  },
  {
    family: "not public by S3's meaning",
    name: "a bucket policy to * from everywhere but one range",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
    }),
    caughtBy: OUTSIDE,
  },
  {
    family: "not public by S3's meaning",
    name: "access-point delegation with a pattern that matches every account",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "*",
      Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
      Condition: { StringLike: { "s3:DataAccessPointAccount": "*" } },
    }),
    caughtBy: OUTSIDE,
  },
  {
    family: "not public by S3's meaning",
    name: "a bucket policy to * pinned to a pattern of endpoint ids",
    resources: bucketPolicy({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
      Condition: { StringLike: { "aws:SourceVpce": "vpce-*" } },
    }),
    caughtBy: OUTSIDE,
  },
  {
    // kms:GenerateRandom and kms:CreateKey take no resource
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
    family: "actions that take only *",
    name: "kms:GenerateRandom and kms:CreateKey on *",
    resources: roleWith({
      Effect: "Allow",
      Action: ["kms:GenerateRandom", "kms:CreateKey"],
      Resource: "*",
    }),
  },
  {
    family: "actions that take only *",
    name: "secretsmanager:GetRandomPassword and ecr:GetAuthorizationToken on *",
    resources: roleWith({
      Effect: "Allow",
      Action: ["secretsmanager:GetRandomPassword", "ecr:GetAuthorizationToken"],
      Resource: "*",
    }),
  },
  {
    family: "actions that take only *",
    name: "kms:Decrypt, which takes a key, on *",
    resources: roleWith({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }),
    caughtBy: "iam-policy-require-scoped-resources",
  },
  {
    family: "actions that take only *",
    name: "iam:UpdateAccountPasswordPolicy, an account-wide IAM write, on *",
    resources: roleWith({
      Effect: "Allow",
      Action: "iam:UpdateAccountPasswordPolicy",
      Resource: "*",
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
  },
  {
    family: "unknown actions",
    name: "an Allow of an action newer than the IAM data: a warning",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:DescribeQuantumPipelineWidget",
      Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/classifier`,
    }),
    advisory: ["iam-policy-warn-unknown-actions"],
  },
  {
    family: "unknown actions",
    name: "an Allow of a known action and a newer one",
    resources: roleWith({
      Effect: "Allow",
      Action: ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithQuantumStream"],
      Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/classifier`,
    }),
    advisory: ["iam-policy-warn-unknown-actions"],
  },
  {
    family: "unknown actions",
    name: "a Deny of an action the IAM data does not know, which may deny nothing",
    resources: roleWith(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
      { Effect: "Deny", Action: "s3:DeleteQuantumBucketShield", Resource: "*" },
    ),
    caughtBy: VALID,
    says: /may deny nothing/,
  },
  {
    family: "unknown actions",
    name: "a Deny of a misspelt action",
    resources: roleWith(
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
      { Effect: "Deny", Action: "s3:DeleteObjekt", Resource: "*" },
    ),
    caughtBy: VALID,
    says: /s3:DeleteObject/,
  },
];

const WIDENESS: FamilyCase[] = [
  {
    family: "wideness in every part",
    name: "s3:GetObject on buckets named by a pattern with no literal prefix",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::*-models/*",
    }),
    caughtBy: "iam-policy-require-scoped-resources",
  },
  {
    family: "wideness in every part",
    name: "secrets read on * kept inside the account by aws:ResourceAccount",
    resources: roleWith({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceAccount": ACCOUNT } },
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
  },
  {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
    family: "wideness in every part",
    name: "a cross-account trust with StringLike on the external id",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "assumed",
        props: {
          name: "assumed",
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999988887777:root" },
            Action: "sts:AssumeRole",
            Condition: { StringLike: { "sts:ExternalId": "acme-*" } },
          }),
        },
      },
    ],
    caughtBy: "iam-role-restrict-trust",
  },
  {
    family: "wideness in every part",
    name: "reads on the buckets the project's prefix names",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::dog-breed-*/models/*",
    }),
  },
  {
    family: "wideness in every part",
    name: "functions updated under a literal name prefix",
    resources: roleWith({
      Effect: "Allow",
      Action: "lambda:UpdateFunctionCode",
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:dog-breed-*`,
    }),
  },
];

const MANAGED = "iam-managed-policy-disallow-full-access";
const ESCALATION = "iam-policy-disallow-privilege-escalation";

function managed(policyPath: string): FamilyCase["resources"] {
  return [
    roleWith({ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" })[0],
    {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "worker-managed",
      props: { role: "worker", policyArn: `arn:aws:iam::aws:policy/${policyPath}` },
    },
  ];
}

// Writes of new content to artifacts that other principals pull and run with their own roles.
const TAKEOVER: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html:
    // the power-user policy pushes images to every repository.
    family: "what a holder can take over",
    name: "AmazonEC2ContainerRegistryPowerUser on a workload role",
    resources: managed("AmazonEC2ContainerRegistryPowerUser"),
    caughtBy: MANAGED,
    says: /privilege escalation: .*ecr:PutImage on "\*"/,
  },
  {
    // https://docs.aws.amazon.com/lambda/latest/dg/access-control-identity-based.html
    family: "what a holder can take over",
    name: "AWSLambda_FullAccess on a workload role",
    resources: managed("AWSLambda_FullAccess"),
    caughtBy: MANAGED,
  },
  {
    // https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-manage.html
    family: "what a holder can take over",
    name: "new versions of every layer of the account",
    resources: roleWith({
      Effect: "Allow",
      Action: "lambda:PublishLayerVersion",
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:*`,
    }),
    caughtBy: ESCALATION,
    says: /lambda:PublishLayerVersion on "arn:aws:lambda:us-east-1:123456789012:layer:\*"/,
  },
  {
    // https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-version.html
    family: "what a holder can take over",
    name: "model package versions in every group",
    resources: roleWith({
      Effect: "Allow",
      Action: ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"],
      Resource: "*",
    }),
    caughtBy: ESCALATION,
    says: /sagemaker:CreateModelPackage on "\*"/,
  },
  {
    // https://docs.aws.amazon.com/codecommit/latest/userguide/auth-and-access-control-permissions-reference.html
    family: "what a holder can take over",
    name: "pushes to every repository of the account",
    resources: roleWith({
      Effect: "Allow",
      Action: "codecommit:GitPush",
      Resource: `arn:aws:codecommit:us-east-1:${ACCOUNT}:*`,
    }),
    caughtBy: ESCALATION,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/create-iam-roles-for-cloudwatch-agent.html
    family: "what a holder can take over",
    name: "CloudWatchAgentServerPolicy on an instance role",
    resources: managed("CloudWatchAgentServerPolicy"),
  },
  {
    // https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html
    family: "what a holder can take over",
    name: "AWSXRayDaemonWriteAccess on a function role",
    resources: managed("AWSXRayDaemonWriteAccess"),
  },
  {
    family: "what a holder can take over",
    name: "AmazonEC2ContainerRegistryReadOnly on a puller",
    resources: managed("AmazonEC2ContainerRegistryReadOnly"),
  },
  {
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html: the push
    // permissions on one repository, the token on "*".
    family: "what a holder can take over",
    name: "a CI role pushing images to the one repository it builds",
    resources: roleWith(
      { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Effect: "Allow",
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
        ],
        Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/dog-breed-classifier`,
      },
    ),
  },
  {
    family: "what a holder can take over",
    name: "new versions of the project's own layer",
    resources: roleWith({
      Effect: "Allow",
      Action: "lambda:PublishLayerVersion",
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:dog-breed-deps`,
    }),
  },
];

// The rest of wideness: the account part, other ARN forms of the same objects, and actions that
// open other principals.
const WIDENESS_REST: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html: the account part
    // of an ARN names the account; a wildcard there is every account.
    family: "every account, every path",
    name: "objects read through an access point of that name in every account",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:us-east-1:*:accesspoint/models/object/*",
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
    says: /s3:GetObject on "arn:aws:s3:us-east-1:\*:accesspoint\/models\/object\/\*"/,
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html: access
    // point ARNs reach the objects of every bucket that delegates to its access points.
    family: "every account, every path",
    name: "objects read through every access point of the account",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*`,
    }),
    caughtBy: "iam-policy-disallow-broad-grants",
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-policies.html
    family: "every account, every path",
    name: "objects read through every Object Lambda access point",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3-object-lambda:GetObject",
      Resource: `arn:aws:s3-object-lambda:us-east-1:${ACCOUNT}:accesspoint/*`,
    }),
    caughtBy: "iam-policy-require-scoped-resources",
  },
  {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html: AWS creates
    // service roles under /service-role/.
    family: "every account, every path",
    name: "sts:AssumeRole on every role under the path AWS fills",
    resources: roleWith({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/service-role/*`,
    }),
    caughtBy: ESCALATION,
    says: /sts:AssumeRole on "arn:aws:iam::123456789012:role\/service-role\/\*"/,
  },
  {
    // https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
    family: "every account, every path",
    name: "presigned Studio URLs for every user profile",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:CreatePresignedDomainUrl",
      Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/*`,
    }),
    caughtBy: ESCALATION,
  },
  {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
    family: "every account, every path",
    name: "federation tokens for every federated user name",
    resources: roleWith({
      Effect: "Allow",
      Action: "sts:GetFederationToken",
      Resource: `arn:aws:sts::${ACCOUNT}:federated-user/*`,
    }),
    caughtBy: ESCALATION,
  },
  {
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    family: "every account, every path",
    name: "function URLs created on every function",
    resources: roleWith({
      Effect: "Allow",
      Action: "lambda:CreateFunctionUrlConfig",
      Resource: "*",
    }),
    caughtBy: ESCALATION,
  },
  {
    family: "every account, every path",
    name: "pushes to every CodeCommit repository through a name with no literal prefix",
    resources: roleWith({
      Effect: "Allow",
      Action: "codecommit:GitPush",
      Resource: `arn:aws:codecommit:us-east-1:${ACCOUNT}:*-service`,
    }),
    caughtBy: ESCALATION,
  },
  {
    family: "every account, every path",
    name: "objects of one prefix through one access point of the account",
    resources: roleWith({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/models/object/dog-breed/*`,
    }),
  },
  {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_credentials_console.html
    family: "every account, every path",
    name: "AWS's self-service policy on user/${aws:username} in any account",
    resources: roleWith({
      Effect: "Allow",
      Action: ["iam:CreateAccessKey", "iam:ListAccessKeys"],
      Resource: "arn:aws:iam::*:user/${aws:username}",
    }),
  },
  {
    family: "every account, every path",
    name: "sts:AssumeRole on the roles under the project's own path",
    resources: roleWith({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/dog-breed/*`,
    }),
  },
  {
    family: "every account, every path",
    name: "a presigned URL for one notebook instance",
    resources: roleWith({
      Effect: "Allow",
      Action: "sagemaker:CreatePresignedNotebookInstanceUrl",
      Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/dog-breed-dev`,
    }),
  },
  {
    family: "every account, every path",
    name: "pushes to one CodeCommit repository",
    resources: roleWith({
      Effect: "Allow",
      Action: "codecommit:GitPush",
      Resource: `arn:aws:codecommit:us-east-1:${ACCOUNT}:dog-breed-classifier`,
    }),
  },
];

export const JUDGEMENT_CASES = [...FALSE_POSITIVES, ...WIDENESS, ...TAKEOVER, ...WIDENESS_REST];

familyCases("what the pack judges and what it no longer reports", JUDGEMENT_CASES);
