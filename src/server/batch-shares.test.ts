import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../../test/support/rate-limited-upstream.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";
import type { Batch, Job } from "../contract/index.js";

const ITEMS = 90;

/**
 * A batch shared into three jobs (`batchShares: 3`) that one server's worker runs at once:
 * the runs claim items under leases side by side on the same database (SQLite, and
 * Postgres with its skip-locked claims), against a real upstream that enforces a rate limit
 * and counts what it received per idempotency key.
 */
describe.each(storeBackends)("a batch shared into several jobs on %s", (backend) => {
  let server: TestServer;
  let upstream: RateLimitedUpstream;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { batchShares: 3, worker: { concurrency: 3, tenantConcurrency: 3 } });
    upstream = await startRateLimitedUpstream({ perSecond: 60, latencyMs: 20 });
    await call("POST", "/v1/integrations", contactsIntegration(upstream.url));
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("runs every item exactly once over all the shares, each share running some, and completes once", async () => {
    const items = Array.from({ length: ITEMS }, (_, i) => ({ input: { name: i % 10 === 3 ? `bad ${i}` : `contact ${i}` } }));
    const created = await call<Batch>("POST", "/v1/batches", { integration: "crm", action: "contacts.create", items, options: { concurrency: 6 } });
    const deadline = Date.now() + 30_000;
    let batch = created;
    while (batch.status !== "completed_with_errors") {
      if (Date.now() > deadline) throw new Error(`batch did not finish: ${JSON.stringify(batch)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      batch = await call<Batch>("GET", `/v1/batches/${created.id}`);
    }
    expect(batch.counts).toMatchObject({ total: ITEMS, succeeded: ITEMS - ITEMS / 10, failed: ITEMS / 10, queued: 0, running: 0 });
    for (let seq = 0; seq < ITEMS; seq++) expect(upstream.accepted.get(`batch:${created.id}:${seq}`), `item ${seq}`).toBe(1);

    // Three jobs ran the batch and each ran items (the last runs end just after the batch did).
    let jobs: Job[] = [];
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
      jobs = (await call<{ data: Job[] }>("GET", "/v1/jobs?limit=50")).data.filter((job) => job.type === "batch");
      if (jobs.every((job) => job.status === "succeeded")) break;
    }
    expect(jobs).toHaveLength(3);
    const ranItems = jobs.map((job) => (job.result as { items: number }).items);
    for (const n of ranItems) expect(n).toBeGreaterThan(0);
    expect(ranItems.reduce((a, b) => a + b, 0)).toBe(ITEMS);
    expect(jobs.map((job) => job.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
  }, 40_000);
});
