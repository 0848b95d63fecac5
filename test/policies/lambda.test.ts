import * as assert from "assert";
import {
  functionUrlAuth,
  logRetention,
  provisionedWithinReserved,
  reservedConcurrency,
  supportedRuntime,
} from "../../policies/lambda";
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
    for (const p of [reservedConcurrency, supportedRuntime])
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

  it("lambda-function-require-supported-runtime reports a deprecated runtime", async () => {
    assert.deepStrictEqual(
      await check(
        supportedRuntime,
        edit(fn, (p) => (p.runtime = "nodejs20.x")),
      ),
      [
        'Function "classifier-function" uses runtime "nodejs20.x", which AWS has deprecated and no longer patches. Set ' +
          'runtime to a supported one (for example "nodejs22.x" or "python3.13").',
      ],
    );
    assert.deepStrictEqual(
      await check(
        supportedRuntime,
        edit(fn, (p) => (p.runtime = "python3.9")),
        { deprecatedRuntimes: [] },
      ),
      [],
    );
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
