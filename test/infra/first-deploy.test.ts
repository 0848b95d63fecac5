// The states a real account goes through from empty, each the program run under mocks with the
// real stack files plus the config a person sets on the way: a fresh dev, dev tuning once its
// dataset is in the bucket, prod before and after dev's model is promoted. At each step: what
// exists, what waits, and that no model reads an object nothing in the stack has put in place.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackResource, StackRun, findProjectRoot, ofType, runStack } from "../../tools/stack-run";
import { TYPES } from "../../shared/resource-types";
import { MOCK_JOB_STARTED_AT } from "../../tools/mock-cloud";
import { runOnEngine } from "../../tools/local-engine";
import { PROMOTED_ETAG, TEAM_EMAIL, stackRun } from "./helpers";

const MODEL = "aws:sagemaker/model:Model";
const INFERENCE = [
  MODEL,
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  "aws:sagemaker/endpoint:Endpoint",
  "aws:lambda/function:Function",
  "aws:lambda/alias:Alias",
];
const ALWAYS = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:kms/key:Key",
  "aws:budgets/budget:Budget",
];

const types = (run: StackRun) => new Set(run.resources.map((r) => r.type));
const roleNames = (run: StackRun) =>
  ofType(run, "aws:iam/role:Role")
    .map((r) => String(r.inputs.name).replace(`dog-breed-classifier-${run.stack}-`, ""))
    .sort();

/** Every resource `r` depends on, directly or through its parents' and inputs' dependencies. */
function dependsOn(run: StackRun, r: StackResource): Set<string> {
  const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const visit = (x: StackResource) => {
    const direct = [...x.dependencies, ...Object.values(x.propertyDependencies).flat()];
    for (const urn of direct) {
      if (seen.has(urn)) continue;
      seen.add(urn);
      const d = byUrn.get(urn);
      if (d) visit(d);
    }
  };
  visit(r);
  return seen;
}

/**
 * Each model's artifact is the output of a resource of this stack that puts it in place (a job's
 * artifact, a promoted copy), and the model is created after it.
 */
function assertModelsReadWhatTheStackPutInPlace(run: StackRun, producerType: string) {
  for (const model of ofType(run, MODEL)) {
    const url = (model.inputs.primaryContainer as { modelDataUrl: string }).modelDataUrl;
    const producers = ofType(run, producerType);
    assert.strictEqual(producers.length, 1, `one ${producerType} in ${run.stack}`);
    const [p] = producers;
    const produced =
      producerType === "aws:s3/objectCopy:ObjectCopy"
        ? `s3://${String(p.inputs.bucket)}/${String(p.inputs.key)}`
        : String(p.outputs.modelArtifactUri);
    assert.strictEqual(url, produced, `${run.stack}: the model reads what ${p.name} put in place`);
    assert.ok(dependsOn(run, model).has(p.urn), `${run.stack}: the model waits for ${p.name}`);
  }
}

/** What `npm run promote -- --from dev` pins for dev's model: its object and current version. */
const pinOf = (dev: StackRun) => `${String(dev.outputs.modelDataUrl)}?versionId=${VERSION}`;
const VERSION = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";

describe("a first deploy, state by state", () => {
  let freshDev: StackRun;
  let tuningDev: StackRun;
  let tunedDev: StackRun;
  let waitingProd: StackRun;
  let promotedProd: StackRun;
  // Each state as `pulumi up` runs it (@pulumi/pulumi/cmd/run against the local engine), with
  // the team's alert address set first, as README's first deploy does.
  const up = (
    stack: string,
    overrides: Record<string, unknown>,
    opts: { dev?: Record<string, unknown>; jobStatus?: string } = {},
  ) =>
    runOnEngine({
      stack,
      mode: "update",
      overrides: { budgetAlertEmail: TEAM_EMAIL, ...overrides },
      stackOutputs: opts.dev && { dev: opts.dev },
      jobStatus: opts.jobStatus,
    });
  before(async () => {
    [freshDev, tuningDev] = await Promise.all([up("dev", {}), up("dev", { trainingMode: "tune" })]);
    // A later `up`, once the tuning job that the first one started has completed.
    tunedDev = await up("dev", { trainingMode: "tune" }, { jobStatus: "Completed" });
    [waitingProd, promotedProd] = await Promise.all([
      up("prod", {}, { dev: tunedDev.outputs }),
      up(
        "prod",
        { modelPromoteEtag: PROMOTED_ETAG, modelPromoteObject: pinOf(tunedDev) },
        { dev: tunedDev.outputs },
      ),
    ]);
  });

  it("1. fresh dev: bucket, key, roles, notebook and budget; the inference tier waits", () => {
    const t = types(freshDev);
    for (const type of ALWAYS) assert.ok(t.has(type), `fresh dev declares ${type}`);
    assert.ok(t.has("aws:sagemaker/notebookInstance:NotebookInstance"));
    for (const type of INFERENCE) assert.ok(!t.has(type), `fresh dev waits with ${type}`);
    assert.deepStrictEqual(roleNames(freshDev), ["notebook", "training"]);
    assert.strictEqual(freshDev.outputs.modelDataUrl, undefined);
    assert.strictEqual(freshDev.outputs.endpointName, undefined);
    const [w] = freshDev.outputs.waiting as { what: string; reason: string; next: string[] }[];
    assert.match(w.what, /^inference tier: model role, model, endpoint/);
    assert.match(
      w.next[0],
      /^aws s3 sync \.\/dogImages "s3:\/\/\$\(pulumi stack output bucketName/,
    );
    assert.strictEqual(
      w.next[1],
      "pulumi config set dog-breed-classifier:trainingMode tune --stack dev",
    );
  });

  it("2. dev with trainingMode tune: `up` starts the tuning job and returns; the inference tier waits", () => {
    const t = types(tuningDev);
    assert.ok(t.has(TYPES.tuningJob));
    for (const type of INFERENCE) assert.ok(!t.has(type), `running dev declares no ${type}`);
    const name = String(ofType(tuningDev, TYPES.tuningJob)[0].inputs.name);
    assert.deepStrictEqual(
      (tuningDev.outputs.waiting as { what: string }[]).map((w) => w.what),
      [`training: in progress (${name}, started at ${MOCK_JOB_STARTED_AT})`],
    );
  });

  it("3. the next up after the tuning job completed: its best model fills the inference tier", () => {
    const t = types(tunedDev);
    for (const type of [...ALWAYS, ...INFERENCE])
      assert.ok(t.has(type), `tuned dev declares ${type}`);
    assert.ok(t.has(TYPES.tuningJob));
    assert.deepStrictEqual(tunedDev.outputs.waiting, []);
    assert.deepStrictEqual(roleNames(tunedDev), ["lambda", "model", "notebook", "training"]);
    assertModelsReadWhatTheStackPutInPlace(tunedDev, TYPES.tuningJob);
    assert.match(
      String(tunedDev.outputs.modelDataUrl),
      /^s3:\/\/dog-breed-classifier-dev-123456789012\/models\/jobs\/.+\/output\/model\.tar\.gz$/,
    );
  });

  it("4a. prod before the pin: everything but the inference tier, and the command that reads the ETag", () => {
    const t = types(waitingProd);
    for (const type of ALWAYS) assert.ok(t.has(type));
    for (const type of [...INFERENCE, "aws:s3/objectCopy:ObjectCopy"]) assert.ok(!t.has(type));
    assert.deepStrictEqual(roleNames(waitingProd), []);
    const [w] = waitingProd.outputs.waiting as { reason: string; next: string[] }[];
    assert.match(w.reason, /modelPromoteEtag is empty/);
    assert.match(w.next[0], /^npm run promote -- --from dev --stack prod /);
  });

  it("4b. prod promoted from dev: a pinned copy into prod's bucket serves, read by prod's model role only", () => {
    const t = types(promotedProd);
    for (const type of [...ALWAYS, ...INFERENCE]) assert.ok(t.has(type));
    const [copy] = ofType(promotedProd, "aws:s3/objectCopy:ObjectCopy");
    const devModel = String(tunedDev.outputs.modelDataUrl);
    // The pinned version of dev's model, from config: prod reads nothing of dev's stack.
    assert.strictEqual(
      copy.inputs.source,
      `${devModel.replace(/^s3:\/\//, "")}?versionId=${VERSION}`,
    );
    assert.strictEqual(copy.inputs.copyIfMatch, `"${PROMOTED_ETAG}"`);
    assert.deepStrictEqual(ofType(promotedProd, "pulumi:pulumi:StackReference"), []);
    // Default tags replace the source's on the copy, and tags never re-copy a release
    // (hashicorp/terraform-provider-aws#25477).
    assert.strictEqual(copy.inputs.taggingDirective, "REPLACE");
    assert.deepStrictEqual(copy.ignoreChanges, ["tags", "tagsAll"]);
    assert.strictEqual(copy.inputs.bucket, "dog-breed-classifier-prod-123456789012");
    assert.strictEqual(copy.inputs.key, `models/releases/${PROMOTED_ETAG}/model.tar.gz`);
    assert.strictEqual(copy.inputs.serverSideEncryption, "aws:kms");
    assert.strictEqual(copy.retainOnDelete, true);
    assertModelsReadWhatTheStackPutInPlace(promotedProd, "aws:s3/objectCopy:ObjectCopy");

    const modelPolicy = ofType(promotedProd, "aws:iam/rolePolicy:RolePolicy").find(
      (p) => p.name === "model-role-policy",
    )!;
    const reads = (
      JSON.parse(String(modelPolicy.inputs.policy)).Statement as {
        Action: string | string[];
        Resource: string | string[];
      }[]
    )
      .filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:Get")))
      .flatMap((s) => [s.Resource].flat());
    // The promoted releases, this one and those kept for rollbacks; never dev's bucket.
    assert.deepStrictEqual(reads, [
      "arn:aws:s3:::dog-breed-classifier-prod-123456789012/models/releases/*",
    ]);
  });

  it("keeps prod deployable, copying the same object, after dev retrains, resets or is destroyed", async () => {
    // Under mocks: what prod copies is decided by its own config alone.
    const pin = { modelPromoteEtag: PROMOTED_ETAG, modelPromoteObject: pinOf(tunedDev) };
    const [pinned] = ofType(await stackRun("prod", pin), "aws:s3/objectCopy:ObjectCopy");
    const retrained = {
      modelDataUrl:
        "s3://dog-breed-classifier-dev-123456789012/models/jobs/newer/output/model.tar.gz",
    };
    for (const [what, dev] of [
      ["dev retrained", retrained],
      ["dev reset to trainingMode none", freshDev.outputs],
      ["dev destroyed", {}],
    ] as const) {
      const prod = await stackRun("prod", pin, { dev: dev as Record<string, unknown> });
      const [copy] = ofType(prod, "aws:s3/objectCopy:ObjectCopy");
      assert.deepStrictEqual(copy.inputs, pinned.inputs, what);
    }
  });

  it("runs prod from its stack file alone, without running or reading dev", async () => {
    // The repository after the two pull requests of a first deploy: dev tunes, prod pins.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "first-deploy-"));
    const repo = findProjectRoot(__dirname);
    fs.copyFileSync(path.join(repo, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(root, "Pulumi.prod.yaml"),
      `${fs.readFileSync(path.join(repo, "Pulumi.prod.yaml"), "utf8")}` +
        `  dog-breed-classifier:modelPromoteEtag: "${PROMOTED_ETAG}"\n` +
        `  dog-breed-classifier:modelPromoteObject: "${pinOf(tunedDev)}"\n`,
    );
    // No Pulumi.dev.yaml at all: dev might as well not exist.
    const prod = await runStack({ root, stack: "prod" });
    const [copy] = ofType(prod, "aws:s3/objectCopy:ObjectCopy");
    assert.strictEqual(`s3://${String(copy.inputs.source)}`, pinOf(tunedDev));
    assert.deepStrictEqual(ofType(prod, "pulumi:pulumi:StackReference"), []);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
