// The artifact Pulumi deploys: dist/handler/index.js, built by scripts/build.mjs, loaded by a
// plain Node process as Lambda loads `index.handler`, with credentials from the environment.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, statSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { defaultProvider } from "../../handler/lambda-credentials";
import { FakeSageMaker, TEST_CREDENTIALS } from "./fake-sagemaker";
import { jpegBytes } from "./helpers";

const root = path.resolve(__dirname, "../..");
const bundle = path.join(root, "dist", "handler", "index.js");

describe("handler bundle", () => {
  const fake = new FakeSageMaker("dogs");
  let serviceUrl = "";

  before(async function () {
    this.timeout(60_000);
    serviceUrl = await fake.start();
    const build = spawnSync(process.execPath, ["scripts/build.mjs"], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stderr);
  });
  after(() => fake.stop());

  it("is one minified CommonJS file with a source map and without the SDK's unused credential providers", () => {
    const code = readFileSync(bundle, "utf8");
    assert.ok(statSync(`${bundle}.map`).size > 0);
    assert.match(code, /^"use strict";/);
    assert.ok(code.split("\n").length < 200, "the bundle is not minified");
    for (const unused of ["fromSSO", "fromIni", "fromTokenFile", "fromInstanceMetadata"]) {
      assert.ok(!code.includes(unused), `the bundle still carries ${unused}`);
    }
  });

  it("answers like the source when Lambda loads index.handler with environment credentials", async () => {
    const script = `
      const { handler } = require(${JSON.stringify(bundle)});
      const ctx = { awsRequestId: "b", getRemainingTimeInMillis: () => 10000 };
      const image = Buffer.from(process.env.IMAGE_B64, "base64");
      (async () => {
        const ok = await handler({ requestContext: { http: { method: "POST" } }, headers: { "content-type": "image/jpeg" },
          body: image.toString("base64"), isBase64Encoded: true }, ctx);
        const refused = await handler({ url: "https://169.254.169.254/latest/meta-data/" }, ctx);
        process.stdout.write(JSON.stringify([ok, refused]));
      })();`;
    // Asynchronously: the fake service answers from this process's event loop.
    const result = await promisify(execFile)(process.execPath, ["--no-warnings", "-e", script], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        ENDPOINT_NAME: "dogs",
        TOP_K: "2",
        AWS_REGION: TEST_CREDENTIALS.region,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: serviceUrl,
        POWERTOOLS_LOG_LEVEL: "SILENT",
        IMAGE_B64: jpegBytes(1500).toString("base64"),
      },
    });
    const [ok, refused] = JSON.parse(result.stdout) as { statusCode: number; body: string }[];
    assert.equal(ok.statusCode, 200);
    assert.equal((JSON.parse(ok.body) as { predictions: unknown[] }).predictions.length, 2);
    assert.equal(refused.statusCode, 400);
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(fake.violations, []);
  });
});

describe("handler Lambda credential chain", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  const clear = () => {
    for (const key of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]) {
      delete process.env[key];
    }
  };

  it("uses the execution role's keys from the environment", async () => {
    clear();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
    });
    const credentials = await defaultProvider()();
    assert.deepEqual(
      [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken],
      ["AKIDENV", "secret", "token"],
    );
  });

  it("falls back to the container credentials endpoint when no keys are set", async () => {
    clear();
    const server = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          AccessKeyId: "AKIDCONTAINER",
          SecretAccessKey: "s",
          Token: "t",
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
      assert.equal((await defaultProvider()()).accessKeyId, "AKIDCONTAINER");
    } finally {
      server.close();
    }
  });

  it("fails with a CredentialsProviderError when there are no credentials at all", async () => {
    clear();
    await assert.rejects(defaultProvider()(), { name: "CredentialsProviderError" });
  });
});
