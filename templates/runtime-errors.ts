/**
 * Waygate's error classes: what a call that got no usable answer ends with (a refused
 * connection, a timeout, an abort: `APIConnectionError` and its kin), the upstream API's
 * errors (`APIError` by its status) and Waygate's refusals (`WaygateProblemError` by problem
 * type). runtime.js loads them with `import()`, through runtime-error-map.js (which picks the
 * class), in the background when the first call starts, so an application that imports no
 * error class does not hold them up front; one that does
 * (`import { NotFoundError } from "./waygate/index.js"`) gets the same classes the runtime
 * throws. index.ts re-exports this module. Which class an answer becomes is in
 * runtime-error-map.js.
 */
import { retryAfterMs, type ErrorInit, type FieldError, type HeaderReader, type Problem, type UpstreamResponse } from "./runtime.js";

/** The `type` URLs of the problems (RFC 9457) Waygate answers the invoke and proxy routes with. */
export interface ProblemTypeUrls {
  readonly invalidInput: "https://waygate.dev/problems/invalid-input";
  readonly invalidDefinition: "https://waygate.dev/problems/invalid-definition";
  readonly invalidMapping: "https://waygate.dev/problems/invalid-mapping";
  readonly invalidPageToken: "https://waygate.dev/problems/invalid-page-token";
  readonly authMissing: "https://waygate.dev/problems/auth-missing";
  readonly connectionRequired: "https://waygate.dev/problems/connection-required";
  readonly connectionNotFound: "https://waygate.dev/problems/connection-not-found";
  /** The provider refused the connection's refresh token: send the end user to `problem.connectUrl`. */
  readonly connectionNeedsReauth: "https://waygate.dev/problems/connection-needs-reauth";
  readonly oauthRefreshFailed: "https://waygate.dev/problems/oauth-refresh-failed";
  readonly rateLimitWaitExceeded: "https://waygate.dev/problems/rate-limit-wait-exceeded";
  readonly versionMismatch: "https://waygate.dev/problems/version-mismatch";
  readonly collectionTooLarge: "https://waygate.dev/problems/collection-too-large";
  readonly upstreamUnreachable: "https://waygate.dev/problems/upstream-unreachable";
  readonly upstreamTimeout: "https://waygate.dev/problems/upstream-timeout";
  readonly upstreamResponseTooLarge: "https://waygate.dev/problems/upstream-response-too-large";
  /** The upstream API's own error answer (thrown as an `APIError`); every other type is Waygate's. */
  readonly upstreamError: "https://waygate.dev/problems/upstream-error";
  readonly invalidOutput: "https://waygate.dev/problems/invalid-output";
  readonly aborted: "https://waygate.dev/problems/aborted";
  /** The API key is missing, unknown or revoked. */
  readonly unauthorized: "https://waygate.dev/problems/unauthorized";
  /** The key may not act for this app or integration. */
  readonly forbidden: "https://waygate.dev/problems/forbidden";
  /** No such integration, action or app. */
  readonly notFound: "https://waygate.dev/problems/not-found";
  /** The request body itself is malformed. */
  readonly validation: "https://waygate.dev/problems/validation";
}

/** @internal */
export const PROBLEM_BASE = "https://waygate.dev/problems/";

/**
 * The problem `type` URLs, to compare with `error.problem.type`. Built from their slugs
 * (`invalid-input` → `invalidInput`), which keeps bundles small; `ProblemTypeUrls` spells them out.
 */
export const ProblemTypes: ProblemTypeUrls = /* @__PURE__ */ problemTypes();

function problemTypes(): ProblemTypeUrls {
  const slugs =
    "invalid-input invalid-definition invalid-mapping invalid-page-token auth-missing connection-required connection-not-found connection-needs-reauth oauth-refresh-failed " +
    "rate-limit-wait-exceeded version-mismatch collection-too-large upstream-unreachable upstream-timeout upstream-response-too-large upstream-error " +
    "invalid-output aborted unauthorized forbidden not-found validation";
  const entries = slugs.split(" ").map((slug) => [slug.replace(/-(.)/g, (_dash, letter: string) => letter.toUpperCase()), PROBLEM_BASE + slug]);
  return Object.freeze(Object.fromEntries(entries)) as ProblemTypeUrls;
}

/** Any failure of a Waygate call. `status`, `headers` and `problem` are set when a response arrived. */
export class WaygateError extends Error {
  override readonly name: string = "WaygateError";
  /** Waygate's request id (the client's own when no response arrived): quote it when asking about a call. */
  declare readonly requestId: string;
  /** The HTTP status of the answer. */
  declare readonly status: number | undefined;
  declare readonly headers: HeaderReader | undefined;
  /** The problem body Waygate answered with. */
  declare readonly problem: Problem | undefined;
  constructor(message: string, init: ErrorInit) {
    const { cause, ...fields } = init;
    super(message, cause === undefined ? undefined : { cause });
    // Also sets `upstream` and `errors` for the subclasses that declare them.
    Object.assign(this, { status: undefined, headers: undefined, problem: undefined }, fields);
  }
}

/** No answer from Waygate: DNS, refused or reset connection, or an unreadable body. */
export class APIConnectionError extends WaygateError {
  override readonly name: string = "APIConnectionError";
}
/** Waygate did not answer within the `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name: string = "APIConnectionTimeoutError";
}
/** The caller's `signal` aborted the call; `cause` is the signal's reason. */
export class APIUserAbortError extends WaygateError {
  override readonly name: string = "APIUserAbortError";
}
export { APIConnectionError as ConnectionError, APIConnectionTimeoutError as TimeoutError };

/**
 * The upstream API answered with an error status. `upstream` holds what it sent;
 * the subclass says which status (`NotFoundError` is the upstream's 404, never Waygate's).
 */
export class APIError extends WaygateError {
  override readonly name: string = "APIError";
  declare readonly upstream: UpstreamResponse;
  constructor(message: string, init: ErrorInit & { upstream: UpstreamResponse }) {
    super(message, init);
  }
}
/** The upstream answered 400. */
export class BadRequestError extends APIError {
  override readonly name: string = "BadRequestError";
}
/** The upstream answered 401: the connection's credentials were refused. */
export class AuthenticationError extends APIError {
  override readonly name: string = "AuthenticationError";
}
/** The upstream answered 403. */
export class PermissionDeniedError extends APIError {
  override readonly name: string = "PermissionDeniedError";
}
/** The upstream answered 404. */
export class NotFoundError extends APIError {
  override readonly name: string = "NotFoundError";
}
/** The upstream answered 409. */
export class ConflictError extends APIError {
  override readonly name: string = "ConflictError";
}
/** The upstream answered 422. */
export class UnprocessableEntityError extends APIError {
  override readonly name: string = "UnprocessableEntityError";
}
/** The upstream answered 429. */
export class RateLimitError extends APIError {
  override readonly name: string = "RateLimitError";
  /** Seconds the upstream asked to wait (`Retry-After`), when it said. */
  declare readonly retryAfter: number | undefined;
  constructor(message: string, init: ErrorInit & { upstream: UpstreamResponse }) {
    super(message, { ...init, retryAfter: secondsToWait(init.headers) });
  }
}
/** The upstream answered 500 or above. */
export class InternalServerError extends APIError {
  override readonly name: string = "InternalServerError";
}

/** Waygate refused or failed the call itself (its answer says `x-waygate-error-source: waygate`); `problem.type` says why. */
export class WaygateProblemError extends WaygateError {
  override readonly name: string = "WaygateProblemError";
}
/** The input (or the request) is invalid; `errors` lists the fields and why. */
export class InvalidInputError extends WaygateProblemError {
  override readonly name: string = "InvalidInputError";
  declare readonly errors: FieldError[];
  constructor(message: string, init: ErrorInit) {
    super(message, { ...init, errors: Array.isArray(init.problem?.errors) ? init.problem.errors : [] });
  }
}
/** The action needs credentials and the call named no connection (and the app has no default one). */
export class ConnectionRequiredError extends WaygateProblemError {
  override readonly name: string = "ConnectionRequiredError";
}
/** The connection the call named does not exist (for this app and integration). */
export class ConnectionNotFoundError extends WaygateProblemError {
  override readonly name: string = "ConnectionNotFoundError";
}
/** The connection has no usable credentials for the integration. */
export class AuthMissingError extends WaygateProblemError {
  override readonly name: string = "AuthMissingError";
}
/** Refreshing the connection's OAuth token failed; the end user may need to reconnect. */
export class OAuthRefreshFailedError extends WaygateProblemError {
  override readonly name: string = "OAuthRefreshFailedError";
}
/** `strictVersion`: Waygate would have run another integration version than this client was generated for. */
export class VersionMismatchError extends WaygateProblemError {
  override readonly name: string = "VersionMismatchError";
}
/** Waygate refused the API key (401). */
export class WaygateAuthenticationError extends WaygateProblemError {
  override readonly name: string = "WaygateAuthenticationError";
}
/** The API key may not do this (403), e.g. an app key acting for another app. */
export class WaygatePermissionDeniedError extends WaygateProblemError {
  override readonly name: string = "WaygatePermissionDeniedError";
}
/** Waygate knows no such integration, action or app (404). */
export class WaygateNotFoundError extends WaygateProblemError {
  override readonly name: string = "WaygateNotFoundError";
}
/** Waygate's rate limit for the integration would have made the call wait too long (429). */
export class WaygateRateLimitError extends WaygateProblemError {
  override readonly name: string = "WaygateRateLimitError";
  /** Seconds to wait before trying again. */
  declare readonly retryAfter: number | undefined;
  constructor(message: string, init: ErrorInit) {
    super(message, { ...init, retryAfter: secondsToWait(init.headers) });
  }
}
/** Waygate could not reach the upstream API (502). */
export class UpstreamUnreachableError extends WaygateProblemError {
  override readonly name: string = "UpstreamUnreachableError";
}
/** The upstream API did not answer in time (504). */
export class UpstreamTimeoutError extends WaygateProblemError {
  override readonly name: string = "UpstreamTimeoutError";
}
/** The upstream's answer was larger than Waygate accepts (502). */
export class UpstreamResponseTooLargeError extends WaygateProblemError {
  override readonly name: string = "UpstreamResponseTooLargeError";
}
/** The upstream's answer did not match the action's output schema (strict validation, 502). */
export class InvalidOutputError extends WaygateProblemError {
  override readonly name: string = "InvalidOutputError";
}
/** A page token was not one Waygate issued, or has expired (400). */
export class InvalidPageTokenError extends WaygateProblemError {
  override readonly name: string = "InvalidPageTokenError";
}

function secondsToWait(headers: HeaderReader | undefined): number | undefined {
  const ms = retryAfterMs(headers);
  return ms === undefined ? undefined : ms / 1000;
}

