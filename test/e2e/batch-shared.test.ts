import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Batch, BatchItem, Job } from "../../src/contract/index.js";
import { isolatedEnv, runCli, startServerProcess, startWorkerProcess, type ServerProcess } from "../support/cli.js";
import { acceptedOnceSettled, contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../support/rate-limited-upstream.js";
import { createTestDatabase, type TestDatabase } from "../support/stores.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const PER_SECOND = 40;
const ITEMS = 240;

type Worker = Awaited<ReturnType<typeof startWorkerProcess>>;

/**
 * One batch shared by two `--worker-only` processes on Redis (built CLI): the API server
 * (`--no-worker --batch-shares 2`) enqueues the batch as two jobs, each worker takes one,
 * and the two runs claim the batch's items under leases side by side. The upstream answers
 * 429 + Retry-After over PER_SECOND a second and counts what it received per idempotency key.
 */
describe("two workers share one batch on Redis (built CLI)", () => {
  let database: TestDatabase;
  let upstream: RateLimitedUpstream;
  let env: NodeJS.ProcessEnv;
  let api: ServerProcess;
  let apiKey: string;
  const workers: Worker[] = [];
  const prefix = `wg-e2e-${randomBytes(6).toString("hex")}`;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(api.url + path, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await response.json()) as T;
  };

  const startBatch = (tag: string) =>
    call<Batch>("POST", "/v1/batches", {
      integration: "crm",
      action: "contacts.create",
      items: Array.from({ length: ITEMS }, (_, i) => ({ input: { name: i % 20 === 3 ? `bad ${tag} ${i}` : `${tag} ${i}` } })),
      options: { concurrency: 8 },
    });
  const finished = (b: Batch) => b.status === "completed" || b.status === "completed_with_errors";
  const until = async (id: string, done: (b: Batch) => boolean, timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await call<Batch>("GET", `/v1/batches/${id}`);
      if (done(current)) return current;
      if (Date.now() > deadline) throw new Error(`batch ${id} still ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    upstream = await startRateLimitedUpstream({ perSecond: PER_SECOND, latencyMs: 20 });
    database = await createTestDatabase("sqlite");
    env = isolatedEnv({ WAYGATE_REDIS_URL: REDIS_URL, WAYGATE_REDIS_PREFIX: prefix, WAYGATE_JOB_LEASE_MS: "2000" });
    const init = await runCli(["server", "init", "--json", ...database.args], { env });
    ({ apiKey } = JSON.parse(init.stdout) as { apiKey: string });
    api = await startServerProcess([...database.args, "--allow-loopback-upstreams", "--no-worker", "--batch-shares", "2"], env);
    await call("POST", "/v1/integrations", contactsIntegration(upstream.url));
    // Both workers are up before the batch exists: each takes one of its two jobs (the tenant cap,
    // counted over every worker, lets the tenant's two jobs run at once).
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess([...database.args, "--allow-loopback-upstreams", "--worker-concurrency", "1", "--tenant-concurrency", "2"], env));
  }, 40_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop("SIGKILL")));
    await api?.stop();
    await upstream?.close();
    await database?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("both workers run items of the one batch, none twice, within the upstream's rate together", async () => {
    const started = await startBatch("shared");
    const done = await until(started.id, finished);
    expect(done.counts).toMatchObject({ total: ITEMS, succeeded: ITEMS - ITEMS / 20, failed: ITEMS / 20, queued: 0, running: 0 });

    // Every item ended once, and reached the upstream exactly once (no item ran in both workers).
    const results = await runCli(["batch", "results", started.id, "--format", "jsonl"], { env: { ...env, WAYGATE_API_URL: api.url, WAYGATE_API_KEY: apiKey } });
    const items = results.stdout.trim().split("\n").map((line) => JSON.parse(line) as BatchItem);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    for (const item of items) {
      expect(item.state, `item ${item.seq}`).toBe(item.seq % 20 === 3 ? "failed" : "succeeded");
      expect(upstream.accepted.get(`batch:${started.id}:${item.seq}`), `item ${item.seq}`).toBe(1);
    }
    expect(upstream.unkeyed).toBe(0);

    // Each worker ran one of the batch's jobs, and each of those jobs finished items itself.
    const ranBy = await Promise.all(
      workers.map(async (w) => {
        const jobIds = w
          .stdout()
          .split("\n")
          .filter((line) => line.includes('"job succeeded"') && line.includes('"jobType":"batch"'))
          .map((line) => (JSON.parse(line) as { jobId: string }).jobId);
        const jobs = await Promise.all(jobIds.map((id) => call<Job>("GET", `/v1/jobs/${id}`)));
        return jobs.reduce((sum, job) => sum + ((job.result as { items?: number } | null)?.items ?? 0), 0);
      }),
    );
    expect(ranBy[0], workers[0]!.stdout()).toBeGreaterThan(0);
    expect(ranBy[1], workers[1]!.stdout()).toBeGreaterThan(0);
    expect(ranBy[0]! + ranBy[1]!).toBe(ITEMS); // every item was sent (the upstream refuses the bad ones), by one of them

    // Together within the upstream's rate: once the shared limiter learned it (the first
    // 429s), at most a stray 429 more; two limiters apart would keep provoking them.
    const firstThrottle = upstream.throttledAt[0] ?? Infinity;
    expect(upstream.throttledAt.filter((at) => at > firstThrottle + 3_000).length).toBeLessThanOrEqual(1);
    expect(upstream.throttled).toBeLessThan(40);
  }, 60_000);

  it("finishes a shared batch when one of its workers is killed with -9: the other takes the dead run's items once their lease expires", async () => {
    const started = await startBatch("kill");
    // Both runs are working (each has finished items) before one dies.
    await until(started.id, (b) => b.counts.succeeded + b.counts.failed >= 60);
    const [victim, survivor] = workers;
    await victim!.stop("SIGKILL");
    // What the dead worker had written may still reach the upstream: read it once settled.
    const sentBeforeKill = await acceptedOnceSettled(upstream);
    const done = await until(started.id, finished);
    expect(done.counts).toMatchObject({ total: ITEMS, succeeded: ITEMS - ITEMS / 20, failed: ITEMS / 20, queued: 0, running: 0 });
    const keys = Array.from({ length: ITEMS }, (_, seq) => `batch:${started.id}:${seq}`);
    for (const [seq, key] of keys.entries()) if (seq % 20 !== 3) expect(upstream.created.get(key), key).toBe(1);
    // Sent twice: only what the dead run had in flight (its share of the concurrency, 4), with the same key.
    const twice = keys.filter((key) => (upstream.accepted.get(key) ?? 0) > 1);
    expect(twice.length).toBeLessThanOrEqual(4);
    for (const key of twice) expect(sentBeforeKill.has(key)).toBe(true);
    // The survivor ran the rest alone (the dead run's items came back to it when their 2 s leases expired).
    expect(survivor!.child.exitCode).toBeNull();
  }, 60_000);
});
