import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/contract/index.js";
import { acceptedOnceSettled } from "../support/rate-limited-upstream.js";
import { finished, startRedisDeployment, type RedisDeployment } from "../support/redis-deployment.js";

const PER_SECOND = 40;
const ITEMS = 240;

/**
 * One batch shared by two `--worker-only` processes on Redis (built CLI): the API server
 * (`--no-worker --batch-shares 2`) enqueues the batch as two jobs, each worker takes one,
 * and the two runs claim the batch's items under leases side by side. The upstream answers
 * 429 + Retry-After over PER_SECOND a second and counts what it received per idempotency key.
 */
describe("two workers share one batch on Redis (built CLI)", () => {
  let deployment: RedisDeployment;
  const startBatch = (tag: string) => deployment.startBatch(ITEMS, tag, { concurrency: 8 });
  const until: RedisDeployment["until"] = (id, done, timeoutMs = 40_000) => deployment.until(id, done, timeoutMs);

  beforeAll(async () => {
    deployment = await startRedisDeployment({ perSecond: PER_SECOND, apiArgs: ["--batch-shares", "2"] });
    // Both workers are up before the batch exists: each takes one of its two jobs.
    for (let i = 0; i < 2; i++) await deployment.startWorker();
  }, 40_000);
  afterAll(async () => {
    await deployment?.close();
  });

  it("both workers run items of the one batch, none twice, within the upstream's rate together", async () => {
    const started = await startBatch("shared");
    const done = await until(started.id, finished);
    expect(done.counts).toMatchObject({ total: ITEMS, succeeded: ITEMS - ITEMS / 20, failed: ITEMS / 20, queued: 0, running: 0 });

    // Every item ended once, and reached the upstream exactly once (no item ran in both workers).
    const { upstream, workers, call } = deployment;
    const items = await deployment.expectExactlyOnce(started.id, ITEMS);
    for (const item of items) expect(upstream.accepted.get(`batch:${started.id}:${item.seq}`), `item ${item.seq}`).toBe(1);
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
    const { upstream, workers } = deployment;
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
