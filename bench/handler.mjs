// Benchmark of the inference handler bundle (`npm run bench:handler`, which builds it first).
//
// Prints: the bundle's size; its cold load (a fresh Node process requiring the bundle, which
// parses the environment and builds the SageMaker client); and warm latency of three ways to
// call the same local SageMaker Runtime server with the same image bytes:
//   - the bare SDK call (a reused client; the floor),
//   - the handler bundle (base64 decode, validation, invoke, output validation, top-k),
//   - a handler that builds its client on every call (the common pattern it replaces).
// Everything runs on loopback with bounded loops; figures are wall-clock on a shared machine,
// so compare them with each other rather than with a Lambda's.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundle = path.join(root, "dist", "handler", "index.js");
const require = createRequire(import.meta.url);

const COLD_RUNS = 9;
const WARMUP = 50;
const ROUNDS = 8;
const PER_ROUND = 50;
const IMAGE_BYTES = 100 * 1024;
const ENDPOINT = "dogs";

const TARGET_BUNDLE_BYTES = 400 * 1024;
const TARGET_COLD_MS = 80;
const TARGET_WARM_RATIO = 1.2;

const median = (values) => percentile(values, 50);
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
const ms = (value) => `${value.toFixed(2)} ms`;
const verdict = (ok) => (ok ? "meets target" : "MISSES target");

// The same fake service the tests use, in its own process so it does not share this event loop.
async function startFakeService() {
  const child = spawn(
    process.execPath,
    [
      "-r",
      "tsx/cjs",
      "-e",
      `const { FakeSageMaker } = require("./test/handler/fake-sagemaker.ts");
       new FakeSageMaker(${JSON.stringify(ENDPOINT)}).start().then((url) => console.log(url));`,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const [line] = await once(child.stdout, "data");
  return { url: String(line).trim(), stop: () => child.kill() };
}

function jpeg(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + 7) & 0xff;
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

const env = (serviceUrl) => ({
  ENDPOINT_NAME: ENDPOINT,
  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: serviceUrl,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDLOCALTESTING0001",
  AWS_SECRET_ACCESS_KEY: "local-testing-secret-key-not-a-real-one",
  AWS_CONFIG_FILE: "/nonexistent/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  AWS_EC2_METADATA_DISABLED: "true",
  // The per-request INFO line is left out so the figures are not a measure of the terminal.
  POWERTOOLS_LOG_LEVEL: "WARN",
});

function coldLoad(serviceUrl) {
  // Wall time is what a cold start costs; CPU time (all threads) is steadier when other work
  // shares the machine. The first invocation after the load is timed too: it opens the
  // connection, reads the credentials and signs for the first time.
  const probe = `
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(bundle)});
    const loadMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const image = Buffer.alloc(${IMAGE_BYTES}, 7);
    image.set([0xff, 0xd8, 0xff, 0xe0], 0);
    const event = { requestContext: { http: { method: "POST" } }, headers: { "content-type": "image/jpeg" },
      body: image.toString("base64"), isBase64Encoded: true };
    const t1 = performance.now();
    handler(event, { awsRequestId: "cold", getRemainingTimeInMillis: () => 30000 }).then((response) => {
      if (response.statusCode !== 200) throw new Error(response.body);
      const firstCallMs = performance.now() - t1;
      process.stdout.write(JSON.stringify({ loadMs, cpuMs: (cpu.user + cpu.system) / 1000, firstCallMs }));
    });`;
  const samples = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const result = spawnSync(process.execPath, ["--no-warnings", "-e", probe], {
      env: { PATH: process.env.PATH, ...env(serviceUrl) },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`cold load failed: ${result.stderr}`);
    samples.push(JSON.parse(result.stdout));
  }
  return samples;
}

function coldLoadUnbundled() {
  const probe = `
    const t0 = performance.now();
    const { SageMakerRuntimeClient } = require("@aws-sdk/client-sagemaker-runtime");
    new SageMakerRuntimeClient({ region: "us-east-1" });
    process.stdout.write(String(performance.now() - t0));`;
  const samples = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const result = spawnSync(process.execPath, ["--no-warnings", "-e", probe], {
      cwd: root,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`unbundled load failed: ${result.stderr}`);
    samples.push(Number(result.stdout));
  }
  return samples;
}

async function main() {
  const size = statSync(bundle).size;
  const gzipped = gzipSync(readFileSync(bundle)).length;
  console.log(
    `bundle         ${path.relative(root, bundle)}: ${size} bytes (${(size / 1024).toFixed(1)} KiB), gzip ${(gzipped / 1024).toFixed(1)} KiB`,
  );
  console.log(
    `               target <= ${TARGET_BUNDLE_BYTES / 1024} KiB: ${verdict(size <= TARGET_BUNDLE_BYTES)}`,
  );

  const service = await startFakeService();
  try {
    const cold = coldLoad(service.url);
    const load = cold.map((c) => c.loadMs);
    const coldMedian = median(load);
    console.log(
      `cold load      require bundle + build client, median of ${COLD_RUNS} fresh processes: ${ms(coldMedian)} (min ${ms(Math.min(...load))}, max ${ms(Math.max(...load))}), CPU ${ms(median(cold.map((c) => c.cpuMs)))}`,
    );
    console.log(
      `               target <= ${TARGET_COLD_MS} ms: ${verdict(coldMedian <= TARGET_COLD_MS)}`,
    );
    console.log(
      `               first invocation after the load: ${ms(median(cold.map((c) => c.firstCallMs)))}`,
    );
    const unbundled = coldLoadUnbundled();
    console.log(
      `               for comparison, the SDK from node_modules alone: ${ms(median(unbundled))}`,
    );

    Object.assign(process.env, env(service.url));
    const { handler } = require(bundle);
    const {
      SageMakerRuntimeClient,
      InvokeEndpointCommand,
    } = require("@aws-sdk/client-sagemaker-runtime");

    const image = jpeg(IMAGE_BYTES);
    const event = {
      version: "2.0",
      headers: { "content-type": "image/jpeg" },
      requestContext: { http: { method: "POST", path: "/" } },
      body: image.toString("base64"),
      isBase64Encoded: true,
    };
    const context = {
      awsRequestId: "bench",
      functionName: "bench",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench",
      memoryLimitInMB: "1024",
      getRemainingTimeInMillis: () => 30_000,
    };

    const bareClient = new SageMakerRuntimeClient({});
    const variants = {
      "bare SDK": async () => {
        const out = await bareClient.send(
          new InvokeEndpointCommand({
            EndpointName: ENDPOINT,
            ContentType: "image/jpeg",
            Body: image,
          }),
        );
        if (!out.Body) throw new Error("no body");
      },
      handler: async () => {
        const response = await handler(event, context);
        if (response.statusCode !== 200)
          throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
      },
      "client per call": async () => {
        const client = new SageMakerRuntimeClient({});
        try {
          const bytes = Buffer.from(event.body, "base64");
          const out = await client.send(
            new InvokeEndpointCommand({
              EndpointName: ENDPOINT,
              ContentType: "image/jpeg",
              Body: bytes,
            }),
          );
          JSON.parse(Buffer.from(out.Body).toString("utf8"));
        } finally {
          client.destroy();
        }
      },
    };

    for (const run of Object.values(variants)) for (let i = 0; i < WARMUP; i++) await run();
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    // Interleave the variants in rounds so drift on a shared machine hits them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(variants)) {
        for (let i = 0; i < PER_ROUND; i++) {
          const t0 = performance.now();
          await run();
          samples[name].push(performance.now() - t0);
        }
      }
    }
    bareClient.destroy();

    console.log(
      `warm latency   ${ROUNDS * PER_ROUND} calls each, ${IMAGE_BYTES / 1024} KiB JPEG, loopback`,
    );
    for (const [name, values] of Object.entries(samples)) {
      console.log(
        `  ${name.padEnd(16)} p50 ${ms(percentile(values, 50)).padStart(9)}   p99 ${ms(percentile(values, 99)).padStart(9)}`,
      );
    }
    const ratio = percentile(samples.handler, 50) / percentile(samples["bare SDK"], 50);
    console.log(
      `               handler p50 / bare SDK p50 = ${ratio.toFixed(2)}x; target <= ${TARGET_WARM_RATIO}x: ${verdict(ratio <= TARGET_WARM_RATIO)}`,
    );
    const perCall = percentile(samples["client per call"], 50) / percentile(samples.handler, 50);
    console.log(`               client per call p50 / handler p50 = ${perCall.toFixed(2)}x`);
  } finally {
    service.stop();
  }
}

await main();
