// What a reviewer wants to see of each resource in a table: the component it belongs to and the
// few settings that decide security and cost (instance types, counts, concurrency, encryption).
import type { StackResource } from "./stack-run";
import { TYPES } from "../shared/resource-types";

export interface ResourceRow {
  urn: string;
  type: string;
  name: string;
  /** Name of the top-level component the resource sits in ("" for resources at the root). */
  component: string;
  /** Key settings, flattened to display strings. */
  settings: Record<string, string>;
}

type Inputs = Record<string, unknown>;

function get(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split(".")) {
    if (cur === null || cur === undefined) return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(part) ? cur[Number(part)] : (cur as Inputs)[part];
  }
  return cur;
}

function show(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** For each type, the inputs worth a column, as `label: path` pairs. */
const SETTINGS: Record<string, Record<string, string>> = {
  [TYPES.notebook]: {
    instance: "instanceType",
    rootAccess: "rootAccess",
    directInternet: "directInternetAccess",
    kms: "kmsKeyId",
    volumeGb: "volumeSize",
  },
  [TYPES.endpointConfig]: {
    instance: "productionVariants.0.instanceType",
    count: "productionVariants.0.initialInstanceCount",
    serverlessMemoryMb: "productionVariants.0.serverlessConfig.memorySizeInMb",
    serverlessConcurrency: "productionVariants.0.serverlessConfig.maxConcurrency",
    kms: "kmsKeyArn",
    dataCapture: "dataCaptureConfig.enableCapture",
  },
  [TYPES.model]: {
    networkIsolation: "enableNetworkIsolation",
    image: "primaryContainer.image",
  },
  [TYPES.endpoint]: {
    deployment: "deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type",
  },
  [TYPES.trainingJob]: {
    instance: "resourceConfig.instanceType",
    count: "resourceConfig.instanceCount",
    spot: "enableManagedSpotTraining",
  },
  [TYPES.tuningJob]: {
    instance: "trainingJobDefinition.resourceConfig.instanceType",
    maxJobs: "config.resourceLimits.maxNumberOfTrainingJobs",
    parallel: "config.resourceLimits.maxParallelTrainingJobs",
    spot: "trainingJobDefinition.enableManagedSpotTraining",
  },
  [TYPES.scalingTarget]: {
    min: "minCapacity",
    max: "maxCapacity",
    dimension: "scalableDimension",
  },
  [TYPES.scalingPolicy]: {
    target: "targetTrackingScalingPolicyConfiguration.targetValue",
    scaleIn: "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
    scaleOut: "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
  },
  [TYPES.instance]: {
    instance: "instanceType",
    // The training host's image parameter: changing it replaces the host.
    image: "tags.AmiParameter",
    imds: "metadataOptions.httpTokens",
    rootGb: "rootBlockDevice.volumeSize",
    encrypted: "rootBlockDevice.encrypted",
    publicIp: "associatePublicIpAddress",
  },
  [TYPES.securityGroup]: { ingress: "ingress" },
  [TYPES.function]: {
    runtime: "runtime",
    arch: "architectures.0",
    memoryMb: "memorySize",
    timeoutS: "timeout",
    reserved: "reservedConcurrentExecutions",
  },
  [TYPES.provisionedConcurrency]: {
    provisioned: "provisionedConcurrentExecutions",
  },
  [TYPES.functionUrl]: { auth: "authorizationType" },
  [TYPES.logGroup]: { retentionDays: "retentionInDays" },
  [TYPES.bucketV2]: { bucket: "bucket" },
  [TYPES.bucket]: { bucket: "bucket" },
  [TYPES.kmsKey]: { rotation: "enableKeyRotation" },
  [TYPES.budget]: { limit: "limitAmount", unit: "limitUnit" },
  [TYPES.metricAlarm]: { metric: "metricName", threshold: "threshold" },
};

function settingsOf(r: StackResource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, p] of Object.entries(SETTINGS[r.type] ?? {})) {
    const v = show(get(r.inputs, p));
    if (v !== undefined)
      out[label] = label === "ingress" ? String((get(r.inputs, p) as unknown[]).length) : v;
  }
  return out;
}

/** Rows for every custom resource, with the name of its top-level component. */
export function summarize(resources: readonly StackResource[]): ResourceRow[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const topComponent = (r: StackResource): string => {
    let cur = r;
    let top: StackResource | undefined;
    while (cur.parent && byUrn.has(cur.parent)) {
      cur = byUrn.get(cur.parent)!;
      if (!cur.custom) top = cur;
    }
    return top?.name ?? "";
  };
  return resources
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      component: topComponent(r),
      settings: settingsOf(r),
    }))
    .sort(
      (a, b) =>
        a.component.localeCompare(b.component) ||
        a.type.localeCompare(b.type) ||
        a.name.localeCompare(b.name),
    );
}

/** `aws:sagemaker/endpointConfiguration:EndpointConfiguration` -> `sagemaker.EndpointConfiguration`. */
export function shortType(type: string): string {
  const m = /^([\w-]+):([\w-]+)(?:\/\w+)?:(\w+)$/.exec(type);
  if (!m) return type;
  return m[1] === "aws" ? `${m[2]}.${m[3]}` : `${m[1]}.${m[2]}.${m[3]}`;
}
