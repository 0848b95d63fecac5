// The work the pack's first analysis would otherwise do on the request path, done once the
// analyzer is listening: the IAM simulator's modules (loaded lazily so that they do not delay the
// port the runner prints) and a first pass of the document analysis over a small document, which
// reads the service data it consults and compiles the code every IAM check runs. The Pulumi CLI
// starts the pack before the program and the offline check starts it alongside the program, so the
// pack is idle in that time; a request arriving meanwhile waits for the warm-up, no longer than it
// would have taken to load the same modules itself.
import { analyze, grantsOfDocument } from "./iam-analysis";
import { restricts } from "./iam-conditions";

const SAMPLE = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "kms:Decrypt"],
      Resource: ["arn:aws:s3:::example-bucket/*", "*"],
      Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
    },
  ],
};

/** The warm-up's work: the analysis of `SAMPLE` (its result is not used). */
export async function warm(): Promise<void> {
  await analyze(await grantsOfDocument(SAMPLE, "warm-up"));
  restricts(SAMPLE.Statement[0].Condition, () => true);
}

/** Runs the warm-up after the current turn of the event loop (the port is printed before it). */
export function warmUpWhenListening(): void {
  // A failure here is the request path's to report, when a real document meets it.
  setImmediate(() => void warm().catch(() => undefined));
}
