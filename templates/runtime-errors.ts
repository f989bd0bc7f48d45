/**
 * Waygate's error classes for error answers: the upstream API's errors (`APIError` by its
 * status) and Waygate's refusals (`WaygateProblemError` by problem type). runtime.js loads
 * them with `import()` when an answer is an error (through runtime-error-map.js, which picks
 * the class), so an application that imports no error class carries none of this until
 * then; one that does (`import { NotFoundError } from "./waygate/index.js"`) gets the same
 * classes the runtime throws. index.ts re-exports this module, so a bundle of index.ts holds
 * the classes up front, and only them: which class an answer becomes is in
 * runtime-error-map.js. The base class and the errors of calls that got no answer (a refused
 * connection, a timeout, an abort) are in runtime.js, which needs them without a round trip.
 */
import { retryAfterMs, WaygateError, type ErrorInit, type FieldError, type HeaderReader, type UpstreamResponse } from "./runtime.js";

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

