/**
 * Waygate's error classes for error answers, and the function that picks one: the upstream
 * API's errors (`APIError` by its status) and Waygate's refusals (`WaygateProblemError` by
 * problem type). runtime.js loads this module with `import()` when an answer is an error,
 * so an application that imports no error class carries none of this until then; one that
 * does (`import { NotFoundError } from "./waygate/index.js"`) gets the same classes the
 * runtime throws. The base class and the errors of calls that got no answer (a refused
 * connection, a timeout, an abort) are in runtime.js, which needs them without a round trip.
 */
import { APIConnectionError, HEADER_ERROR_SOURCE, isRecord, PROBLEM_BASE, retryAfterMs, WaygateError, type Answered, type ErrorInit, type FieldError, type HeaderReader, type Problem, type UpstreamResponse } from "./runtime.js";

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

type APIErrorClass = new (message: string, init: ErrorInit & { upstream: UpstreamResponse }) => APIError;
const UPSTREAM_CLASSES: ReadonlyMap<number, APIErrorClass> = new Map<number, APIErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

type ProblemErrorClass = new (message: string, init: ErrorInit) => WaygateProblemError;
/** Waygate's problem types (by slug, after `PROBLEM_BASE`) and their classes. */
const PROBLEM_CLASSES: ReadonlyMap<string, ProblemErrorClass> = new Map<string, ProblemErrorClass>([
  ["invalid-input", InvalidInputError],
  ["validation", InvalidInputError],
  ["connection-required", ConnectionRequiredError],
  ["connection-not-found", ConnectionNotFoundError],
  ["auth-missing", AuthMissingError],
  ["oauth-refresh-failed", OAuthRefreshFailedError],
  ["version-mismatch", VersionMismatchError],
  ["unauthorized", WaygateAuthenticationError],
  ["forbidden", WaygatePermissionDeniedError],
  ["not-found", WaygateNotFoundError],
  ["rate-limit-wait-exceeded", WaygateRateLimitError],
  ["upstream-unreachable", UpstreamUnreachableError],
  ["upstream-timeout", UpstreamTimeoutError],
  ["upstream-response-too-large", UpstreamResponseTooLargeError],
  ["invalid-output", InvalidOutputError],
  ["invalid-page-token", InvalidPageTokenError],
]);

/**
 * The error for an error answer. Who failed decides the class: the upstream (`upstream-error`
 * problems, `x-waygate-error-source: upstream`) gives an `APIError` by the upstream's status;
 * Waygate gives a `WaygateProblemError` by problem type; anything else (a proxy in front,
 * a wrong `baseUrl`) a `WaygateError` (`APIConnectionError` for 502/503/504).
 * @internal
 */
export function errorFor(label: string, answered: Answered, bytes: ArrayBuffer): WaygateError {
  const { status, headers, requestId } = answered;
  const text = new TextDecoder().decode(bytes);
  const parsed = parseJson(text);
  const problem: Problem | undefined = isRecord(parsed) ? (parsed as Problem) : undefined;
  const source = headers.get(HEADER_ERROR_SOURCE);
  const init = { requestId, status, headers, problem };
  const suffix = ` (request ${requestId})`;
  const type = typeof problem?.type === "string" && problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : undefined;
  if (type === "upstream-error" || source === "upstream") {
    const upstream: UpstreamResponse = isRecord(problem?.upstream) ? { status, headers: {}, ...problem.upstream } : { status, headers: {}, body: problem ?? text };
    const quoted = upstreamMessage(upstream.body);
    const message = `${label}: the upstream answered ${upstream.status}${quoted ? `: ${quoted}` : ""}${suffix}`;
    const Class = UPSTREAM_CLASSES.get(upstream.status) ?? (upstream.status >= 500 ? InternalServerError : APIError);
    return new Class(message, { ...init, upstream });
  }
  const known = type === undefined ? undefined : PROBLEM_CLASSES.get(type);
  if (known !== undefined || source === "waygate") {
    const detail = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
    const Class = known ?? WaygateProblemError;
    return new Class(`${label}: ${detail}${suffix}`, init);
  }
  const what = `${label}: ${status} from a server that is not Waygate${text ? `: ${clip(text)}` : ""}${suffix}`;
  return status === 502 || status === 503 || status === 504 ? new APIConnectionError(what, init) : new WaygateError(what, init);
}

/** The upstream's own words: GitHub `message`, Stripe `error.message`, OAuth `error_description`, problem `detail`, Slack `error`… */
function upstreamMessage(body: unknown): string {
  if (typeof body === "string") return clip(body);
  if (!isRecord(body)) return "";
  const error = body["error"];
  const errors = body["errors"];
  const first = Array.isArray(errors) && isRecord(errors[0]) ? errors[0] : undefined;
  const candidates = [
    body["error_description"],
    body["message"],
    isRecord(error) ? error["message"] : undefined,
    body["detail"],
    error,
    first?.["message"],
    first?.["detail"],
    body["title"],
  ];
  const found = candidates.find((candidate): candidate is string => typeof candidate === "string" && candidate.trim() !== "");
  return found === undefined ? "" : clip(found);
}

function clip(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function secondsToWait(headers: HeaderReader | undefined): number | undefined {
  const ms = retryAfterMs(headers);
  return ms === undefined ? undefined : ms / 1000;
}

