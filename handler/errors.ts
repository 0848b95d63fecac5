// The handler's error classes. Each carries the HTTP status and the public code it maps to; the
// message is written for the caller and never includes raw input, ARNs, account ids or the model's
// own output. Whatever a human needs to debug goes in `detail`, which is logged and never returned.

/** Base of every error the handler answers with; `status` and `code` reach the caller. */
export class HandlerError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal_error";
  /** Extra response headers, such as `Retry-After` or `Allow`. */
  readonly headers: Record<string, string> = {};

  constructor(
    message: string,
    /** For the log only: upstream names, raw service messages, causes. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The event or its body is malformed. */
export class BadRequestError extends HandlerError {
  override readonly status = 400;
  override readonly code = "bad_request";
}

/** The image URL is not one the function will fetch (scheme, host, port, address). */
export class UrlRefusedError extends HandlerError {
  override readonly status = 400;
  override readonly code = "url_refused";
}

/** The image URL could not be fetched: DNS, TLS, connection, HTTP status, redirects, timeout. */
export class UrlFetchError extends HandlerError {
  override readonly status = 400;
  override readonly code = "url_fetch_failed";
}

/** Only POST carries an image or a URL. */
export class MethodNotAllowedError extends HandlerError {
  override readonly status = 405;
  override readonly code = "method_not_allowed";
  override readonly headers = { Allow: "POST" };
}

/** The image is larger than the endpoint accepts. */
export class PayloadTooLargeError extends HandlerError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}

/** The body or the fetched bytes are not a JPEG or PNG image. */
export class UnsupportedMediaTypeError extends HandlerError {
  override readonly status = 415;
  override readonly code = "unsupported_media_type";
}

/** The endpoint is throttling, still loading the model, or briefly unavailable. */
export class EndpointBusyError extends HandlerError {
  override readonly status = 503;
  override readonly code = "endpoint_unavailable";
  override readonly headers: Record<string, string>;

  constructor(message: string, retryAfterSeconds: number, detail?: Record<string, unknown>) {
    super(message, detail);
    this.headers = { "Retry-After": String(retryAfterSeconds) };
  }
}

/** The model container failed on this request. */
export class ModelFailedError extends HandlerError {
  override readonly status = 502;
  override readonly code = "model_error";
}

/** The endpoint answered, but not with the predictions the handler expects. */
export class BadModelOutputError extends HandlerError {
  override readonly status = 502;
  override readonly code = "bad_model_output";
}

/** The endpoint or the service failed in a way retries did not fix. */
export class UpstreamError extends HandlerError {
  override readonly status = 502;
  override readonly code = "upstream_error";
}

/** The function points at an endpoint that does not exist, or may not call it. */
export class EndpointMisconfiguredError extends HandlerError {
  override readonly status = 500;
  override readonly code = "endpoint_misconfigured";
}

/** The function would not finish before its own Lambda deadline. */
export class DeadlineError extends HandlerError {
  override readonly status = 504;
  override readonly code = "deadline_exceeded";
}

/** Anything not foreseen; the caller learns nothing beyond the request id in the log. */
export class InternalError extends HandlerError {
  override readonly status = 500;
  override readonly code = "internal_error";
}
