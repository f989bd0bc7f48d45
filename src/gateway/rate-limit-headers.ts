/**
 * What an upstream's response says about its remaining budget. Understood, first match wins:
 * - draft-ietf-httpapi-ratelimit-headers (-07 and later): `RateLimit: "name";r=0;t=30`
 *   (structured-field list; `r` remaining, `t` seconds to reset) with `RateLimit-Policy`;
 * - earlier drafts (-00 … -06): `RateLimit: limit=100, remaining=0, reset=30` or the
 *   separate `RateLimit-Remaining` / `RateLimit-Reset` fields (reset in seconds);
 * - the de-facto `X-RateLimit-Remaining` / `X-RateLimit-Reset`, whose reset is either
 *   seconds from now or, as GitHub sends it, epoch seconds (told apart by size).
 */
export interface RateLimitState {
  remaining: number;
  /** Milliseconds from now until the budget is renewed. */
  resetMs: number;
}

/** Epoch seconds beyond this are absolute times; smaller values are delays (about 3 years of seconds). */
const EPOCH_THRESHOLD = 100_000_000;

export function parseRateLimitHeaders(headers: Record<string, string>, now: number): RateLimitState | null {
  return structured(headers["ratelimit"]) ?? legacyCombined(headers["ratelimit"]) ?? separate(headers["ratelimit-remaining"], headers["ratelimit-reset"], now) ?? separate(headers["x-ratelimit-remaining"], headers["x-ratelimit-reset"], now);
}

/** The lowest remaining budget among the listed policies (each item `"name";r=…;t=…`). */
function structured(value: string | undefined): RateLimitState | null {
  if (value === undefined || !/;\s*r=/.test(value)) return null;
  let best: RateLimitState | null = null;
  for (const item of value.split(",")) {
    const remaining = /;\s*r=(\d+)/.exec(item)?.[1];
    if (remaining === undefined) continue;
    const reset = /;\s*t=(\d+)/.exec(item)?.[1];
    const state = { remaining: Number(remaining), resetMs: reset === undefined ? 0 : Number(reset) * 1000 };
    if (!best || state.remaining < best.remaining) best = state;
  }
  return best;
}

function legacyCombined(value: string | undefined): RateLimitState | null {
  if (value === undefined) return null;
  const remaining = /(?:^|[,;\s])remaining=(\d+)/.exec(value)?.[1];
  if (remaining === undefined) return null;
  const reset = /(?:^|[,;\s])reset=(\d+)/.exec(value)?.[1];
  return { remaining: Number(remaining), resetMs: reset === undefined ? 0 : Number(reset) * 1000 };
}

function separate(remaining: string | undefined, reset: string | undefined, now: number): RateLimitState | null {
  if (remaining === undefined || !/^\s*\d+\s*$/.test(remaining)) return null;
  let resetMs = 0;
  if (reset !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(reset)) {
    const seconds = Number(reset);
    resetMs = seconds > EPOCH_THRESHOLD ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
  }
  return { remaining: Number(remaining), resetMs };
}
