// A training stack run on the CLI's path (`@pulumi/pulumi/cmd/run` against the local engine), as
// successive `pulumi up`s see it: the up that starts the job returns with the job in progress and
// the inference tier waiting; an up after the job completed declares the tier on its model; and a
// preview, which reads no job, says the status is known at `up`.
import * as assert from "assert";
import { TYPES } from "../../shared/resource-types";
import { runOnEngine } from "../../tools/local-engine";
import { MOCK_JOB_STARTED_AT } from "../../tools/mock-cloud";
import type { StackRun } from "../../tools/stack-run";
import { TEAM_EMAIL } from "./helpers";

const OVERRIDES = { trainingMode: "train", budgetAlertEmail: TEAM_EMAIL };
const INFERENCE = [
  "aws:sagemaker/model:Model",
  "aws:sagemaker/endpoint:Endpoint",
  "aws:lambda/function:Function",
];

const has = (run: StackRun, type: string) => run.resources.some((r) => r.type === type);
const waitingWhat = (run: StackRun) =>
  ((run.outputs.waiting ?? []) as { what: string }[]).map((w) => w.what);

describe("training stack on the local engine (the CLI's path)", function () {
  this.timeout(300_000);

  it("up while the job runs: returns with the job in progress and no inference tier", async () => {
    const run = await runOnEngine({ stack: "dev", mode: "update", overrides: OVERRIDES });
    const job = run.resources.find((r) => r.type === TYPES.trainingJob);
    assert.ok(job, "the training job is declared");
    const name = String(job.inputs.trainingJobName);
    assert.strictEqual(run.outputs.trainingJobName, name);
    assert.deepStrictEqual(waitingWhat(run), [
      `training: in progress (${name}, started at ${MOCK_JOB_STARTED_AT})`,
    ]);
    for (const type of INFERENCE) assert.ok(!has(run, type), `no ${type} while the job runs`);
    assert.strictEqual(run.outputs.modelDataUrl, undefined);
  });

  it("up after the job completed: the inference tier serves the job's model", async () => {
    const run = await runOnEngine({
      stack: "dev",
      mode: "update",
      overrides: OVERRIDES,
      jobStatus: "Completed",
    });
    const job = run.resources.find((r) => r.type === TYPES.trainingJob)!;
    const uri = `${String((job.inputs.outputDataConfig as { s3OutputPath: string }).s3OutputPath)}${String(job.inputs.trainingJobName)}/output/model.tar.gz`;
    assert.deepStrictEqual(waitingWhat(run), []);
    for (const type of INFERENCE) assert.ok(has(run, type), `${type} once the job completed`);
    const model = run.resources.find((r) => r.type === "aws:sagemaker/model:Model")!;
    assert.strictEqual(
      (model.inputs.primaryContainer as { modelDataUrl: string }).modelDataUrl,
      uri,
    );
    assert.strictEqual(run.outputs.modelDataUrl, uri);
  });

  it("a preview reads no job: the status is known at up, and no inference tier is shown", async () => {
    const run = await runOnEngine({ stack: "dev", mode: "preview", overrides: OVERRIDES });
    assert.deepStrictEqual(waitingWhat(run), [
      "training: job status known at `pulumi up` (it starts the job, or adopts the one of the same name)",
    ]);
    for (const type of INFERENCE) assert.ok(!has(run, type), `no ${type} in the preview`);
  });
});
