/**
 * Which error a failed call becomes: for an error answer, the upstream's (`APIError` by its
 * status) or Waygate's (`WaygateProblemError` by problem type), with a message that quotes who
 * failed and why; for a call without a usable answer, `APIConnectionError` and its kin.
 * runtime.js loads this module with `import()` when the first call starts (`failures` there:
 * a call that fails because the network went away could not load it then); it is apart from
 * the classes (runtime-errors.js) so that a bundle of index.ts, which re-exports the classes
 * and so holds them up front, does not hold this too.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  AuthMissingError,
  BadRequestError,
  ConflictError,
  ConnectionNotFoundError,
  ConnectionRequiredError,
  InternalServerError,
  InvalidInputError,
  InvalidOutputError,
  InvalidPageTokenError,
  NotFoundError,
  OAuthRefreshFailedError,
  PermissionDeniedError,
  PROBLEM_BASE,
  RateLimitError,
  UnprocessableEntityError,
  UpstreamResponseTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
  VersionMismatchError,
  WaygateAuthenticationError,
  WaygateError,
  WaygateNotFoundError,
  WaygatePermissionDeniedError,
  WaygateProblemError,
  WaygateRateLimitError,
} from "./runtime-errors.js";
import { HEADER_ERROR_SOURCE, type Answered, type ErrorInit, type Failure, type Problem, type UpstreamResponse } from "./runtime.js";

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

/** The error of a call that got no usable answer (runtime.js's `failure`). @internal */
export function failureFor(label: string, requestId: string, failure: Failure): WaygateError {
  const suffix = ` (request ${requestId})`;
  switch (failure.kind) {
    case "aborted":
      return new APIUserAbortError(`${label}: aborted`, { requestId, cause: failure.reason });
    case "timeout":
      return new APIConnectionTimeoutError(`${label}: Waygate did not answer within ${failure.timeout} ms${suffix}`, { requestId });
    case "unreachable":
      return new APIConnectionError(`${label}: could not reach Waygate at ${failure.baseUrl}: ${messageOf(failure.cause)}${suffix}`, { requestId, cause: failure.cause });
    case "not-json":
      return new WaygateError(`${label}: Waygate sent a JSON content type with a body that is not JSON${suffix}`, { ...failure.answered, cause: failure.cause });
  }
}

/** A failed `fetch`'s message with its cause's code: `fetch failed (ECONNREFUSED)`. */
function messageOf(error: unknown): string {
  const cause = isRecord(error) && isRecord(error["cause"]) ? error["cause"] : undefined;
  const code = cause?.["code"];
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${message} (${code})` : message;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
