import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { SharedRateLimiter } from "./shared-rate-limit.js";
import { actionOf, acmeIntegration, startUpstream, type Upstream } from "./test-upstream.js";
import type { RateLimitConfig } from "./types.js";

const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Two gateways with their own Redis connections stand for two processes (a server and a
 * worker, or two workers) calling one upstream with one credential. The upstream counts
 * requests per wall-clock second and answers 429 with Retry-After over its limit.
 */
function fixedWindow(perSecond: number) {
  const perWindow = new Map<number, number>();
  const stats = { accepted: 0, throttled: 0, firstThrottleAt: Infinity, throttledLater: 0 };
  const handler = () => {
    const now = Date.now();
    const window = Math.floor(now / 1000);
    const count = (perWindow.get(window) ?? 0) + 1;
    perWindow.set(window, count);
    if (count > perSecond) {
      stats.throttled++;
      stats.firstThrottleAt = Math.min(stats.firstThrottleAt, now);
      // The lesson: the first burst, and a correction when the first pace counted one window's
      // tail with the next one's start. Later than this, a 429 means the processes did not share.
      if (now > stats.firstThrottleAt + 3000) stats.throttledLater++;
      return { status: 429, headers: { "retry-after": String(Math.max(1, window + 1 - now / 1000)) }, body: { message: "slow down" } };
    }
    stats.accepted++;
    return { body: { state: "done" } };
  };
  return { handler, stats, perWindow };
}

let upstream: Upstream;
const prefixes: string[] = [];
const gateways: Gateway[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});
afterAll(async () => {
  await upstream.close();
});

/** `count` gateways sharing one Redis prefix, as processes of one Waygate do. */
function processes(count: number, rateLimits: RateLimitConfig = {}): Gateway[] {
  const prefix = `wg-test-${randomBytes(6).toString("hex")}`;
  prefixes.push(prefix);
  const created = Array.from({ length: count }, () => new Gateway({ upstreams: "loopback", rateLimits, sharedRateLimits: { url: REDIS_URL, prefix } }));
  gateways.push(...created);
  return created;
}

/** Calls from `callers` concurrent loops on one gateway until `calls` are done; resolves with the statuses. */
async function drive(gateway: Gateway, calls: number, callers: number): Promise<Array<number | "failed">> {
  const integration = acmeIntegration(upstream.url);
  const statuses: Array<number | "failed"> = [];
  let next = 0;
  const loop = async () => {
    while (next++ < calls) {
      const status = await gateway
        .invoke({
          integration: { slug: "acme", version: 1, baseUrl: integration.baseUrl, authSchemes: [{ type: "bearer" }] },
          action: actionOf(integration, "jobs.status"),
          input: {},
          connection: { id: "conn-shared", credentials: { type: "bearer", token: "tok-shared" } },
          options: { maxRateLimitWaitMs: 20_000, maxAttempts: 5 },
        })
        .then(
          (result) => result.status,
          () => "failed" as const,
        );
      statuses.push(status);
    }
  };
  await Promise.all(Array.from({ length: callers }, loop));
  return statuses;
}

describe("rate limits shared through Redis", () => {
  it("draws two processes' requests from one configured bucket per integration", async () => {
    const limited = fixedWindow(1000);
    upstream.route("GET /api/jobs/status", limited.handler);
    const [a, b] = processes(2, { perIntegration: { acme: { capacity: 5, refillPerSecond: 20 } } });
    const started = Date.now();
    const [fromA, fromB] = await Promise.all([drive(a!, 30, 4), drive(b!, 30, 4)]);
    const elapsed = Date.now() - started;
    expect([...fromA, ...fromB].filter((status) => status === 200)).toHaveLength(60);
    // 60 requests from a bucket of 5 refilled at 20/s take (60 - 5) / 20 = 2.75 s together; apart,
    // each process would have had its own bucket and been done in half the time.
    expect(elapsed).toBeGreaterThanOrEqual(2_600);
    // A bucket admits at most its capacity plus a second's refill in any second (one more where a refill lands on the boundary).
    for (const count of limited.perWindow.values()) expect(count).toBeLessThanOrEqual(26);
  }, 20_000);

  it("keeps two processes together under the limit an upstream taught with one 429", async () => {
    const limited = fixedWindow(25);
    upstream.route("GET /api/jobs/status", limited.handler);
    const [a, b] = processes(2);
    const [fromA, fromB] = await Promise.all([drive(a!, 100, 4), drive(b!, 100, 4)]);
    expect([...fromA, ...fromB].filter((status) => status === 200)).toHaveLength(200);
    expect(limited.stats.throttled).toBeGreaterThan(0); // the lesson
    // Once learned, the pace is one pace for both: no more 429s.
    expect(limited.stats.throttledLater).toBe(0);
    // Paced near the limit, not far below it (the last windows, after any correction).
    const windows = [...limited.perWindow.entries()].sort(([x], [y]) => x - y).slice(-4, -1);
    const accepted = windows.map(([, count]) => Math.min(count, 25));
    expect(accepted.reduce((sum, n) => sum + n, 0) / accepted.length).toBeGreaterThanOrEqual(21);
  }, 20_000);
});

describe("the shared window gate", () => {
  it("counts a send whose gate answer came back late at the time it went, not at the time it asked", async () => {
    const time = { now: 1_000_000 };
    const prefix = `wg-test-${randomBytes(6).toString("hex")}`;
    prefixes.push(prefix);
    const limiter = new SharedRateLimiter({ url: REDIS_URL, prefix }, {}, () => time.now, async (ms) => void (time.now += ms));
    const redis = new Redis(REDIS_URL);
    try {
      const keys = { connection: null, integration: "int_1" };
      for (let i = 0; i < 50; i++) limiter.accept(keys, (time.now += 20));
      limiter.throttled(keys, 1_000, time.now); // paced from here on: every send passes the window gate
      // The process is busy while Redis answers the gate: the answer is read 300 ms after the gate counted the send.
      const scripts = (limiter as unknown as { redis: { waygateWindow(...args: unknown[]): Promise<number> } }).redis;
      const gate = scripts.waygateWindow.bind(scripts);
      let askedAt = 0;
      scripts.waygateWindow = async (...args) => {
        askedAt = time.now;
        const wait = await gate(...args);
        time.now += 300;
        return wait;
      };
      await limiter.acquire(keys, 60_000);
      const wentAt = time.now;
      expect(wentAt - askedAt).toBe(300);
      let counted: string[] = [];
      for (const until = Date.now() + 500; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
        counted = await redis.zrange(`${prefix}:rl:sent:i:int_1`, 0, -1, "WITHSCORES");
        if (counted[1] !== String(askedAt)) break;
      }
      expect(counted).toHaveLength(2);
      expect(Number(counted[1])).toBe(wentAt);
    } finally {
      await limiter.close();
      await redis.quit();
    }
  });
});
