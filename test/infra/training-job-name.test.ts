// The job name provider against a local server that speaks the SageMaker JSON protocol: a first
// attempt takes the base name, a failed or stopped job is retried under the next name with its
// failure reason kept, a running or completed job keeps its name, and what Pulumi serializes.
import * as assert from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import * as pulumi from "@pulumi/pulumi";
import {
  JobNameInputs,
  JobNameOutputs,
  attemptName,
  jobNameProvider,
} from "../../infra/training/job-name-provider";

const TRAINING = "SageMaker.DescribeTrainingJob";
const TUNING = "SageMaker.DescribeHyperParameterTuningJob";

/** Jobs SageMaker knows, by name; every other name answers ResourceNotFound, as the API does. */
class FakeSageMaker {
  jobs = new Map<string, Record<string, unknown>>();
  /** An error answered to every call for an unknown job instead of the not-found one. */
  failure: Record<string, unknown> | undefined;
  readonly calls: { target: string; name: string }[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      const target = String(req.headers["x-amz-target"] ?? "");
      const name = String(body.TrainingJobName ?? body.HyperParameterTuningJobName ?? "");
      this.calls.push({ target, name });
      const job = this.jobs.get(`${target}:${name}`);
      res.writeHead(job ? 200 : 400, { "content-type": "application/x-amz-json-1.1" });
      // What SageMaker answers for an unknown job: DescribeTrainingJob a ValidationException,
      // DescribeHyperParameterTuningJob the documented ResourceNotFound.
      const unknown =
        target === TRAINING
          ? { __type: "ValidationException", message: "Requested resource not found." }
          : {
              __type: "ResourceNotFound",
              message: `Amazon SageMaker can't find a tuning job ${name}`,
            };
      res.end(JSON.stringify(job ?? (this.failure || unknown)));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  training(name: string, status: string, reason?: string): void {
    this.jobs.set(`${TRAINING}:${name}`, {
      TrainingJobName: name,
      TrainingJobStatus: status,
      ...(reason ? { FailureReason: reason } : {}),
    });
  }

  tuning(name: string, status: string, reason?: string): void {
    this.jobs.set(`${TUNING}:${name}`, {
      HyperParameterTuningJobName: name,
      HyperParameterTuningJobStatus: status,
      ...(reason ? { FailureReason: reason } : {}),
    });
  }
}

const BASE = "dog-breed-classifier-dev-0123456789ab";
const inputs = (over: Partial<JobNameInputs> = {}): JobNameInputs => ({
  base: BASE,
  kind: "training",
  region: "us-east-1",
  maxLength: 63,
  ...over,
});

describe("job name provider (local SageMaker JSON endpoint)", () => {
  const server = new FakeSageMaker();
  const saved: Record<string, string | undefined> = {};
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLETESTONLY",
    AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  before(async () => {
    env.AWS_ENDPOINT_URL_SAGEMAKER = await server.start();
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === "") delete process.env[k];
      else process.env[k] = v;
    }
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server.stop();
  });
  beforeEach(() => {
    server.failure = undefined;
    server.jobs.clear();
    server.calls.length = 0;
  });

  const create = async (i: JobNameInputs) =>
    (await jobNameProvider.create(i)).outs as JobNameOutputs;

  it("takes the base name for a first attempt", async () => {
    const outs = await create(inputs());
    assert.deepStrictEqual([outs.name, outs.attempt, outs.previousFailure], [BASE, 1, ""]);
    assert.deepStrictEqual(server.calls, [{ target: TRAINING, name: BASE }]);
  });

  it("retries a failed job under the next free name, keeping the failure reason", async () => {
    server.training(BASE, "Failed", "ClientError: no images under data/dog-images/train/");
    const first = { ...inputs(), name: BASE, attempt: 1, previousFailure: "" };
    // The next `pulumi up` sees the failed job and replaces the name...
    const diff = await jobNameProvider.diff!(BASE, first, inputs());
    assert.deepStrictEqual(diff, { changes: true, replaces: ["name"], deleteBeforeReplace: false });
    // ...and the new name skips every attempt SageMaker has already seen.
    server.training(`${BASE}-2`, "Stopped");
    const outs = await create(inputs());
    assert.strictEqual(outs.name, `${BASE}-3`);
    assert.strictEqual(outs.attempt, 3);
    assert.strictEqual(outs.previousFailure, `${BASE}-2 Stopped: no failure reason given`);
    server.training(`${BASE}-2`, "Failed", "AlgorithmError: out of memory");
    assert.strictEqual(
      (await create(inputs())).previousFailure,
      `${BASE}-2 Failed: AlgorithmError: out of memory`,
    );
  });

  it("keeps the name of a job that runs or completed, and replaces it when an input changes", async () => {
    const olds = { ...inputs(), name: BASE, attempt: 1, previousFailure: "" };
    for (const status of ["InProgress", "Stopping", "Completed"]) {
      server.training(BASE, status);
      assert.deepStrictEqual(await jobNameProvider.diff!(BASE, olds, inputs()), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    }
    // No job under the name (its creation was refused before it started): the same name retries.
    server.jobs.clear();
    assert.strictEqual((await jobNameProvider.diff!(BASE, olds, inputs())).changes, false);
    const other = await jobNameProvider.diff!(
      BASE,
      olds,
      inputs({ base: `${BASE.slice(0, -1)}c` }),
    );
    assert.deepStrictEqual(other.replaces, ["base"]);
  });

  it("skips a completed job of the same inputs from another deployment rather than collide", async () => {
    server.training(BASE, "Completed");
    assert.strictEqual((await create(inputs())).name, `${BASE}-2`);
  });

  it("looks tuning jobs up as tuning jobs, within their 32 characters", async () => {
    const base = "dog-breed-classifier-dev-0a1b2";
    server.tuning(base, "Failed", "No training job succeeded");
    const outs = await create(inputs({ base, kind: "tuning", maxLength: 32 }));
    assert.strictEqual(outs.name, `${base}-2`);
    assert.ok(server.calls.every((c) => c.target === TUNING));
    for (let n = 2; n <= 9; n++) server.tuning(`${base}-${n}`, "Failed", `attempt ${n}`);
    await assert.rejects(
      create(inputs({ base, kind: "tuning", maxLength: 32 })),
      /every tuning job name dog-breed-classifier-dev-0a1b2\[-n\] within 32 characters is taken \(last: dog-breed-classifier-dev-0a1b2-9 Failed: attempt 9\); change an input/,
    );
    assert.throws(() => attemptName(base, 10, 32), /longer than 32 characters/);
  });
});

describe("job name provider errors", () => {
  it("passes on an error that is not a missing job, such as access denied", async () => {
    const server = new FakeSageMaker();
    const url = await server.start();
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SAGEMAKER: url,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLETESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    try {
      server.failure = { __type: "AccessDeniedException", message: "not authorized" };
      await assert.rejects(jobNameProvider.create(inputs()), /not authorized/);
    } finally {
      for (const k of [
        "AWS_ENDPOINT_URL_SAGEMAKER",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_EC2_METADATA_DISABLED",
      ])
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      await server.stop();
    }
  });
});

describe("job name provider serialization", () => {
  it("serializes to a small closure that loads the SageMaker SDK by name", async () => {
    const sf = await pulumi.runtime.serializeFunction(() => jobNameProvider, {
      allowSecrets: false,
    });
    assert.match(sf.text, /require\("@aws-sdk\/client-sagemaker"\)/);
    assert.doesNotMatch(sf.text, /@pulumi\/pulumi|parseConfig|packSourceDir/);
    assert.ok(sf.text.length < 30000, `serialized provider is ${sf.text.length} characters`);
  });
});
