// Fetches an image URL for the caller, behind a guard, so that a hostile URL never makes the
// function connect anywhere but a public address.
//
// Each hop (the first URL and every redirect) is checked before any connection: scheme, no
// credentials, port, host name, then every address the name resolves to. The connection then goes
// to the very address that was checked (a pinned `lookup`), so a second DNS answer cannot swap in a
// private address between check and connect; TLS still verifies the certificate for the original
// host name (SNI and Host header are unchanged).
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import * as http from "node:http";
import * as https from "node:https";
import { isPublicAddress, parseIp } from "./address";
import {
  DeadlineError,
  HandlerError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UrlFetchError,
  UrlRefusedError,
} from "./errors";
import { type Image, sniffImageType } from "./image";

/** One resolved address of a host name. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** What the guard allows and how it fetches; production values come from `defaultGuard`. */
export interface FetchGuard {
  /** URL schemes with their colon, as `URL.protocol` spells them. */
  readonly allowedSchemes: readonly string[];
  /** Ports that may be connected to, or "any". */
  readonly allowedPorts: readonly number[] | "any";
  readonly resolve: Resolver;
  /** Decides whether an address (canonical text) may be connected to. */
  readonly isAllowedAddress: (address: string) => boolean;
  /** Extra trust roots for TLS, on top of Node's bundled CAs. */
  readonly ca?: string | Buffer;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

/** Resolves with the operating system's resolver, as every other Node client would. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** The production guard: https on 443 to public addresses only. */
export function defaultGuard(
  limits: Pick<FetchGuard, "maxBytes" | "timeoutMs" | "maxRedirects">,
): FetchGuard {
  return {
    allowedSchemes: ["https:"],
    allowedPorts: [443],
    resolve: systemResolver,
    isAllowedAddress: isPublicAddress,
    ...limits,
  };
}

/** Longest URL accepted; longer ones are nearly always abuse. */
export const MAX_URL_LENGTH = 2048;

const DEFAULT_PORTS: Record<string, number> = { "https:": 443, "http:": 80 };
// Host names after URL parsing (lower case, punycode): letters, digits, hyphens, dots.
const HOST_NAME = /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}\.?$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A URL that passed every check, and the address it will connect to. */
interface CheckedHop {
  readonly url: URL;
  readonly hostname: string;
  readonly port: number;
  readonly address: ResolvedAddress;
}

/**
 * Checks one URL against the guard without connecting anywhere. Throws UrlRefusedError with a
 * reason the caller can act on; the reason never echoes a resolved address.
 */
export async function checkUrl(
  raw: string,
  guard: FetchGuard,
  signal?: AbortSignal,
): Promise<CheckedHop> {
  if (raw.length > MAX_URL_LENGTH)
    throw new UrlRefusedError(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefusedError("the URL is not a valid absolute URL");
  }
  if (!guard.allowedSchemes.includes(url.protocol)) {
    throw new UrlRefusedError(
      `only ${guard.allowedSchemes.map((s) => s.slice(0, -1)).join(", ")} URLs are fetched`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UrlRefusedError("URLs with credentials are not fetched");
  }
  const port = url.port === "" ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  if (port === undefined || (guard.allowedPorts !== "any" && !guard.allowedPorts.includes(port))) {
    throw new UrlRefusedError("the URL's port is not allowed");
  }

  // The WHATWG parser has already turned every numeric IPv4 spelling (2130706433, 0x7f000001,
  // 0177.0.0.1, 127.1) into dotted-quad, and IPv6 into its compressed form in brackets.
  const hostname = url.hostname;
  const literal = parseIp(hostname);
  let addresses: readonly ResolvedAddress[];
  if (literal) {
    addresses = [{ address: hostname.replace(/^\[|\]$/g, ""), family: literal.family }];
  } else {
    const bare = hostname.replace(/\.$/, "");
    if (!HOST_NAME.test(hostname) || bare === "localhost" || bare.endsWith(".localhost")) {
      throw new UrlRefusedError("the URL's host is not a public host name");
    }
    try {
      addresses = await abortable(guard.resolve(hostname), signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new UrlFetchError("the URL's host name does not resolve", {
        hostname,
        cause: String(error),
      });
    }
    if (addresses.length === 0) {
      throw new UrlFetchError("the URL's host name does not resolve", { hostname });
    }
  }
  // Every address must pass: a name that mixes public and private answers is refused outright.
  const refused = addresses.filter((a) => !guard.isAllowedAddress(a.address));
  if (refused.length > 0) {
    throw new UrlRefusedError("the URL's host is not a public address", {
      hostname,
      refused: refused.map((a) => a.address),
    });
  }
  return { url, hostname: literal ? addresses[0].address : hostname, port, address: addresses[0] };
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** A `lookup` that answers only with the address that was checked. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // With autoSelectFamily (the default since Node 20) net asks for all addresses at once.
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

interface HopResult {
  readonly status: number;
  readonly location?: string;
  readonly bytes?: Buffer;
}

function requestHop(hop: CheckedHop, guard: FetchGuard, signal: AbortSignal): Promise<HopResult> {
  return new Promise<HopResult>((resolve, reject) => {
    const options: https.RequestOptions = {
      method: "GET",
      host: hop.hostname,
      port: hop.port,
      path: `${hop.url.pathname}${hop.url.search}`,
      headers: {
        accept: "image/jpeg, image/png",
        "accept-encoding": "identity",
        "user-agent": "dog-breed-classifier",
      },
      lookup: pinnedLookup(hop.address),
      // A fresh connection per fetch: a pooled socket could belong to an earlier answer for
      // this name, and image hosts are too varied for reuse to pay.
      agent: false,
      signal,
      ...(guard.ca === undefined ? {} : { ca: guard.ca }),
    };
    const transport = hop.url.protocol === "https:" ? https : http;
    const request = transport.request(options, (response) => {
      const status = response.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status) || status < 200 || status > 299) {
        // The body of a redirect or an error is never read; drop the connection with it.
        request.destroy();
        resolve({ status, location: response.headers.location });
        return;
      }
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > guard.maxBytes) {
        request.destroy();
        reject(new PayloadTooLargeError(`the image is larger than ${guard.maxBytes} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > guard.maxBytes) {
          request.destroy();
          reject(new PayloadTooLargeError(`the image is larger than ${guard.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => resolve({ status, bytes: Buffer.concat(chunks, total) }));
      response.on("error", reject);
      // A connection closed mid-body ends without "end"; settle now rather than at the timeout.
      response.on("close", () => {
        if (!response.complete)
          reject(new Error("the connection closed before the image was complete"));
      });
    });
    request.on("error", reject);
    request.end();
  });
}

/**
 * Fetches a JPEG or PNG image from `rawUrl` under `guard`, following at most
 * `guard.maxRedirects` redirects, each checked like the first URL. `deadline` aborts the whole
 * fetch when the function itself runs out of time.
 */
export async function fetchImage(
  rawUrl: string,
  guard: FetchGuard,
  deadline: AbortSignal,
): Promise<Image> {
  const timeout = AbortSignal.timeout(guard.timeoutMs);
  const signal = AbortSignal.any([deadline, timeout]);
  let current = rawUrl;
  for (let redirects = 0; ; redirects++) {
    let result: HopResult;
    let hop: CheckedHop | undefined;
    try {
      hop = await checkUrl(current, guard, signal);
      result = await requestHop(hop, guard, signal);
    } catch (error) {
      if (error instanceof HandlerError) throw error;
      if (deadline.aborted)
        throw new DeadlineError("the function ran out of time fetching the image");
      if (timeout.aborted) {
        throw new UrlFetchError(`the image did not arrive within ${guard.timeoutMs} ms`, {
          url: hop?.url.origin,
        });
      }
      throw new UrlFetchError("the image could not be fetched", {
        url: hop?.url.origin,
        cause: String(error),
      });
    }
    if (result.bytes) {
      const contentType = sniffImageType(result.bytes);
      if (!contentType)
        throw new UnsupportedMediaTypeError("the URL does not point at a JPEG or PNG image");
      return { bytes: result.bytes, contentType };
    }
    if (!REDIRECT_STATUSES.has(result.status)) {
      throw new UrlFetchError(`the image URL answered HTTP ${result.status}`, {
        url: hop.url.origin,
      });
    }
    if (result.location === undefined) {
      throw new UrlFetchError(`the image URL answered HTTP ${result.status} without a location`);
    }
    if (redirects >= guard.maxRedirects) {
      throw new UrlFetchError(`the image URL redirected more than ${guard.maxRedirects} times`);
    }
    try {
      current = new URL(result.location, hop.url).href;
    } catch {
      throw new UrlFetchError(
        `the image URL answered HTTP ${result.status} with an invalid location`,
      );
    }
  }
}
