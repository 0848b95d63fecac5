// aws-native resources judged as their AWS provider equivalents, and types the pack cannot judge
// refused, served to the pack as the CLI serves it. Properties follow the CloudFormation reference
// of each type (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
import { type FamilyCase, familyCases } from "./families";
import { KMS_KEY_ARN } from "./harness";

const ACCOUNT = "123456789012";
const statement = (s: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [s] });
const lambdaTrust = statement({
  Effect: "Allow",
  Principal: { Service: "lambda.amazonaws.com" },
  Action: "sts:AssumeRole",
});

export const NATIVE_CASES: FamilyCase[] = [
  {
    // AWS::IAM::Role Policies[].PolicyDocument
    family: "aws-native",
    name: "a role whose inline policy grants every action",
    resources: [
      {
        type: "aws-native:iam:Role",
        name: "worker",
        props: {
          roleName: "worker",
          assumeRolePolicyDocument: lambdaTrust,
          policies: [
            {
              policyName: "all",
              policyDocument: statement({ Effect: "Allow", Action: "*", Resource: "*" }),
            },
          ],
        },
      },
    ],
    caughtBy: "iam-policy-disallow-wildcard-actions",
    says: /Role "worker" inline policy "all"/,
  },
  {
    // AWS::IAM::Role AssumeRolePolicyDocument
    family: "aws-native",
    name: "a role anyone can assume",
    resources: [
      {
        type: "aws-native:iam:Role",
        name: "assumed",
        props: {
          roleName: "assumed",
          assumeRolePolicyDocument: statement({
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "sts:AssumeRole",
          }),
        },
      },
    ],
    caughtBy: "iam-role-restrict-trust",
  },
  {
    // AWS::SageMaker::NotebookInstance DirectInternetAccess, RootAccess
    family: "aws-native",
    name: "a notebook with root access",
    resources: [
      {
        type: "aws-native:sagemaker:NotebookInstance",
        name: "notebook",
        props: {
          instanceType: "ml.t3.medium",
          roleArn: `arn:aws:iam::${ACCOUNT}:role/notebook`,
          rootAccess: "Enabled",
          directInternetAccess: "Disabled",
        },
      },
    ],
    caughtBy: "sagemaker-notebook-disable-root-access",
  },
  {
    // AWS::Lambda::Url AuthType
    family: "aws-native",
    name: "a function URL without authentication",
    resources: [
      {
        type: "aws-native:lambda:Url",
        name: "url",
        props: {
          authType: "NONE",
          targetFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:classifier`,
        },
      },
    ],
    caughtBy: "lambda-function-url-require-auth",
  },
  {
    // AWS::S3::BucketPolicy PolicyDocument
    family: "aws-native",
    name: "a bucket policy readable by anyone",
    resources: [
      {
        type: "aws-native:s3:BucketPolicy",
        name: "data-policy",
        props: {
          bucket: "data",
          policyDocument: statement({
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::data/*",
          }),
        },
      },
    ],
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    // AWS::EC2::NetworkAcl and AWS::EC2::NetworkAclEntry (Protocol an IANA number, PortRange)
    family: "aws-native",
    name: "a network ACL entry admitting SSH from anywhere",
    resources: [
      {
        type: "aws-native:ec2:NetworkAcl",
        name: "public",
        props: { vpcId: "vpc-1" },
        computed: { awsId: "acl-0public" },
      },
      {
        type: "aws-native:ec2:NetworkAclEntry",
        name: "ssh",
        props: {
          networkAclId: "acl-0public",
          ruleNumber: 100,
          protocol: 6,
          ruleAction: "allow",
          egress: false,
          cidrBlock: "0.0.0.0/0",
          portRange: { from: 22, to: 22 },
        },
        deps: { networkAclId: ["public"] },
      },
    ],
    caughtBy: "ec2-network-acl-disallow-public-admin-ingress",
    says: /NetworkAcl "public" admits inbound tcp port 22 \(SSH\) through NetworkAclRule "ssh" \(ruleNumber 100\)/,
  },
  {
    family: "aws-native",
    name: "a network ACL entry of every protocol from ::/0, on an ACL outside the stack",
    resources: [
      {
        type: "aws-native:ec2:NetworkAclEntry",
        name: "everything",
        props: {
          networkAclId: "acl-0ext",
          ruleNumber: 100,
          protocol: -1,
          ruleAction: "allow",
          ipv6CidrBlock: "::/0",
        },
      },
    ],
    caughtBy: "ec2-network-acl-disallow-public-admin-ingress",
    says: /^Network ACL "acl-0ext" admits inbound tcp and udp port 3389 \(RDP\)/m,
  },
  {
    family: "aws-native",
    name: "a network ACL for a public subnet: HTTPS and return traffic from anywhere, SSH from the VPC, egress open",
    resources: [
      {
        type: "aws-native:ec2:NetworkAcl",
        name: "public",
        props: { vpcId: "vpc-1" },
        computed: { awsId: "acl-0public" },
      },
      ...[
        {
          name: "https",
          ruleNumber: 100,
          portRange: { from: 443, to: 443 },
          cidrBlock: "0.0.0.0/0",
        },
        { name: "ssh", ruleNumber: 110, portRange: { from: 22, to: 22 }, cidrBlock: "10.0.0.0/16" },
        {
          name: "return",
          ruleNumber: 140,
          portRange: { from: 32768, to: 65535 },
          cidrBlock: "0.0.0.0/0",
        },
      ].map(({ name, ...entry }) => ({
        type: "aws-native:ec2:NetworkAclEntry",
        name,
        props: { networkAclId: "acl-0public", protocol: 6, ruleAction: "allow", ...entry },
        deps: { networkAclId: ["public"] },
      })),
      {
        type: "aws-native:ec2:NetworkAclEntry",
        name: "out",
        props: {
          networkAclId: "acl-0public",
          ruleNumber: 100,
          protocol: -1,
          ruleAction: "allow",
          egress: true,
          cidrBlock: "0.0.0.0/0",
        },
        deps: { networkAclId: ["public"] },
      },
    ],
  },
  {
    family: "aws-native",
    name: "a bucket, which no rule maps, refused",
    resources: [{ type: "aws-native:s3:Bucket", name: "data", props: { bucketName: "data" } }],
    caughtBy: "aws-native-resource-require-judged-type",
    says: /Declare it with @pulumi\/aws \(aws\.s3\.Bucket\)/,
  },
  {
    family: "aws-native",
    name: "a least-privilege role",
    resources: [
      {
        type: "aws-native:iam:Role",
        name: "worker",
        props: {
          roleName: "worker",
          assumeRolePolicyDocument: lambdaTrust,
          policies: [
            {
              policyName: "invoke",
              policyDocument: statement({
                Effect: "Allow",
                Action: "sagemaker:InvokeEndpoint",
                Resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/classifier`,
              }),
            },
          ],
        },
      },
      {
        type: "aws:lambda/function:Function",
        name: "classifier",
        props: {
          name: "classifier",
          runtime: "nodejs22.x",
          role: `arn:aws:iam::${ACCOUNT}:role/worker`,
        },
        deps: { role: ["worker"] },
      },
    ],
  },
  {
    family: "aws-native",
    name: "a function URL with IAM auth",
    resources: [
      {
        type: "aws-native:lambda:Url",
        name: "url",
        props: {
          authType: "AWS_IAM",
          targetFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:classifier`,
        },
      },
    ],
  },
  {
    // AWS::SageMaker::NotebookInstance InstanceMetadataServiceConfiguration, KmsKeyId, RootAccess
    family: "aws-native",
    name: "a notebook with IMDSv2, its own key, no root and no direct internet",
    resources: [
      {
        type: "aws-native:sagemaker:NotebookInstance",
        name: "notebook",
        props: {
          instanceType: "ml.t3.medium",
          roleArn: `arn:aws:iam::${ACCOUNT}:role/notebook`,
          rootAccess: "Disabled",
          directInternetAccess: "Disabled",
          kmsKeyId: KMS_KEY_ARN,
          instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
        },
      },
    ],
  },
  {
    // AWS::SQS::QueuePolicy Queues: the queue's URL names its account.
    family: "aws-native",
    name: "a queue policy letting another account send",
    resources: [
      {
        type: "aws-native:sqs:QueuePolicy",
        name: "jobs-policy",
        props: {
          queues: [`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs`],
          policyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::999988887777:role/producer" },
                Action: "sqs:SendMessage",
                Resource: "*",
              },
            ],
          },
        },
      },
    ],
    caughtBy: "iam-resource-policy-restrict-outside-access",
  },
  {
    family: "aws-native",
    name: "an unmapped type accepted by config once reviewed",
    resources: [{ type: "aws-native:logs:LogGroup", name: "logs", props: {} }],
    config: {
      "aws-native-resource-require-judged-type": {
        acceptedNativeTypes: ["aws-native:logs:LogGroup"],
      },
    },
  },
];

familyCases("aws-native resources", NATIVE_CASES);
