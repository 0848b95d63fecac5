// Where a stack's model comes from, from its config alone, and what waits without one.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../infra/config";
import { INFERENCE_TIER, modelSource, quotedEtag } from "../../infra/model-source";
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

  it("is a promotion from a stack or a release artifact once an ETag pins it", () => {
    assert.deepStrictEqual(modelSource(config("prod", { modelPromoteEtag: ETAG })), {
      kind: "promotion",
      fromStack: "dev",
      etag: ETAG,
    });
    const uri = "s3://releases-bucket/2026-11-01/model.tar.gz";
    assert.deepStrictEqual(
      modelSource(config("prod", { modelPromoteSource: uri, modelPromoteEtag: `"${ETAG}-3"` })),
      { kind: "promotion", fromUri: uri, etag: `"${ETAG}-3"` },
    );
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

  it("waits in prod until the ETag is pinned, with the command that reads it", () => {
    const s = modelSource(config("prod"));
    assert.ok(s.kind === "waiting");
    assert.strictEqual(
      s.waiting.reason,
      "modelPromoteSource is dev but modelPromoteEtag is empty: nothing is promoted yet",
    );
    assert.strictEqual(
      s.waiting.next[0],
      'src=$(pulumi stack output modelDataUrl --stack dev); src=${src#s3://}; aws s3api head-object --bucket "${src%%/*}" --key "${src#*/}" --query ETag --output text',
    );
  });

  it("prints next commands that run under bash as written", () => {
    // Stubs for the two CLIs: `pulumi stack output` answers dev's model, `aws` echoes its argv.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "next-"));
    const model = "s3://dog-breed-classifier-dev-123456789012/models/jobs/j-7/output/model.tar.gz";
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${model}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "aws"), '#!/bin/sh\nprintf "%s|" "$@"\n', { mode: 0o755 });
    try {
      const s = modelSource(config("prod"));
      assert.ok(s.kind === "waiting");
      const r = spawnSync("bash", ["-euc", s.waiting.next[0]], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(
        r.stdout,
        "s3api|head-object|--bucket|dog-breed-classifier-dev-123456789012|--key|models/jobs/j-7/output/model.tar.gz|--query|ETag|--output|text|",
      );
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
