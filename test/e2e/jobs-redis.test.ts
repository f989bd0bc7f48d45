import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Batch, BatchItem } from "../../src/contract/index.js";
import { isolatedEnv, runCli, startServerProcess, startWorkerProcess, type ServerProcess } from "../support/cli.js";
import { acceptedOnceSettled, contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../support/rate-limited-upstream.js";
import { createTestDatabase, type TestDatabase } from "../support/stores.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const CONCURRENCY = 4;
const PER_SECOND = 20;

type Worker = Awaited<ReturnType<typeof startWorkerProcess>>;

/**
 * The split deployment on Redis, all built processes: one API server with `--no-worker`, and
 * `--worker-only` processes that run the jobs from BullMQ and share one rate limit per
 * upstream through Redis. The upstream answers 429 + Retry-After over PER_SECOND a second
 * and counts what it received per idempotency key.
 */
describe("API and workers split on Redis (built CLI)", () => {
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
  const startBatch = (items: number, tag: string) =>
    call<Batch>("POST", "/v1/batches", {
      integration: "crm",
      action: "contacts.create",
      items: Array.from({ length: items }, (_, i) => ({ input: { name: i % 20 === 3 ? `bad ${tag} ${i}` : `${tag} ${i}` } })),
      options: { concurrency: CONCURRENCY },
    });
  const batch = (id: string) => call<Batch>("GET", `/v1/batches/${id}`);
  const until = async (id: string, done: (b: Batch) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await batch(id);
      if (done(current)) return current;
      if (Date.now() > deadline) throw new Error(`batch ${id} still ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const finished = (b: Batch) => b.status === "completed" || b.status === "completed_with_errors";
  const worker = async () => {
    // One slot each, and a tenant cap (counted over every worker) that lets the tenant use both.
    const started = await startWorkerProcess([...database.args, "--allow-loopback-upstreams", "--worker-concurrency", "1", "--tenant-concurrency", "2"], env);
    workers.push(started);
    return started;
  };
  /** Every item ended once; the upstream created each good contact exactly once. */
  const expectExactlyOnce = async (id: string, total: number) => {
    const results = await runCli(["batch", "results", id, "--format", "jsonl"], { env: { ...env, WAYGATE_API_URL: api.url, WAYGATE_API_KEY: apiKey } });
    const items = results.stdout.trim().split("\n").map((line) => JSON.parse(line) as BatchItem);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const item of items) {
      expect(item.state, `item ${item.seq}`).toBe(item.seq % 20 === 3 ? "failed" : "succeeded");
      if (item.state === "succeeded") expect(upstream.created.get(`batch:${id}:${item.seq}`), `item ${item.seq}`).toBe(1);
    }
  };

  beforeAll(async () => {
    upstream = await startRateLimitedUpstream({ perSecond: PER_SECOND, latencyMs: 20 });
    database = await createTestDatabase("sqlite");
    env = isolatedEnv({ WAYGATE_REDIS_URL: REDIS_URL, WAYGATE_REDIS_PREFIX: prefix, WAYGATE_JOB_LEASE_MS: "2000" });
    const init = await runCli(["server", "init", "--json", ...database.args], { env });
    ({ apiKey } = JSON.parse(init.stdout) as { apiKey: string });
    api = await startServerProcess([...database.args, "--allow-loopback-upstreams", "--no-worker"], env);
    await call("POST", "/v1/integrations", contactsIntegration(upstream.url));
  }, 30_000);
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

  it("refuses --worker-only with --no-worker (usage error, exit 2)", async () => {
    const result = await runCli(["server", "start", "--worker-only", "--no-worker", ...database.args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--worker-only and --no-worker leave nothing to run");
  });

  it("runs no jobs in a --no-worker server; two --worker-only processes share the batches within one rate limit", async () => {
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
    const ran = (w: Worker) => w.stdout().split("\n").filter((line) => line.includes('"job started"')).length;
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
