import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../handler/config";
import { INVOKE_ENDPOINT_MAX_BYTES } from "../../shared/aws-limits";

describe("handler config", () => {
  it("applies defaults when only ENDPOINT_NAME is set", () => {
    assert.deepEqual(loadConfig({ ENDPOINT_NAME: "dog-breeds-dev" }), {
      endpointName: "dog-breeds-dev",
      topK: 5,
      maxImageBytes: INVOKE_ENDPOINT_MAX_BYTES,
      fetchTimeoutMs: 5000,
      fetchMaxRedirects: 3,
      invokeMaxAttempts: 3,
      deadlineMarginMs: 500,
    });
  });

  it("reads every override", () => {
    const config = loadConfig({
      ENDPOINT_NAME: "e",
      TOP_K: "3",
      MAX_IMAGE_BYTES: "4194304",
      FETCH_TIMEOUT_MS: "2500",
      FETCH_MAX_REDIRECTS: "0",
      INVOKE_MAX_ATTEMPTS: "2",
      DEADLINE_MARGIN_MS: "800",
    });
    assert.deepEqual(
      [
        config.topK,
        config.maxImageBytes,
        config.fetchTimeoutMs,
        config.fetchMaxRedirects,
        config.invokeMaxAttempts,
        config.deadlineMarginMs,
      ],
      [3, 4194304, 2500, 0, 2, 800],
    );
  });

  it("treats blank values as unset", () => {
    assert.equal(loadConfig({ ENDPOINT_NAME: "e", TOP_K: " " }).topK, 5);
  });

  it("lists every bad variable with its value and the rule in one error", () => {
    assert.throws(
      () => loadConfig({ TOP_K: "0", MAX_IMAGE_BYTES: "7000000", FETCH_TIMEOUT_MS: "fast" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          "ENDPOINT_NAME (unset) is required",
          'TOP_K ("0") must be at least 1',
          'MAX_IMAGE_BYTES ("7000000") must be at most 6291456',
          'FETCH_TIMEOUT_MS ("fast") must be a whole number',
        ]);
        return true;
      },
    );
  });

  it("refuses an endpoint name SageMaker would not accept", () => {
    assert.throws(
      () => loadConfig({ ENDPOINT_NAME: "dogs_v1" }),
      /ENDPOINT_NAME \("dogs_v1"\) must be a SageMaker endpoint name/,
    );
  });
});
