// `npm run promote -- --from <stack> [--stack <target>]`: reads the model the source stack serves
// now (its `modelDataUrl` output, through the Pulumi CLI) or `--source s3://...`, asks S3 for that
// object's ETag and version (HeadObject), and prints the one-line config change that pins exactly
// that object for the target stack, for a pull request. Nothing is changed by the command itself.
import { spawnSync } from "child_process";
import { S3Client, HeadObjectCommand } from "@aws-sdk/client-s3";
import { PROJECT } from "../shared/project";
import { runCommand } from "./command";
import { loadStackConfig } from "./stack-config";
import { findProjectRoot } from "./stack-run";

/** What the command prints for one promotion. */
export interface Pin {
  /** `s3://bucket/key`, with `?versionId=<id>` when the bucket is versioned. */
  object: string;
  /** The ETag as S3 sends it, without quotes. */
  etag: string;
  bytes?: number;
  lastModified?: Date;
}

const q = (key: string) => `${PROJECT}:${key}`;

/** Single quotes for a POSIX shell. */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The one-line change to commit: both keys of the pin, set together. */
export function pinCommand(pin: Pin, stack: string): string {
  return (
    `pulumi config set --stack ${stack} ${q("modelPromoteObject")} ${sh(pin.object)} && ` +
    `pulumi config set --stack ${stack} ${q("modelPromoteEtag")} ${sh(pin.etag)}`
  );
}

/**
 * An S3 client for `region`. A custom endpoint (AWS_ENDPOINT_URL_S3: an S3-compatible server or a
 * local one) is addressed path-style, since its host name holds no bucket.
 */
export function s3Client(region: string): S3Client {
  return new S3Client({ region, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
}

/** HeadObject of `uri`: its ETag and, in a versioned bucket, the version that is current now. */
export async function readPin(uri: string, client: S3Client): Promise<Pin> {
  const m = /^s3:\/\/([^/]+)\/([^?]+)$/.exec(uri);
  if (!m) throw new Error(`not an S3 object URI: ${JSON.stringify(uri)}`);
  const [, bucket, key] = m;
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html: ETag and, for a
  // versioned bucket, x-amz-version-id.
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const etag = (head.ETag ?? "").replace(/"/g, "");
  if (etag === "") throw new Error(`S3 answered no ETag for ${uri}`);
  const version = head.VersionId && head.VersionId !== "null" ? head.VersionId : undefined;
  return {
    object: version ? `${uri}?versionId=${version}` : uri,
    etag,
    bytes: head.ContentLength,
    lastModified: head.LastModified,
  };
}

/** The model a stack serves now: its `modelDataUrl` output, through the Pulumi CLI. */
export function stackModel(from: string, cwd: string): string {
  const r = spawnSync("pulumi", ["stack", "output", "modelDataUrl", "--stack", from], {
    cwd,
    encoding: "utf8",
  });
  if (r.error) throw new Error(`could not run the Pulumi CLI: ${r.error.message}`);
  const out = r.stdout.trim();
  if (r.status !== 0 || !out.startsWith("s3://")) {
    throw new Error(
      `the stack ${from} exports no modelDataUrl (pulumi stack output said ${JSON.stringify(
        (r.stderr || out).trim(),
      )}): it serves no model yet`,
    );
  }
  return out;
}

interface Args {
  from?: string;
  source?: string;
  stack: string;
}

function parseArgs(argv: string[]): Args {
  const args: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--from" || flag === "--source" || flag === "--stack") {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      args[flag.slice(2) as keyof Args] = value;
      i++;
    } else {
      throw new Error(`unknown argument ${flag}`);
    }
  }
  if ((args.from === undefined) === (args.source === undefined)) {
    throw new Error("give one of --from <stack> or --source s3://<bucket>/<key>");
  }
  return { stack: "prod", ...args };
}

/** Runs the command; returns the exit code (0, or 2 for bad arguments and failures). */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  return runCommand("promote", err, async () => {
    const args = parseArgs(argv);
    const root = findProjectRoot(process.cwd());
    const region = loadStackConfig(root, args.stack).config["aws:region"] ?? "us-east-1";
    const uri = args.source ?? stackModel(args.from!, root);
    const pin = await readPin(uri, s3Client(region));
    const size = pin.bytes !== undefined ? `, ${pin.bytes} bytes` : "";
    const when = pin.lastModified ? `, last modified ${pin.lastModified.toISOString()}` : "";
    out(`Promote ${pin.object} (ETag ${pin.etag}${size}${when}) to ${args.stack}.`);
    out("Commit this change in a pull request; the next `pulumi up` copies exactly that object:");
    out(pinCommand(pin, args.stack));
    return 0;
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
