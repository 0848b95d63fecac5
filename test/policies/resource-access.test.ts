// Outside access through every permission-bearing type and through service principals, served to
// the pack as the CLI serves it. Each case follows the resource's own AWS documentation (cited).
import { type FamilyCase, familyCases, type Served } from "./families";
import { KMS_KEY_ARN } from "./harness";

const ACCOUNT = "123456789012";
const OTHER = "999988887777";
const OUTSIDE = "iam-resource-policy-restrict-outside-access";
const doc = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement });

const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123456789abcdef0`;
const DOMAIN_ARN = `arn:aws:es:us-east-1:${ACCOUNT}:domain/search`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:uploads`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/worker`;

const PERMISSION_TYPES: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
    family: "permission-bearing types",
    name: "an EFS file-system policy letting anyone mount and write",
    resources: [
      {
        type: "aws:efs/fileSystemPolicy:FileSystemPolicy",
        name: "fs-policy",
        props: {
          fileSystemId: "fs-0123456789abcdef0",
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Resource: FS_ARN,
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /FileSystemPolicy "fs-policy" policy statement 0 lets any AWS principal/,
  },
  {
    // https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html#ac-types-resource
    family: "permission-bearing types",
    name: "an OpenSearch domain's inline accessPolicies open to everyone",
    resources: [
      {
        type: "aws:opensearch/domain:Domain",
        name: "search",
        props: {
          domainName: "search",
          accessPolicies: doc({
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "es:ESHttp*",
            Resource: `${DOMAIN_ARN}/*`,
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /Domain "search" accessPolicies statement 0/,
  },
  {
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault-access-policy.html
    family: "permission-bearing types",
    name: "a backup vault policy letting another account copy recovery points",
    resources: [
      {
        type: "aws:backup/vaultPolicy:VaultPolicy",
        name: "vault-policy",
        props: {
          backupVaultName: "models",
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
            Action: "backup:CopyIntoBackupVault",
            Resource: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:models`,
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /every principal that account 999988887777 allows/,
  },
  {
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
    family: "permission-bearing types",
    name: "a DynamoDB table resource policy readable by anyone",
    resources: [
      {
        type: "aws:dynamodb/resourcePolicy:ResourcePolicy",
        name: "table-policy",
        props: {
          resourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/labels`,
          policy: doc({
            Effect: "Allow",
            Principal: "*",
            Action: "dynamodb:GetItem",
            Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/labels`,
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/kms/latest/developerguide/grants.html: a grant allows its grantee
    // the operations whatever the key policy says.
    family: "permission-bearing types",
    name: "a KMS grant to another account's role",
    resources: [
      {
        type: "aws:kms/grant:Grant",
        name: "decrypt-grant",
        props: {
          keyId: KMS_KEY_ARN,
          granteePrincipal: `arn:aws:iam::${OTHER}:role/reader`,
          operations: ["Decrypt"],
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /granteePrincipal "arn:aws:iam::999988887777:role\/reader" lets account 999988887777 in/,
  },
  {
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html ("all": public)
    family: "permission-bearing types",
    name: "an RDS snapshot shared with all",
    resources: [
      {
        type: "aws:rds/snapshot:Snapshot",
        name: "labels-snapshot",
        props: {
          dbInstanceIdentifier: "labels",
          dbSnapshotIdentifier: "s1",
          sharedAccounts: ["all"],
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /sharedAccounts "all" lets anyone in/,
  },
  {
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html (group "all")
    family: "permission-bearing types",
    name: "an AMI launch permission for every account",
    resources: [
      {
        type: "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
        name: "public-ami",
        props: { imageId: "ami-0123456789abcdef0", group: "all" },
      },
    ],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html
    family: "permission-bearing types",
    name: "a layer version shared with every account",
    resources: [
      {
        type: "aws:lambda/layerVersionPermission:LayerVersionPermission",
        name: "layer-share",
        props: {
          layerName: "deps",
          versionNumber: 1,
          statementId: "all",
          action: "lambda:GetLayerVersion",
          principal: "*",
        },
      },
    ],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-creating-custom-policies-access-policy-examples.html
    family: "permission-bearing types",
    name: "a queue's inline policy open to everyone",
    resources: [
      {
        type: "aws:sqs/queue:Queue",
        name: "jobs",
        props: {
          name: "jobs",
          policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: QUEUE_ARN }),
        },
      },
    ],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-data-access.html:
    // rules in OpenSearch Serverless's own language, not IAM JSON.
    family: "permission-bearing types",
    name: "an OpenSearch Serverless data access policy the pack cannot read",
    resources: [
      {
        type: "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy",
        name: "collection-access",
        props: {
          name: "collection-access",
          type: "data",
          policy: JSON.stringify([
            {
              Rules: [
                { ResourceType: "index", Resource: ["index/docs/*"], Permission: ["aoss:*"] },
              ],
              Principal: [`arn:aws:iam::${OTHER}:root`],
            },
          ]),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /cannot judge who it lets in/,
  },
  {
    family: "permission-bearing types",
    name: "an EFS policy for one role of the account, over TLS",
    resources: [
      {
        type: "aws:efs/fileSystemPolicy:FileSystemPolicy",
        name: "fs-policy",
        props: {
          fileSystemId: "fs-0123456789abcdef0",
          policy: doc(
            {
              Effect: "Allow",
              Principal: { AWS: ROLE },
              Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
              Resource: FS_ARN,
            },
            {
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "*",
              Resource: FS_ARN,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ),
        },
      },
    ],
  },
  {
    family: "permission-bearing types",
    name: "an OpenSearch domain policy for one role of the account",
    resources: [
      {
        type: "aws:opensearch/domainPolicy:DomainPolicy",
        name: "search-policy",
        props: {
          domainName: "search",
          accessPolicies: doc({
            Effect: "Allow",
            Principal: { AWS: ROLE },
            Action: "es:ESHttpGet",
            Resource: `${DOMAIN_ARN}/*`,
          }),
        },
      },
    ],
  },
  {
    family: "permission-bearing types",
    name: "a KMS grant to a role of the key's own account",
    resources: [
      {
        type: "aws:kms/grant:Grant",
        name: "decrypt-grant",
        props: { keyId: KMS_KEY_ARN, granteePrincipal: ROLE, operations: ["Decrypt"] },
      },
    ],
  },
  {
    family: "permission-bearing types",
    name: "a layer version shared with one organisation",
    resources: [
      {
        type: "aws:lambda/layerVersionPermission:LayerVersionPermission",
        name: "layer-share",
        props: {
          layerName: "deps",
          versionNumber: 1,
          statementId: "org",
          action: "lambda:GetLayerVersion",
          principal: "*",
          organizationId: "o-abc123def4",
        },
      },
    ],
  },
  {
    family: "permission-bearing types",
    name: "an ECR repository policy letting a role of the account pull",
    resources: [
      {
        type: "aws:ecr/repositoryPolicy:RepositoryPolicy",
        name: "repo-policy",
        props: {
          repository: "serving",
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: ROLE },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/serving`,
          }),
        },
      },
    ],
  },
];

const MORE_PERMISSION_TYPES: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html:
    // the policy's Resource is "*" (the secret it is attached to); the secret's ARN tells its account.
    family: "permission-bearing types",
    name: "a secret policy letting a role of another account read the secret",
    resources: [
      {
        type: "aws:secretsmanager/secretPolicy:SecretPolicy",
        name: "secret-policy",
        props: {
          secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-AbCdEf`,
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OTHER}:role/reader` },
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /SecretPolicy "secret-policy" policy statement 0 lets/,
  },
  {
    // https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html: the default
    // endpoint policy; an endpoint policy decides what passes through the endpoint and grants
    // nothing, and a gateway endpoint's must name Principal "*".
    family: "permission-bearing types",
    name: "a VPC endpoint with AWS's default endpoint policy",
    resources: [
      {
        type: "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
        name: "s3-endpoint-policy",
        props: {
          vpcEndpointId: "vpce-1a2b3c4d",
          policy: JSON.stringify({
            Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
          }),
        },
      },
    ],
  },
];

/** The jobs queue's policy letting SNS send, under `Condition` if given. */
const snsToQueue = (Condition?: Record<string, unknown>): Served => ({
  type: "aws:sqs/queuePolicy:QueuePolicy",
  name: "jobs-policy",
  props: {
    queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs`,
    policy: doc({
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: QUEUE_ARN,
      ...(Condition ? { Condition } : {}),
    }),
  },
});

/** A key policy letting CloudWatch Logs in the Region use the key, under `Condition` if given. */
const logsKey = (Condition?: Record<string, unknown>): Served => ({
  type: "aws:kms/key:Key",
  name: "logs-key",
  props: {
    arn: KMS_KEY_ARN,
    policy: doc({
      Effect: "Allow",
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      ...(Condition ? { Condition } : {}),
    }),
  },
});

const SERVICE_PRINCIPALS: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
    family: "service principals",
    name: "a queue policy letting SNS send with no source condition",
    resources: [snsToQueue()],
    caughtBy: OUTSIDE,
    says: /sns.amazonaws.com acting for any account's resources \(no aws:SourceArn/,
  },
  {
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
    family: "service principals",
    name: "a CloudTrail bucket policy with a wildcard trail ARN",
    resources: [
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "trail-bucket-policy",
        props: {
          bucket: "audit-logs",
          policy: doc({
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::audit-logs/AWSLogs/${ACCOUNT}/*`,
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*" } },
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    family: "service principals",
    name: "a key policy letting CloudWatch Logs use the key with no encryption context",
    resources: [logsKey()],
    caughtBy: OUTSIDE,
  },
  {
    // https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html: a bucket ARN names no account.
    family: "service principals",
    name: "a Lambda permission for S3 pinned by the bucket ARN alone",
    resources: [
      {
        type: "aws:lambda/permission:Permission",
        name: "from-bucket",
        props: {
          action: "lambda:InvokeFunction",
          function: "classifier",
          principal: "s3.amazonaws.com",
          sourceArn: "arn:aws:s3:::dog-breed-uploads",
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /names no account, and no sourceAccount/,
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
    family: "service principals",
    name: "a topic policy for S3 notifications pinned by the bucket ARN alone",
    resources: [
      {
        type: "aws:sns/topicPolicy:TopicPolicy",
        name: "uploads-policy",
        props: {
          arn: TOPIC_ARN,
          policy: doc({
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "SNS:Publish",
            Resource: TOPIC_ARN,
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::dog-breed-uploads" } },
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /names no account and no aws:SourceAccount pins one/,
  },
  {
    family: "service principals",
    name: "a queue policy letting one topic of the account send",
    resources: [snsToQueue({ ArnEquals: { "aws:SourceArn": TOPIC_ARN } })],
  },
  {
    family: "service principals",
    name: "a CloudTrail bucket policy pinned to the account's trail",
    resources: [
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "trail-bucket-policy",
        props: {
          bucket: "audit-logs",
          policy: doc(
            {
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: "arn:aws:s3:::audit-logs",
              Condition: {
                StringEquals: {
                  "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audit`,
                },
              },
            },
            {
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `arn:aws:s3:::audit-logs/AWSLogs/${ACCOUNT}/*`,
              Condition: {
                StringEquals: {
                  "s3:x-amz-acl": "bucket-owner-full-control",
                  "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audit`,
                },
              },
            },
          ),
        },
      },
    ],
  },
  {
    family: "service principals",
    name: "a key policy for CloudWatch Logs pinned by the log-group encryption context",
    resources: [
      logsKey({
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*`,
        },
      }),
    ],
  },
  {
    family: "service principals",
    name: "a topic policy for S3 notifications with the bucket and its account",
    resources: [
      {
        type: "aws:sns/topicPolicy:TopicPolicy",
        name: "uploads-policy",
        props: {
          arn: TOPIC_ARN,
          policy: doc({
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "SNS:Publish",
            Resource: TOPIC_ARN,
            Condition: {
              ArnLike: { "aws:SourceArn": "arn:aws:s3:::dog-breed-uploads" },
              StringEquals: { "aws:SourceAccount": ACCOUNT },
            },
          }),
        },
      },
    ],
  },
];

/** A Multi-Region Access Point policy giving `Principal` the actions on the point's objects. */
const mrapPolicy = (Principal: unknown, Action: string | string[]): Served => ({
  type: "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
  name: "mrap-policy",
  props: {
    details: {
      name: "models",
      policy: doc({
        Effect: "Allow",
        Principal,
        Action,
        Resource: `arn:aws:s3::${ACCOUNT}:accesspoint/models.mrap/object/*`,
      }),
    },
  },
});

/** An Image Builder distribution of one AMI configuration to one Region. */
const amiDistribution = (
  amiDistributionConfiguration: Record<string, unknown>,
  computed?: Record<string, unknown>,
): Served => ({
  type: "aws:imagebuilder/distributionConfiguration:DistributionConfiguration",
  name: "ami-distribution",
  props: {
    name: "training-host",
    distributions: [{ region: "us-east-1", amiDistributionConfiguration }],
  },
  computed,
});

/** An SSM Command document, with what else it declares (its sharing). */
const ssmDocument = (more: Record<string, unknown> = {}): Served => ({
  type: "aws:ssm/document:Document",
  name: "bootstrap",
  props: {
    name: "bootstrap",
    documentType: "Command",
    content: JSON.stringify({ schemaVersion: "2.2", mainSteps: [] }),
    ...more,
  },
});

/** Server access logging of the models bucket, with one target grant. */
const accessLogs = (grantee: Record<string, unknown>, permission: string): Served => ({
  type: "aws:s3/bucketLogging:BucketLogging",
  name: "access-logs",
  props: {
    bucket: "models",
    targetBucket: "models-logs",
    targetPrefix: "access/",
    targetGrants: [{ grantee, permission }],
  },
});

/** Grants inside argument blocks, found by following the provider's nested argument types. */
const NESTED: FamilyCase[] = [
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html
    family: "grants inside argument blocks",
    name: "a Multi-Region Access Point policy (details.policy) open to everyone",
    resources: [mrapPolicy("*", "s3:GetObject")],
    caughtBy: OUTSIDE,
    says: /MultiRegionAccessPointPolicy "mrap-policy" details\.policy statement 0 lets/,
  },
  {
    // https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LaunchPermissionConfiguration.html:
    // userGroups "all" makes the AMI public.
    family: "grants inside argument blocks",
    name: "an Image Builder distribution that makes its AMI public",
    resources: [
      amiDistribution({
        name: "training-{{ imagebuilder:buildDate }}",
        launchPermission: { userGroups: ["all"] },
      }),
    ],
    caughtBy: OUTSIDE,
    says: /distributions\[0\]\.amiDistributionConfiguration\.launchPermission\.userGroups "all" lets anyone in/,
  },
  {
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html:
    // sharing with "All" makes the document public.
    family: "grants inside argument blocks",
    name: "an SSM document shared with every account",
    resources: [ssmDocument({ permissions: { type: "Share", accountIds: "All" } })],
    caughtBy: OUTSIDE,
    says: /Document "bootstrap" permissions "All" lets anyone in/,
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
    // (target grants; AllUsers is everyone, https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html)
    family: "grants inside argument blocks",
    name: "server access logs granted to AllUsers through targetGrants",
    resources: [
      accessLogs({ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, "READ"),
    ],
    caughtBy: OUTSIDE,
    says: /targetGrants "http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers" lets anyone in/,
  },
  {
    // https://docs.aws.amazon.com/quicksight/latest/APIReference/API_UpdateTemplatePermissions.html:
    // a template shared with another account's root.
    family: "grants inside argument blocks",
    name: "a QuickSight template shared with another account",
    resources: [
      {
        type: "aws:quicksight/template:Template",
        name: "report",
        props: {
          templateId: "report",
          name: "report",
          versionDescription: "1",
          permissions: [
            {
              principal: `arn:aws:iam::${OTHER}:root`,
              actions: ["quicksight:DescribeTemplate"],
            },
          ],
        },
        computed: { arn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:template/report` },
      },
    ],
    // Analyze sees the inputs, which name no account of the template's own; the stack does.
    caughtBy: "iam-resource-policy-restrict-cross-account",
    says: /permissions\[0\]\.principal "arn:aws:iam::999988887777:root" lets account 999988887777 in/,
  },
  {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkInterfacePermission.html:
    // another account may attach instances to the interface. The permission carries no ARN of
    // its own, so the stack's account decides.
    family: "grants inside argument blocks",
    name: "a network interface permission for another account",
    resources: [
      {
        type: "aws:ec2/networkInterface:NetworkInterface",
        name: "serving-eni",
        props: { subnetId: "subnet-0123456789abcdef0" },
        computed: {
          arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-0123456789abcdef0`,
        },
      },
      {
        type: "aws:ec2/networkInterfacePermission:NetworkInterfacePermission",
        name: "eni-share",
        props: {
          networkInterfaceId: "eni-0123456789abcdef0",
          awsAccountId: OTHER,
          permission: "INSTANCE-ATTACH",
        },
      },
    ],
    caughtBy: "iam-resource-policy-restrict-cross-account",
    says: /NetworkInterfacePermission "eni-share" awsAccountId "999988887777" lets account/,
  },
  {
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html:
    // the resource policy's `content`, delegated to everyone rather than to a member account.
    family: "grants inside argument blocks",
    name: "an Organizations resource policy delegating to everyone",
    resources: [
      {
        type: "aws:organizations/resourcePolicy:ResourcePolicy",
        name: "delegation",
        props: {
          content: doc({
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: ["organizations:DescribeOrganization", "organizations:DescribePolicy"],
            Resource: "*",
          }),
        },
      },
    ],
    caughtBy: OUTSIDE,
    says: /ResourcePolicy "delegation" content statement 0 lets any AWS principal/,
  },
  {
    family: "grants inside argument blocks",
    name: "a Multi-Region Access Point policy for the account's own root",
    resources: [
      mrapPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, ["s3:GetObject", "s3:PutObject"]),
    ],
  },
  {
    // https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-distribution-settings.html:
    // launch permission for the organisation.
    family: "grants inside argument blocks",
    name: "an Image Builder distribution shared with the organisation",
    resources: [
      amiDistribution(
        {
          launchPermission: {
            organizationArns: ["arn:aws:organizations::111122223333:organization/o-abc123def4"],
          },
        },
        {
          arn: `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:distribution-configuration/training-host`,
        },
      ),
    ],
  },
  {
    family: "grants inside argument blocks",
    name: "server access logs granted to the bucket owner's canonical user",
    resources: [
      accessLogs(
        {
          type: "CanonicalUser",
          id: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        },
        "FULL_CONTROL",
      ),
    ],
  },
  {
    family: "grants inside argument blocks",
    name: "a QuickSight dashboard shared with an analyst of the account",
    resources: [
      {
        type: "aws:quicksight/dashboard:Dashboard",
        name: "sales",
        props: {
          dashboardId: "sales",
          name: "sales",
          versionDescription: "1",
          permissions: [
            {
              principal: `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/analyst`,
              actions: ["quicksight:DescribeDashboard", "quicksight:QueryDashboard"],
            },
          ],
        },
        computed: { arn: `arn:aws:quicksight:us-east-1:${ACCOUNT}:dashboard/sales` },
      },
    ],
  },
  {
    family: "grants inside argument blocks",
    name: "an SSM document kept private",
    resources: [ssmDocument()],
  },
];

export const RESOURCE_ACCESS_CASES = [
  ...PERMISSION_TYPES,
  ...MORE_PERMISSION_TYPES,
  ...SERVICE_PRINCIPALS,
  ...NESTED,
];

familyCases("outside access through every permission-bearing type", RESOURCE_ACCESS_CASES);
