// The job name provider against a local server that speaks the SageMaker JSON protocol: a first
// attempt takes the base name, a failed or stopped job is retried under the next name with its
// failure reason kept, a running or completed job keeps its name (and is adopted when the state
// that named it was lost), and what Pulumi serializes.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  JobNameInputs,
  JobNameOutputs,
  attemptName,
  jobNameProvider,
} from "../../infra/training/job-name-provider";
import { FakeSageMakerApi, serveForSuite } from "./fake-sagemaker-json";

const TRAINING = "SageMaker.DescribeTrainingJob";
const TUNING = "SageMaker.DescribeHyperParameterTuningJob";

// What SageMaker answers for an unknown job: DescribeTrainingJob a ValidationException,
// DescribeHyperParameterTuningJob the documented ResourceNotFound.
const UNKNOWN_JOB = {
  [TRAINING]: () => ({ __type: "ValidationException", message: "Requested resource not found." }),
  [TUNING]: (name: string) => ({
    __type: "ResourceNotFound",
    message: `Amazon SageMaker can't find a tuning job ${name}`,
  }),
};

const BASE = "dog-breed-classifier-dev-0123456789ab";
const inputs = (over: Partial<JobNameInputs> = {}): JobNameInputs => ({
  base: BASE,
  kind: "training",
  region: "us-east-1",
  maxLength: 63,
  ...over,
});

describe("job name provider (local SageMaker JSON endpoint)", () => {
  /** Jobs SageMaker knows, by name; every other name answers as UNKNOWN_JOB says. */
  const server = new FakeSageMakerApi(UNKNOWN_JOB);
  const training = (name: string, status: string, reason?: string) =>
    server.answer(TRAINING, name, {
      TrainingJobName: name,
      TrainingJobStatus: status,
      ...(reason ? { FailureReason: reason } : {}),
    });
  const tuning = (name: string, status: string, reason?: string) =>
    server.answer(TUNING, name, {
      HyperParameterTuningJobName: name,
      HyperParameterTuningJobStatus: status,
      ...(reason ? { FailureReason: reason } : {}),
    });
  serveForSuite(server);
  beforeEach(() => server.reset({}));

  const create = async (i: JobNameInputs) =>
    (await jobNameProvider.create(i)).outs as JobNameOutputs;

  it("takes the base name for a first attempt", async () => {
    const outs = await create(inputs());
    assert.deepStrictEqual([outs.name, outs.attempt, outs.previousFailure], [BASE, 1, ""]);
    assert.deepStrictEqual(
      server.calls.map(({ target, name }) => ({ target, name })),
      [{ target: TRAINING, name: BASE }],
    );
  });

  it("retries a failed job under the next free name, keeping the failure reason", async () => {
    training(BASE, "Failed", "ClientError: no images under data/dog-images/train/");
    const first = { ...inputs(), name: BASE, attempt: 1, previousFailure: "" };
    // The next `pulumi up` sees the failed job and replaces the name...
    const diff = await jobNameProvider.diff!(BASE, first, inputs());
    assert.deepStrictEqual(diff, { changes: true, replaces: ["name"], deleteBeforeReplace: false });
    // ...and the new name skips every attempt SageMaker has already seen.
    training(`${BASE}-2`, "Stopped");
    const outs = await create(inputs());
    assert.strictEqual(outs.name, `${BASE}-3`);
    assert.strictEqual(outs.attempt, 3);
    assert.strictEqual(outs.previousFailure, `${BASE}-2 Stopped: no failure reason given`);
    training(`${BASE}-2`, "Failed", "AlgorithmError: out of memory");
    assert.strictEqual(
      (await create(inputs())).previousFailure,
      `${BASE}-2 Failed: AlgorithmError: out of memory`,
    );
  });

  it("keeps the name of a job that runs or completed, and replaces it when an input changes", async () => {
    const olds = { ...inputs(), name: BASE, attempt: 1, previousFailure: "" };
    for (const status of ["InProgress", "Completed"]) {
      training(BASE, status);
      assert.deepStrictEqual(await jobNameProvider.diff!(BASE, olds, inputs()), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    }
    // Someone stops it: it ends without a model, so the next name retries.
    training(BASE, "Stopping");
    assert.deepStrictEqual((await jobNameProvider.diff!(BASE, olds, inputs())).replaces, ["name"]);
    // No job under the name (its creation was refused before it started): the same name retries.
    server.reset({});
    assert.strictEqual((await jobNameProvider.diff!(BASE, olds, inputs())).changes, false);
    const other = await jobNameProvider.diff!(
      BASE,
      olds,
      inputs({ base: `${BASE.slice(0, -1)}c` }),
    );
    assert.deepStrictEqual(other.replaces, ["base"]);
  });

  it("adopts the first attempt that runs or completed when no state names it (an interrupted up)", async () => {
    for (const status of ["InProgress", "Completed"]) {
      training(BASE, status);
      assert.deepStrictEqual((await create(inputs())).name, BASE, status);
    }
    training(BASE, "Failed", "ClientError: no images");
    training(`${BASE}-2`, "InProgress");
    const outs = await create(inputs());
    assert.deepStrictEqual(
      [outs.name, outs.attempt, outs.previousFailure],
      [`${BASE}-2`, 2, `${BASE} Failed: ClientError: no images`],
    );
    // Only Describe calls: naming never starts or stops a job.
    assert.ok(server.calls.every((c) => c.target === TRAINING));
  });

  it("looks tuning jobs up as tuning jobs, within their 32 characters", async () => {
    const base = "dog-breed-classifier-dev-0a1b2";
    tuning(base, "Failed", "No training job succeeded");
    const outs = await create(inputs({ base, kind: "tuning", maxLength: 32 }));
    assert.strictEqual(outs.name, `${base}-2`);
    assert.ok(server.calls.every((c) => c.target === TUNING));
    for (let n = 2; n <= 9; n++) tuning(`${base}-${n}`, "Failed", `attempt ${n}`);
    await assert.rejects(
      create(inputs({ base, kind: "tuning", maxLength: 32 })),
      /every tuning job name dog-breed-classifier-dev-0a1b2\[-n\] within 32 characters is taken \(last: dog-breed-classifier-dev-0a1b2-9 Failed: attempt 9\); change an input/,
    );
    assert.throws(() => attemptName(base, 10, 32), /longer than 32 characters/);
  });
});

describe("job name provider errors", () => {
  // An error for every job the fake does not know, in place of the not-found one.
  const denied = () => ({ __type: "AccessDeniedException", message: "not authorized" });
  const server = new FakeSageMakerApi({ [TRAINING]: denied, [TUNING]: denied });
  serveForSuite(server);

  it("passes on an error that is not a missing job, such as access denied", async () => {
    await assert.rejects(jobNameProvider.create(inputs()), /not authorized/);
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
