// The whole inference path with a model the training code really trained: model.tar.gz packed as
// a training job's output holds it, served on loopback as SageMaker's PyTorch serving container
// serves it (training/tests/serving_fixture.py), and asked by the bundled Lambda handler
// (dist/handler/index.js, built by `npm run build`) through the real AWS SDK, via
// `npm run classify`'s script.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { promisify } from "node:util";

const root = path.resolve(__dirname, "../..");
const PYTHON = "/usr/bin/python3";
const run = promisify(execFile);
const pythonEnv = { ...process.env, OMP_NUM_THREADS: "1", PYTHONDONTWRITEBYTECODE: "1" };

interface Made {
  artifact: string;
  classes: string[];
  samples: Record<string, string>;
}
interface Prediction {
  label: string;
  index: number;
  probability: number;
}
interface Classified {
  endpointUrl: string;
  results: {
    image: string;
    contentType: string;
    statusCode: number;
    body: { predictions?: Prediction[]; error?: { code: string; message: string } };
  }[];
  requests: { path: string; content_type: string; accept: string; status: number }[];
}

/** Starts the serving fixture and resolves with its URL once it listens (bounded wait). */
function serve(artifact: string, log: object[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    PYTHON,
    [path.join(root, "training/tests/serving_fixture.py"), "--artifact", artifact],
    { env: pythonEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the serving fixture did not start within 120 s"));
    }, 120_000);
    child.on("exit", (code) => reject(new Error(`serving fixture exited ${code}: ${stderr}`)));
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("listening ")) {
        clearTimeout(timer);
        resolve({ url: line.slice("listening ".length), child });
      } else if (line.startsWith("{")) log.push(JSON.parse(line));
    });
  });
}

async function classify(args: string[]): Promise<Classified> {
  const { stdout } = await run(
    process.execPath,
    ["--no-warnings", path.join(root, "scripts/classify.mjs"), "--json", ...args],
    { env: pythonEnv, timeout: 120_000 },
  );
  return JSON.parse(stdout) as Classified;
}

describe("trained artifact through the inference path", () => {
  let work = "";
  let made: Made;
  let server: { url: string; child: ChildProcess };
  const containerLog: { path: string; content_type: string; accept: string; status: number }[] = [];
  const sample = (name: string, suffix: string) =>
    Object.keys(made.samples).find((p) => p.endsWith(`${name}.${suffix}`))!;

  before(async function () {
    this.timeout(300_000);
    work = mkdtempSync(path.join(tmpdir(), "trained-artifact-"));
    const { stdout } = await run(
      PYTHON,
      [path.join(root, "training/tests/make_artifact.py"), work],
      {
        env: pythonEnv,
        timeout: 240_000,
      },
    );
    made = JSON.parse(stdout) as Made;
    server = await serve(made.artifact, containerLog);
  });

  after(() => {
    server?.child.kill();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs the model folder at the archive root, with the class names training saved", () => {
    const entries = execFileSync("tar", ["tzf", made.artifact], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    for (const name of ["model.pth", "classes.json", "model_config.json", "code/inference.py"]) {
      assert.ok(entries.includes(name), `${name} missing from ${entries.join(", ")}`);
    }
    assert.ok(entries.every((e) => !e.startsWith("/") && !e.split("/").includes("..")));
    const classes = execFileSync("tar", ["xzf", made.artifact, "-O", "classes.json"], {
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(classes), made.classes);
    assert.deepEqual(made.classes, [
      "001.Affenpinscher",
      "002.Afghan_hound",
      "003.Airedale_terrier",
    ]);
  });

  it("answers /ping and /invocations as the serving container does", async () => {
    assert.equal((await fetch(`${server.url}/ping`)).status, 200);
    const jpeg = readFileSync(sample("001.Affenpinscher", "jpg"));
    const ok = await fetch(`${server.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "image/jpeg", accept: "application/json" },
      body: jpeg,
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-type"), "application/json");
    const { predictions } = (await ok.json()) as { predictions: Prediction[] };
    assert.deepEqual(predictions.map((p) => p.label).sort(), made.classes);
    // Content type and accept reach input_fn and output_fn: each refuses what it cannot do.
    const wrongAccept = await fetch(`${server.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "image/jpeg", accept: "text/csv" },
      body: jpeg,
    });
    assert.equal(wrongAccept.status, 500);
    assert.match(await wrongAccept.text(), /unsupported accept type 'text\/csv'/);
    const wrongType = await fetch(`${server.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "image/gif" },
      body: jpeg,
    });
    assert.equal(wrongType.status, 415);
    assert.match(await wrongType.text(), /unsupported content type 'image\/gif'/);
    // The container takes image bytes only: a JSON URL is refused, never fetched.
    const jsonUrl = await fetch(`${server.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://images.example/dog.jpg" }),
    });
    assert.equal(jsonUrl.status, 415);
    assert.match(await jsonUrl.text(), /unsupported content type 'application\/json'/);
  });

  it("answers the bundled handler's JPEG and PNG requests through the real SDK with the trained class names", async () => {
    const images = [sample("001.Affenpinscher", "jpg"), sample("003.Airedale_terrier", "png")];
    const before = containerLog.length;
    const answer = await classify(["--endpoint-url", server.url, "--top-k", "2", ...images]);
    assert.deepEqual(
      answer.results.map((r) => [r.contentType, r.statusCode]),
      [
        ["image/jpeg", 200],
        ["image/png", 200],
      ],
    );
    for (const [i, result] of answer.results.entries()) {
      const predictions = result.body.predictions!;
      assert.equal(predictions.length, 2);
      for (const p of predictions) assert.equal(p.label, made.classes[p.index]);
      // Exactly the container's own best two for the same bytes.
      const direct = await fetch(`${server.url}/invocations`, {
        method: "POST",
        headers: { "content-type": result.contentType },
        body: readFileSync(images[i]),
      });
      const all = ((await direct.json()) as { predictions: Prediction[] }).predictions;
      assert.deepEqual(predictions, all.slice(0, 2));
    }
    assert.deepEqual(containerLog.slice(before, before + 2), [
      {
        path: "/endpoints/local-classifier/invocations",
        content_type: "image/jpeg",
        accept: "application/json",
        status: 200,
      },
      {
        path: "/endpoints/local-classifier/invocations",
        content_type: "image/png",
        accept: "application/json",
        status: 200,
      },
    ]);
  });

  it("turns the container's refusal of a damaged JPEG into the handler's model error", async () => {
    const damaged = path.join(work, "damaged.jpg");
    const jpeg = readFileSync(sample("002.Afghan_hound", "jpg"));
    // A JPEG cut short: the right magic bytes, so only decoding in the container finds it out.
    writeFileSync(damaged, jpeg.subarray(0, Math.floor(jpeg.length / 4)));
    const answer = await classify(["--endpoint-url", server.url, damaged]).catch(
      (e: { stdout: string }) => JSON.parse(e.stdout) as Classified,
    );
    assert.equal(answer.results[0].statusCode, 502);
    assert.equal(answer.results[0].body.error?.code, "model_error");
    assert.equal(containerLog.at(-1)?.status, 500);
  });

  it("classifies through npm run classify's own server when given only the artifact", async function () {
    this.timeout(120_000);
    const answer = await classify(["--artifact", made.artifact, sample("002.Afghan_hound", "png")]);
    assert.equal(answer.results[0].statusCode, 200);
    assert.deepEqual(answer.results[0].body.predictions!.map((p) => p.label).sort(), made.classes);
    assert.deepEqual(
      answer.requests.map((r) => [r.path, r.content_type, r.status]),
      [["/endpoints/local-classifier/invocations", "image/png", 200]],
    );
  });
});
