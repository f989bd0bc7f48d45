import type { HttpMethod } from "../contract/integrations.js";

/** RFC 9110 §9.2.2 idempotent methods (TRACE left out: never worth repeating). */
const IDEMPOTENT = new Set<HttpMethod>(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/**
 * A request may be sent again when repeating it cannot do harm twice: its method is
 * idempotent, or the caller gave an idempotency key the upstream deduplicates on
 * (draft-ietf-httpapi-idempotency-key-header).
 */
export function isRetrySafe(method: HttpMethod, idempotencyKey: string | undefined): boolean {
  return IDEMPOTENT.has(method) || (idempotencyKey !== undefined && idempotencyKey !== "");
}

/** 408 Request Timeout, 429 Too Many Requests and 5xx are worth another try; 501 and 505 never change. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date; milliseconds from `now`, null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (!Number.isFinite(date)) return null;
  return Math.max(0, date - now);
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 5_000 };

/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015): uniform in [0, min(cap, base · 2^(retry-1))), so clients
 * that failed together do not retry together.
 */
export function backoffDelay(retry: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
