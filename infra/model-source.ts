// Where a stack's deployed model comes from, decided from its config alone. A stack without a
// model source deploys everything that needs none (bucket, key, roles, notebook, EC2 host,
// budget) and its inference tier waits; the stack exports what waits, why, and what to run next.
import type { StackConfig } from "./config";

/** What the inference tier is made of: declared only once a model source exists. */
export const INFERENCE_TIER =
  "inference tier: model role, model, endpoint configuration, endpoint, alarms, autoscaling, Lambda role and function (alias, URL, provisioned concurrency)";

export interface Waiting {
  /** What is not declared yet. */
  what: string;
  /** Why, in terms of the config. */
  reason: string;
  /** The commands that fill it in, in order. */
  next: string[];
}

export type ModelSource =
  /** `modelArtifactUri`: an artifact that already exists, read where it is. */
  | { kind: "artifact"; uri: string }
  /** The stack's own training or tuning job's output. */
  | { kind: "training" }
  /** Copied into the stack's bucket from another stack's `modelDataUrl` output, pinned by ETag. */
  | { kind: "promotion"; fromStack: string; etag: string }
  /** Copied into the stack's bucket from a release artifact, pinned by ETag. */
  | { kind: "promotion"; fromUri: string; etag: string }
  | { kind: "waiting"; waiting: Waiting };

type SourceConfig = Pick<
  StackConfig,
  | "project"
  | "stack"
  | "trainingMode"
  | "modelArtifactUri"
  | "modelPromoteSource"
  | "modelPromoteEtag"
  | "trainingDataPrefix"
  | "tags"
  | "environment"
>;

const q = (key: string) => `dog-breed-classifier:${key}`;

/** The ETag as S3 sends it in headers (quoted). */
export function quotedEtag(etag: string): string {
  return `"${etag.replace(/"/g, "")}"`;
}

/** The model source of a validated config. */
export function modelSource(config: SourceConfig): ModelSource {
  if (config.trainingMode !== "none") return { kind: "training" };
  if (config.modelArtifactUri !== "") return { kind: "artifact", uri: config.modelArtifactUri };
  const s = config.stack;
  const from = config.modelPromoteSource;
  if (from !== "") {
    const fromUri = from.startsWith("s3://");
    if (config.modelPromoteEtag !== "") {
      return fromUri
        ? { kind: "promotion", fromUri: from, etag: config.modelPromoteEtag }
        : { kind: "promotion", fromStack: from, etag: config.modelPromoteEtag };
    }
    const source = fromUri ? from : `$(pulumi stack output modelDataUrl --stack ${from})`;
    return {
      kind: "waiting",
      waiting: {
        what: INFERENCE_TIER,
        reason: `modelPromoteSource is ${from} but modelPromoteEtag is empty: nothing is promoted yet`,
        next: [
          `src=${source}; src=\${src#s3://}; aws s3api head-object --bucket "\${src%%/*}" --key "\${src#*/}" --query ETag --output text`,
          `pulumi config set ${q("modelPromoteEtag")} '<that ETag>' --stack ${s}   # in a pull request`,
          `pulumi up --stack ${s}`,
        ],
      },
    };
  }
  const production = config.environment === "production";
  return {
    kind: "waiting",
    waiting: {
      what: INFERENCE_TIER,
      reason:
        "no model source: modelArtifactUri and modelPromoteSource are empty and trainingMode is none",
      next: production
        ? [
            `pulumi config set ${q("modelPromoteSource")} dev --stack ${s}   # a stack that has trained, or an s3:// release artifact`,
            `pulumi up --stack ${s}   # then shows the command that reads the source's ETag`,
          ]
        : [
            `aws s3 sync ./dogImages "s3://$(pulumi stack output bucketName --stack ${s})/${config.trainingDataPrefix}"`,
            `pulumi config set ${q("trainingMode")} tune --stack ${s}`,
            `pulumi up --stack ${s}`,
          ],
    },
  };
}
