import assert from "node:assert/strict";
import { handleEvent } from "../../handler/app";
import { createSageMakerClient } from "../../handler/client";
import {
  type Behaviour,
  FAKE_ACCOUNT_ID,
  FAKE_LOG_STREAM_ARN,
  FAKE_TRACEBACK,
  type ErrorType,
  FakeSageMaker,
  fakePredictions,
} from "./fake-sagemaker";
import {
  httpEvent,
  imageEvent,
  jpegBytes,
  lambdaContext,
  makeDeps,
  parseBody,
  pngBytes,
  useFakeServiceEnvironment,
} from "./helpers";

describe("handler against the SageMaker Runtime protocol", () => {
  const fake = new FakeSageMaker("dogs");
  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFakeServiceEnvironment(await fake.start());
  });
  after(async () => {
    await fake.stop();
    restoreEnv();
  });
  beforeEach(() => fake.reset());
  afterEach(() =>
    assert.deepEqual(fake.violations, [], "the fake service saw requests AWS would refuse"),
  );

  it("sends the JPEG bytes signed for sagemaker and returns the top-k predictions, best first", async () => {
    const image = jpegBytes(4096);
    const deps = makeDeps();
    const response = await handleEvent(imageEvent(image), lambdaContext(), deps);

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/json");
    assert.equal(fake.requests.length, 1);
    const sent = fake.requests[0];
    assert.equal(sent.path, "/endpoints/dogs/invocations");
    assert.equal(sent.headers["content-type"], "image/jpeg");
    assert.equal(sent.headers.accept, "application/json");
    assert.ok(sent.body.equals(image), "the endpoint received exactly the image bytes");

    const expected = fakePredictions(image, 10)
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 5);
    assert.deepEqual(parseBody(response), { predictions: expected });
    assert.deepEqual(
      deps.log.entries.map((e) => [e.level, e.message, e.attributes.requestId, e.attributes.bytes]),
      [["info", "classified", "test-request-id", 4096]],
    );
  });

  it("forwards PNG bodies as image/png and honours a smaller TOP_K", async () => {
    const response = await handleEvent(
      imageEvent(pngBytes(), "image/png"),
      lambdaContext(),
      makeDeps({ config: { topK: 2 } }),
    );
    assert.equal(response.statusCode, 200);
    assert.equal(fake.requests[0].headers["content-type"], "image/png");
    assert.equal((parseBody(response).predictions as unknown[]).length, 2);
  });

  it("returns every prediction when the model knows fewer classes than TOP_K", async () => {
    fake.reset({ kind: "predict", classes: 3 });
    const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
    assert.deepEqual(
      (parseBody(response).predictions as { index: number }[]).map((p) => p.index).sort(),
      [0, 1, 2],
    );
  });

  const errorCases: [ErrorType, number, string, string | undefined][] = [
    ["ModelError", 502, "model_error", undefined],
    ["EndpointNotFound", 500, "endpoint_misconfigured", undefined],
    ["ValidationError", 500, "internal_error", undefined],
    ["ThrottlingException", 503, "endpoint_unavailable", "1"],
    ["ThrottlingException429", 503, "endpoint_unavailable", "1"],
    ["ModelNotReadyException", 503, "endpoint_unavailable", "5"],
    ["ServiceUnavailable", 503, "endpoint_unavailable", "2"],
    ["InternalFailure", 502, "upstream_error", undefined],
  ];
  for (const [type, status, code, retryAfter] of errorCases) {
    it(`maps ${type} to ${status} ${code}${retryAfter ? ` with Retry-After ${retryAfter}` : ""}`, async () => {
      fake.reset({ kind: "error", type });
      const deps = makeDeps();
      const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), deps);

      assert.equal(response.statusCode, status);
      assert.equal(response.headers["Retry-After"], retryAfter);
      const body = parseBody(response) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(body), ["error"]);
      assert.deepEqual(Object.keys(body.error), ["code", "message"]);
      assert.equal(body.error.code, code);
      for (const secret of [
        FAKE_ACCOUNT_ID,
        "arn:",
        "Traceback",
        "CUDA",
        "/aws/sagemaker",
        "dogs",
      ]) {
        assert.ok(!response.body.includes(secret), `the response leaks ${secret}`);
      }
      const logged = deps.log.entries.at(-1);
      assert.equal(logged?.level, status >= 500 ? "error" : "warn");
      assert.equal(logged?.attributes.requestId, "test-request-id");
      assert.equal(logged?.attributes.code, code);
      assert.equal(
        logged?.attributes.errorType,
        type.replace(/429$/, "").replace("EndpointNotFound", "ValidationError"),
      );
    });
  }

  it("logs the model's status, message and log stream for a ModelError", async () => {
    fake.reset({ kind: "error", type: "ModelError" });
    const deps = makeDeps();
    await handleEvent(imageEvent(jpegBytes()), lambdaContext(), deps);
    const attributes = deps.log.entries.at(-1)?.attributes ?? {};
    assert.equal(attributes.originalStatusCode, 500);
    assert.equal(attributes.originalMessage, FAKE_TRACEBACK);
    assert.equal(attributes.logStreamArn, FAKE_LOG_STREAM_ARN);
    assert.equal(attributes.httpStatus, 424);
  });

  it("retries a 503 up to INVOKE_MAX_ATTEMPTS before answering 503", async () => {
    fake.reset({ kind: "error", type: "ServiceUnavailable" });
    const client = createSageMakerClient(2);
    const response = await handleEvent(
      imageEvent(jpegBytes()),
      lambdaContext(),
      makeDeps({ client }),
    );
    assert.equal(response.statusCode, 503);
    assert.equal(fake.requests.length, 2);
  });

  it("does not retry a ModelError", async () => {
    fake.reset({ kind: "error", type: "ModelError" });
    const client = createSageMakerClient(3);
    await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps({ client }));
    assert.equal(fake.requests.length, 1);
  });

  it("answers 500 endpoint_misconfigured when ENDPOINT_NAME names a missing endpoint", async () => {
    const response = await handleEvent(
      imageEvent(jpegBytes()),
      lambdaContext(),
      makeDeps({ config: { endpointName: "cats" } }),
    );
    assert.equal(response.statusCode, 500);
    assert.equal((parseBody(response).error as { code: string }).code, "endpoint_misconfigured");
    assert.equal(fake.requests[0].path, "/endpoints/cats/invocations");
  });

  it("answers 504 before the Lambda deadline when the endpoint hangs", async () => {
    fake.reset({ kind: "hang" });
    const deps = makeDeps({ config: { deadlineMarginMs: 100 } });
    const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(400), deps);
    assert.equal(response.statusCode, 504);
    assert.equal((parseBody(response).error as { code: string }).code, "deadline_exceeded");
    assert.equal(fake.requests.length, 1, "an aborted call is not retried");
  });

  it("answers 504 without calling the endpoint when no time is left", async () => {
    const response = await handleEvent(
      imageEvent(jpegBytes()),
      lambdaContext(150),
      makeDeps({ config: { deadlineMarginMs: 200 } }),
    );
    assert.equal(response.statusCode, 504);
    assert.equal(fake.requests.length, 0);
  });

  const badOutputs: [string, string, string][] = [
    ["not JSON", "application/json", "<html>oops</html>"],
    ["raw logits", "application/json", JSON.stringify([[1.2, -0.3, 4.1]])],
    ["no predictions", "application/json", JSON.stringify({ predictions: [] })],
    [
      "probability above 1",
      "application/json",
      JSON.stringify({ predictions: [{ label: "pug", index: 1, probability: 3.2 }] }),
    ],
    [
      "index not an integer",
      "application/json",
      JSON.stringify({ predictions: [{ label: "pug", index: 1.5, probability: 0.2 }] }),
    ],
    [
      "label missing",
      "application/json",
      JSON.stringify({ predictions: [{ index: 1, probability: 0.2 }] }),
    ],
    ["a non-JSON content type", "text/csv", "pug,0.9"],
  ];
  for (const [what, contentType, body] of badOutputs) {
    it(`answers 502 bad_model_output when the endpoint returns ${what}`, async () => {
      fake.reset({ kind: "raw", status: 200, contentType, body });
      const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
      assert.equal(response.statusCode, 502);
      assert.deepEqual(parseBody(response), {
        error: { code: "bad_model_output", message: "the model answered in an unexpected format" },
      });
      assert.ok(!response.body.includes("pug") && !response.body.includes("oops"));
    });
  }

  it("answers 502 upstream_error when the service cannot be reached", async () => {
    const restore = useFakeServiceEnvironment("http://127.0.0.1:9");
    try {
      const client = createSageMakerClient(1);
      const response = await handleEvent(
        imageEvent(jpegBytes()),
        lambdaContext(),
        makeDeps({ client }),
      );
      assert.equal(response.statusCode, 502);
      assert.equal((parseBody(response).error as { code: string }).code, "upstream_error");
    } finally {
      restore();
    }
  });

  it("answers 502 upstream_error when the connection closes in the middle of the answer", async () => {
    fake.reset({ kind: "truncate", declared: 4096, sent: 100 });
    const deps = makeDeps();
    const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), deps);
    assert.equal(response.statusCode, 502);
    assert.deepEqual(parseBody(response), {
      error: {
        code: "upstream_error",
        message: "the model endpoint's answer was cut off; retry later",
      },
    });
    // What the SDK reported: a 200 status line, then Node's "aborted".
    const logged = deps.log.entries.at(-1)?.attributes;
    assert.equal(logged?.httpStatus, 200);
    assert.equal(logged?.code, "ECONNRESET");
  });

  const redirects: [string, Behaviour][] = [
    [
      "302 with an HTML body and a Location",
      {
        kind: "raw",
        status: 302,
        contentType: "text/html",
        body: "<a href='https://elsewhere.example/'>moved</a>",
        headers: { location: "https://elsewhere.example/" },
      },
    ],
    [
      "301 with an empty JSON body",
      { kind: "raw", status: 301, contentType: "application/json", body: "" },
    ],
    [
      "307 with a JSON body",
      { kind: "raw", status: 307, contentType: "application/json", body: "{}" },
    ],
  ];
  for (const [what, behaviour] of redirects) {
    it(`answers 502 upstream_error, and follows nothing, on a ${what}`, async () => {
      fake.reset(behaviour);
      const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
      assert.equal(response.statusCode, 502);
      assert.deepEqual(parseBody(response), {
        error: {
          code: "upstream_error",
          message: "the model endpoint answered with a redirect; retry later",
        },
      });
      assert.equal(fake.requests.length, 1);
      assert.ok(!response.body.includes("elsewhere"));
    });
  }

  describe("the answer's byte cap (6,291,456 bytes, InvokeEndpoint's own limit)", () => {
    const CAP = 6_291_456;

    it("reads an answer of exactly the cap", async () => {
      fake.reset({ kind: "large", bytes: CAP, declareLength: false });
      const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
      assert.equal(response.statusCode, 200);
      assert.deepEqual(parseBody(response), {
        predictions: [{ label: "breed-0", index: 0, probability: 1 }],
      });
      assert.equal(fake.sentBytes, CAP);
    });

    for (const declareLength of [true, false]) {
      it(`answers 502 bad_model_output one byte over the cap (${declareLength ? "declared" : "streamed without Content-Length"})`, async () => {
        fake.reset({ kind: "large", bytes: CAP + 1, declareLength });
        const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
        assert.equal(response.statusCode, 502);
        assert.deepEqual(parseBody(response), {
          error: {
            code: "bad_model_output",
            message: "the model's answer is larger than 6291456 bytes",
          },
        });
      });
    }

    it("stops reading a 64 MiB answer soon after the cap, not after buffering it", async () => {
      const total = 64 * 1024 * 1024;
      for (const declareLength of [true, false]) {
        fake.reset({ kind: "large", bytes: total, declareLength });
        const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), makeDeps());
        assert.equal(response.statusCode, 502);
        assert.equal((parseBody(response).error as { code: string }).code, "bad_model_output");
        // The server stops when the client drops the connection: the cap plus what the
        // loopback socket buffers hold, never the whole answer.
        assert.ok(
          fake.sentBytes < CAP + 8 * 1024 * 1024,
          `${fake.sentBytes} bytes were sent before the client stopped reading`,
        );
        if (declareLength) {
          assert.ok(
            fake.sentBytes < total / 4,
            `${fake.sentBytes} bytes sent for a refused length`,
          );
        }
      }
    });

    it("applies a smaller cap given to the client", async () => {
      fake.reset({ kind: "predict", classes: 133 });
      const client = createSageMakerClient(1, 1024);
      const response = await handleEvent(
        imageEvent(jpegBytes()),
        lambdaContext(),
        makeDeps({ client }),
      );
      assert.equal(response.statusCode, 502);
      assert.deepEqual(parseBody(response), {
        error: {
          code: "bad_model_output",
          message: "the model's answer is larger than 1024 bytes",
        },
      });
    });
  });

  it("answers 500 endpoint_misconfigured when the function has no credentials", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const deps = makeDeps({ client: createSageMakerClient(1) });
      const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), deps);
      assert.equal(response.statusCode, 500);
      assert.equal((parseBody(response).error as { code: string }).code, "endpoint_misconfigured");
      assert.equal(deps.log.entries.at(-1)?.attributes.errorType, "CredentialsProviderError");
      assert.equal(fake.requests.length, 0);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it("answers 500 internal_error, not a throw, when the client fails in an unforeseen way", async () => {
    const client = createSageMakerClient(1);
    client.send = (() =>
      Promise.reject(new TypeError("Cannot read properties of undefined"))) as typeof client.send;
    const deps = makeDeps({ client });
    const response = await handleEvent(imageEvent(jpegBytes()), lambdaContext(), deps);
    assert.deepEqual(parseBody(response), {
      error: { code: "internal_error", message: "internal error" },
    });
    assert.equal(response.statusCode, 500);
    assert.equal(
      deps.log.entries.at(-1)?.attributes.serviceMessage,
      "Cannot read properties of undefined",
    );
  });

  it("refuses a GET with 405 and an Allow header, without calling the endpoint", async () => {
    const response = await handleEvent(httpEvent({ method: "GET" }), lambdaContext(), makeDeps());
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.Allow, "POST");
    assert.equal(fake.requests.length, 0);
  });
});
