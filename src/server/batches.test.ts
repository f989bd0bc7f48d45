import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../../test/support/rate-limited-upstream.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";
import type { Batch, BatchItem } from "../contract/index.js";

/**
 * Batches through the real server on loopback against a real upstream that enforces a
 * rate limit (429 + Retry-After beyond it), deduplicates on Idempotency-Key and refuses
 * some items.
 */
describe.each(storeBackends)("batches through the server on %s", (backend) => {
  let server: TestServer;
  let upstream: RateLimitedUpstream;
  let appKey: string;
  let otherAppKey: string;
  const PER_SECOND = 20;

  const call = async (method: string, path: string, body?: unknown, key = server.tenantKey, headers: Record<string, string> = {}) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { data?: unknown[]; errors?: Array<{ field: string }> } };
  };

  const waitForEnd = async (id: string, key = appKey, timeoutMs = 60_000): Promise<Batch> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = (await call("GET", `/v1/batches/${id}`, undefined, key)).body as unknown as Batch;
      if (["completed", "completed_with_errors", "cancelled"].includes(batch.status)) return batch;
      if (Date.now() > deadline) throw new Error(`batch ${id} did not finish: ${JSON.stringify(batch)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const results = async (id: string, query = "", key = appKey): Promise<BatchItem[]> => {
    const items: BatchItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await call("GET", `/v1/batches/${id}/results?limit=37${query}${cursor ? `&cursor=${cursor}` : ""}`, undefined, key);
      expect(page.status).toBe(200);
      items.push(...(page.body.data as BatchItem[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    upstream = await startRateLimitedUpstream({ perSecond: PER_SECOND, latencyMs: 5 });
    expect((await call("POST", "/v1/integrations", contactsIntegration(upstream.url))).status).toBe(201);
    for (const [name, set] of [["one", (k: string) => (appKey = k)], ["two", (k: string) => (otherAppKey = k)]] as const) {
      expect((await call("POST", "/v1/apps", { name })).status).toBe(201);
      set((await call("POST", `/v1/apps/${name}/keys`, { name: "k" })).body.secret as string);
    }
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  afterEach(() => {
    upstream.accepted.clear();
    upstream.created.clear();
  });

  it("runs 120 items at the upstream's rate: each in one final state, each success created once, 429s only while the limit is learned", async () => {
    const throttledBefore = upstream.throttled;
    const items = Array.from({ length: 120 }, (_, i) => ({ input: { name: i % 10 === 3 ? `bad ${i}` : `contact ${i}` } }));
    const started = Date.now();
    const created = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { concurrency: 4 } }, appKey);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ status: "queued", counts: { total: 120 } });

    const batch = await waitForEnd(id);
    const seconds = (Date.now() - started) / 1000;
    expect(batch.status).toBe("completed_with_errors");
    expect(batch.counts).toEqual({ total: 120, queued: 0, running: 0, succeeded: 108, failed: 12, skipped: 0, cancelled: 0 });

    const all = await results(id);
    expect(all.map((item) => item.seq)).toEqual(items.map((_, i) => i));
    for (const item of all) {
      const bad = item.seq % 10 === 3;
      expect(item.state).toBe(bad ? "failed" : "succeeded");
      expect(item.upstreamStatus).toBe(bad ? 422 : 201);
      if (bad) expect(item.result).toEqual({ error: `name "bad ${item.seq}" refused` });
      else expect(item.result).toMatchObject({ name: `contact ${item.seq}` });
      // POST is not idempotent: every item carried its own key, and the upstream took each one once.
      expect(upstream.accepted.get(`batch:${id}:${item.seq}`), `item ${item.seq}`).toBe(1);
      if (!bad) expect(upstream.created.get(`batch:${id}:${item.seq}`)).toBe(1);
    }
    expect(upstream.unkeyed).toBe(0);
    // 120 sends at 20/s take at least 5 s; the pace stays near the limit.
    expect(seconds).toBeGreaterThan(120 / PER_SECOND - 1.5);
    expect(seconds).toBeLessThan(120 / PER_SECOND * 2.5);
    // Only the opening burst (at most the items in flight, plus the gateway's one retry each) meets a 429.
    const throttled = upstream.throttled - throttledBefore;
    expect(throttled).toBeLessThanOrEqual(4 * 2);
    const failed = await results(id, "&state=failed");
    expect(failed.map((item) => item.seq)).toEqual(all.filter((item) => item.seq % 10 === 3).map((item) => item.seq));
  }, 60_000);

  it("dry run: answers 400 with each invalid item's index and fields, and stores nothing", async () => {
    const before = (await call("GET", "/v1/batches", undefined, appKey)).body.data!.length;
    const items = [{ input: { name: "ok" } }, { input: {} }, { input: { name: "x", age: "old" } }, { input: { name: "y", shoe: 42 } }];
    const answer = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { dryRun: true } }, appKey);
    expect(answer.status).toBe(400);
    const fields = answer.body.errors!.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(["items.2.input.age", "items.3.input.shoe"]));
    expect(fields.some((field) => field.startsWith("items.1."))).toBe(true);
    expect(fields.some((field) => field.startsWith("items.0."))).toBe(false);
    expect(answer.body.detail).toMatch(/^3 of 4 items/);
    // The code tells this answer (the outcome a dry run asked for) from a refused request, whose fields are `body.…`.
    expect(answer.body.code).toBe("invalid-items");
    const refused = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { dryRun: true, concurrency: 500 } }, appKey);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBeUndefined();
    const valid = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: [items[0]], options: { dryRun: true } }, appKey);
    expect(valid).toMatchObject({ status: 200, body: { dryRun: true, items: 1, version: 1 } });
    expect((await call("GET", "/v1/batches", undefined, appKey)).body.data).toHaveLength(before);
    expect(upstream.accepted.size).toBe(0);
  });

  it("stores an invalid item failed with its fields, never sent, and runs the others", async () => {
    const items = [{ input: { name: "fine" } }, { input: { name: 7 } }];
    const created = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items }, appKey);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await waitForEnd(id)).counts).toMatchObject({ succeeded: 1, failed: 1 });
    const [fine, bad] = await results(id);
    expect(fine).toMatchObject({ state: "succeeded", upstreamStatus: 201 });
    expect(bad).toMatchObject({ state: "failed", attempts: 0, upstreamStatus: null, error: { status: 400, errors: [{ field: "input.name" }] } });
    expect(upstream.accepted.get(`batch:${id}:1`)).toBeUndefined();
  });

  it("refuses bad requests: unknown action, no items, too many items, NUL in an input, another app", async () => {
    const unknown = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.nope", items: [{ input: {} }] }, appKey);
    expect(unknown.status).toBe(404);
    expect((await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: [] }, appKey)).status).toBe(400);
    const tooMany = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: Array.from({ length: 100_001 }, () => ({ input: {} })) }, appKey);
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body.errors)).toContain("body.items");
    const nul = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: [{ input: { name: "a" } }, { input: { name: "b\u0000c" } }] }, appKey);
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([{ field: "body.items.1.input.name", message: "must not contain NUL (U+0000)" }]);
    expect((await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: [{ input: { name: "a" } }] }, server.tenantKey, { "x-waygate-app": "nope" })).status).toBe(404);
  });

  it("keeps an app's batches from another app's key on every route, and shows a tenant key all of them", async () => {
    const created = await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items: [{ input: { name: "mine" } }] }, appKey);
    const id = created.body.id as string;
    await waitForEnd(id);
    for (const [method, path] of [["GET", `/v1/batches/${id}`], ["GET", `/v1/batches/${id}/results`], ["GET", `/v1/batches/${id}/events`], ["POST", `/v1/batches/${id}/cancel`], ["POST", `/v1/batches/${id}/resume`], ["POST", `/v1/batches/${id}/retry-failed`]] as const) {
      const answer = await call(method, path, undefined, otherAppKey);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain("mine");
    }
    const listed = (await call("GET", "/v1/batches?limit=200", undefined, otherAppKey)).body.data as Batch[];
    expect(listed.map((batch) => batch.id)).not.toContain(id);
    const tenant = (await call("GET", "/v1/batches?limit=200", undefined, server.tenantKey)).body.data as Batch[];
    expect(tenant.map((batch) => batch.id)).toContain(id);
    expect((await call("GET", `/v1/batches/${id}`, undefined, server.tenantKey)).status).toBe(200);
  });

  it("streams progress as server-sent events and ends with `end`", async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ input: { name: `sse ${i}` } }));
    const id = (await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { concurrency: 2 } }, appKey)).body.id as string;
    const response = await fetch(`${server.url}/v1/batches/${id}/events`, { headers: { authorization: `Bearer ${appKey}` } });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((match) => ({ event: match[1], batch: JSON.parse(match[2]!) as Batch }));
    expect(events.at(-1)).toMatchObject({ event: "end", batch: { status: "completed", counts: { succeeded: 30 } } });
    expect(events.filter((event) => event.event === "end")).toHaveLength(1);
    for (const { batch } of events) {
      const { total, ...states } = batch.counts;
      expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(total);
    }
    const done = events.map(({ batch }) => batch.counts.succeeded);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
  }, 30_000);

  it("stops on errors: once the share of failed items reaches stopOnErrorRatio, the rest end skipped, never sent", async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ input: { name: `bad ${i}` } }));
    const id = (await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { concurrency: 1, stopOnErrorRatio: 0.5 } }, appKey)).body.id as string;
    const batch = await waitForEnd(id);
    expect(batch.status).toBe("completed_with_errors");
    expect(batch.counts.failed).toBeGreaterThanOrEqual(20);
    expect(batch.counts.skipped).toBeGreaterThan(0);
    expect(batch.counts.failed + batch.counts.skipped).toBe(100);
    const skipped = await results(id, "&state=skipped");
    expect(skipped[0]!.error?.detail).toMatch(/stopOnErrorRatio 0.5/);
    for (const item of skipped) expect(upstream.accepted.get(`batch:${id}:${item.seq}`)).toBeUndefined();
  }, 30_000);

  it("cancels a running batch (queued items end cancelled), resumes it to completion, and retries failed items", async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ input: { name: i === 59 ? "bad last" : `c ${i}` } }));
    const id = (await call("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { concurrency: 1 } }, appKey)).body.id as string;
    await new Promise((resolve) => setTimeout(resolve, 400));
    const cancelling = await call("POST", `/v1/batches/${id}/cancel`, undefined, appKey);
    expect(cancelling.status).toBe(202);
    const cancelled = await waitForEnd(id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.counts.cancelled).toBeGreaterThan(0);
    expect(cancelled.counts.succeeded + cancelled.counts.cancelled + cancelled.counts.failed).toBe(60);
    const sentBeforeResume = upstream.accepted.size;
    expect(sentBeforeResume).toBe(cancelled.counts.succeeded + cancelled.counts.failed);

    expect((await call("POST", `/v1/batches/${id}/resume`, undefined, appKey)).status).toBe(202);
    const resumed = await waitForEnd(id);
    expect(resumed).toMatchObject({ status: "completed_with_errors", counts: { succeeded: 59, failed: 1, cancelled: 0 } });
    expect([...upstream.accepted.values()].every((n) => n === 1)).toBe(true);
    expect((await call("POST", `/v1/batches/${id}/resume`, undefined, appKey)).status).toBe(409);

    expect((await call("POST", `/v1/batches/${id}/retry-failed`, undefined, appKey)).status).toBe(202);
    const retried = await waitForEnd(id);
    expect(retried.counts).toMatchObject({ succeeded: 59, failed: 1 });
    const [last] = await results(id, "&state=failed");
    expect(last).toMatchObject({ seq: 59, attempts: 2, upstreamStatus: 422 });
    // The same key again: the upstream replayed its answer.
    expect(upstream.accepted.get(`batch:${id}:59`)).toBe(2);
  }, 60_000);
});
