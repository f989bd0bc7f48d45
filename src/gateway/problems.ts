import { InvokeProblemTypes } from "../contract/invoke.js";
import type { FieldError } from "../contract/problem.js";

/*
 * Problem types (RFC 9457 §3.1.1) of the invoke pipeline, named once in the contract
 * (`InvokeProblemTypes`): the generated client and the snippets branch on the same URLs.
 */
export const PROBLEM_INVALID_INPUT = InvokeProblemTypes.invalidInput;
export const PROBLEM_INVALID_DEFINITION = InvokeProblemTypes.invalidDefinition;
export const PROBLEM_INVALID_MAPPING = InvokeProblemTypes.invalidMapping;
export const PROBLEM_INVALID_PAGE_TOKEN = InvokeProblemTypes.invalidPageToken;
export const PROBLEM_AUTH_MISSING = InvokeProblemTypes.authMissing;
export const PROBLEM_CONNECTION_REQUIRED = InvokeProblemTypes.connectionRequired;
export const PROBLEM_OAUTH_REFRESH_FAILED = InvokeProblemTypes.oauthRefreshFailed;
export const PROBLEM_RATE_LIMIT_WAIT_EXCEEDED = InvokeProblemTypes.rateLimitWaitExceeded;
export const PROBLEM_COLLECTION_TOO_LARGE = InvokeProblemTypes.collectionTooLarge;
export const PROBLEM_UPSTREAM_UNREACHABLE = InvokeProblemTypes.upstreamUnreachable;
export const PROBLEM_UPSTREAM_TIMEOUT = InvokeProblemTypes.upstreamTimeout;
export const PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE = InvokeProblemTypes.upstreamResponseTooLarge;
export const PROBLEM_UPSTREAM_ERROR = InvokeProblemTypes.upstreamError;
export const PROBLEM_INVALID_OUTPUT = InvokeProblemTypes.invalidOutput;
export const PROBLEM_ABORTED = InvokeProblemTypes.aborted;

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
  /** Milliseconds until a retry may succeed (rate-limit-wait-exceeded); the server sends it as Retry-After. */
  retryAfterMs?: number;
  /** collection-too-large: how far collecting got, and the token that continues after it. */
  collected?: { pages: number; items: number; bytes: number };
  nextPage?: string;
  /** oauth-refresh-failed: the token endpoint's RFC 6749 §5.2 error code (invalid_grant: the end user must connect again). */
  oauthError?: string;
  /** connection-required, connection-not-found, connection-needs-reauth: a hosted connect page the app can send its end user to. */
  connectUrl?: string;
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

export function oauthRefreshFailed(detail: string, cause?: unknown, oauthError?: string): GatewayError {
  return new GatewayError({ type: PROBLEM_OAUTH_REFRESH_FAILED, title: "OAuth token refresh failed", status: 401, detail, ...(oauthError ? { oauthError } : {}) }, { cause });
}

export function rateLimitWaitExceeded(waitMs: number, maxWaitMs: number): GatewayError {
  return new GatewayError({
    type: PROBLEM_RATE_LIMIT_WAIT_EXCEEDED,
    title: "Rate limit wait exceeded",
    status: 429,
    detail: `the rate limit budget frees up in ${Math.ceil(waitMs)} ms, longer than the allowed wait of ${maxWaitMs} ms`,
    retryAfterMs: Math.ceil(waitMs),
  });
}

/** The action needs credentials and the call named no connection (and the caller has no default one). */
export function connectionRequired(detail: string): GatewayError {
  return new GatewayError({ type: PROBLEM_CONNECTION_REQUIRED, title: "Connection required", status: 400, detail });
}

/**
 * 507 (RFC 4918 §11.5: the server cannot store the representation the request needs):
 * collecting every page would hold more than the server allows in memory for one call.
 * Collecting the same pages again with `paginate.maxPages` and continuing from `nextPage`
 * gets the rest; page-by-page calls never hit this.
 */
export function collectionTooLarge(collected: { pages: number; items: number; bytes: number }, limit: number, nextPage: string | null): GatewayError {
  return new GatewayError({
    type: PROBLEM_COLLECTION_TOO_LARGE,
    title: "Collected pages too large",
    status: 507,
    detail:
      `collecting stopped after ${collected.pages} page(s) (${collected.items} items, ${collected.bytes} bytes): the next page would pass the server's limit of ${limit} bytes for one call. ` +
      `Fetch page by page (leave out paginate and send each response's x-waygate-next-page back as page), or collect these ${collected.pages} page(s) with paginate.maxPages and continue from nextPage`,
    collected,
    ...(nextPage ? { nextPage } : {}),
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
