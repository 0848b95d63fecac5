// Classifies local images offline through a trained model.tar.gz and the bundled Lambda handler
// (npm run classify -- <image>...). The artifact is served on loopback the way SageMaker's
// PyTorch serving container serves it (training/tests/serving_fixture.py), and the handler in
// dist/handler/index.js reaches it through the real AWS SDK, as it reaches the endpoint in AWS.
//
//   npm run classify -- dog.jpg [more.png ...] [--artifact model.tar.gz] [--top-k N] [--json]
//
// Without --artifact, a small model is trained first on generated images (a few seconds on CPU;
// its three "breeds" are colours). --endpoint-url uses a server that already runs instead.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const ENDPOINT = "local-classifier";
const START_TIMEOUT_MS = 120_000;
const TRAIN_TIMEOUT_MS = 300_000;

function usage(message) {
  if (message) process.stderr.write(`classify: ${message}\n`);
  process.stderr.write(
    "usage: npm run classify -- <image.jpg|image.png>... [--artifact model.tar.gz] [--top-k N] [--json] [--endpoint-url URL]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { images: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--artifact") options.artifact = path.resolve(value());
    else if (arg === "--top-k") options.topK = value();
    else if (arg === "--endpoint-url") options.endpointUrl = value();
    else if (arg === "--json") options.json = true;
    else if (arg === "--help" || arg === "-h") usage();
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else options.images.push(path.resolve(arg));
  }
  if (options.images.length === 0) usage("name at least one image");
  return options;
}

/** Runs a Python child to its end within `timeoutMs`; resolves with its standard output. */
function runPython(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, {
      env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args[0]} exited with ${code}\n${err.slice(-2000)}`));
    });
  });
}

/** Starts the serving fixture; resolves once it listens, with its URL and its request log. */
function serve(artifact) {
  const child = spawn(
    PYTHON,
    [
      path.join(root, "training", "tests", "serving_fixture.py"),
      "--artifact",
      artifact,
      "--endpoint",
      ENDPOINT,
    ],
    {
      env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const requests = [];
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the serving fixture did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the serving fixture exited with ${code}\n${err.slice(-2000)}`));
    });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("listening ")) {
        clearTimeout(timer);
        resolve({ url: line.slice("listening ".length), requests, stop: () => child.kill() });
      } else if (line.startsWith("{")) {
        requests.push(JSON.parse(line));
      }
    });
  });
}

/** JPEG or PNG, from the first bytes; anything else goes as JPEG and the handler refuses it. */
function contentType(bytes) {
  return bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    ? "image/png"
    : "image/jpeg";
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let work;
  let server;
  try {
    let endpointUrl = options.endpointUrl;
    if (!endpointUrl) {
      let artifact = options.artifact;
      if (!artifact) {
        work = mkdtempSync(path.join(tmpdir(), "classify-"));
        if (!options.json)
          process.stderr.write("training a small demo model on generated images...\n");
        const made = JSON.parse(
          await runPython(
            [path.join(root, "training", "tests", "make_artifact.py"), work],
            TRAIN_TIMEOUT_MS,
          ),
        );
        artifact = made.artifact;
      }
      server = await serve(artifact);
      endpointUrl = server.url;
    }
    // The handler reads its settings at load time, like a Lambda cold start: set them first.
    Object.assign(process.env, {
      ENDPOINT_NAME: ENDPOINT,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpointUrl,
      AWS_REGION: "us-east-1",
      // Offline: the local server checks that requests are signed, not by whom.
      AWS_ACCESS_KEY_ID: "AKIDLOCALCLASSIFY000",
      AWS_SECRET_ACCESS_KEY: "local-classify-secret-not-a-real-one",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
      ...(options.topK ? { TOP_K: options.topK } : {}),
    });
    const { handler } = createRequire(import.meta.url)(
      path.join(root, "dist", "handler", "index.js"),
    );
    const results = [];
    for (const image of options.images) {
      const bytes = readFileSync(image);
      const type = contentType(bytes);
      const event = {
        version: "2.0",
        rawPath: "/",
        requestContext: { http: { method: "POST", path: "/" } },
        headers: { "content-type": type },
        body: bytes.toString("base64"),
        isBase64Encoded: true,
      };
      const context = {
        awsRequestId: `classify-${results.length + 1}`,
        getRemainingTimeInMillis: () => 30_000,
      };
      const response = await handler(event, context);
      results.push({
        image,
        contentType: type,
        statusCode: response.statusCode,
        body: JSON.parse(response.body),
      });
    }
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ endpointUrl, results, requests: server?.requests ?? [] })}\n`,
      );
    } else {
      for (const r of results) {
        process.stdout.write(`${r.image} (${r.contentType}): ${r.statusCode}\n`);
        for (const p of r.body.predictions ?? []) {
          process.stdout.write(`  ${p.probability.toFixed(4)}  ${p.label}\n`);
        }
        if (r.body.error) process.stdout.write(`  ${r.body.error.code}: ${r.body.error.message}\n`);
      }
    }
    return results.every((r) => r.statusCode === 200) ? 0 : 1;
  } finally {
    server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`classify: ${error.message}\n`);
    process.exit(1);
  },
);
