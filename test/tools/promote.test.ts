// `npm run promote`: reads the source stack's model through the Pulumi CLI (a stub on PATH here),
// asks a local server that speaks S3's HeadObject for its ETag and version, and prints the one
// line that pins that exact object.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "os";
import * as path from "path";
import { main, pinCommand } from "../../tools/promote";
import { withEnvironment } from "../infra/fake-sagemaker-json";

const BUCKET = "dog-breed-classifier-dev-123456789012";
const KEY = "models/jobs/dog-breed-classifier-dev-1a2b-2/output/model.tar.gz";
const ETAG = "9b2cf535f27731c974343645a3985328";
const VERSION = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";

describe("promote", () => {
  const heads: { method: string; url: string; authorization: string }[] = [];
  let versioned = true;
  const server = http.createServer((req, res) => {
    heads.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: String(req.headers.authorization ?? ""),
    });
    if (req.url !== `/${BUCKET}/${KEY}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      ETag: `"${ETAG}"`,
      "Content-Length": "98765432",
      "Last-Modified": "Tue, 01 Dec 2026 12:00:00 GMT",
      ...(versioned ? { "x-amz-version-id": VERSION } : {}),
    });
    res.end();
  });
  let restore = () => {};
  let bin = "";
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
    // The Pulumi CLI as `pulumi stack output modelDataUrl --stack dev` answers for a served model.
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output modelDataUrl --stack dev" ] || exit 3\necho s3://${BUCKET}/${KEY}\n`,
      { mode: 0o755 },
    );
    restore = withEnvironment({
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLETESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_EC2_METADATA_DISABLED: "true",
      PATH: `${bin}:${process.env.PATH}`,
    });
  });
  after(async () => {
    restore();
    fs.rmSync(bin, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      argv,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out, err };
  }

  it("pins the version dev serves now, with its ETag, in one line for the pull request", async () => {
    heads.length = 0;
    versioned = true;
    const r = await run("--from", "dev");
    assert.strictEqual(r.code, 0, r.err.join("\n"));
    assert.deepStrictEqual(r.out, [
      `Promote s3://${BUCKET}/${KEY}?versionId=${VERSION} (ETag ${ETAG}, 98765432 bytes, last modified 2026-12-01T12:00:00.000Z) to prod.`,
      "Commit this change in a pull request; the next `pulumi up` copies exactly that object:",
      `pulumi config set --stack prod dog-breed-classifier:modelPromoteObject 's3://${BUCKET}/${KEY}?versionId=${VERSION}' && pulumi config set --stack prod dog-breed-classifier:modelPromoteEtag '${ETAG}'`,
    ]);
    // One signed HEAD, path-style, in prod's region.
    assert.deepStrictEqual(
      heads.map((h) => [h.method, h.url]),
      [["HEAD", `/${BUCKET}/${KEY}`]],
    );
    assert.match(heads[0].authorization, /Credential=AKIDEXAMPLETESTONLY\/\d{8}\/us-east-1\/s3\//);
  });

  it("pins an unversioned release artifact by its key and ETag", async () => {
    versioned = false;
    const r = await run("--source", `s3://${BUCKET}/${KEY}`, "--stack", "prod");
    assert.strictEqual(r.code, 0, r.err.join("\n"));
    assert.match(r.out[2], new RegExp(`modelPromoteObject 's3://${BUCKET}/${KEY}' && `));
  });

  it("says why when the object does not exist or the arguments are wrong", async () => {
    const missing = await run("--source", `s3://${BUCKET}/models/none.tar.gz`);
    assert.strictEqual(missing.code, 2);
    assert.match(missing.err[0], /^promote: /);
    const both = await run("--from", "dev", "--source", `s3://${BUCKET}/${KEY}`);
    assert.deepStrictEqual(both.err, [
      "promote: give one of --from <stack> or --source s3://<bucket>/<key>",
    ]);
    const noModel = await run("--from", "staging");
    assert.match(noModel.err[0], /^promote: the stack staging exports no modelDataUrl/);
  });

  it("quotes what the shell would otherwise split", () => {
    assert.strictEqual(
      pinCommand({ object: "s3://b/it's.tar.gz", etag: "e" }, "prod"),
      `pulumi config set --stack prod dog-breed-classifier:modelPromoteObject 's3://b/it'\\''s.tar.gz' && pulumi config set --stack prod dog-breed-classifier:modelPromoteEtag 'e'`,
    );
  });
});
