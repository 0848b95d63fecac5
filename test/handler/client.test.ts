// The client's body reader on its own: the byte cap, a declared length, and a stream that closes
// before its end. The handler tests drive the same reader through the SDK and the local endpoint.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { fromInvokeError } from "../../handler/app";
import { AnswerIncompleteError, AnswerTooLargeError, cappedBodyReader } from "../../handler/client";

describe("handler client: capped body reader", () => {
  it("returns every byte of a body within the cap", async () => {
    const body = new PassThrough();
    const read = cappedBodyReader(10)(body);
    body.write(Buffer.from("12345"));
    body.end(Buffer.from("67890"));
    assert.equal(Buffer.from(await read).toString(), "1234567890");
  });

  it("stops at the first chunk past the cap and destroys the stream", async () => {
    const body = new PassThrough();
    const read = cappedBodyReader(10)(body);
    body.write(Buffer.from("123456"));
    body.write(Buffer.from("789012"));
    await assert.rejects(
      read,
      (e: unknown) => e instanceof AnswerTooLargeError && e.maxBytes === 10,
    );
    assert.equal(body.destroyed, true);
  });

  it("refuses a declared Content-Length above the cap before reading", async () => {
    const body = Object.assign(new PassThrough(), { headers: { "content-length": "11" } });
    await assert.rejects(cappedBodyReader(10)(body), AnswerTooLargeError);
    assert.equal(body.destroyed, true);
  });

  it("reports a stream that closes before its end as incomplete, with the bytes received", async () => {
    const body = new PassThrough();
    const read = cappedBodyReader(100)(body);
    body.write(Buffer.from("1234"));
    await new Promise((resolve) => setImmediate(resolve));
    body.destroy();
    await assert.rejects(
      read,
      (e: unknown) => e instanceof AnswerIncompleteError && e.receivedBytes === 4,
    );
    const mapped = fromInvokeError(
      Object.assign(new AnswerIncompleteError(4), { $metadata: { httpStatusCode: 200 } }),
      new AbortController().signal,
    );
    assert.deepEqual([mapped.status, mapped.code], [502, "upstream_error"]);
  });

  it("refuses something that is not a Node.js stream", async () => {
    await assert.rejects(cappedBodyReader(10)(new Uint8Array(3)), TypeError);
  });
});
