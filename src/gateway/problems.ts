import { PROBLEM_BASE } from "../contract/problem.js";
import type { FieldError } from "../contract/problem.js";

/*
 * Problem types (RFC 9457 §3.1.1) of the invoke pipeline. Waygate's own failures each have
 * a type; anything the upstream answered with an error status is UPSTREAM_ERROR, whose
 * `status` is the upstream's and whose `upstream` member carries its response.
 */
export const PROBLEM_INVALID_INPUT = `${PROBLEM_BASE}invalid-input`;
export const PROBLEM_INVALID_DEFINITION = `${PROBLEM_BASE}invalid-definition`;
export const PROBLEM_INVALID_MAPPING = `${PROBLEM_BASE}invalid-mapping`;
export const PROBLEM_INVALID_PAGE_TOKEN = `${PROBLEM_BASE}invalid-page-token`;
export const PROBLEM_AUTH_MISSING = `${PROBLEM_BASE}auth-missing`;
export const PROBLEM_OAUTH_REFRESH_FAILED = `${PROBLEM_BASE}oauth-refresh-failed`;
export const PROBLEM_RATE_LIMIT_WAIT_EXCEEDED = `${PROBLEM_BASE}rate-limit-wait-exceeded`;
export const PROBLEM_UPSTREAM_UNREACHABLE = `${PROBLEM_BASE}upstream-unreachable`;
export const PROBLEM_UPSTREAM_TIMEOUT = `${PROBLEM_BASE}upstream-timeout`;
export const PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE = `${PROBLEM_BASE}upstream-response-too-large`;
export const PROBLEM_UPSTREAM_ERROR = `${PROBLEM_BASE}upstream-error`;
export const PROBLEM_INVALID_OUTPUT = `${PROBLEM_BASE}invalid-output`;
export const PROBLEM_ABORTED = `${PROBLEM_BASE}aborted`;

export interface UpstreamSummary {
  status: number;
  /** Safe subset, as in InvokeResponse. */
  headers: Record<string, string>;
  body: unknown;
}

export interface GatewayProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** Only on PROBLEM_UPSTREAM_ERROR. */
  upstream?: UpstreamSummary;
  /** Seconds until a retry may succeed (rate-limit-wait-exceeded); the server can send it as Retry-After. */
  retryAfter?: number;
}

/** Thrown by `Gateway.invoke`; `problem` is the application/problem+json body to answer with. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly problem: GatewayProblem;

  constructor(problem: GatewayProblem, options?: { cause?: unknown }) {
    super(`${problem.title}: ${problem.detail}`, options);
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get type(): string {
    return this.problem.type;
  }
}

export function invalidInput(detail: string, errors?: FieldError[]): GatewayError {
  return new GatewayError({ type: PROBLEM_INVALID_INPUT, title: "Invalid input", status: 400, detail, ...(errors ? { errors } : {}) });
}

/** The stored action or integration cannot be executed; the caller cannot fix it by changing the input. */
export function invalidDefinition(detail: string, cause?: unknown): GatewayError {
  return new GatewayError({ type: PROBLEM_INVALID_DEFINITION, title: "Invalid action definition", status: 500, detail }, { cause });
}

export function invalidMapping(detail: string): GatewayError {
  return new GatewayError({ type: PROBLEM_INVALID_MAPPING, title: "Invalid field mapping", status: 400, detail });
}

export function invalidPageToken(detail: string): GatewayError {
  return new GatewayError({ type: PROBLEM_INVALID_PAGE_TOKEN, title: "Invalid page token", status: 400, detail });
}

/** 401 when credentials are needed and absent; 400 when the connection holds a kind the integration cannot use. */
export function authMissing(status: 400 | 401, detail: string): GatewayError {
  return new GatewayError({ type: PROBLEM_AUTH_MISSING, title: "Credentials missing or unusable", status, detail });
}

export function oauthRefreshFailed(detail: string, cause?: unknown): GatewayError {
  return new GatewayError({ type: PROBLEM_OAUTH_REFRESH_FAILED, title: "OAuth token refresh failed", status: 401, detail }, { cause });
}

export function rateLimitWaitExceeded(waitMs: number, maxWaitMs: number): GatewayError {
  return new GatewayError({
    type: PROBLEM_RATE_LIMIT_WAIT_EXCEEDED,
    title: "Rate limit wait exceeded",
    status: 429,
    detail: `the rate limit budget frees up in ${Math.ceil(waitMs)} ms, longer than the allowed wait of ${maxWaitMs} ms`,
    retryAfter: Math.max(1, Math.ceil(waitMs / 1000)),
  });
}

export function upstreamUnreachable(detail: string, cause?: unknown): GatewayError {
  return new GatewayError({ type: PROBLEM_UPSTREAM_UNREACHABLE, title: "Upstream unreachable", status: 502, detail }, { cause });
}

export function upstreamTimeout(detail: string, cause?: unknown): GatewayError {
  return new GatewayError({ type: PROBLEM_UPSTREAM_TIMEOUT, title: "Upstream timed out", status: 504, detail }, { cause });
}

export function upstreamResponseTooLarge(detail: string): GatewayError {
  return new GatewayError({ type: PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE, title: "Upstream response too large", status: 502, detail });
}

export function upstreamError(upstream: UpstreamSummary): GatewayError {
  return new GatewayError({
    type: PROBLEM_UPSTREAM_ERROR,
    title: "Upstream error",
    status: upstream.status,
    detail: `the upstream answered ${upstream.status}`,
    upstream,
  });
}

export function invalidOutput(errors: FieldError[]): GatewayError {
  return new GatewayError({ type: PROBLEM_INVALID_OUTPUT, title: "Upstream response does not match the output schema", status: 502, detail: `${errors.length} schema violation(s) in the upstream response`, errors });
}

/** 499: the caller went away (nginx's "client closed request"; no standard code exists). */
export function aborted(): GatewayError {
  return new GatewayError({ type: PROBLEM_ABORTED, title: "Invocation aborted", status: 499, detail: "the caller aborted the invocation" });
}
