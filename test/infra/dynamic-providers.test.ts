// The program's dynamic providers as `pulumi up` runs them: each serialized by the SDK when the
// program registers it (run by cmd/run against the local engine), deserialized and run by the
// SDK's own dynamic-provider host started in the program's directory, driven over gRPC as the
// engine drives it, against a local server speaking the SageMaker JSON protocol.
import * as assert from "assert";
import * as path from "path";
import {
  DynamicProviderHost,
  ProviderCallError,
  startDynamicProviderHost,
} from "../../tools/dynamic-provider-host";
import { runOnEngine } from "../../tools/local-engine";
import type { StackResource, StackRun } from "../../tools/stack-run";
import { findProjectRoot } from "../../tools/stack-config";
import { FakeSageMakerApi, serveForSuite } from "./fake-sagemaker-json";
import { TEAM_EMAIL } from "./helpers";

const DYNAMIC = "pulumi-nodejs:dynamic/";
const program = path.join(findProjectRoot(__dirname), "infra");

describe("dynamic providers in the SDK's dynamic-provider host", function () {
  this.timeout(120_000);
  const api = new FakeSageMakerApi({
    "SageMaker.DescribeTrainingJob": (name) => ({
      __type: "ValidationException",
      message: `Requested resource not found: training job ${name}`,
    }),
  });
  serveForSuite(api, { AWS_REGION: "us-east-1" });
  let run: StackRun;
  let host: DynamicProviderHost;
  const of = (kind: string): StackResource => {
    const r = run.resources.find((x) => x.type === `${DYNAMIC}${kind}`);
    assert.ok(r, `the program registers a ${kind}`);
    return r;
  };

  before(async () => {
    // dev training its own model and serving it, with its EC2 host: every dynamic resource.
    run = await runOnEngine({
      stack: "dev",
      mode: "update",
      overrides: { trainingMode: "train", ec2Enabled: true, budgetAlertEmail: TEAM_EMAIL },
      jobStatus: "Completed",
    });
    host = await startDynamicProviderHost(program);
  });
  after(async () => host?.close());
  beforeEach(() => api.reset({}));

  it("deserializes every provider the program registers and checks its inputs", async () => {
    const dynamic = run.resources.filter((r) => r.type.startsWith(DYNAMIC));
    assert.ok(dynamic.length >= 4, dynamic.map((r) => r.type).join(", "));
    for (const r of dynamic) {
      assert.strictEqual(typeof r.inputs.__provider, "string", r.name);
      const { inputs, failures } = await host.check(r.urn, {}, r.inputs);
      assert.deepStrictEqual(failures, [], r.name);
      assert.deepStrictEqual(inputs, r.inputs, r.name);
    }
  });

  it("names a training job, and retries a failed one under the next name", async () => {
    const r = of("sagemaker:JobName");
    const created = await host.create(r.urn, r.inputs);
    const base = String(r.inputs.base);
    assert.strictEqual(created.id, base);
    assert.strictEqual(created.properties.attempt, 1);
    assert.deepStrictEqual(
      api.calls.map((c) => [c.target, c.name]),
      [["SageMaker.DescribeTrainingJob", base]],
    );
    // The job failed since: the next up replaces the name, and the new name skips it.
    api.answer("SageMaker.DescribeTrainingJob", base, {
      TrainingJobName: base,
      TrainingJobStatus: "Failed",
      FailureReason: "ClientError: no train/ split",
    });
    const diff = await host.diff(r.urn, created.id, created.properties, r.inputs);
    assert.strictEqual(diff.changes, "some");
    assert.deepStrictEqual(diff.replaces, ["name"]);
    const retried = await host.create(r.urn, r.inputs);
    assert.strictEqual(retried.id, `${base}-2`);
    assert.strictEqual(
      retried.properties.previousFailure,
      `${base} Failed: ClientError: no train/ split`,
    );
  });

  it("adopts a training job an interrupted up left running, then sees it complete", async () => {
    const r = of("sagemaker:TrainingJob");
    const name = String(r.inputs.trainingJobName);
    const job = (status: string, extra: Record<string, unknown> = {}) => ({
      TrainingJobName: name,
      TrainingJobStatus: status,
      CreationTime: 1_793_491_200,
      ...extra,
    });
    api.answer("SageMaker.DescribeTrainingJob", name, job("InProgress"));
    const created = await host.create(r.urn, r.inputs);
    assert.strictEqual(created.id, name);
    assert.strictEqual(created.properties.status, "InProgress");
    assert.ok(
      api.calls.every((c) => c.target !== "SageMaker.CreateTrainingJob"),
      "the running job is adopted, not created again",
    );
    const model = `s3://bucket/models/jobs/${name}/output/model.tar.gz`;
    api.answer(
      "SageMaker.DescribeTrainingJob",
      name,
      job("Completed", { ModelArtifacts: { S3ModelArtifacts: model } }),
    );
    const read = await host.read(r.urn, created.id, created.properties);
    assert.strictEqual(read.properties.status, "Completed");
    assert.ok(JSON.stringify(read.properties).includes(model), JSON.stringify(read.properties));
  });

  it("pins the host's image: a new release changes nothing, a new parameter replaces", async () => {
    const r = of("ec2:HostImage");
    const created = await host.create(r.urn, r.inputs);
    const released = { ...r.inputs, imageId: "ami-0fedcba9876543210" };
    const release = await host.diff(r.urn, created.id, created.properties, released);
    assert.notStrictEqual(release.changes, "some");
    const gpu = { ...r.inputs, parameter: `${String(r.inputs.parameter)}-gpu` };
    const changed = await host.diff(r.urn, created.id, created.properties, gpu);
    assert.strictEqual(changed.changes, "some");
    assert.deepStrictEqual(changed.replaces, ["parameter"]);
  });

  it("checks the endpoint after an update, refreshes it, sees a rolled-back update and converges on the next up", async () => {
    const r = of("sagemaker:EndpointCheck");
    const name = String(r.inputs.endpointName);
    const config = String(r.inputs.endpointConfigName);
    const described = (status: string, cfg: string) => ({
      EndpointName: name,
      EndpointArn: r.inputs.endpointArn,
      EndpointConfigName: cfg,
      EndpointStatus: status,
      CreationTime: 1_793_491_200,
      LastModifiedTime: 1_796_083_200,
    });
    api.answer("SageMaker.DescribeEndpoint", name, described("InService", config));
    const created = await host.create(r.urn, r.inputs);
    assert.strictEqual(created.properties.endpointStatus, "InService");
    assert.ok(api.calls.every((c) => c.target === "SageMaker.DescribeEndpoint" && c.name === name));
    const read = await host.read(r.urn, created.id, created.properties);
    assert.strictEqual(read.id, created.id);
    // The same configuration declared again: nothing to do.
    const same = await host.diff(r.urn, created.id, created.properties, r.inputs);
    assert.notStrictEqual(same.changes, "some");
    // An update that SageMaker rolled back leaves the old configuration in service: the check
    // fails the update, and says why.
    // Polled at once: the program's interval is for a real endpoint.
    const next = { ...r.inputs, endpointConfigName: `${config}-next`, pollSeconds: 0.001 };
    let rolledBack: Record<string, unknown> = {};
    api.answer("SageMaker.DescribeEndpoint", name, {
      ...described("InService", config),
      FailureReason: "Alarm inference-5xx-alarm went into ALARM state",
    });
    await assert.rejects(
      host.update(r.urn, created.id, created.properties, next),
      (e: ProviderCallError) => {
        assert.match(e.message, /roll/i);
        assert.ok(e.partial, "the update is recorded as partial, so the next up sees it");
        assert.match(e.partial.reasons.join("\n"), /inference-5xx-alarm/);
        rolledBack = e.partial.properties;
        return true;
      },
    );
    // The engine keeps the partial state; the next `up`, declaring the same configuration, sees a
    // change and re-applies it with the endpoint's own deployment policy, then checks again.
    const again = await host.diff(r.urn, created.id, rolledBack, next);
    assert.strictEqual(again.changes, "some");
    api.reset({});
    api.answer("SageMaker.UpdateEndpoint", name, { EndpointArn: r.inputs.endpointArn });
    api.answer(
      "SageMaker.DescribeEndpoint",
      name,
      described("InService", config),
      described("Updating", `${config}-next`),
      described("InService", `${config}-next`),
    );
    const converged = await host.update(r.urn, created.id, rolledBack, next);
    assert.strictEqual(converged.properties.endpointStatus, "InService");
    assert.strictEqual(converged.properties.rolledBackTo, undefined);
    const updates = api.calls.filter((c) => c.target === "SageMaker.UpdateEndpoint");
    assert.deepStrictEqual(
      updates.map((c) => [c.body.EndpointConfigName, c.body.RetainDeploymentConfig]),
      [[`${config}-next`, true]],
    );
    const settled = await host.diff(r.urn, created.id, converged.properties, next);
    assert.notStrictEqual(settled.changes, "some");
  });
});
