// aws-native resources judged as their AWS provider equivalents, and types the pack cannot judge
// refused, served to the pack as the CLI serves it. Properties follow the CloudFormation reference
// of each type (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
import { type FamilyCase, familyCases } from "./families";

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
