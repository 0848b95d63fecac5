// Where a stack's model comes from, from its config alone, and what waits without one.
import * as assert from "assert";
import { parseConfig } from "../../infra/config";
import { INFERENCE_TIER, copySource, modelSource, quotedEtag } from "../../infra/model-source";
import { loadStackConfig } from "../../tools/stack-config";
import { findProjectRoot } from "../../tools/stack-run";

const ROOT = findProjectRoot(__dirname);
const config = (stack: string, overrides: Record<string, unknown> = {}) =>
  parseConfig(loadStackConfig(ROOT, stack, overrides).config, stack);
const ETAG = "9b2cf535f27731c974343645a3985328";

describe("model source", () => {
  it("is the stack's own job with trainingMode train or tune", () => {
    assert.deepStrictEqual(modelSource(config("dev", { trainingMode: "train" })), {
      kind: "training",
    });
  });

  it("is an existing artifact named by modelArtifactUri", () => {
    const uri = "s3://releases-bucket/2026-11-01/model.tar.gz";
    assert.deepStrictEqual(modelSource(config("dev", { modelArtifactUri: uri })), {
      kind: "artifact",
      uri,
    });
  });

  it("is a promotion of the pinned object, never of what the source stack serves now", () => {
    const object = `s3://dog-breed-classifier-dev-123456789012/models/jobs/j/output/model.tar.gz?versionId=v1`;
    assert.deepStrictEqual(
      modelSource(config("prod", { modelPromoteEtag: ETAG, modelPromoteObject: object })),
      { kind: "promotion", object, etag: ETAG },
    );
    assert.strictEqual(
      copySource(object),
      "dog-breed-classifier-dev-123456789012/models/jobs/j/output/model.tar.gz?versionId=v1",
    );
    // A release artifact is its own object.
    const uri = "s3://releases-bucket/2026-11-01/model.tar.gz";
    assert.deepStrictEqual(
      modelSource(config("prod", { modelPromoteSource: uri, modelPromoteEtag: `"${ETAG}-3"` })),
      { kind: "promotion", object: uri, etag: `"${ETAG}-3"` },
    );
    assert.strictEqual(copySource(uri), "releases-bucket/2026-11-01/model.tar.gz");
    assert.strictEqual(quotedEtag(`"${ETAG}-3"`), `"${ETAG}-3"`);
    assert.strictEqual(quotedEtag(ETAG), `"${ETAG}"`);
  });

  it("waits in a fresh dev, telling to upload the dataset and tune", () => {
    const s = modelSource(config("dev"));
    assert.strictEqual(s.kind, "waiting");
    assert.deepStrictEqual(s.kind === "waiting" && s.waiting, {
      what: INFERENCE_TIER,
      reason:
        "no model source: modelArtifactUri and modelPromoteSource are empty and trainingMode is none",
      next: [
        'aws s3 sync ./dogImages "s3://$(pulumi stack output bucketName --stack dev)/data/dog-images/"',
        "pulumi config set dog-breed-classifier:trainingMode tune --stack dev",
        "pulumi up --stack dev",
      ],
    });
  });

  it("waits in a production stack without a promotion, telling to promote, never to train", () => {
    const s = modelSource(config("prod", { modelPromoteSource: "" }));
    assert.ok(s.kind === "waiting");
    assert.match(s.waiting.next[0], /modelPromoteSource dev --stack prod/);
    assert.ok(!s.waiting.next.some((c) => c.includes("trainingMode")));
  });

  it("waits in prod until the object and ETag are pinned, with the command that prints the pin", () => {
    const s = modelSource(config("prod"));
    assert.ok(s.kind === "waiting");
    assert.strictEqual(
      s.waiting.reason,
      "modelPromoteSource is dev but modelPromoteEtag is empty: nothing is promoted yet",
    );
    assert.deepStrictEqual(s.waiting.next, [
      "npm run promote -- --from dev --stack prod   # prints the pin of the model the stack dev serves now",
      "pulumi config set dog-breed-classifier:modelPromoteObject '<object>' --stack prod && pulumi config set dog-breed-classifier:modelPromoteEtag '<ETag>' --stack prod   # in a pull request",
      "pulumi up --stack prod",
    ]);
  });
});
