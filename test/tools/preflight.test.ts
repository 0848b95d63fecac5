// `npm run preflight`: what each stack needs of the account's quotas, read through the real
// Service Quotas client from a local server that speaks its JSON protocol (AWS JSON 1.1,
// X-Amz-Target: ServiceQuotasV20190624.<Operation>), with paging and default values.
import * as assert from "assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "../../infra/config";
import { main, quotaNeeds } from "../../tools/preflight";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot } from "../../tools/stack-run";
import { withEnvironment } from "../infra/fake-sagemaker-json";

const ROOT = findProjectRoot(__dirname);
const config = (stack: string, overrides: Record<string, unknown> = {}) =>
  parseConfig(loadStackConfig(ROOT, stack, overrides).config, stack);

type Quota = { QuotaName: string; QuotaCode: string; Value: number };
// Codes as the fake account answers them; the tool reads them, it never knows them.
const APPLIED: Record<string, Quota[]> = {
  sagemaker: [
    { QuotaName: "ml.m5.xlarge for endpoint usage", QuotaCode: "L-FAKE0001", Value: 4 },
    { QuotaName: "ml.t3.medium for notebook instance usage", QuotaCode: "L-FAKE0002", Value: 1 },
  ],
  lambda: [{ QuotaName: "Concurrent executions", QuotaCode: "L-B99A9384", Value: 10 }],
};
const DEFAULTS: Record<string, Quota[]> = {
  sagemaker: [
    { QuotaName: "ml.m5.xlarge for endpoint usage", QuotaCode: "L-FAKE0001", Value: 0 },
    { QuotaName: "ml.m5.xlarge for spot training job usage", QuotaCode: "L-FAKE0003", Value: 0 },
    { QuotaName: "ml.t3.medium for notebook instance usage", QuotaCode: "L-FAKE0002", Value: 0 },
  ],
  lambda: [{ QuotaName: "Concurrent executions", QuotaCode: "L-B99A9384", Value: 1000 }],
};

describe("preflight", () => {
  const calls: { target: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      const target = String(req.headers["x-amz-target"]);
      calls.push({ target, body });
      const table = target.endsWith(".ListServiceQuotas") ? APPLIED : DEFAULTS;
      const all = table[String(body.ServiceCode)] ?? [];
      // Pages of one quota, to make the client follow NextToken.
      const at = Number(body.NextToken ?? 0);
      const page = {
        Quotas: all.slice(at, at + 1),
        ...(at + 1 < all.length ? { NextToken: String(at + 1) } : {}),
      };
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(page));
    });
  });
  let restore = () => {};
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    restore = withEnvironment({
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLETESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  });
  after(async () => {
    restore();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("counts prod's endpoint at creation, during blue/green and at full autoscale, and its Lambda reservation", () => {
    const needs = quotaNeeds(
      config("prod", {
        modelPromoteEtag: "9b2cf535f27731c974343645a3985328",
        modelPromoteObject: "s3://dev-bucket/m/model.tar.gz",
      }),
    );
    assert.deepStrictEqual(needs, [
      {
        serviceCode: "sagemaker",
        quotaName: "ml.m5.xlarge for endpoint usage",
        needed: 6,
        why: "endpoint: 2 to create, 4 during a blue/green update, 3 at full autoscale, 6 for an update at full autoscale",
      },
      {
        serviceCode: "lambda",
        quotaName: "Concurrent executions",
        needed: 150,
        why: "Lambda: 50 reserved + 100 Lambda keeps unreserved",
      },
    ]);
    // Without blue/green and autoscaling the endpoint needs its count alone.
    const plain = quotaNeeds(
      config("prod", {
        endpointBlueGreen: false,
        endpointAutoscaling: false,
        lambdaReservedConcurrency: -1,
        lambdaProvisionedConcurrency: 0,
      }),
    );
    assert.deepStrictEqual(
      plain.map((n) => [n.quotaName, n.needed]),
      [["ml.m5.xlarge for endpoint usage", 2]],
    );
  });

  it("counts dev's spot tuning jobs in parallel and its notebook; a serverless endpoint needs no instances", () => {
    const needs = quotaNeeds(config("dev", { trainingMode: "tune" }));
    assert.deepStrictEqual(
      needs.map((n) => [n.serviceCode, n.quotaName, n.needed]),
      [
        ["sagemaker", "ml.m5.xlarge for spot training job usage", 2],
        ["sagemaker", "ml.t3.medium for notebook instance usage", 1],
      ],
    );
  });

  it("reads the account's quotas and prints what to request, with the codes it read", async () => {
    calls.length = 0;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ["--stack", "prod"],
      (l) => out.push(l),
      (l) => err.push(l),
    );
    assert.deepStrictEqual(err, []);
    assert.strictEqual(code, 1);
    // The stack file has no pin yet; prod's endpoint is what the pin brings, so it is counted
    // from the promotion source alone.
    assert.deepStrictEqual(out, [
      "Service quotas for stack prod in us-east-1",
      '  REQUEST  sagemaker "ml.m5.xlarge for endpoint usage": has 4 (applied, L-FAKE0001), needs 6 (endpoint: 2 to create, 4 during a blue/green update, 3 at full autoscale, 6 for an update at full autoscale)',
      '  REQUEST  lambda "Concurrent executions": has 10 (applied, L-B99A9384), needs 150 (Lambda: 50 reserved + 100 Lambda keeps unreserved)',
      "",
      "Request these increases before `pulumi up` (Service Quotas, this region):",
      "  aws service-quotas request-service-quota-increase --region us-east-1 --service-code sagemaker --quota-code L-FAKE0001 --desired-value 6",
      "  aws service-quotas request-service-quota-increase --region us-east-1 --service-code lambda --quota-code L-B99A9384 --desired-value 150",
    ]);
    // Every page of both lists, signed for Service Quotas in the stack's region.
    assert.deepStrictEqual(
      calls.map((c) => [c.target.split(".")[1], c.body.ServiceCode, c.body.NextToken ?? null]),
      [
        ["ListServiceQuotas", "sagemaker", null],
        ["ListServiceQuotas", "sagemaker", "1"],
        ["ListAWSDefaultServiceQuotas", "sagemaker", null],
        ["ListAWSDefaultServiceQuotas", "sagemaker", "1"],
        ["ListAWSDefaultServiceQuotas", "sagemaker", "2"],
        ["ListServiceQuotas", "lambda", null],
        ["ListAWSDefaultServiceQuotas", "lambda", null],
      ],
    );
  });

  it("falls back to AWS's default where nothing is applied, and passes when everything fits", async () => {
    const out: string[] = [];
    const dev = await main(["--stack", "dev"], (l) => out.push(l));
    assert.strictEqual(dev, 0);
    assert.deepStrictEqual(out, [
      "Service quotas for stack dev in us-east-1",
      '  ok       sagemaker "ml.t3.medium for notebook instance usage": has 1 (applied, L-FAKE0002), needs 1 (the notebook instance)',
    ]);
    const bad = await main(
      ["--stack"],
      () => undefined,
      (l) => out.push(l),
    );
    assert.strictEqual(bad, 2);
    assert.strictEqual(out.pop(), "preflight: usage: npm run preflight -- --stack <name>");
  });
});
