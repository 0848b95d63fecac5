// The resource families end to end: the pack served as the Pulumi CLI serves it, fed the dev
// and prod graphs as they serve (SERVING in test/infra/helpers) with one resource added or
// changed per case. Each bypass must be reported, mandatory, by the policy written for its
// setting; each legitimate change must add no mandatory finding.
import * as assert from "assert";
import { PolicyPackClient, startPolicyPack } from "../../tools/policy-analyzer";
import { StackResource, StackRun } from "../../tools/stack-run";
import { mandatory, PACK_DIR, KMS_KEY_ARN } from "./harness";
import { nameOf } from "../../policies/common";
import { servingRun } from "../infra/helpers";

/** The graph plus one resource, as the engine would send it (provider and parent of the stack's). */
function add(
  run: StackRun,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): StackResource[] {
  const template = run.resources.find((r) => r.custom && r.type.startsWith("aws:"))!;
  return [
    ...run.resources,
    {
      ...template,
      urn: `urn:pulumi:${run.stack}::dog-breed-classifier::${type}::${name}`,
      type,
      name,
      parent: undefined,
      inputs,
      outputs: { ...inputs, id: name },
      id: name,
      dependencies: [],
      propertyDependencies: {},
    },
  ];
}

/** The graph with `edit` applied to copies of the named resource's inputs and outputs. */
function change(
  run: StackRun,
  name: string,
  edit: (props: Record<string, any>) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
): StackResource[] {
  assert.ok(
    run.resources.some((r) => r.name === name),
    `no resource named ${name} in ${run.stack}`,
  );
  return run.resources.map((r) => {
    if (r.name !== name) return r;
    const changed = {
      ...r,
      inputs: structuredClone(r.inputs),
      outputs: structuredClone(r.outputs),
    };
    edit(changed.inputs);
    edit(changed.outputs);
    return changed;
  });
}

const PS = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef";
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

interface Case {
  family: string;
  what: string;
  resources: () => StackResource[];
  policy?: string;
  resource?: string;
  /** The finding's message, when the case pins it. */
  message?: RegExp;
}

describe("resource families through the analyzer protocol", function () {
  this.timeout(120_000);
  let pack: PolicyPackClient;
  let dev: StackRun;
  let prod: StackRun;

  before(async () => {
    dev = await servingRun("dev");
    prod = await servingRun("prod");
    pack = await startPolicyPack({
      packDir: PACK_DIR,
      stack: { project: "dog-breed-classifier", stack: "dev" },
    });
  });

  after(async () => {
    await pack?.close();
  });

  const bucket = (run: StackRun) =>
    String(run.resources.find((r) => r.name === "data-bucket")!.outputs.bucket);

  const bypasses: Case[] = [
    {
      family: "equivalent types",
      what: "a launch template allowing IMDSv1",
      resources: () =>
        add(dev, "aws:ec2/launchTemplate:LaunchTemplate", "workers", {
          metadataOptions: { httpTokens: "optional" },
          blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
        }),
      policy: "ec2-instance-require-imdsv2",
      resource: "workers",
    },
    {
      family: "equivalent types",
      what: "a launch template with an unencrypted volume",
      resources: () =>
        add(dev, "aws:ec2/launchTemplate:LaunchTemplate", "workers", {
          metadataOptions: { httpTokens: "required" },
          blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
        }),
      policy: "ec2-instance-require-encrypted-volumes",
      resource: "workers",
    },
    {
      family: "equivalent types",
      what: "a spot instance request without metadata options",
      resources: () =>
        add(dev, "aws:ec2/spotInstanceRequest:SpotInstanceRequest", "spot", {
          instanceType: "m5.large",
          rootBlockDevice: { encrypted: true },
        }),
      policy: "ec2-instance-require-imdsv2",
      resource: "spot",
    },
    {
      family: "equivalent types",
      what: "the default security group open to SSH",
      resources: () =>
        add(dev, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", {
          vpcId: "vpc-1",
          ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
        }),
      policy: "ec2-security-group-disallow-public-ingress",
      resource: "default-sg",
    },
    {
      family: "equivalent types",
      what: "an Elastic IP on a prod instance",
      resources: () =>
        add(prod, "aws:ec2/eip:Eip", "host-ip", { domain: "vpc", instance: "i-0123456789" }),
      policy: "ec2-instance-disallow-public-ip",
      resource: "host-ip",
    },
    {
      family: "equivalent types",
      what: "a prod Studio domain on the public internet",
      resources: () =>
        add(prod, "aws:sagemaker/domain:Domain", "studio", {
          domainName: "studio",
          authMode: "IAM",
          vpcId: "vpc-1",
          subnetIds: ["subnet-1"],
          kmsKeyId: KMS_KEY_ARN,
          defaultUserSettings: { executionRole: "arn:aws:iam::123456789012:role/studio" },
        }),
      policy: "sagemaker-notebook-disable-direct-internet",
      resource: "studio",
    },
    {
      family: "equivalent types",
      what: "a Studio domain without a KMS key",
      resources: () =>
        add(dev, "aws:sagemaker/domain:Domain", "studio", {
          domainName: "studio",
          authMode: "IAM",
          vpcId: "vpc-1",
          subnetIds: ["subnet-1"],
          appNetworkAccessType: "VpcOnly",
          defaultUserSettings: { executionRole: "arn:aws:iam::123456789012:role/studio" },
        }),
      policy: "sagemaker-notebook-require-kms",
      resource: "studio",
    },
    {
      family: "equivalent types",
      what: "a serverless shadow variant in prod",
      resources: () =>
        change(prod, "inference-config", (p) => {
          p.shadowProductionVariants = [
            {
              variantName: "shadow",
              modelName: p.productionVariants[0].modelName,
              serverlessConfig: { maxConcurrency: 2, memorySizeInMb: 2048 },
            },
          ];
        }),
      policy: "sagemaker-endpoint-config-require-instance-variant",
      resource: "inference-config",
    },
    {
      family: "equivalent types",
      what: "AdministratorAccess on a permission set",
      resources: () =>
        add(dev, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "ps-admin", {
          instanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
          permissionSetArn: PS,
          managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
      policy: "iam-managed-policy-disallow-full-access",
      resource: "ps-admin",
    },
    {
      family: "numeric and set semantics",
      what: "SSH open to 0.0.0.0/1 and 128.0.0.0/1",
      resources: () =>
        change(dev, "training-host-sg", (p) => {
          p.ingress = [
            { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
          ];
        }),
      policy: "ec2-security-group-disallow-public-ingress",
      resource: "training-host-sg",
    },
    {
      family: "numeric and set semantics",
      what: "SSH open to 0::/0",
      resources: () =>
        change(dev, "training-host-sg", (p) => {
          p.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["0::/0"] }];
        }),
      policy: "ec2-security-group-disallow-public-ingress",
      resource: "training-host-sg",
    },
    {
      family: "numeric and set semantics",
      what: "SSH from a managed prefix list whose entries cover the internet",
      resources: () => {
        const withList = add(dev, "aws:ec2/managedPrefixList:ManagedPrefixList", "callers", {
          addressFamily: "IPv4",
          maxEntries: 4,
          entries: [{ cidr: "0.0.0.0/2" }, { cidr: "64.0.0.0/2" }, { cidr: "128.0.0.0/1" }],
        });
        return withList.map((r) =>
          r.name === "training-host-sg"
            ? {
                ...r,
                outputs: {
                  ...r.outputs,
                  ingress: [
                    { protocol: "tcp", fromPort: 22, toPort: 22, prefixListIds: ["callers"] },
                  ],
                },
              }
            : r,
        );
      },
      policy: "ec2-security-group-disallow-combined-public-ingress",
      resource: "training-host-sg",
    },
    {
      family: "network ACLs",
      what: "a network ACL admitting SSH from 0.0.0.0/0 after a lower deny of 10.0.0.0/8 only",
      resources: () =>
        add(dev, "aws:ec2/networkAcl:NetworkAcl", "public-acl", {
          vpcId: "vpc-1",
          ingress: [
            {
              ruleNo: 90,
              action: "deny",
              protocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrBlock: "10.0.0.0/8",
            },
            {
              ruleNo: 100,
              action: "allow",
              protocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrBlock: "0.0.0.0/0",
            },
          ],
        }),
      policy: "ec2-network-acl-disallow-public-admin-ingress",
      resource: "public-acl",
      message:
        /NetworkAcl "public-acl" admits inbound tcp port 22 \(SSH\) through ingress rule 1 \(ruleNo 100\)/,
    },
    {
      family: "network ACLs",
      what: "a standalone rule of every protocol from ::/0 on a network ACL of the stack",
      resources: () => {
        const withAcl = add(dev, "aws:ec2/networkAcl:NetworkAcl", "public-acl", { vpcId: "vpc-1" });
        return add(
          { ...dev, resources: withAcl },
          "aws:ec2/networkAclRule:NetworkAclRule",
          "all-in",
          {
            networkAclId: "public-acl",
            ruleNumber: 100,
            egress: false,
            protocol: "-1",
            ruleAction: "allow",
            ipv6CidrBlock: "::/0",
          },
        );
      },
      policy: "ec2-network-acl-disallow-public-admin-ingress",
      resource: "public-acl",
      message:
        /through NetworkAclRule "all-in" \(ruleNumber 100\) from ::\/0, open to the whole internet/,
    },
    {
      family: "equivalent types",
      what: "a permission set's inline policy allowing every action",
      resources: () =>
        add(dev, "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ps-inline", {
          instanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
          permissionSetArn: PS,
          inlinePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
          }),
        }),
      policy: "iam-policy-disallow-wildcard-actions",
      resource: "ps-inline",
    },
    {
      family: "numeric and set semantics",
      what: "prod data capture on at 0%",
      resources: () =>
        change(
          prod,
          "inference-config",
          (p) => (p.dataCaptureConfig.initialSamplingPercentage = 0),
        ),
      policy: "sagemaker-endpoint-config-require-data-capture",
      resource: "inference-config",
    },
    {
      family: "numeric and set semantics",
      what: "a second scaling target for the endpoint with maxCapacity 100",
      resources: () => {
        const target = prod.resources.find((r) => r.name === "autoscaling-target")!;
        return add(prod, target.type, "burst-target", { ...target.inputs, maxCapacity: 100 });
      },
      policy: "sagemaker-endpoint-require-autoscaling",
      resource: "burst-target",
    },
    {
      family: "fail closed",
      what: "dev's notebook on ml.p3.16xlarge, which has no price",
      resources: () => change(dev, "notebook-instance", (p) => (p.instanceType = "ml.p3.16xlarge")),
      policy: "cost-budget-enforce",
      resource: "cost-budget",
      message:
        /stack dev cannot be held to its limit of \$50\.00 a month: 1 billable item has no price, so the estimate of \$[\d.,]+–\$[\d.,]+ leaves it out: notebook-instance \(SageMaker notebook instance type ml\.p3\.16xlarge\)\./,
    },
    {
      family: "S3 ACL and TLS",
      what: "a bucket ACL granting READ to AllUsers",
      resources: () =>
        add(prod, "aws:s3/bucketAclV2:BucketAclV2", "data-acl", {
          bucket: bucket(prod),
          accessControlPolicy: {
            owner: { id: "owner" },
            grants: [{ grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" }],
          },
        }),
      policy: "s3-bucket-block-public-access",
      resource: "data-acl",
    },
    {
      family: "S3 ACL and TLS",
      what: "an object uploaded public-read",
      resources: () =>
        add(dev, "aws:s3/bucketObjectv2:BucketObjectv2", "public-model", {
          bucket: bucket(dev),
          key: "models/model.tar.gz",
          acl: "public-read",
        }),
      policy: "s3-bucket-block-public-access",
      resource: "public-model",
    },
    {
      family: "S3 ACL and TLS",
      what: "the TLS deny naming another bucket",
      resources: () =>
        change(dev, "data-policy", (p) => {
          p.policy = String(p.policy).split(bucket(dev)).join("some-other-bucket");
        }),
      policy: "s3-bucket-require-tls",
      resource: "data-bucket",
    },
  ];

  for (const c of bypasses) {
    it(`reports ${c.what} through ${c.policy}`, async () => {
      const violations = await pack.check(c.resources());
      const hits = violations.filter(
        (v) =>
          v.policyName === c.policy &&
          nameOf(v.urn) === c.resource &&
          v.enforcementLevel === "mandatory",
      );
      assert.ok(
        hits.length > 0,
        `expected ${c.policy} on ${c.resource}; got:\n${mandatory(violations).join("\n")}`,
      );
      assert.ok(hits[0].message.startsWith(`${hits[0].description}\n`), hits[0].message);
      if (c.message) assert.match(hits[0].message, c.message);
    });
  }

  const legitimate: Case[] = [
    {
      family: "equivalent types",
      what: "a locked-down launch template and a VPC-only Studio domain with a key",
      resources: () => {
        const withTemplate = add(prod, "aws:ec2/launchTemplate:LaunchTemplate", "workers", {
          metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
          blockDeviceMappings: [
            { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KMS_KEY_ARN } },
          ],
          networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }],
        });
        return add({ ...prod, resources: withTemplate }, "aws:sagemaker/domain:Domain", "studio", {
          domainName: "studio",
          authMode: "IAM",
          vpcId: "vpc-1",
          subnetIds: ["subnet-1"],
          appNetworkAccessType: "VpcOnly",
          kmsKeyId: KMS_KEY_ARN,
          defaultUserSettings: { executionRole: "arn:aws:iam::123456789012:role/studio" },
        });
      },
    },
    {
      family: "numeric and set semantics",
      what: "SSH from the VPC and HTTPS from one documentation range",
      resources: () =>
        change(dev, "training-host-sg", (p) => {
          p.ingress = [
            { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["2001:db8::/48"] },
          ];
        }),
    },
    {
      family: "network ACLs",
      what: "AWS's example network ACL for a public subnet",
      // https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html
      resources: () => {
        const rule = (ruleNo: number, from: number, to: number, cidrBlock: string) => ({
          ruleNo,
          action: "allow",
          protocol: "tcp",
          fromPort: from,
          toPort: to,
          cidrBlock,
        });
        return add(prod, "aws:ec2/networkAcl:NetworkAcl", "public-acl", {
          vpcId: "vpc-1",
          ingress: [
            rule(100, 80, 80, "0.0.0.0/0"),
            rule(110, 443, 443, "0.0.0.0/0"),
            rule(120, 22, 22, "192.0.2.0/24"),
            rule(130, 3389, 3389, "192.0.2.0/24"),
            rule(140, 32768, 65535, "0.0.0.0/0"),
          ],
          egress: [
            rule(100, 80, 80, "0.0.0.0/0"),
            rule(110, 443, 443, "0.0.0.0/0"),
            rule(120, 32768, 65535, "0.0.0.0/0"),
          ],
        });
      },
    },
    {
      family: "numeric and set semantics",
      what: "prod data capture at 1% and a second target within the cap",
      resources: () => {
        const captured = change(
          prod,
          "inference-config",
          (p) => (p.dataCaptureConfig.initialSamplingPercentage = 1),
        );
        const target = prod.resources.find((r) => r.name === "autoscaling-target")!;
        return add({ ...prod, resources: captured }, target.type, "second-target", {
          ...target.inputs,
          maxCapacity: 3,
        });
      },
    },
    {
      family: "S3 ACL and TLS",
      what: "an object written bucket-owner-full-control",
      resources: () =>
        add(dev, "aws:s3/bucketObjectv2:BucketObjectv2", "model-file", {
          bucket: bucket(dev),
          key: "models/model.tar.gz",
          acl: "bucket-owner-full-control",
        }),
    },
  ];

  for (const c of legitimate) {
    it(`adds no mandatory finding for ${c.what}`, async () => {
      const before = mandatory(
        await pack.check(c.family === "S3 ACL and TLS" ? dev.resources : prod.resources),
      );
      assert.deepStrictEqual(before, []);
      assert.deepStrictEqual(mandatory(await pack.check(c.resources())), []);
    });
  }
});
