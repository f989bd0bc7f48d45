import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { actionOf, acmeIntegration, startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";

/**
 * An upstream that allows `perSecond` requests a second per credential (a fixed window,
 * as many APIs count) and answers 429 with Retry-After beyond it. Real time, real HTTP:
 * what matters is how many requests the gateway sends once it has been told to wait.
 */
function windowLimited(perSecond: number) {
  let windowStart = 0;
  let used = 0;
  let firstWindowEnd = Infinity;
  const stats = { accepted: 0, throttled: 0, throttledAfterFirstWindow: 0 };
  const handler = () => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      firstWindowEnd = Math.min(firstWindowEnd, now + 1000);
      used = 0;
    }
    if (++used > perSecond) {
      stats.throttled++;
      // Requests arriving after the first window were sent after the first Retry-After was known.
      if (now >= firstWindowEnd) stats.throttledAfterFirstWindow++;
      const retryAfter = Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000));
      return { status: 429, headers: { "retry-after": String(retryAfter) }, body: { message: "slow down" } };
    }
    stats.accepted++;
    return { body: { state: "done" } };
  };
  return { handler, stats };
}

let upstream: Upstream;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = new Gateway({ allowPrivateNetwork: true });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

describe("after a 429 with Retry-After", () => {
  it("admits 200 concurrent waiters gradually instead of releasing them at once", async () => {
    const limited = windowLimited(40);
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
    // The first burst knows nothing and 160 of it are throttled. Released at once after the
    // Retry-After, those waiters retried into another 429 each, and 80 calls failed with it.
    expect(outcomes.filter((outcome) => outcome === 200)).toHaveLength(200);
    expect(limited.stats.accepted).toBe(200);
    expect(limited.stats.throttledAfterFirstWindow).toBeLessThanOrEqual(5);
  }, 30_000);
});
