// The edge of the cloud we cannot reach: what AWS would answer when a resource is created or a
// data source is read. Values follow the shapes AWS documents (ARN formats from
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
// so IAM documents built from them can be evaluated like the real ones.
import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { TYPES } from "../shared/resource-types";

export const MOCK_ACCOUNT = "123456789012";
/** The AMI id the public SSM parameter resolves to under mocks. */
export const MOCK_AMI = "ami-0123456789abcdef0";

export interface CloudContext {
  region: string;
  account: string;
  /**
   * Outputs of the stacks the program references (StackReference), by stack name (`dev`) or
   * fully qualified name; a stack not listed exports nothing, as one not deployed yet.
   */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Answers a reference `stackOutputs` does not list, by its name as the program gives it. */
  referenceOutputs?: (name: string) => Record<string, unknown> | undefined;
  /** Filled with the references neither answered, when set. */
  unresolvedReferences?: Set<string>;
  /**
   * The status SageMaker reports for the stack's training or tuning job: InProgress unless set
   * (what the `up` that starts a job sees), Completed for a later `up`, Failed or Stopped.
   */
  jobStatus?: string;
}

/** When a job the mocked cloud reports was created. */
export const MOCK_JOB_STARTED_AT = "2026-11-02T09:30:00.000Z";

/** What the mocked SageMaker reports of a job with `status`, named `job`, writing under `output`. */
function jobReport(kind: "training" | "tuning", job: string, output: string, status: string) {
  // A tuning job's training jobs are named <tuning job>-<index>-<8 hex>; SageMaker writes a model
  // at <output path><training job>/output/model.tar.gz.
  const best = kind === "tuning" ? `${job}-001-${shortHash(job, 8)}` : job;
  const completed = status === "Completed";
  return {
    status,
    startedAt: MOCK_JOB_STARTED_AT,
    modelArtifactUri: completed ? `${output}${best}/output/model.tar.gz` : "",
    bestTrainingJobName: completed ? best : "",
    failureReason: status === "Failed" ? "AlgorithmError: ExecuteUserScriptError: exit code 1" : "",
  };
}

function shortHash(s: string, len = 8): string {
  return createHash("sha256").update(s).digest("hex").slice(0, len);
}

type Inputs = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The physical name AWS would hold: the explicit one, or Pulumi's auto-name. */
function physicalName(name: string, inputs: Inputs, key = "name"): string {
  return str(inputs[key]) ?? str(inputs.namePrefix) ?? `${name}-${shortHash(name, 7)}`;
}

/**
 * Output state for a newly created resource: its inputs plus the computed attributes that the
 * program or the policy pack read (ids, ARNs, names, URLs).
 */
export function resourceState(
  type: string,
  name: string,
  inputs: Inputs,
  ctx: CloudContext,
): { id: string; state: Inputs } {
  const { region, account } = ctx;
  const regional = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${account}:${resource}`;
  const state: Inputs = { ...inputs };
  let id = `${name}-${shortHash(type + name)}`;

  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = physicalName(name, inputs, "bucket");
      id = bucket;
      Object.assign(state, {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        region,
      });
      break;
    }
    case "aws:iam/role:Role": {
      const n = physicalName(name, inputs);
      id = n;
      Object.assign(state, {
        name: n,
        arn: `arn:aws:iam::${account}:role${str(inputs.path) ?? "/"}${n}`,
        uniqueId: `AROA${shortHash(n, 16).toUpperCase()}`,
      });
      break;
    }
    case "aws:iam/policy:Policy": {
      const n = physicalName(name, inputs);
      id = `arn:aws:iam::${account}:policy/${n}`;
      Object.assign(state, { name: n, arn: id, policyId: `ANPA${shortHash(n, 16).toUpperCase()}` });
      break;
    }
    case "aws:iam/instanceProfile:InstanceProfile": {
      const n = physicalName(name, inputs);
      id = n;
      Object.assign(state, { name: n, arn: `arn:aws:iam::${account}:instance-profile/${n}` });
      break;
    }
    case "aws:kms/key:Key": {
      id = `${shortHash(name, 8)}-${shortHash(name + "a", 4)}-4${shortHash(name + "b", 3)}-8${shortHash(name + "c", 3)}-${shortHash(name + "d", 12)}`;
      Object.assign(state, { keyId: id, arn: regional("kms", `key/${id}`) });
      break;
    }
    case "aws:kms/alias:Alias": {
      const n = physicalName(name, inputs);
      id = n;
      Object.assign(state, { name: n, arn: regional("kms", n) });
      break;
    }
    case "aws:cloudwatch/logGroup:LogGroup": {
      const n = physicalName(name, inputs);
      id = n;
      Object.assign(state, { name: n, arn: regional("logs", `log-group:${n}`) });
      break;
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const n = physicalName(name, inputs);
      id = n;
      Object.assign(state, { name: n, arn: regional("cloudwatch", `alarm:${n}`) });
      break;
    }
    case "aws:lambda/function:Function": {
      const n = physicalName(name, inputs);
      id = n;
      const arn = regional("lambda", `function:${n}`);
      Object.assign(state, {
        name: n,
        arn,
        version: inputs.publish ? "1" : "$LATEST",
        qualifiedArn: inputs.publish ? `${arn}:1` : `${arn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      });
      break;
    }
    case "aws:lambda/alias:Alias": {
      const fn = str(inputs.functionName) ?? "function";
      const fnArn = fn.startsWith("arn:") ? fn : regional("lambda", `function:${fn}`);
      const n = physicalName(name, inputs);
      id = `${fnArn}:${n}`;
      Object.assign(state, { name: n, arn: id, invokeArn: `${id}/invocations` });
      break;
    }
    case "aws:lambda/functionUrl:FunctionUrl": {
      const host = shortHash(name, 32);
      Object.assign(state, {
        functionUrl: `https://${host}.lambda-url.${region}.on.aws/`,
        urlId: host,
        functionArn: regional("lambda", `function:${str(inputs.functionName) ?? "function"}`),
      });
      break;
    }
    case "aws:ec2/instance:Instance":
      id = `i-0${shortHash(name, 16)}`;
      Object.assign(state, {
        arn: regional("ec2", `instance/${id}`),
        privateIp: "10.0.0.10",
        publicIp: inputs.associatePublicIpAddress ? "198.51.100.10" : "",
      });
      break;
    case "aws:ec2/securityGroup:SecurityGroup":
      id = `sg-0${shortHash(name, 16)}`;
      Object.assign(state, {
        arn: regional("ec2", `security-group/${id}`),
        name: physicalName(name, inputs),
      });
      break;
    case "pulumi:pulumi:StackReference": {
      // What the engine answers for a stack reference: the referenced stack's outputs.
      const full = String(inputs.name);
      const known =
        ctx.stackOutputs?.[full] ??
        ctx.stackOutputs?.[full.split("/").pop()!] ??
        ctx.referenceOutputs?.(full);
      if (known === undefined) ctx.unresolvedReferences?.add(full);
      const outputs = known ?? {};
      id = full;
      Object.assign(state, { name: full, outputs, secretOutputNames: [] });
      break;
    }
    case TYPES.jobName: {
      // A first attempt: no job has the base name yet.
      id = String(inputs.base);
      Object.assign(state, { name: id, attempt: 1, previousFailure: "" });
      break;
    }
    case TYPES.trainingJob: {
      id = String(inputs.trainingJobName);
      const output = String((inputs.outputDataConfig as Inputs | undefined)?.s3OutputPath ?? "");
      Object.assign(state, jobReport("training", id, output, ctx.jobStatus ?? "InProgress"));
      break;
    }
    case TYPES.tuningJob: {
      id = String(inputs.name);
      const def = inputs.trainingJobDefinition as Inputs | undefined;
      const output = String((def?.outputDataConfig as Inputs | undefined)?.s3OutputPath ?? "");
      Object.assign(state, jobReport("tuning", id, output, ctx.jobStatus ?? "InProgress"));
      break;
    }
    case TYPES.endpointCheck:
      // A passed check: the endpoint serves the declared configuration.
      id = String(inputs.endpointName);
      state.endpointStatus = "InService";
      break;
    default: {
      const sagemaker = /^aws:sagemaker\/(\w+):(\w+)$/.exec(type);
      if (sagemaker) {
        // SageMaker ARNs use lower-case, hyphenated resource kinds and lower-case names.
        const kind = sagemaker[2].replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
        const n = str(inputs.trainingJobName) ?? physicalName(name, inputs);
        id = n;
        Object.assign(state, {
          name: n,
          arn: regional("sagemaker", `${kind}/${n.toLowerCase()}`),
        });
        if (kind === "notebook-instance") state.url = `${n}.notebook.${region}.sagemaker.aws`;
        break;
      }
      if (!type.startsWith("pulumi:")) {
        const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
        const n = physicalName(name, inputs);
        Object.assign(state, { arn: state.arn ?? regional(service, `${name}/${n}`) });
      }
    }
  }
  return { id, state };
}

/** Answers to the data sources (invokes) the program reads at deploy time. */
export function invokeResult(
  token: string,
  inputs: Inputs,
  ctx: CloudContext,
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ctx.account,
        arn: `arn:aws:iam::${ctx.account}:user/offline`,
        userId: "AIDAOFFLINE",
        id: ctx.account,
      };
    case "aws:index/getRegion:getRegion":
      return {
        name: ctx.region,
        region: ctx.region,
        id: ctx.region,
        endpoint: `ec2.${ctx.region}.amazonaws.com`,
      };
    case "aws:index/getPartition:getPartition":
      return {
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        id: "aws",
        reverseDnsPrefix: "com.amazonaws",
      };
    case "aws:ssm/getParameter:getParameter":
      return {
        name: inputs.name,
        value: MOCK_AMI,
        insecureValue: MOCK_AMI,
        type: "String",
        id: inputs.name,
      };
    case "aws:ec2/getAmi:getAmi":
      return { id: MOCK_AMI, imageId: MOCK_AMI, architecture: "x86_64" };
    default:
      return { ...inputs };
  }
}

/** Mocks in the form `pulumi.runtime.setMocks` takes, answering from `resourceState` and `invokeResult`. */
export function cloudMocks(ctx: CloudContext): pulumi.runtime.Mocks {
  return {
    newResource: (args) => resourceState(args.type, args.name, args.inputs ?? {}, ctx),
    call: (args) => invokeResult(args.token, args.inputs ?? {}, ctx),
  };
}
