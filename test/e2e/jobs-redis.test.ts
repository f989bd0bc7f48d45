import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Batch } from "../../src/contract/index.js";
import { runCli } from "../support/cli.js";
import { acceptedOnceSettled } from "../support/rate-limited-upstream.js";
import { finished, startRedisDeployment, type RedisDeployment, type WorkerProcess } from "../support/redis-deployment.js";

const CONCURRENCY = 4;
const PER_SECOND = 20;

/**
 * The split deployment on Redis, all built processes: one API server with `--no-worker`, and
 * `--worker-only` processes that run the jobs from BullMQ and share one rate limit per
 * upstream through Redis. The upstream answers 429 + Retry-After over PER_SECOND a second
 * and counts what it received per idempotency key.
 */
describe("API and workers split on Redis (built CLI)", () => {
  let deployment: RedisDeployment;
  const startBatch = (items: number, tag: string) => deployment.startBatch(items, tag, { concurrency: CONCURRENCY });
  const batch = (id: string) => deployment.call<Batch>("GET", `/v1/batches/${id}`);
  const until: RedisDeployment["until"] = (id, done, timeoutMs) => deployment.until(id, done, timeoutMs);
  const worker = () => deployment.startWorker();
  const expectExactlyOnce = (id: string, total: number) => deployment.expectExactlyOnce(id, total);

  beforeAll(async () => {
    deployment = await startRedisDeployment({ perSecond: PER_SECOND });
  }, 30_000);
  afterAll(async () => {
    await deployment?.close();
  });

  it("refuses --worker-only with --no-worker (usage error, exit 2)", async () => {
    const result = await runCli(["server", "start", "--worker-only", "--no-worker"], { env: deployment.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--worker-only and --no-worker leave nothing to run");
  });

  it("runs no jobs in a --no-worker server; two --worker-only processes share the batches within one rate limit", async () => {
    const { upstream } = deployment;
    const first = await startBatch(60, "a");
    const second = await startBatch(60, "b");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await batch(first.id)).counts.queued).toBe(60); // the API server ran nothing
    expect(upstream.accepted.size).toBe(0);

    const [one, two] = [await worker(), await worker()];
    await until(first.id, finished);
    await until(second.id, finished);
    await expectExactlyOnce(first.id, 60);
    await expectExactlyOnce(second.id, 60);
    // Each worker ran a batch (one job at a time each, two batches at once).
    const ran = (w: WorkerProcess) => w.stdout().split("\n").filter((line) => line.includes('"job started"')).length;
    expect(ran(one) + ran(two)).toBeGreaterThanOrEqual(2);
    expect(ran(one), one.stdout()).toBeGreaterThanOrEqual(1);
    expect(ran(two), two.stdout()).toBeGreaterThanOrEqual(1);
    // Both processes drew from one budget: the 429s are the lesson at the start (the first
    // burst, and a correction of a pace learned across a window boundary). Apart, each process
    // would learn its own pace and keep provoking 429s; together, at most a stray one after.
    const firstThrottle = upstream.throttledAt[0] ?? Infinity;
    expect(upstream.throttledAt.filter((at) => at > firstThrottle + 3_000).length).toBeLessThanOrEqual(1);
    expect(upstream.throttled).toBeLessThan(30);
    expect(upstream.unkeyed).toBe(0);
  }, 60_000);

  it("finishes a batch whose worker is killed with -9: nothing lost, sent twice only what was in flight, created once", async () => {
    const { upstream, workers } = deployment;
    const started = await startBatch(120, "k");
    await until(started.id, (b) => b.counts.succeeded + b.counts.failed >= 30);
    // Kill whichever live worker logged the latest batch start: the one running this batch.
    const owner = workers
      .filter((w) => w.child.exitCode === null)
      .sort((x, y) => lastBatchStart(y.stdout()) - lastBatchStart(x.stdout()))[0]!;
    await owner.stop("SIGKILL");
    // What the dead worker had written may still reach the upstream: read it once settled.
    const sentBeforeKill = await acceptedOnceSettled(upstream);
    // A restarted worker (and the surviving one) take the job over once the dead one's lock (2 s) expires.
    await worker();
    const done = await until(started.id, finished, 90_000);
    expect(done.counts).toMatchObject({ total: 120, succeeded: 114, failed: 6, queued: 0, running: 0 });
    await expectExactlyOnce(started.id, 120);
    const twice = [...upstream.accepted.entries()].filter(([key, count]) => key.startsWith(`batch:${started.id}:`) && count > 1);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const [key] of twice) expect(sentBeforeKill.has(key)).toBe(true);
    expect(upstream.unkeyed).toBe(0);
    // Taken over, not merely finished: another worker started the job again as an interrupted one.
    const takeovers = workers.filter((w) => w !== owner).flatMap((w) => w.stdout().split("\n").filter((line) => line.includes('"job started"') && line.includes('"jobType":"batch"') && /"attempt":[2-9]/.test(line)));
    expect(takeovers.length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

/** When a worker's log last says a batch job started (ms since epoch), or 0. */
function lastBatchStart(stdout: string): number {
  const lines = stdout.split("\n").filter((line) => line.includes('"job started"') && line.includes('"jobType":"batch"'));
  const last = lines.at(-1);
  if (!last) return 0;
  const time = (JSON.parse(last) as { time?: number | string }).time;
  return typeof time === "number" ? time : Date.parse(String(time));
}
