import { describe, expect, it } from "vitest";
import { parseRateLimitHeaders } from "./rate-limit-headers.js";
import { RateLimiter, TokenBucket } from "./rate-limit.js";
import { GatewayError } from "./problems.js";
import { backoffDelay, isRetrySafe, isRetryableStatus, parseRetryAfter } from "./retry.js";
import { fakeTime } from "./test-upstream.js";

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe("retry policy", () => {
  it("retries only idempotent methods (RFC 9110 §9.2.2) unless there is an idempotency key", () => {
    expect(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].every((method) => isRetrySafe(method as never, undefined))).toBe(true);
    expect(isRetrySafe("POST", undefined)).toBe(false);
    expect(isRetrySafe("PATCH", "")).toBe(false);
    expect(isRetrySafe("POST", "k1")).toBe(true);
  });

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [501, false],
    [505, false],
    [400, false],
    [404, false],
  ])("treats status %i as retryable: %s", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  it("reads Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3)", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 12:00:30 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 11:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
  });

  it("draws full-jitter backoff below an exponentially growing, capped ceiling", () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, () => 0.999))).toEqual([199, 399, 799, 1598]);
    expect(backoffDelay(20, () => 0.999)).toBe(4995);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });
});

describe("rate-limit headers", () => {
  it("reads the IETF structured RateLimit field, taking the tightest policy", () => {
    expect(parseRateLimitHeaders({ ratelimit: '"burst";r=5;t=1, "daily";r=0;t=3600' }, NOW)).toEqual({ remaining: 0, resetMs: 3_600_000 });
  });

  it("reads the earlier drafts' combined and separate fields", () => {
    expect(parseRateLimitHeaders({ ratelimit: "limit=100, remaining=3, reset=20" }, NOW)).toEqual({ remaining: 3, resetMs: 20_000 });
    expect(parseRateLimitHeaders({ "ratelimit-remaining": "0", "ratelimit-reset": "7" }, NOW)).toEqual({ remaining: 0, resetMs: 7_000 });
  });

  it("reads X-RateLimit-Reset as epoch seconds (GitHub) or as a delay", () => {
    expect(parseRateLimitHeaders({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 90) }, NOW)).toEqual({ remaining: 0, resetMs: 90_000 });
    expect(parseRateLimitHeaders({ "x-ratelimit-remaining": "10", "x-ratelimit-reset": "30" }, NOW)).toEqual({ remaining: 10, resetMs: 30_000 });
  });

  it("ignores absent or unreadable values", () => {
    expect(parseRateLimitHeaders({}, NOW)).toBeNull();
    expect(parseRateLimitHeaders({ "x-ratelimit-remaining": "many" }, NOW)).toBeNull();
  });
});

describe("token buckets and learned budgets", () => {
  it("hands out reservations in order once the bucket is empty", () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 2 }, 0);
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, 500, 1000]);
    expect(bucket.waitFor(2_000)).toBe(0);
  });

  it("counts a learned budget down locally and waits for its reset once spent", async () => {
    const time = fakeTime(0);
    const limiter = new RateLimiter({}, time.clock, time.sleep);
    const keys = { connection: "c1", integration: "acme" };
    limiter.learn(keys, { remaining: 1, resetMs: 10_000 });
    await limiter.acquire(keys, 60_000);
    expect(time.sleeps).toEqual([]);
    await limiter.acquire(keys, 60_000);
    expect(time.sleeps).toEqual([10_000]);
    await limiter.acquire({ connection: "c2", integration: "acme" }, 0);
  });

  it("throws rate-limit-wait-exceeded without reserving when the wait is too long", async () => {
    const time = fakeTime(0);
    const limiter = new RateLimiter({ perIntegration: { "*": { capacity: 1, refillPerSecond: 0.1 } } }, time.clock, time.sleep);
    const keys = { connection: null, integration: "acme" };
    await limiter.acquire(keys, 0);
    await expect(limiter.acquire(keys, 1_000)).rejects.toBeInstanceOf(GatewayError);
    await limiter.acquire(keys, 10_000);
    expect(time.sleeps).toEqual([10_000]);
  });
});
