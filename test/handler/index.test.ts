// The deployed entry point: module-scope settings, logger and client wired from the environment.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import type { Context } from "aws-lambda";
import { FakeSageMaker } from "./fake-sagemaker";
import { imageEvent, jpegBytes, useFakeServiceEnvironment } from "./helpers";

const root = path.resolve(__dirname, "../..");

function context(requestId: string): Context {
  return {
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => 10_000,
    functionName: "classify",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:classify",
    memoryLimitInMB: "512",
    logGroupName: "/aws/lambda/classify",
    logStreamName: "stream",
    callbackWaitsForEmptyEventLoop: false,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe("handler entry point", () => {
  const fake = new FakeSageMaker("dog-breeds-test");
  const saved = { ...process.env };

  before(async () => {
    useFakeServiceEnvironment(await fake.start());
    process.env.ENDPOINT_NAME = "dog-breeds-test";
    process.env.TOP_K = "3";
    process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  });
  after(async () => {
    await fake.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it("reads ENDPOINT_NAME and TOP_K and reaches the endpoint named by AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require("../../handler/index") as typeof import("../../handler/index");
    const first = await handler(imageEvent(jpegBytes(800, 1)), context("a"));
    const second = await handler(imageEvent(jpegBytes(800, 2)), context("b"));
    assert.deepEqual([first.statusCode, second.statusCode], [200, 200]);
    assert.equal((JSON.parse(first.body) as { predictions: unknown[] }).predictions.length, 3);
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ["/endpoints/dog-breeds-test/invocations", "/endpoints/dog-breeds-test/invocations"],
    );
    assert.deepEqual(fake.violations, []);
  });

  it("fails the cold start with every bad variable named when the environment is wrong", () => {
    const env = { ...saved, ENDPOINT_NAME: "", TOP_K: "many", POWERTOOLS_LOG_LEVEL: "SILENT" };
    const result = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", "-e", 'require("./handler/index.ts")'],
      {
        cwd: root,
        env,
        encoding: "utf8",
      },
    );
    assert.notEqual(result.status, 0);
    assert.match(
      result.stderr,
      /invalid handler environment: ENDPOINT_NAME \(unset\) is required; TOP_K \("many"\) must be a whole number/,
    );
  });
});
