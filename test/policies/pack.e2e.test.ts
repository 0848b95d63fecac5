// The pack end to end: served as the Pulumi CLI serves it, configured through Configure, and fed
// the resources of the real dev and prod programs (run under mocks) through Analyze and
// AnalyzeStack. Then the real graph is mutated, one change at a time, and each change must be
// reported by the policy written for it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyConfig, PolicyPackClient, startPolicyPack } from "../../tools/policy-analyzer";
import { runStack, StackResource, StackRun } from "../../tools/stack-run";
import { mandatory, PACK_DIR } from "./harness";
import { nameOf } from "../../policies/common";
import { SERVING } from "../infra/helpers";

const PROD_CONFIG = JSON.parse(
  fs.readFileSync(path.join(PACK_DIR, "config.production.json"), "utf8"),
) as PolicyConfig;

/** A deep copy of plain data; assets and other objects are shared. */
function copy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copy) as T;
  if (v && typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
  }
  return v;
}

/** The graph with `edit` applied to copies of the inputs and outputs of the named resource. */
function mutate(
  run: StackRun,
  name: string,
  edit: (props: Record<string, any>) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
): StackResource[] {
  if (!run.resources.some((r) => r.name === name))
    throw new Error(`no resource named ${name} in ${run.stack}`);
  return run.resources.map((r) => {
    if (r.name !== name) return r;
    const changed = { ...r, inputs: copy(r.inputs), outputs: copy(r.outputs) };
    edit(changed.inputs);
    edit(changed.outputs);
    return changed;
  });
}

function withStatement(policy: string, statement: Record<string, unknown>): string {
  const doc = JSON.parse(policy);
  doc.Statement.push(statement);
  return JSON.stringify(doc);
}

describe("policy pack served as the CLI serves it", function () {
  this.timeout(120_000);
  let pack: PolicyPackClient;
  let dev: StackRun;
  let prod: StackRun;

  before(async () => {
    dev = await runStack({ stack: "dev", ...SERVING.dev });
    prod = await runStack({ stack: "prod", ...SERVING.prod });
    pack = await startPolicyPack({
      packDir: PACK_DIR,
      stack: { project: "dog-breed-classifier", stack: "dev" },
    });
  });

  after(async () => {
    await pack?.close();
  });

  afterEach(async () => {
    await pack.configure();
  });

  it("answers GetAnalyzerInfo with every policy, a level and a one-sentence description", () => {
    assert.strictEqual(pack.name, "dog-breed-classifier-guardrails");
    assert.match(pack.version, /^\d+\.\d+\.\d+/);
    assert.ok(pack.policies.length >= 30, `${pack.policies.length} policies`);
    for (const p of pack.policies) {
      assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, p.name);
      assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel), p.name);
      assert.match(p.description, /^[A-Z].*\.$/, p.name);
    }
    const types = pack.policies.find(
      (p) => p.name === "sagemaker-endpoint-config-restrict-instance-type",
    );
    const defaults = types?.configSchema?.allowedInstanceTypes.default as Record<string, string[]>;
    assert.deepStrictEqual(Object.keys(defaults).sort(), ["default", "dev", "production"]);
  });

  for (const stack of ["dev", "prod"]) {
    it(`reports no mandatory violation on the ${stack} program`, async () => {
      const run = stack === "dev" ? dev : prod;
      assert.deepStrictEqual(mandatory(await pack.check(run.resources)), []);
    });
  }

  it("reports no mandatory violation on prod under the prod policy config", async () => {
    await pack.configure(PROD_CONFIG);
    assert.deepStrictEqual(mandatory(await pack.check(prod.resources)), []);
  });

  it("honours config: levels raised by the prod config file apply", async () => {
    await pack.configure(PROD_CONFIG);
    const resources = mutate(
      prod,
      "classifier-function",
      (p) => delete p.reservedConcurrentExecutions,
    );
    const found = (await pack.check(resources)).filter(
      (v) => v.policyName === "lambda-function-require-reserved-concurrency",
    );
    assert.deepStrictEqual(
      found.map((v) => v.enforcementLevel),
      ["mandatory"],
    );
  });

  interface Mutation {
    what: string;
    stack: "dev" | "prod";
    resources: () => StackResource[];
    policy: string;
    resource: string;
    config?: PolicyConfig;
  }

  const mutations: Mutation[] = [
    {
      what: "AmazonSageMakerFullAccess attached to the Lambda role",
      stack: "prod",
      resources: () => {
        const resources = [...prod.resources];
        const role = resources.find((r) => r.name === "lambda-role-role")!;
        const inputs = {
          role: role.outputs.name,
          policyArn: "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        };
        resources.push({
          ...role,
          urn: role.urn.replace(
            /aws:iam\/role:Role::lambda-role-role$/,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment::lambda-sagemaker-full",
          ),
          type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          name: "lambda-sagemaker-full",
          inputs,
          outputs: { ...inputs, id: "lambda-sagemaker-full" },
          dependencies: [role.urn],
          propertyDependencies: { role: [role.urn] },
        });
        return resources;
      },
      policy: "iam-managed-policy-disallow-full-access",
      resource: "lambda-sagemaker-full",
    },
    {
      what: 'Action "*" in the Lambda role policy',
      stack: "prod",
      resources: () =>
        mutate(
          prod,
          "lambda-role-policy",
          (p) =>
            (p.policy = withStatement(p.policy, { Effect: "Allow", Action: "*", Resource: "*" })),
        ),
      policy: "iam-policy-disallow-wildcard-actions",
      resource: "lambda-role-policy",
    },
    {
      what: 'iam:PassRole on "*" in the notebook role policy',
      stack: "dev",
      resources: () =>
        mutate(
          dev,
          "notebook-role-policy",
          (p) =>
            (p.policy = withStatement(p.policy, {
              Effect: "Allow",
              Action: "iam:PassRole",
              Resource: "*",
            })),
        ),
      policy: "iam-policy-restrict-pass-role",
      resource: "notebook-role-policy",
    },
    {
      what: "NotAction in the model role policy",
      stack: "prod",
      resources: () =>
        mutate(
          prod,
          "model-role-policy",
          (p) =>
            (p.policy = withStatement(p.policy, {
              Effect: "Allow",
              NotAction: "iam:*",
              Resource: "*",
            })),
        ),
      policy: "iam-policy-disallow-not-action",
      resource: "model-role-policy",
    },
    {
      what: 's3:GetObject on "*" in the model role policy',
      stack: "prod",
      resources: () =>
        mutate(
          prod,
          "model-role-policy",
          (p) =>
            (p.policy = withStatement(p.policy, {
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: "*",
            })),
        ),
      policy: "iam-policy-require-scoped-resources",
      resource: "model-role-policy",
    },
    {
      what: "iam:PutRolePolicy for the training host role",
      stack: "dev",
      resources: () =>
        mutate(
          dev,
          "training-host-role-policy",
          (p) =>
            (p.policy = withStatement(p.policy, {
              Effect: "Allow",
              Action: "iam:PutRolePolicy",
              Resource: "arn:aws:iam::123456789012:role/*",
            })),
        ),
      policy: "iam-policy-disallow-privilege-escalation",
      resource: "training-host-role-policy",
    },
    {
      what: 'a trust policy for Principal "*"',
      stack: "prod",
      resources: () =>
        mutate(
          prod,
          "model-role-role",
          (p) =>
            (p.assumeRolePolicy = JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
            })),
        ),
      policy: "iam-role-restrict-trust",
      resource: "model-role-role",
    },
    {
      what: "notebook root access on",
      stack: "dev",
      resources: () => mutate(dev, "notebook-instance", (p) => (p.rootAccess = "Enabled")),
      policy: "sagemaker-notebook-disable-root-access",
      resource: "notebook-instance",
    },
    {
      what: "notebook IMDSv1",
      stack: "dev",
      resources: () =>
        mutate(
          dev,
          "notebook-instance",
          (p) =>
            (p.instanceMetadataServiceConfiguration = {
              minimumInstanceMetadataServiceVersion: "1",
            }),
        ),
      policy: "sagemaker-notebook-require-imdsv2",
      resource: "notebook-instance",
    },
    {
      what: "notebook direct internet where the config forbids it",
      stack: "dev",
      resources: () => dev.resources,
      config: { "sagemaker-notebook-disable-direct-internet": { stacks: ["dev", "prod"] } },
      policy: "sagemaker-notebook-disable-direct-internet",
      resource: "notebook-instance",
    },
    {
      what: "IMDSv1 on the training host",
      stack: "dev",
      resources: () =>
        mutate(dev, "training-host-instance", (p) => (p.metadataOptions.httpTokens = "optional")),
      policy: "ec2-instance-require-imdsv2",
      resource: "training-host-instance",
    },
    {
      what: "an unencrypted root volume",
      stack: "dev",
      resources: () =>
        mutate(dev, "training-host-instance", (p) => (p.rootBlockDevice.encrypted = false)),
      policy: "ec2-instance-require-encrypted-volumes",
      resource: "training-host-instance",
    },
    {
      what: "SSH open to 0.0.0.0/0",
      stack: "dev",
      resources: () =>
        mutate(
          dev,
          "training-host-sg",
          (p) =>
            (p.ingress = [
              { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
            ]),
        ),
      policy: "ec2-security-group-disallow-public-ingress",
      resource: "training-host-sg",
    },
    {
      what: "a public IP where the config forbids it",
      stack: "dev",
      resources: () => dev.resources,
      config: { "ec2-instance-disallow-public-ip": { stacks: ["dev"] } },
      policy: "ec2-instance-disallow-public-ip",
      resource: "training-host-instance",
    },
    {
      what: "a public bucket (public access block off)",
      stack: "prod",
      resources: () => mutate(prod, "data-public-access", (p) => (p.blockPublicPolicy = false)),
      policy: "s3-bucket-block-public-access",
      resource: "data-public-access",
    },
    {
      what: "the bucket without default encryption",
      stack: "prod",
      resources: () => prod.resources.filter((r) => r.name !== "data-encryption"),
      policy: "s3-bucket-require-encryption",
      resource: "data-bucket",
    },
    {
      what: "bucket versioning suspended",
      stack: "prod",
      resources: () =>
        mutate(prod, "data-versioning", (p) => (p.versioningConfiguration.status = "Suspended")),
      policy: "s3-bucket-require-versioning",
      resource: "data-versioning",
    },
    {
      what: "the bucket without its TLS-only policy",
      stack: "dev",
      resources: () => dev.resources.filter((r) => r.name !== "data-policy"),
      policy: "s3-bucket-require-tls",
      resource: "data-bucket",
    },
    {
      what: "a function URL without auth",
      stack: "prod",
      resources: () => mutate(prod, "classifier-url", (p) => (p.authorizationType = "NONE")),
      policy: "lambda-function-url-require-auth",
      resource: "classifier-url",
    },
    {
      what: "provisioned concurrency above the reservation",
      stack: "prod",
      resources: () =>
        mutate(prod, "classifier-provisioned", (p) => (p.provisionedConcurrentExecutions = 60)),
      policy: "lambda-provisioned-concurrency-within-reserved",
      resource: "classifier-provisioned",
    },
    {
      what: "a deprecated runtime",
      stack: "prod",
      resources: () => mutate(prod, "classifier-function", (p) => (p.runtime = "nodejs16.x")),
      policy: "lambda-function-require-supported-runtime",
      resource: "classifier-function",
    },
    {
      what: "logs kept forever",
      stack: "prod",
      resources: () => mutate(prod, "classifier-logs", (p) => delete p.retentionInDays),
      policy: "lambda-function-require-log-retention",
      resource: "classifier-logs",
    },
    {
      what: "the endpoint without autoscaling",
      stack: "prod",
      resources: () => prod.resources.filter((r) => !r.type.startsWith("aws:appautoscaling/")),
      policy: "sagemaker-endpoint-require-autoscaling",
      resource: "inference-endpoint",
    },
    {
      what: "autoscaling above the stack's cap",
      stack: "prod",
      resources: () => mutate(prod, "autoscaling-target", (p) => (p.maxCapacity = 40)),
      policy: "sagemaker-endpoint-require-autoscaling",
      resource: "autoscaling-target",
    },
    {
      what: "prod endpoint without data capture",
      stack: "prod",
      resources: () => mutate(prod, "inference-config", (p) => delete p.dataCaptureConfig),
      policy: "sagemaker-endpoint-config-require-data-capture",
      resource: "inference-config",
    },
    {
      what: "prod endpoint storage without a KMS key",
      stack: "prod",
      resources: () => mutate(prod, "inference-config", (p) => delete p.kmsKeyArn),
      policy: "sagemaker-endpoint-config-require-kms",
      resource: "inference-config",
    },
    {
      what: "a serverless variant in prod",
      stack: "prod",
      resources: () =>
        mutate(prod, "inference-config", (p) => {
          const v = p.productionVariants[0];
          delete v.instanceType;
          delete v.initialInstanceCount;
          v.serverlessConfig = { maxConcurrency: 5, memorySizeInMb: 3072 };
        }),
      policy: "sagemaker-endpoint-config-require-instance-variant",
      resource: "inference-config",
    },
    {
      what: "prod model without network isolation",
      stack: "prod",
      resources: () => mutate(prod, "inference-model", (p) => (p.enableNetworkIsolation = false)),
      policy: "sagemaker-model-require-network-isolation",
      resource: "inference-model",
    },
    {
      what: "the provider without default tags",
      stack: "prod",
      resources: () => mutate(prod, "dog-breed-classifier-prod-aws", (p) => delete p.defaultTags),
      policy: "aws-resource-require-tags",
      resource: "data-bucket",
    },
  ];

  for (const m of mutations) {
    it(`reports ${m.what} through ${m.policy}`, async () => {
      if (m.config) await pack.configure(m.config);
      const violations = await pack.check(m.resources());
      const hits = violations.filter(
        (v) => v.policyName === m.policy && nameOf(v.urn) === m.resource,
      );
      assert.ok(
        hits.length > 0,
        `expected ${m.policy} on ${m.resource}; got:\n${violations.map((v) => `${v.policyName} ${nameOf(v.urn)}`).join("\n")}`,
      );
      const info = pack.policies.find((p) => p.name === m.policy)!;
      for (const h of hits) {
        assert.strictEqual(h.enforcementLevel, info.enforcementLevel);
        assert.strictEqual(h.policyPackName, "dog-breed-classifier-guardrails");
        // The SDK prefixes the description; the rest names the resource.
        assert.ok(h.message.startsWith(`${h.description}\n`), h.message);
        assert.ok(h.message.includes(`"${m.resource}"`), h.message);
      }
    });
  }

  it(`catches all ${mutations.length} mutations, at least 15`, () => {
    assert.ok(mutations.length >= 15);
  });
});
