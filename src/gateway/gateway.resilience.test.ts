import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import {
  PROBLEM_ABORTED,
  PROBLEM_RATE_LIMIT_WAIT_EXCEEDED,
  PROBLEM_UPSTREAM_ERROR,
  PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE,
  PROBLEM_UPSTREAM_TIMEOUT,
  PROBLEM_UPSTREAM_UNREACHABLE,
} from "./problems.js";
import { actionOf, acmeIntegration, fakeTime, startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";
import type { GatewayDeps, InvokeOptions } from "./types.js";
import { problemOf } from "./test-problem.js";

let upstream: Upstream;
const gateways: Gateway[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});
afterAll(() => upstream.close());

/** A gateway on a fake clock (sleep advances it) with jitter fixed at half the ceiling. */
function setup(deps: GatewayDeps = {}) {
  const time = fakeTime();
  const gateway = new Gateway({ upstreams: "loopback", clock: time.clock, sleep: time.sleep, random: () => 0.5, ...deps });
  gateways.push(gateway);
  const invoke = (action: string, input: unknown = {}, options: InvokeOptions = {}, connectionId = "conn-1", baseUrl = acmeIntegration(upstream.url).baseUrl) =>
    gateway.invoke({
      integration: { slug: "acme", version: 1, baseUrl, authSchemes: [{ type: "bearer" }] },
      action: actionOf(acmeIntegration(upstream.url), action),
      input,
      connection: { id: connectionId, credentials: { type: "bearer", token: "tok-1" } },
      options,
    });
  return { time, invoke };
}

function failTimes(count: number, status = 503, headers: Record<string, string> = {}) {
  return (_request: unknown, hit: number) => (hit <= count ? { status, headers, body: { message: "try later" } } : { body: { state: "done" } });
}

describe("retries (RFC 9110 §9.2.2, §10.2.3)", () => {
  it("retries a GET on 503 with exponential backoff and full jitter, then returns the success", async () => {
    upstream.route("GET /api/jobs/status", failTimes(2));
    const { time, invoke } = setup();
    const result = await invoke("jobs.status");
    expect(result).toMatchObject({ status: 200, body: { state: "done" }, attempts: 3 });
    expect(time.sleeps).toEqual([100, 200]); // 0.5 × 200·2⁰, 0.5 × 200·2¹
  });

  it("gives up after maxAttempts and passes the last 5xx through as upstream-error", async () => {
    upstream.route("GET /api/jobs/status", failTimes(10, 502));
    const { invoke } = setup();
    const before = upstream.hits("GET /api/jobs/status").length;
    const problem = await problemOf(invoke("jobs.status", {}, { maxAttempts: 2 }));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 502, upstream: { status: 502, body: { message: "try later" } } });
    expect(upstream.hits("GET /api/jobs/status").length - before).toBe(2);
  });

  it("does not retry a POST on 503 without an idempotency key", async () => {
    upstream.route("POST /api/jobs", failTimes(1));
    const { time, invoke } = setup();
    const problem = await problemOf(invoke("jobs.start", { kind: "x" }));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 503 });
    expect(upstream.hits("POST /api/jobs")).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it("retries a POST on 503 when the caller gave an idempotency key, sending it upstream every time", async () => {
    upstream.route("POST /api/jobs", failTimes(1));
    const { invoke } = setup();
    const before = upstream.hits("POST /api/jobs").length;
    const result = await invoke("jobs.start", { kind: "x" }, { idempotencyKey: "key-42" });
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    const sent = upstream.hits("POST /api/jobs").slice(before);
    expect(sent.map((request) => request.headers["idempotency-key"])).toEqual(["key-42", "key-42"]);
    expect(sent.map((request) => request.body.toString())).toEqual(['{"kind":"x"}', '{"kind":"x"}']);
  });

  it("waits the Retry-After seconds of a 429 before retrying", async () => {
    upstream.route("GET /api/jobs/status", failTimes(1, 429, { "retry-after": "3" }));
    const { time, invoke } = setup();
    const result = await invoke("jobs.status");
    expect(result.attempts).toBe(2);
    expect(time.sleeps).toEqual([3000]);
  });

  it("understands a Retry-After HTTP date", async () => {
    const { time, invoke } = setup();
    upstream.route("GET /api/jobs/status", failTimes(1, 503, { "retry-after": new Date(time.clock() + 5000).toUTCString() }));
    await invoke("jobs.status");
    expect(time.sleeps).toEqual([5000]);
  });

  it("returns a 429 whose Retry-After exceeds maxRateLimitWaitMs, then fails fast on the same connection without calling upstream", async () => {
    upstream.route("GET /api/jobs/status", { status: 429, headers: { "retry-after": "120" }, body: { message: "slow down" } });
    const { time, invoke } = setup();
    const first = await problemOf(invoke("jobs.status", {}, { maxRateLimitWaitMs: 5_000 }, "conn-429"));
    expect(first).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 429, upstream: { headers: { "retry-after": "120" } } });
    const hits = upstream.hits("GET /api/jobs/status").length;
    const second = await problemOf(invoke("jobs.status", {}, { maxRateLimitWaitMs: 5_000 }, "conn-429"));
    expect(second).toMatchObject({ type: PROBLEM_RATE_LIMIT_WAIT_EXCEEDED, status: 429, retryAfterMs: 120_000 });
    expect(upstream.hits("GET /api/jobs/status").length).toBe(hits);
    expect(time.sleeps).toEqual([]);
  });
});

describe("rate limits", () => {
  it("waits for an exhausted X-RateLimit budget to reset (epoch seconds, as GitHub sends it) instead of provoking a 429", async () => {
    const { time, invoke } = setup();
    const reset = Math.floor(time.clock() / 1000) + 4;
    upstream.route("GET /api/jobs/status", { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, body: { state: "done" } });
    await invoke("jobs.status", {}, {}, "conn-x");
    await invoke("jobs.status", {}, {}, "conn-x");
    expect(time.sleeps).toEqual([4000]);
  });

  it("refuses with rate-limit-wait-exceeded when the IETF RateLimit reset is further away than allowed", async () => {
    upstream.route("GET /api/jobs/status", { headers: { ratelimit: '"default";r=0;t=60', "ratelimit-policy": '"default";q=100;w=60' }, body: { state: "done" } });
    const { invoke } = setup();
    await invoke("jobs.status", {}, {}, "conn-ietf");
    const hits = upstream.hits("GET /api/jobs/status").length;
    const problem = await problemOf(invoke("jobs.status", {}, { maxRateLimitWaitMs: 1_000 }, "conn-ietf"));
    expect(problem).toMatchObject({ type: PROBLEM_RATE_LIMIT_WAIT_EXCEEDED, status: 429, retryAfterMs: 60_000 });
    expect(upstream.hits("GET /api/jobs/status").length).toBe(hits);
  });

  it("spaces requests by a configured per-connection token bucket", async () => {
    upstream.route("GET /api/jobs/status", { body: { state: "done" } });
    const { time, invoke } = setup({ rateLimits: { perConnection: { capacity: 2, refillPerSecond: 1 } } });
    await Promise.all([invoke("jobs.status", {}, {}, "conn-b"), invoke("jobs.status", {}, {}, "conn-b"), invoke("jobs.status", {}, {}, "conn-b")]);
    expect(time.sleeps).toEqual([1000]);
    await invoke("jobs.status", {}, {}, "conn-other");
    expect(time.sleeps).toEqual([1000]);
  });
});

describe("timeouts and network failures", () => {
  it("answers upstream-timeout (504) when the upstream is slower than timeoutMs", async () => {
    upstream.route("GET /api/jobs/status", { delayMs: 1_000, body: { state: "done" } });
    const { invoke } = setup();
    const started = Date.now();
    const problem = await problemOf(invoke("jobs.status", {}, { timeoutMs: 100, maxAttempts: 2 }));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_TIMEOUT, status: 504 });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("retries a connection the upstream drops and answers upstream-unreachable (502) when it keeps failing", async () => {
    upstream.route("GET /api/jobs/status", { hangUp: true });
    const { time, invoke } = setup();
    const before = upstream.hits("GET /api/jobs/status").length;
    const problem = await problemOf(invoke("jobs.status"));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_UNREACHABLE, status: 502 });
    expect(upstream.hits("GET /api/jobs/status").length - before).toBe(3);
    expect(time.sleeps).toHaveLength(2);
  });

  it("answers upstream-unreachable for a closed port", async () => {
    const closed = await startUpstream();
    await closed.close();
    const { invoke } = setup();
    const problem = await problemOf(invoke("jobs.status", {}, { maxAttempts: 1 }, "conn-1", `${closed.url}/api`));
    expect(problem.type).toBe(PROBLEM_UPSTREAM_UNREACHABLE);
    expect(problem.detail).toContain("ECONNREFUSED");
  });

  it("refuses a loopback upstream when upstreams are public-only, the default (SSRF)", async () => {
    const { invoke } = setup({ upstreams: "public" });
    const before = upstream.received.length;
    const problem = await problemOf(invoke("jobs.status"));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_UNREACHABLE, status: 502 });
    expect(problem.detail).toContain("non-public address 127.0.0.1");
    expect(upstream.received.length).toBe(before);
  });

  it("refuses a host name that resolves to a private address when it connects (no DNS lookup per call)", async () => {
    const { invoke } = setup({ upstreams: "public" });
    const before = upstream.received.length;
    const viaName = acmeIntegration(upstream.url.replace("127.0.0.1", "localhost")).baseUrl;
    const problem = await problemOf(invoke("jobs.status", {}, {}, "conn-1", viaName));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_UNREACHABLE, status: 502 });
    expect(problem.detail).toBe("localhost resolves to a non-public address");
    expect(upstream.received.length).toBe(before);
  });

  it("reaches loopback but nothing else private when upstreams may be loopback (local development)", async () => {
    upstream.route("GET /api/jobs/status", { body: { state: "done" } });
    const { invoke } = setup({ upstreams: "loopback" });
    expect((await invoke("jobs.status", {}, {}, "conn-1", acmeIntegration(upstream.url.replace("127.0.0.1", "localhost")).baseUrl)).status).toBe(200);
    for (const host of ["169.254.169.254", "10.0.0.1", "[::ffff:a00:1]", "[fd00::1]"]) {
      const problem = await problemOf(invoke("jobs.status", {}, { maxAttempts: 1 }, "conn-1", `http://${host}/api`));
      expect(problem, host).toMatchObject({ type: PROBLEM_UPSTREAM_UNREACHABLE, status: 502 });
      expect(problem.detail, host).toContain("non-public address");
    }
  });

  it("answers aborted when the caller's signal fires", async () => {
    upstream.route("GET /api/jobs/status", { delayMs: 1_000, body: { state: "done" } });
    const { invoke } = setup();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const problem = await problemOf(invoke("jobs.status", {}, { signal: controller.signal }));
    expect(problem).toMatchObject({ type: PROBLEM_ABORTED, status: 499 });
  });

  it("stops reading a response body larger than maxResponseBytes", async () => {
    upstream.route("GET /api/jobs/status", { body: { state: "done", padding: "x".repeat(5_000) } });
    const { invoke } = setup({ maxResponseBytes: 1_000 });
    const problem = await problemOf(invoke("jobs.status"));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_RESPONSE_TOO_LARGE, status: 502 });
  });
});
