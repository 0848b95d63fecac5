import * as assert from "assert";
import {
  functionUrlAuth,
  logRetention,
  provisionedWithinReserved,
  reservedConcurrency,
  supportedRuntime,
  datedRuntime,
} from "../../policies/lambda";
import { LAMBDA_RUNTIMES } from "../../shared/aws-limits";
import {
  LAMBDA_RUNTIME_DEPRECATION,
  UNDATED_RUNTIMES,
  deprecationDay,
  utcDay,
} from "../../shared/lambda-runtimes";
import * as lambdaEnums from "@pulumi/aws/types/enums/lambda";
import { check, checkStack, clone, Fixture, UNKNOWN, Editable } from "./harness";

const FN = "dog-breed-classifier-prod-classify";

const fn: Fixture = {
  type: "aws:lambda/function:Function",
  name: "classifier-function",
  stack: "production",
  props: {
    name: FN,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${FN}`,
    runtime: "nodejs22.x",
    reservedConcurrentExecutions: 50,
    loggingConfig: { logFormat: "JSON", logGroup: `/aws/lambda/${FN}` },
  },
};
const logs: Fixture = {
  type: "aws:cloudwatch/logGroup:LogGroup",
  name: "classifier-logs",
  stack: "production",
  props: { name: `/aws/lambda/${FN}`, retentionInDays: 90 },
};
const provisioned: Fixture = {
  type: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
  name: "classifier-warm",
  stack: "production",
  props: { functionName: FN, qualifier: "live", provisionedConcurrentExecutions: 2 },
};
const url: Fixture = {
  type: "aws:lambda/functionUrl:FunctionUrl",
  name: "classifier-url",
  stack: "production",
  props: { functionName: FN, qualifier: "live", authorizationType: "AWS_IAM" },
};

function edit(f: Fixture, fn: (p: Editable) => void): Fixture {
  const c = clone(f);
  fn(c.props);
  return c;
}

describe("lambda policies", () => {
  it("accept the prod function, URL, alias warm-up and log group", async () => {
    for (const p of [reservedConcurrency, supportedRuntime, datedRuntime])
      assert.deepStrictEqual(await check(p, fn), [], p.name);
    assert.deepStrictEqual(await check(functionUrlAuth, url), []);
    assert.deepStrictEqual(await checkStack(provisionedWithinReserved, [fn, provisioned]), []);
    assert.deepStrictEqual(await checkStack(logRetention, [fn, logs]), []);
  });

  it("lambda-function-require-reserved-concurrency reports an unreserved function", async () => {
    assert.deepStrictEqual(
      await check(
        reservedConcurrency,
        edit(fn, (p) => (p.reservedConcurrentExecutions = -1)),
      ),
      [
        'Function "classifier-function" has reservedConcurrentExecutions -1 (unreserved), so a flood of calls can take the ' +
          "account's whole concurrency and cost. Set reservedConcurrentExecutions to the peak the function needs.",
      ],
    );
    assert.match(
      (
        await check(
          reservedConcurrency,
          edit(fn, (p) => delete p.reservedConcurrentExecutions),
        )
      )[0],
      /unset \(unreserved\)/,
    );
    assert.deepStrictEqual(
      await check(
        reservedConcurrency,
        edit(fn, (p) => (p.reservedConcurrentExecutions = UNKNOWN)),
      ),
      [],
    );
  });

  it('lambda-function-url-require-auth reports authorizationType "NONE"', async () => {
    assert.deepStrictEqual(
      await check(
        functionUrlAuth,
        edit(url, (p) => (p.authorizationType = "NONE")),
      ),
      [
        'FunctionUrl "classifier-url" has authorizationType "NONE", so anyone on the internet can invoke the function (and ' +
          'run up the endpoint\'s bill). Set authorizationType: "AWS_IAM" and grant lambda:InvokeFunctionUrl to the callers.',
      ],
    );
  });

  it("lambda-function-require-supported-runtime reports a runtime on and after its deprecation day", async () => {
    const on = (runtime: string, today: string) =>
      check(
        supportedRuntime,
        edit(fn, (p) => (p.runtime = runtime)),
        { today },
      );
    assert.deepStrictEqual(await on("nodejs20.x", "2026-12-07"), [
      'Function "classifier-function" uses runtime "nodejs20.x", which AWS deprecated on 2026-04-30: it gets no ' +
        "security patches, and Lambda then refuses to create and later to update functions on it. Set runtime to " +
        '"nodejs24.x" (supported until 2028-04-30).',
    ]);
    assert.deepStrictEqual(await on("nodejs22.x", "2027-04-29"), []);
    assert.match((await on("nodejs22.x", "2027-04-30"))[0], /AWS deprecated on 2027-04-30/);
    // Of two runtimes AWS supports until the same day, the newer one is offered.
    assert.match(
      (await on("python3.9", "2026-12-07"))[0],
      /Set runtime to "python3\.14" \(supported until 2029-06-30\)/,
    );
    assert.match((await on("dotnetcore3.1", "2026-12-07"))[0], /Set runtime to "dotnet10"/);
    // A language whose every dated runtime is past its day: the page, or the program's own runtime.
    assert.match(
      (await on("go1.x", "2026-12-07"))[0],
      /Set runtime to a provided runtime that https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/lambda-runtimes\.html lists as supported \(or "nodejs24\.x", supported until 2028-04-30\)/,
    );
    assert.deepStrictEqual(await on("nodejs24.x", "2028-04-29"), []);
  });

  it("lambda-function-require-supported-runtime reads the clock when no day is set", async () => {
    // The program's default runtime is supported today; nodejs18.x has been deprecated since 2025.
    assert.deepStrictEqual(await check(supportedRuntime, fn), []);
    assert.match(
      (
        await check(
          supportedRuntime,
          edit(fn, (p) => (p.runtime = "nodejs18.x")),
        )
      )[0],
      /deprecated on 2025-09-01/,
    );
  });

  it("lambda-function-require-supported-runtime skips container images and unknown runtimes", async () => {
    const image = edit(fn, (p) => {
      delete p.runtime;
      p.packageType = "Image";
    });
    assert.deepStrictEqual(await check(supportedRuntime, image), []);
    assert.deepStrictEqual(await check(datedRuntime, image), []);
    const unknown = edit(fn, (p) => (p.runtime = UNKNOWN));
    assert.deepStrictEqual(await check(supportedRuntime, unknown), []);
    assert.deepStrictEqual(await check(datedRuntime, unknown), []);
  });

  it("lambda-function-require-dated-runtime flags a runtime the dated table does not list", async () => {
    for (const runtime of ["provided.al2023", "nodejs99.x"]) {
      assert.deepStrictEqual(
        await check(
          datedRuntime,
          edit(fn, (p) => (p.runtime = runtime)),
        ),
        [
          `Function "classifier-function" uses runtime "${runtime}", which has no deprecation day in ` +
            "LAMBDA_RUNTIME_DEPRECATION (shared/lambda-runtimes.ts), so whether AWS still patches it is not " +
            "judged. Look it up on https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html and add " +
            "its day to the table, or use a listed runtime.",
        ],
      );
      // Not a blocked deploy: the table may be older than the runtime.
      assert.deepStrictEqual(
        await check(
          supportedRuntime,
          edit(fn, (p) => (p.runtime = runtime)),
        ),
        [],
      );
    }
    assert.strictEqual(datedRuntime.enforcementLevel, "advisory");
    assert.deepStrictEqual(await check(datedRuntime, fn), []);
  });

  it("dates every runtime the installed AWS provider accepts, or names it undated", () => {
    const accepted = Object.values(lambdaEnums.Runtime) as string[];
    const missing = accepted.filter(
      (r) => deprecationDay(r) === undefined && !UNDATED_RUNTIMES.includes(r),
    );
    assert.deepStrictEqual(missing, [], "add each runtime's day from AWS's pages");
    for (const r of UNDATED_RUNTIMES) assert.ok(accepted.includes(r), r);
  });

  it("dates every runtime the program deploys the handler on", () => {
    for (const runtime of LAMBDA_RUNTIMES) assert.ok(deprecationDay(runtime), runtime);
    // Each day is a real calendar day in YYYY-MM-DD.
    for (const [runtime, day] of Object.entries(LAMBDA_RUNTIME_DEPRECATION))
      assert.strictEqual(utcDay(new Date(`${day}T00:00:00Z`)), day, runtime);
  });

  it("lambda-provisioned-concurrency-within-reserved reports provisioned above reserved", async () => {
    const low = edit(fn, (p) => (p.reservedConcurrentExecutions = 1));
    assert.deepStrictEqual(await checkStack(provisionedWithinReserved, [low, provisioned]), [
      {
        name: "classifier-warm",
        message:
          'ProvisionedConcurrencyConfig "classifier-warm" provisions 2 concurrent executions but Function ' +
          '"classifier-function" reserves 1; Lambda rejects provisioned concurrency above the reservation. Lower ' +
          "provisionedConcurrentExecutions to at most 1, or raise reservedConcurrentExecutions.",
      },
    ]);
    // Two aliases warmed separately add up.
    const second = edit(provisioned, (p) => (p.qualifier = "canary"));
    second.name = "classifier-warm-canary";
    const two = edit(fn, (p) => (p.reservedConcurrentExecutions = 3));
    assert.strictEqual(
      (await checkStack(provisionedWithinReserved, [two, provisioned, second])).length,
      1,
    );
  });

  it("finds the function by ARN or engine dependency, and leaves unreserved functions to the account pool", async () => {
    const low = edit(fn, (p) => (p.reservedConcurrentExecutions = 1));
    const byArn = edit(
      provisioned,
      (p) => (p.functionName = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`),
    );
    assert.strictEqual((await checkStack(provisionedWithinReserved, [low, byArn])).length, 1);
    const byDep = edit(provisioned, (p) => (p.functionName = UNKNOWN));
    byDep.deps = { functionName: ["classifier-function"] };
    assert.strictEqual((await checkStack(provisionedWithinReserved, [low, byDep])).length, 1);
    const unreserved = edit(fn, (p) => delete p.reservedConcurrentExecutions);
    assert.deepStrictEqual(
      await checkStack(provisionedWithinReserved, [unreserved, provisioned]),
      [],
    );
  });

  it("lambda-function-require-log-retention reports logs kept forever or no log group", async () => {
    const forever = edit(logs, (p) => delete p.retentionInDays);
    assert.deepStrictEqual(await checkStack(logRetention, [fn, forever]), [
      {
        name: "classifier-logs",
        message:
          'LogGroup "classifier-logs" (logs of Function "classifier-function") has retentionInDays unset (never expire). ' +
          "Set retentionInDays (for example 14 in dev, 90 in prod).",
      },
    ]);
    assert.match(
      (await checkStack(logRetention, [fn]))[0].message,
      /has no log group "\/aws\/lambda\/dog-breed-classifier-prod-classify" in the stack/,
    );
    assert.strictEqual(
      (await checkStack(logRetention, [fn, logs], { maxRetentionDays: 30 })).length,
      1,
    );
  });
});
