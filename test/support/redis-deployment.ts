import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { expect } from "vitest";
import type { Batch, BatchItem } from "../../src/contract/index.js";
import { isolatedEnv, runCli, startServerProcess, startWorkerProcess, type ServerProcess } from "./cli.js";
import { contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "./rate-limited-upstream.js";
import { createTestDatabase, type TestDatabase } from "./stores.js";

export const REDIS_URL = "redis://127.0.0.1:6379";

export type WorkerProcess = Awaited<ReturnType<typeof startWorkerProcess>>;

export interface RedisDeployment {
  upstream: RateLimitedUpstream;
  env: NodeJS.ProcessEnv;
  api: ServerProcess;
  apiKey: string;
  /** Every worker started so far, dead or alive. */
  workers: WorkerProcess[];
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A batch of `contacts.create` on the upstream: every 20th item (seq % 20 === 3) is one the upstream refuses. */
  startBatch(items: number, tag: string, options: { concurrency: number }): Promise<Batch>;
  /** Polls the batch until `done` says so; throws with its last state after timeoutMs. */
  until(id: string, done: (batch: Batch) => boolean, timeoutMs?: number): Promise<Batch>;
  /** A `--worker-only` process (one job at a time, the tenant's jobs on at most two workers) on the same database and Redis. */
  startWorker(): Promise<WorkerProcess>;
  /** Every item ended once, in order; the upstream created each good contact exactly once. */
  expectExactlyOnce(id: string, total: number): Promise<BatchItem[]>;
  close(): Promise<void>;
}

export const finished = (batch: Batch) => batch.status === "completed" || batch.status === "completed_with_errors";

/**
 * The split deployment on Redis, all built processes: an API server with `--no-worker` (and
 * `apiArgs`) on a fresh SQLite database, BullMQ under a prefix of its own (deleted on close),
 * 2 s job leases, and an upstream that answers 429 + Retry-After over `perSecond` a second and
 * counts what it received per idempotency key. Workers are started by the test.
 */
export async function startRedisDeployment(options: { perSecond: number; apiArgs?: string[] }): Promise<RedisDeployment> {
  const prefix = `wg-e2e-${randomBytes(6).toString("hex")}`;
  const upstream = await startRateLimitedUpstream({ perSecond: options.perSecond, latencyMs: 20 });
  const database: TestDatabase = await createTestDatabase("sqlite");
  const env = isolatedEnv({ WAYGATE_REDIS_URL: REDIS_URL, WAYGATE_REDIS_PREFIX: prefix, WAYGATE_JOB_LEASE_MS: "2000" });
  const init = await runCli(["server", "init", "--json", ...database.args], { env });
  const { apiKey } = JSON.parse(init.stdout) as { apiKey: string };
  const api = await startServerProcess([...database.args, "--allow-loopback-upstreams", "--no-worker", ...(options.apiArgs ?? [])], env);
  const workers: WorkerProcess[] = [];

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(api.url + path, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await response.json()) as T;
  };
  await call("POST", "/v1/integrations", contactsIntegration(upstream.url));

  return {
    upstream,
    env,
    api,
    apiKey,
    workers,
    call,
    startBatch: (items, tag, batchOptions) =>
      call<Batch>("POST", "/v1/batches", {
        integration: "crm",
        action: "contacts.create",
        items: Array.from({ length: items }, (_, i) => ({ input: { name: i % 20 === 3 ? `bad ${tag} ${i}` : `${tag} ${i}` } })),
        options: batchOptions,
      }),
    async until(id, done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await call<Batch>("GET", `/v1/batches/${id}`);
        if (done(current)) return current;
        if (Date.now() > deadline) throw new Error(`batch ${id} still ${JSON.stringify(current)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async startWorker() {
      // One slot each and no tenant cap set: each worker may give its slot to the tenant, so its jobs use every worker at once.
      const started = await startWorkerProcess([...database.args, "--allow-loopback-upstreams", "--worker-concurrency", "1"], env);
      workers.push(started);
      return started;
    },
    async expectExactlyOnce(id, total) {
      const results = await runCli(["batch", "results", id, "--format", "jsonl"], { env: { ...env, WAYGATE_API_URL: api.url, WAYGATE_API_KEY: apiKey } });
      const items = results.stdout.trim().split("\n").map((line) => JSON.parse(line) as BatchItem);
      expect(items.map((item) => item.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
      for (const item of items) {
        expect(item.state, `item ${item.seq}`).toBe(item.seq % 20 === 3 ? "failed" : "succeeded");
        if (item.state === "succeeded") expect(upstream.created.get(`batch:${id}:${item.seq}`), `item ${item.seq}`).toBe(1);
      }
      return items;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.stop("SIGKILL")));
      await api.stop();
      await upstream.close();
      await database.drop();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
