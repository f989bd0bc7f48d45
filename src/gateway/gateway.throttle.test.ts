import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { actionOf, acmeIntegration, startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";

/**
 * An upstream that takes `perSecond` requests a second per credential with bursts of as
 * many (a token bucket, as GitHub and Stripe count) and answers 429 with Retry-After
 * beyond it. Real time and real HTTP: what matters is how many requests the gateway sends
 * once it has been told to wait.
 */
function rateLimited(perSecond: number) {
  let tokens = perSecond;
  let updatedAt = Date.now();
  let firstThrottleAt = Infinity;
  const stats = { accepted: 0, throttled: 0, throttledAfterFirstSecond: 0 };
  const handler = () => {
    const now = Date.now();
    tokens = Math.min(perSecond, tokens + ((now - updatedAt) / 1000) * perSecond);
    updatedAt = now;
    if (tokens < 1) {
      stats.throttled++;
      firstThrottleAt = Math.min(firstThrottleAt, now);
      // Requests arriving a second after the first 429 were sent knowing its Retry-After.
      if (now >= firstThrottleAt + 1000) stats.throttledAfterFirstSecond++;
      return { status: 429, headers: { "retry-after": "1" }, body: { message: "slow down" } };
    }
    tokens -= 1;
    stats.accepted++;
    return { body: { state: "done" } };
  };
  return { handler, stats };
}

let upstream: Upstream;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = new Gateway({ upstreams: "loopback" });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

describe("after a 429 with Retry-After", () => {
  it("admits 200 concurrent waiters gradually instead of releasing them at once", async () => {
    const limited = rateLimited(40);
    upstream.route("GET /api/jobs/status", limited.handler);
    const integration = acmeIntegration(upstream.url);
    const invoke = () =>
      gateway
        .invoke({
          integration: { slug: "acme", version: 1, baseUrl: integration.baseUrl, authSchemes: [{ type: "bearer" }] },
          action: actionOf(integration, "jobs.status"),
          input: {},
          connection: { id: "conn-herd", credentials: { type: "bearer", token: "tok-herd" } },
          options: { maxRateLimitWaitMs: 20_000, maxAttempts: 3 },
        })
        .then(
          (result) => result.status,
          () => "failed" as const,
        );
    const outcomes = await Promise.all(Array.from({ length: 200 }, invoke));
    // The first burst knows nothing and most of it is throttled. Released at once after the
    // Retry-After, those waiters all retried into another 429, and 30 of the calls failed.
    expect(outcomes.filter((outcome) => outcome === 200)).toHaveLength(200);
    expect(limited.stats.accepted).toBe(200);
    expect(limited.stats.throttledAfterFirstSecond).toBeLessThanOrEqual(25); // before: about 100
  }, 30_000);
});
