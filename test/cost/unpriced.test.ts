// The budget fails closed: a billable resource without a price is listed for cost-budget-enforce,
// never a zero in the total; every scaling target of a variant counts. The policy's finding through
// the analyzer protocol is in test/policies/resources.e2e.test.ts.
import * as assert from "assert";
import { unpricedViolation } from "../../cost/budget";
import { estimateCost } from "../../cost/estimate";
import { T, instanceEndpoint, res, usage } from "./fixtures";

const quiet = () => usage({ logIngestGbPerMonth: 0, storageGb: 0 });

const BUDGET = {
  urn: "urn:pulumi:dev::dog-breed-classifier::aws:budgets/budget:Budget::cost-budget",
  name: "cost-budget",
  monthlyUsd: 50,
  declared: "50 USD per MONTHLY",
};

describe("estimateCost: unpriced billable items", () => {
  it("lists a notebook on an instance type without a price", () => {
    const est = estimateCost(
      [res(T.notebook, "notebook", { instanceType: "ml.p3.16xlarge", volumeSize: 5 })],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      est.unpriced.map((u) => [u.name, u.what]),
      [["notebook", "SageMaker notebook instance type ml.p3.16xlarge"]],
    );
    assert.strictEqual(
      unpricedViolation(est, BUDGET),
      "Budget cost-budget: stack dev cannot be held to its limit of $50.00 a month: 1 billable item has no " +
        "price, so the estimate of $0.70–$0.70 leaves it out: notebook (SageMaker notebook instance type " +
        "ml.p3.16xlarge). Use a type the price table covers (cost/prices.ts), or add the price " +
        "there, with its source, so the budget counts it.",
    );
  });

  it("lists an unpriced EC2 type, hosting type and billable resource type together", () => {
    const est = estimateCost(
      [
        res(T.ec2, "host", { instanceType: "x2iedn.32xlarge" }),
        ...instanceEndpoint("dev", "ml.p5.48xlarge", 1, 1),
        res("aws:ec2/eip:Eip", "ip", { domain: "vpc" }),
        res("aws:ec2/natGateway:NatGateway", "nat", {}),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      est.unpriced.map((u) => u.what),
      [
        "EC2 instance type x2iedn.32xlarge",
        "SageMaker hosting instance type ml.p5.48xlarge",
        "resource type aws:ec2/natGateway:NatGateway",
      ],
    );
    assert.match(unpricedViolation(est, BUDGET)!, /3 billable items have no price/);
    // Priced: an Elastic IP at $0.005 an hour for 730 hours, a secret at $0.40 a month.
    const secret = estimateCost(
      [res("aws:secretsmanager/secret:Secret", "token", {})],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      secret.lines.map((l) => [l.item, l.monthlyMax]),
      [["secret", 0.4]],
    );
    assert.strictEqual(est.lines.find((l) => l.name === "ip")?.monthlyMax, 3.65);
  });

  it("lists a Studio app, which bills by instance, but not its domain", () => {
    const est = estimateCost(
      [
        res("aws:sagemaker/domain:Domain", "studio", {}),
        res("aws:sagemaker/app:App", "jupyter", {
          resourceSpec: { instanceType: "ml.g5.48xlarge" },
        }),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      est.unpriced.map((u) => u.what),
      ["resource type aws:sagemaker/app:App"],
    );
  });

  it("prices a standalone EBS volume, and lists one of a type without a price", () => {
    const est = estimateCost(
      [
        res("aws:ebs/volume:Volume", "data", { size: 100, type: "gp3" }),
        res("aws:ebs/volume:Volume", "scratch", { size: 100, type: "io9" }),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      est.lines.map((l) => [l.name, l.item]),
      [["data", "EBS volume (gp3)"]],
    );
    assert.deepStrictEqual(
      est.unpriced.map((u) => u.what),
      ["EBS volume type io9 (volume)"],
    );
  });

  it("holds an endpoint to the maximum a scheduled action sets", () => {
    const graph = instanceEndpoint("dev", "ml.m5.large", 1, 2);
    const target = graph.find((r) => r.type === T.target)!;
    const action = res("aws:appautoscaling/scheduledAction:ScheduledAction", "nightly", {
      serviceNamespace: "sagemaker",
      resourceId: target.inputs!.resourceId,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      schedule: "cron(0 20 * * ? *)",
      scalableTargetAction: { minCapacity: 1, maxCapacity: 40 },
    });
    const est = estimateCost([...graph, action], quiet(), "us-east-1");
    assert.deepStrictEqual(est.unpriced, []);
    const line = est.lines.find((l) => l.item.startsWith("endpoint instances"))!;
    assert.strictEqual(line.inputs.maxInstances, 40);
  });

  it("lists an endpoint on a configuration outside the stack and provisioned concurrency of an outside function", () => {
    const est = estimateCost(
      [
        res(T.endpoint, "ep", { name: "ep", endpointConfigName: "someone-elses-config" }),
        res(T.pc, "pc", {
          functionName: "someone-elses-function",
          provisionedConcurrentExecutions: 50,
        }),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(
      est.unpriced.map((u) => u.what),
      [
        'endpoint on configuration "someone-elses-config", not in the stack',
        'provisioned concurrency of function "someone-elses-function", not in the stack',
      ],
    );
  });

  it("holds an endpoint to the maximum of its managed instance scaling", () => {
    const graph = instanceEndpoint("dev", "ml.m5.large", 1, 2);
    const config = graph.find((r) => r.type === T.endpointConfig)!;
    const variants = config.inputs!.productionVariants as Record<string, unknown>[];
    variants[0].managedInstanceScaling = { status: "ENABLED", maxInstanceCount: 12 };
    (config.outputs!.productionVariants as Record<string, unknown>[])[0].managedInstanceScaling =
      variants[0].managedInstanceScaling;
    const est = estimateCost(graph, quiet(), "us-east-1");
    const line = est.lines.find((l) => l.item.startsWith("endpoint instances"))!;
    assert.strictEqual(line.inputs.maxInstances, 12);
  });

  it("prices a spot instance request as the on-demand instance it may run as", () => {
    const est = estimateCost(
      [
        res("aws:ec2/spotInstanceRequest:SpotInstanceRequest", "spot", {
          instanceType: "m5.xlarge",
        }),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(est.unpriced, []);
    assert.ok(est.lines.some((l) => l.item === "EC2 instance hours"));
  });

  it("does not list free templates and settings, nor an instance type unknown until deploy", () => {
    const est = estimateCost(
      [
        res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { instanceType: "m5.large" }),
        res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "dsg", {}),
        res("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "mpa", {}),
        res("aws:costexplorer/costAllocationTag:CostAllocationTag", "tag", {}),
        res(T.notebook, "notebook", {}),
        res("aws:sagemaker/domain:Domain", "studio", {}),
        res("aws:kms/keyPolicy:KeyPolicy", "key-policy", {}),
        res("aws:ec2/managedPrefixList:ManagedPrefixList", "callers", {}),
        res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account-pab", {}),
        res("aws:ec2/subnet:Subnet", "private", {}),
        res("aws:secretsmanager/secretPolicy:SecretPolicy", "secret-policy", {}),
      ],
      quiet(),
      "us-east-1",
    );
    assert.deepStrictEqual(est.unpriced, []);
    assert.strictEqual(unpricedViolation(est, BUDGET), undefined);
  });

  it("holds an endpoint to the widest of the scaling targets on its variant", () => {
    const graph = instanceEndpoint("dev", "ml.m5.large", 1, 2);
    const target = graph.find((r) => r.type === T.target)!;
    const second = res(T.target, "second-target", { ...target.inputs, maxCapacity: 100 });
    const est = estimateCost([...graph, second], quiet(), "us-east-1");
    const line = est.lines.find((l) => l.item.startsWith("endpoint instances"))!;
    assert.strictEqual(line.inputs.maxInstances, 100);
    assert.strictEqual(line.inputs.scalableTarget, "second-target");
  });
});
