// `npm run preflight -- --stack <name>`: what the stack needs of the account's service quotas
// (SageMaker instances per type and use, Lambda concurrency), read from its config, against the
// quotas applied to the account (Service Quotas' ListServiceQuotas, or the AWS default where none
// is applied), and what to request, with the quota codes. New accounts often have 0 for a
// SageMaker instance type and use, so a first `pulumi up` would fail halfway without it.
//
// Quota names, not codes, are what the program knows: SageMaker names its instance quotas
// "<instance type> for <use>" (as ResourceLimitExceeded errors quote them and
// https://docs.aws.amazon.com/general/latest/gr/sagemaker.html lists them); the codes are read
// from ListServiceQuotas, never guessed.
import {
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { type StackConfig, parseConfig } from "../infra/config";
import { runCommand } from "./command";
import { loadStackConfig } from "./stack-config";
import { findProjectRoot } from "./stack-run";

/** One quota the stack needs, and how much of it, with why. */
export interface QuotaNeed {
  serviceCode: "sagemaker" | "lambda";
  quotaName: string;
  needed: number;
  why: string;
}

/** Lambda keeps this much of the account's concurrency unreserved (PutFunctionConcurrency). */
const LAMBDA_UNRESERVED_MIN = 100;

/** What the stack's config needs, quota by quota (instance counts at their peak). */
export function quotaNeeds(c: StackConfig): QuotaNeed[] {
  const needs: QuotaNeed[] = [];
  const add = (quotaName: string, needed: number, why: string, serviceCode = "sagemaker") => {
    const same = needs.find((n) => n.quotaName === quotaName);
    if (same) {
      same.needed += needed;
      same.why += `; plus ${why}`;
    } else
      needs.push({ serviceCode: serviceCode as QuotaNeed["serviceCode"], quotaName, needed, why });
  };
  const hasModel =
    c.trainingMode !== "none" || c.modelArtifactUri !== "" || c.modelPromoteSource !== "";
  if (hasModel && !c.endpointServerless) {
    const create = c.endpointInstanceCount;
    const peak = c.endpointAutoscaling ? c.endpointMaxInstances : create;
    // Blue/green runs a second fleet beside the first until the old one is terminated: the
    // new fleet at endpointInstanceCount while the old one may be scaled out to its maximum.
    // https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green.html
    const blueGreen = c.endpointBlueGreen;
    const needed = blueGreen ? 2 * peak : peak;
    const parts = [`${create} to create`];
    if (blueGreen) parts.push(`${2 * create} during a blue/green update`);
    if (peak !== create) parts.push(`${peak} at full autoscale`);
    if (blueGreen && peak !== create) parts.push(`${2 * peak} for an update at full autoscale`);
    add(`${c.endpointInstanceType} for endpoint usage`, needed, `endpoint: ${parts.join(", ")}`);
  }
  if (c.trainingMode !== "none") {
    const parallel = c.trainingMode === "tune" ? c.tuningMaxParallelJobs : 1;
    const needed = c.trainingInstanceCount * parallel;
    const use = c.trainingUseSpot ? "spot training job usage" : "training job usage";
    add(
      `${c.trainingInstanceType} for ${use}`,
      needed,
      c.trainingMode === "tune"
        ? `tuning: ${parallel} parallel jobs × ${c.trainingInstanceCount} instance(s)`
        : `training: ${c.trainingInstanceCount} instance(s)`,
    );
  }
  if (c.notebookEnabled) {
    add(`${c.notebookInstanceType} for notebook instance usage`, 1, "the notebook instance");
  }
  if (c.lambdaReservedConcurrency > 0) {
    add(
      "Concurrent executions",
      c.lambdaReservedConcurrency + LAMBDA_UNRESERVED_MIN,
      `Lambda: ${c.lambdaReservedConcurrency} reserved + ${LAMBDA_UNRESERVED_MIN} Lambda keeps unreserved`,
      "lambda",
    );
  }
  return needs;
}

/** A quota as the account has it. */
export interface AppliedQuota {
  quotaCode: string;
  value: number;
  /** "applied" from ListServiceQuotas, "default" from ListAWSDefaultServiceQuotas. */
  source: "applied" | "default";
}

/** Every quota of a service by name: the applied value where one is, else AWS's default. */
export async function readQuotas(
  client: ServiceQuotasClient,
  serviceCode: string,
): Promise<Map<string, AppliedQuota>> {
  const byName = new Map<string, AppliedQuota>();
  const list = async (applied: boolean) => {
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        applied
          ? new ListServiceQuotasCommand({ ServiceCode: serviceCode, NextToken })
          : new ListAWSDefaultServiceQuotasCommand({ ServiceCode: serviceCode, NextToken }),
      );
      for (const q of page.Quotas ?? []) {
        if (!q.QuotaName || !q.QuotaCode || q.Value === undefined) continue;
        if (!applied && byName.has(q.QuotaName)) continue;
        byName.set(q.QuotaName, {
          quotaCode: q.QuotaCode,
          value: q.Value,
          source: applied ? "applied" : "default",
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  };
  await list(true);
  await list(false);
  return byName;
}

export interface QuotaCheck extends QuotaNeed {
  quota?: AppliedQuota;
  /** True when the account has at least what is needed. */
  ok: boolean;
}

/** The needs of `config` against the account's quotas in its region. */
export async function checkQuotas(
  config: StackConfig,
  client: ServiceQuotasClient,
): Promise<QuotaCheck[]> {
  const needs = quotaNeeds(config);
  const services = [...new Set(needs.map((n) => n.serviceCode))];
  const quotas = new Map<string, Map<string, AppliedQuota>>();
  for (const s of services) quotas.set(s, await readQuotas(client, s));
  return needs.map((n) => {
    const quota = quotas.get(n.serviceCode)?.get(n.quotaName);
    return { ...n, quota, ok: quota !== undefined && quota.value >= n.needed };
  });
}

/** The report's lines and its exit code: 0 when everything fits, 1 when something is to request. */
export function renderChecks(
  stack: string,
  region: string,
  checks: QuotaCheck[],
): { lines: string[]; code: number } {
  const lines = [`Service quotas for stack ${stack} in ${region}`];
  if (checks.length === 0) lines.push("  the stack needs no instance or concurrency quota");
  for (const c of checks) {
    const have = c.quota ? `${c.quota.value} (${c.quota.source}, ${c.quota.quotaCode})` : "unknown";
    lines.push(
      `  ${c.ok ? "ok     " : "REQUEST"}  ${c.serviceCode} "${c.quotaName}": has ${have}, needs ${c.needed} (${c.why})`,
    );
  }
  const missing = checks.filter((c) => !c.ok);
  if (missing.length > 0) {
    lines.push("", "Request these increases before `pulumi up` (Service Quotas, this region):");
    for (const c of missing) {
      lines.push(
        c.quota
          ? `  aws service-quotas request-service-quota-increase --region ${region} --service-code ${c.serviceCode} --quota-code ${c.quota.quotaCode} --desired-value ${c.needed}`
          : `  ${c.serviceCode} "${c.quotaName}": not offered in ${region} (no quota of that name); choose another instance type`,
      );
    }
  }
  return { lines, code: missing.length > 0 ? 1 : 0 };
}

/** Runs the command; exit code 0 all fits, 1 something to request, 2 bad arguments or errors. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  return runCommand("preflight", err, async () => {
    const i = argv.indexOf("--stack");
    const stack = i >= 0 ? argv[i + 1] : undefined;
    if (!stack || argv.length !== 2) throw new Error("usage: npm run preflight -- --stack <name>");
    const root = findProjectRoot(process.cwd());
    const config = parseConfig(loadStackConfig(root, stack).config, stack);
    const client = new ServiceQuotasClient({ region: config.region });
    const { lines, code } = renderChecks(stack, config.region, await checkQuotas(config, client));
    lines.forEach((l) => out(l));
    return code;
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
