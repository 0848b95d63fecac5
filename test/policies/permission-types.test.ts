// The permission-bearing types: the data file matches what the installed AWS provider gives, it
// covers every service AWS lists as supporting resource-based policies, and every type it holds is
// judged by a rule or set aside with its reason.
import * as assert from "assert";
import data from "../../policies/permission-types.json";
import { IDENTITY_DOC_TYPES, T } from "../../policies/iam-documents";
import { PRINCIPAL_TYPES, RESOURCE_POLICY_TYPES } from "../../policies/iam-resource-policies";
import { ACL_TYPES } from "../../policies/s3";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { derive } = require("../../policies/scripts/permission-types.js") as {
  derive(): typeof data;
};

/**
 * Services whose resources take a resource-based policy, from the "Resource-based policies" column
 * of AWS's table (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html),
 * each with the provider module that declares its policy resource. Services of that column the
 * provider declares no policy resource for are listed in NOT_IN_PROVIDER.
 */
const RESOURCE_POLICY_SERVICES: Record<string, string> = {
  "API Gateway": "apigateway",
  "AWS Backup": "backup",
  "AWS CodeArtifact": "codeartifact",
  "AWS CodeBuild": "codebuild",
  "Amazon ECR": "ecr",
  "Amazon ECR Public": "ecrpublic",
  "Amazon EFS": "efs",
  "Amazon EventBridge": "cloudwatch",
  "Amazon EventBridge Schemas": "schemas",
  "Amazon OpenSearch Service": "opensearch",
  "Amazon S3 Glacier": "glacier",
  "AWS Glue": "glue",
  "AWS KMS": "kms",
  "AWS Lambda": "lambda",
  "Amazon MSK": "msk",
  "Amazon Kinesis Data Streams": "kinesis",
  "Amazon DynamoDB": "dynamodb",
  "Amazon CloudWatch Logs": "cloudwatch",
  "AWS Secrets Manager": "secretsmanager",
  "Amazon SES": "sesv2",
  "Amazon SNS": "sns",
  "Amazon SQS": "sqs",
  "Amazon S3": "s3",
  "Amazon S3 on Outposts and access points": "s3control",
  "Amazon S3 Tables": "s3tables",
  "AWS Private CA": "acmpca",
  "AWS Network Firewall": "networkfirewall",
  "Amazon VPC Lattice": "vpclattice",
  "AWS X-Ray": "xray",
  "Amazon Redshift": "redshift",
  "Amazon Redshift Serverless": "redshiftserverless",
  "AWS Elemental MediaStore": "mediastore",
  "CloudWatch Observability Access Manager": "oam",
  "Amazon Managed Service for Prometheus": "amp",
  "Amazon Aurora DSQL": "dsql",
  "Amazon SageMaker AI": "sagemaker",
  "Amazon Bedrock AgentCore": "bedrock",
  "Amazon OpenSearch Ingestion": "opensearchingest",
  "Amazon VPC (endpoint policies)": "ec2",
  "AWS End User Messaging SMS": "pinpoint",
  "AWS RAM": "ram",
  "AWS Signer": "signer",
  "Amazon CloudSearch": "cloudsearch",
  "AWS Verified Access": "verifiedaccess",
};

/** Services of that column whose policy the installed provider cannot declare, and why that is safe. */
const NOT_IN_PROVIDER: Record<string, string> = {
  "AWS Serverless Application Repository":
    "applications are published outside Pulumi; the provider only deploys them (serverlessrepository.CloudFormationStack)",
  "Amazon Lex V2": "the provider declares no Lex resource policy; Lex resources are not used here",
};

describe("permission-bearing types", () => {
  it("are what the installed AWS provider's typings give (re-run node policies/scripts/permission-types.js)", () => {
    assert.deepStrictEqual(derive(), data);
  });

  it("cover every service AWS lists as taking resource-based policies", () => {
    const modules = new Set(
      Object.entries(
        data.types as Record<string, { documents: Record<string, string>; principals?: string[] }>,
      )
        .filter(([, t]) => Object.values(t.documents).includes("resource") || t.principals)
        .map(([type]) => type.split(":")[1].split("/")[0]),
    );
    const missing = Object.entries(RESOURCE_POLICY_SERVICES).filter(([, m]) => !modules.has(m));
    assert.deepStrictEqual(missing, []);
    for (const reason of Object.values(NOT_IN_PROVIDER)) assert.ok(reason.length > 0);
  });

  it("holds the policies and grants where outside access hides", () => {
    for (const type of [
      "aws:efs/fileSystemPolicy:FileSystemPolicy",
      "aws:opensearch/domain:Domain",
      "aws:opensearch/domainPolicy:DomainPolicy",
      "aws:backup/vaultPolicy:VaultPolicy",
      "aws:apigateway/restApiPolicy:RestApiPolicy",
      "aws:ecr/registryPolicy:RegistryPolicy",
      "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy",
      "aws:kinesis/resourcePolicy:ResourcePolicy",
      "aws:dynamodb/resourcePolicy:ResourcePolicy",
      "aws:sqs/queue:Queue",
      "aws:sns/topic:Topic",
      "aws:secretsmanager/secret:Secret",
    ]) {
      assert.ok(RESOURCE_POLICY_TYPES[type], type);
    }
    for (const type of [
      "aws:kms/grant:Grant",
      "aws:lambda/layerVersionPermission:LayerVersionPermission",
      "aws:rds/snapshot:Snapshot",
      "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
    ]) {
      assert.ok(PRINCIPAL_TYPES[type], type);
    }
  });

  it("leaves no type unjudged: identity and trust documents go to the IAM rules, grants to a rule", () => {
    const identity = new Set<string>([...IDENTITY_DOC_TYPES, T.role]);
    for (const [type, t] of Object.entries(
      data.types as Record<
        string,
        {
          documents: Record<string, string>;
          principals?: string[];
          ignored?: Record<string, string>;
        }
      >,
    )) {
      for (const [arg, kind] of Object.entries(t.documents)) {
        if (kind === "identity" || kind === "trust")
          assert.ok(identity.has(type), `${type} ${arg}`);
        else if (kind === "resource") assert.ok(RESOURCE_POLICY_TYPES[type].includes(arg), type);
        else assert.match(kind, /^session$|^endpoint$|^not a permission \(.+\)$/, `${type} ${arg}`);
      }
      if (t.principals) assert.ok(PRINCIPAL_TYPES[type] || ACL_TYPES.has(type), type);
      for (const [arg, why] of Object.entries(t.ignored ?? {})) {
        assert.match(why, /^not a permission \(.+\)$/, `${type} ${arg}`);
      }
    }
  });
});
