// Resources declared through the AWS Cloud Control provider (@pulumi/aws-native) carry the same
// guardrail settings as the AWS provider's, under CloudFormation's property names. One table maps
// each aws-native type the pack can judge to its AWS provider type and properties, so every rule
// judges it as that type; any other aws-native type is refused, since no rule would see it.
// Property names: the CloudFormation resource reference, camel-cased as aws-native spells them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
import { isUnknown, list, obj, type Props } from "../shared/props";
import { TYPES } from "../shared/resource-types";

interface NativeMapping {
  /** The AWS provider type the resource is judged as. */
  type: string;
  /** Its properties under the AWS provider's names. */
  props: (p: Props) => Props;
}

/** Copies `from` (CloudFormation's name) to `to` (the AWS provider's), where set. */
function rename(p: Props, names: Record<string, string>): Props {
  const out: Props = {};
  for (const [from, to] of Object.entries(names)) if (p[from] !== undefined) out[to] = p[from];
  return out;
}

/** Every aws-native type the pack judges, as the AWS provider type that carries the same settings. */
export const NATIVE_TYPES: Record<string, NativeMapping> = {
  "aws-native:iam:Role": {
    type: TYPES.role,
    props: (p) => ({
      ...rename(p, {
        roleName: "name",
        arn: "arn",
        assumeRolePolicyDocument: "assumeRolePolicy",
        managedPolicyArns: "managedPolicyArns",
        permissionsBoundary: "permissionsBoundary",
        tags: "tags",
      }),
      inlinePolicies: list(p.policies).map((x) => ({
        name: obj(x)?.policyName,
        policy: obj(x)?.policyDocument,
      })),
    }),
  },
  "aws-native:iam:RolePolicy": {
    type: "aws:iam/rolePolicy:RolePolicy",
    props: (p) => rename(p, { roleName: "role", policyName: "name", policyDocument: "policy" }),
  },
  "aws-native:iam:UserPolicy": {
    type: "aws:iam/userPolicy:UserPolicy",
    props: (p) => rename(p, { userName: "user", policyName: "name", policyDocument: "policy" }),
  },
  "aws-native:iam:GroupPolicy": {
    type: "aws:iam/groupPolicy:GroupPolicy",
    props: (p) => rename(p, { groupName: "group", policyName: "name", policyDocument: "policy" }),
  },
  "aws-native:iam:ManagedPolicy": {
    type: "aws:iam/policy:Policy",
    props: (p) =>
      rename(p, { managedPolicyName: "name", policyDocument: "policy", policyArn: "arn" }),
  },
  "aws-native:s3:BucketPolicy": {
    type: TYPES.bucketPolicy,
    props: (p) => rename(p, { bucket: "bucket", policyDocument: "policy" }),
  },
  "aws-native:kms:Key": {
    type: TYPES.kmsKey,
    props: (p) =>
      rename(p, { keyPolicy: "policy", arn: "arn", enableKeyRotation: "enableKeyRotation" }),
  },
  // AWS::SQS::QueuePolicy and AWS::SNS::TopicPolicy take a list of queue URLs or topic ARNs.
  "aws-native:sqs:QueuePolicy": {
    type: "aws:sqs/queuePolicy:QueuePolicy",
    props: (p) => ({ ...rename(p, { policyDocument: "policy" }), queueUrl: list(p.queues)[0] }),
  },
  "aws-native:sns:TopicPolicy": {
    type: "aws:sns/topicPolicy:TopicPolicy",
    props: (p) => ({ ...rename(p, { policyDocument: "policy" }), arn: list(p.topics)[0] }),
  },
  "aws-native:secretsmanager:ResourcePolicy": {
    type: "aws:secretsmanager/secretPolicy:SecretPolicy",
    props: (p) => rename(p, { resourcePolicy: "policy", secretId: "secretArn" }),
  },
  "aws-native:lambda:Permission": {
    type: "aws:lambda/permission:Permission",
    props: (p) =>
      rename(p, {
        action: "action",
        functionName: "function",
        principal: "principal",
        sourceArn: "sourceArn",
        sourceAccount: "sourceAccount",
        principalOrgId: "principalOrgId",
        functionUrlAuthType: "functionUrlAuthType",
      }),
  },
  "aws-native:lambda:Url": {
    type: TYPES.functionUrl,
    props: (p) => rename(p, { authType: "authorizationType", targetFunctionArn: "functionName" }),
  },
  "aws-native:lambda:Function": {
    type: TYPES.function,
    props: (p) =>
      rename(p, {
        functionName: "name",
        runtime: "runtime",
        role: "role",
        reservedConcurrentExecutions: "reservedConcurrentExecutions",
        loggingConfig: "loggingConfig",
        arn: "arn",
        tags: "tags",
      }),
  },
  "aws-native:sagemaker:NotebookInstance": {
    type: TYPES.notebook,
    props: (p) =>
      rename(p, {
        notebookInstanceName: "name",
        instanceType: "instanceType",
        directInternetAccess: "directInternetAccess",
        rootAccess: "rootAccess",
        kmsKeyId: "kmsKeyId",
        roleArn: "roleArn",
        subnetId: "subnetId",
        securityGroupIds: "securityGroups",
        instanceMetadataServiceConfiguration: "instanceMetadataServiceConfiguration",
        tags: "tags",
      }),
  },
  "aws-native:ec2:SecurityGroup": {
    type: TYPES.securityGroup,
    props: (p) => ({
      ...rename(p, { groupName: "name", vpcId: "vpcId", tags: "tags" }),
      ingress: list(p.securityGroupIngress).map((x) => {
        const r = obj(x) ?? {};
        return {
          fromPort: r.fromPort,
          toPort: r.toPort,
          protocol: r.ipProtocol,
          cidrBlocks: list(r.cidrIp),
          ipv6CidrBlocks: list(r.cidrIpv6),
          prefixListIds: list(r.sourcePrefixListId),
        };
      }),
    }),
  },
  "aws-native:ec2:SecurityGroupIngress": {
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    props: (p) =>
      rename(p, {
        groupId: "securityGroupId",
        fromPort: "fromPort",
        toPort: "toPort",
        ipProtocol: "ipProtocol",
        cidrIp: "cidrIpv4",
        cidrIpv6: "cidrIpv6",
        sourcePrefixListId: "prefixListId",
      }),
  },
  // AWS::EC2::NetworkAcl declares no entries of its own; aws-native names its id `awsId`.
  "aws-native:ec2:NetworkAcl": {
    type: "aws:ec2/networkAcl:NetworkAcl",
    props: (p) => rename(p, { awsId: "id", vpcId: "vpcId", tags: "tags" }),
  },
  // AWS::EC2::NetworkAclEntry: the protocol is an IANA number, the ports a PortRange {From, To}.
  "aws-native:ec2:NetworkAclEntry": {
    type: "aws:ec2/networkAclRule:NetworkAclRule",
    props: (p) => {
      const range = p.portRange;
      const port = (k: string) => (isUnknown(range) ? range : obj(range)?.[k]);
      return {
        ...rename(p, {
          networkAclId: "networkAclId",
          ruleNumber: "ruleNumber",
          ruleAction: "ruleAction",
          egress: "egress",
          protocol: "protocol",
          cidrBlock: "cidrBlock",
          ipv6CidrBlock: "ipv6CidrBlock",
        }),
        fromPort: port("from"),
        toPort: port("to"),
      };
    },
  },
};

const NATIVE = "aws-native:";

/** Whether a type token is the aws-native provider's. */
export function isNative(type: string): boolean {
  return type.startsWith(NATIVE);
}

// A resource's mapped properties, once per properties object (every rule of a request reads them).
const mapped = new WeakMap<object, Props>();

/** The AWS provider type and properties an aws-native resource is judged as, if the table has it. */
export function asAwsType(type: string, props: Props): { type: string; props: Props } | undefined {
  const m = NATIVE_TYPES[type];
  if (!m) return undefined;
  let p = mapped.get(props);
  if (!p) mapped.set(props, (p = m.props(props)));
  return { type: m.type, props: p };
}
