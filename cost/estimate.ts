// The monthly cost estimate of a stack: one pure function from the resource graph, the usage
// assumptions and the region to cost lines and totals. The budget policy and the offline report
// both call `estimateCost`, so what the check prints is what the policy enforces.
//
// Every line carries the formula with all its inputs, so a reader can redo the arithmetic. Lines
// have a lower and an upper bound: they differ where the stack itself leaves a range (autoscaling
// between min and max instances, spot or on-demand training prices, provisioned or on-demand Lambda
// duration rates, log retention that never expires); usage-driven lines use the expected usage for
// both bounds. Free tiers are ignored: they are per account, not per stack.
//
// This module dispatches each resource to the pricing of its service (one module per service) and
// adds the stack-wide lines; core.ts holds the shapes and the Estimator they share.
import { alarm, logs, scalingPolicy } from "./cloudwatch";
import {
  type CostEstimate,
  type CostLine,
  Estimator,
  type GraphResource,
  type ResourceLike,
  cents,
  toGraph,
} from "./core";
import { ec2, eip, volume } from "./ec2";
import { lambdaFunction, provisionedConcurrency } from "./lambda";
import { endpoint, notebook } from "./sagemaker";
import { kmsKey, secret, storage } from "./storage";
import { trainingFromConfig, trainingJob, tuningJob } from "./training";
import { type Usage, regionFromConfig, usageFromConfig } from "./usage";
import { TYPES } from "../shared/resource-types";
export * from "./usage";
export {
  type CostEstimate,
  type CostLine,
  type GraphResource,
  type ResourceLike,
  type Unpriced,
  fmt,
  toGraph,
} from "./core";

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------

/** Resource types that cost nothing by themselves, or whose cost is counted on another resource. */
const FREE_TYPES: RegExp[] = [
  /^aws:iam\//, // IAM is free.
  /^aws:s3\/bucket[A-Z]\w*:/, // Bucket settings (policy, versioning, encryption, ...); buckets are priced.
  /^aws:ec2\/securityGroup/,
  /^aws:vpc\/securityGroup/,
  /^aws:kms\/(alias|grant|keyPolicy):/, // The key is priced; its alias, grants and policy are not billed.
  /^aws:lambda\/(alias|functionUrl|permission|eventInvokeConfig):/,
  // The endpoint configuration is priced through the endpoint that serves it.
  /^aws:sagemaker\/(model|endpointConfiguration|notebookInstanceLifecycleConfiguration|codeRepository):/,
  /^aws:appautoscaling\/(target|scheduledAction):/, // Their range is read by the endpoint line.
  /^aws:ssm\/parameter:/, // Standard parameters are free.
  /^aws:budgets\/budget:/, // The first two budgets of an account are free.
  // Objects copied into a bucket: their storage is the `storageGb` assumption.
  /^aws:s3\/objectCopy:/,
  /^aws:costexplorer\/costAllocationTag:/, // Activating a cost allocation tag is free.
  // Templates and settings that launch or connect billable resources without billing themselves.
  /^aws:ec2\/(launchTemplate|launchConfiguration|defaultSecurityGroup|securityGroupAssociation|eipAssociation|keyPair|managedPrefixList|managedPrefixListEntry):/,
  // VPC plumbing without an hourly charge (NAT gateways, interface endpoints and public IPv4
  // addresses are billed, so they are not here).
  /^aws:ec2\/(vpc|subnet|routeTable|routeTableAssociation|route|internetGateway|egressOnlyInternetGateway|networkAcl|networkAclRule|networkAclAssociation|networkInterface|networkInterfaceAttachment|defaultVpc|defaultSubnet|defaultRouteTable|defaultNetworkAcl|mainRouteTableAssociation|vpcDhcpOptions|vpcDhcpOptionsAssociation):/,
  /^aws:ebs\/(encryptionByDefault|defaultKmsKey):/, // Account settings.
  /^aws:ec2\/instanceMetadataDefaults:/, // An account setting.
  /^aws:s3\/accountPublicAccessBlock:/, // An account setting.
  /^aws:ecr\/(repositoryPolicy|lifecyclePolicy):/, // Settings of a repository.
  // Settings and policies of resources priced (or billed per use) elsewhere.
  /^aws:secretsmanager\/(secretPolicy|secretVersion|secretRotation):/,
  /^aws:cloudwatch\/(logResourcePolicy|logStream):/,
  /^aws:lambda\/(layerVersion|layerVersionPermission|eventSourceMapping):/,
  /^aws:sagemaker\/(modelPackageGroup|modelPackageGroupPolicy):/,
  /^aws:ssoadmin\//, // IAM Identity Center permission sets and their policies are free.
  // A Studio domain, its profiles and spaces bill through their apps (aws:sagemaker/app, priced
  // per instance) and the data they store, not by themselves.
  /^aws:sagemaker\/(domain|userProfile|space|studioLifecycleConfig):/,
  // SNS bills per million publishes ($0.50); budget and alarm notices are a handful a month.
  /^aws:sns\/(topic|topicPolicy|topicSubscription):/,
];

/** The pricing of each resource type the estimate prices by itself. */
const PRICERS: Record<string, (e: Estimator, r: GraphResource) => void> = {
  [TYPES.notebook]: notebook,
  // A spot request runs the same instance; on-demand is the most it can cost.
  [TYPES.instance]: ec2,
  [TYPES.spotInstanceRequest]: ec2,
  [TYPES.trainingJob]: trainingJob,
  [TYPES.tuningJob]: tuningJob,
  [TYPES.endpoint]: endpoint,
  [TYPES.function]: lambdaFunction,
  [TYPES.provisionedConcurrency]: provisionedConcurrency,
  [TYPES.volume]: (e, r) => volume(e, r, "volume", r.props, "size"),
  [TYPES.eip]: eip,
  [TYPES.secret]: secret,
  [TYPES.kmsKey]: kmsKey,
  [TYPES.metricAlarm]: alarm,
  [TYPES.scalingPolicy]: scalingPolicy,
};

/** Types priced by the stack-wide lines: buckets hold `storageGb`, log groups the log volume. */
const PRICED_TYPES = new Set([
  ...Object.keys(PRICERS),
  TYPES.bucket,
  TYPES.bucketV2,
  TYPES.logGroup,
]);

function run(e: Estimator): void {
  for (const r of e.graph) {
    const price = PRICERS[r.type];
    if (price) price(e, r);
    else if (
      !PRICED_TYPES.has(r.type) &&
      r.type.startsWith("aws:") &&
      !FREE_TYPES.some((re) => re.test(r.type))
    ) {
      e.noPrice(
        r,
        `resource type ${r.type}`,
        `${r.name}: no price for ${r.type} — left out of the estimate`,
      );
    }
  }
  storage(e);
  logs(e);
  trainingFromConfig(e);
}

/**
 * The monthly cost of a stack: a line per billed item of every resource, totals, and warnings for
 * what is not priced. `resources` may be policy-pack resources or a recorded stack run's resources.
 */
export function estimateCost(
  resources: readonly ResourceLike[],
  usage: Usage,
  region: string,
): CostEstimate {
  const e = new Estimator(toGraph(resources), usage, region);
  run(e);
  const min = cents(e.lines.reduce((s, l) => s + l.monthlyMin, 0));
  const max = cents(e.lines.reduce((s, l) => s + l.monthlyMax, 0));
  return {
    region,
    regionMultiplier: e.multiplier,
    currency: "USD",
    lines: e.lines,
    totals: { min, max },
    warnings: e.warnings,
    unpriced: e.unpriced,
  };
}

/** The lines that cost the most at the upper bound, biggest first. */
export function biggestItems(estimate: CostEstimate, n = 3): CostLine[] {
  return [...estimate.lines]
    .sort((a, b) => b.monthlyMax - a.monthlyMax || a.resource.localeCompare(b.resource))
    .slice(0, n);
}

/**
 * The estimate of a recorded stack run (`runStack` in tools/stack-run.ts): its resources, with the
 * usage and region from its config.
 */
export function estimateStackRun(run: {
  resources: readonly ResourceLike[];
  config: Record<string, string>;
  region?: string;
}): CostEstimate {
  return estimateCost(
    run.resources,
    usageFromConfig(run.config),
    run.region ?? regionFromConfig(run.config),
  );
}
