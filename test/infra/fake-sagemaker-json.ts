// A local server that speaks the SageMaker control-plane protocol (AWS JSON 1.1: POST /, the
// operation in `X-Amz-Target: SageMaker.<Operation>`), so the real SDK client, with its signing
// and error parsing, runs against it. Each operation answers from a script: successive answers
// per (operation, resource name), the last one repeating; an answer with `__type` is an error.
// A name the script does not hold gets the error set for its operation (DescribeEndpoint's by
// default), so each suite answers unknown names as the operation it exercises does.
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  target: string;
  contentType: string;
  authorization: string;
  body: Record<string, unknown>;
  /** The resource name the call was answered for. */
  name: string;
}

/** `${target}:${name}` -> successive answers. */
export type Script = Record<string, Record<string, unknown>[]>;

/** `X-Amz-Target` -> the error it answers for a resource name the script does not hold. */
export type UnknownAnswers = Record<string, (name: string) => Record<string, unknown>>;

/** The request field that names the resource, per operation. */
const NAME_FIELDS = [
  "EndpointName",
  "EndpointConfigName",
  "ModelName",
  "TrainingJobName",
  "HyperParameterTuningJobName",
];

/** What DescribeEndpoint answers for a name it does not know; any operation not set answers it. */
const unknownEndpoint = (name: string) => ({
  __type: "ValidationException",
  message: `Could not find endpoint "${name}".`,
});

export class FakeSageMakerApi {
  readonly calls: RecordedCall[] = [];
  private script: Script = {};
  private readonly seen = new Map<string, number>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  constructor(private readonly unknown: UnknownAnswers = {}) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(script: Script): void {
    this.script = { ...script };
    this.calls.length = 0;
    this.seen.clear();
  }

  /** Sets the successive answers of `target` for `name`, keeping the calls and the rest. */
  answer(target: string, name: string, ...answers: Record<string, unknown>[]): void {
    const key = `${target}:${name}`;
    this.script[key] = answers;
    this.seen.delete(key);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      const target = String(req.headers["x-amz-target"] ?? "");
      const name = String(NAME_FIELDS.map((f) => body[f]).find((v) => v !== undefined) ?? "");
      this.calls.push({
        method: req.method ?? "",
        path: req.url ?? "",
        target,
        contentType: String(req.headers["content-type"] ?? ""),
        authorization: String(req.headers.authorization ?? ""),
        body,
        name,
      });
      const key = `${target}:${name}`;
      const answers = this.script[key];
      const i = this.seen.get(key) ?? 0;
      this.seen.set(key, i + 1);
      const answer =
        answers?.[Math.min(i, answers.length - 1)] ??
        (this.unknown[target] ?? unknownEndpoint)(name);
      res.writeHead("__type" in answer ? 400 : 200, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": `fake-${this.calls.length}`,
      });
      res.end(JSON.stringify(answer));
    });
  }
}

/** Sets `env` in process.env (an empty string unsets) and returns the undo. */
export function withEnvironment(env: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === "") delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * Serves `api` to the enclosing suite: before its tests, starts it and points the SageMaker client
 * at it with fake credentials, no session token or profile and no instance metadata, plus `extra`
 * (an empty string unsets); after them, undoes both.
 */
export function serveForSuite(api: FakeSageMakerApi, extra: Record<string, string> = {}): void {
  let restore = () => {};
  before(async () => {
    restore = withEnvironment({
      AWS_ENDPOINT_URL_SAGEMAKER: await api.start(),
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLETESTONLY",
      AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_EC2_METADATA_DISABLED: "true",
      ...extra,
    });
  });
  after(async () => {
    restore();
    await api.stop();
  });
}
