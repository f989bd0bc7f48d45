import { randomBytes } from "node:crypto";
import { Worker as RawBullWorker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { BULL_QUEUE_NAME, BullJobBackend } from "./bullmq-queue.js";
import { EmbeddedJobBackend, type JobBackend, type JobWorker, type JobWorkerOptions } from "./queue.js";
import type { JobHandler } from "./types.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const LEASE_MS = 500;

async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One backend under test, and how a worker "crashes" on it: it took the job (the row says
 * running, owned by it) and then stopped existing, without a heartbeat, a release or a
 * goodbye to the queue.
 */
interface Fixture {
  backend: JobBackend;
  crashWhileHolding(jobId: string): Promise<void>;
  dispose(): Promise<void>;
}

const fixtures: Record<"embedded" | "bullmq", (store: Store) => Promise<Fixture>> = {
  embedded: async (store) => ({
    backend: new EmbeddedJobBackend(store),
    crashWhileHolding: async (jobId) => {
      expect(await store.jobs.claim("worker_dead", LEASE_MS)).toMatchObject({ id: jobId });
    },
    dispose: async () => {},
  }),
  bullmq: async (store) => {
    const prefix = `wg-test-${randomBytes(6).toString("hex")}`;
    const backend = new BullJobBackend({ store, url: REDIS_URL, prefix });
    const dead: RawBullWorker[] = [];
    return {
      backend,
      crashWhileHolding: async (jobId) => {
        // A real BullMQ worker takes the delivery and the row, then dies: its lock is never renewed.
        let taken!: (id: string) => void;
        const tookIt = new Promise<string>((resolve) => (taken = resolve));
        const worker = new RawBullWorker(
          BULL_QUEUE_NAME,
          async (delivery) => {
            const { jobId: delivered } = delivery.data as { jobId: string };
            await store.jobs.take(delivered, "worker_dead", LEASE_MS);
            taken(delivered);
            await new Promise(() => {}); // never returns
          },
          { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix, lockDuration: LEASE_MS, lockRenewTime: 60_000, stalledInterval: LEASE_MS },
        );
        dead.push(worker);
        expect(await tookIt).toBe(jobId);
        await worker.close(true); // the process is gone: no lock renewal, nothing released
      },
      dispose: async () => {
        await Promise.all(dead.map((worker) => worker.close(true)));
        await backend.close();
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      },
    };
  },
};

/** Each queue backend on each database the store runs on (the job rows are in the database on both). */
const combinations = (["embedded", "bullmq"] as const).flatMap((kind) => storeBackends.map((database) => [kind, database] as const));

describe.each(combinations)("job queue contract on %s (%s)", (kind, database) => {
  let store: Store;
  let disposeStore: () => Promise<void>;
  let fixture: Fixture;
  let tenantId: string;
  const workers: JobWorker[] = [];

  beforeEach(async () => {
    ({ store, dispose: disposeStore } = await openTestStore(database));
    fixture = await fixtures[kind](store);
    tenantId = (await store.tenants.create("Acme")).id;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await fixture.dispose();
    await disposeStore();
  });

  const startWorker = (handler: JobHandler, options: Partial<JobWorkerOptions> = {}) => {
    const worker = fixture.backend.createWorker({ handlers: { import: handler, batch: handler, drift_check: handler, alert_delivery: handler }, pollMs: 20, leaseMs: LEASE_MS, heartbeatMs: 50, retryBaseMs: 20, ...options });
    workers.push(worker);
    worker.start();
    return worker;
  };
  const enqueue = (payload: unknown = {}) => fixture.backend.queue.enqueue({ tenantId, type: "import", summary: "test", payload });
  const job = (id: string) => store.jobs.get(tenantId, id);

  it("runs an enqueued job, records its progress and its result", async () => {
    const queued = await enqueue({ n: 2 });
    expect(queued).toMatchObject({ status: "queued", attempts: 0 });
    const seen: unknown[] = [];
    startWorker(async ({ job: claimed, progress }) => {
      seen.push(claimed.payload);
      progress({ stage: "counting", done: 1, total: 2 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { kind: "succeeded", result: { answer: 42 } };
    });
    const done = await waitFor(() => job(queued.id), (j) => j?.status === "succeeded");
    expect(seen).toEqual([{ n: 2 }]);
    expect(done).toMatchObject({ result: { answer: 42 }, progress: { stage: "counting", done: 1, total: 2 }, attempts: 1, error: null });
    expect(done?.finishedAt).not.toBeNull();
  });

  it("shows progress while the job runs", async () => {
    const queued = await enqueue();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    startWorker(async ({ progress }) => {
      progress({ stage: "half", done: 1, total: 2 });
      await finished;
      return { kind: "succeeded", result: null };
    });
    expect(await waitFor(() => job(queued.id), (j) => j?.progress?.stage === "half")).toMatchObject({ status: "running" });
    finish();
    await waitFor(() => job(queued.id), (j) => j?.status === "succeeded");
  });

  it("retries a retryable failure after a backoff, recording each error, then fails with the last one", async () => {
    const queued = await enqueue();
    const seenBeforeRun: Array<{ attempts: number; error: string | undefined }> = [];
    startWorker(async ({ job: claimed }) => {
      const row = await job(claimed.id);
      seenBeforeRun.push({ attempts: row!.attempts, error: row!.error?.detail });
      return { kind: "failed", error: { type: "about:blank", title: "flaky", status: 502, detail: `attempt ${claimed.attempts}` }, retryable: true };
    });
    const failed = await waitFor(() => job(queued.id), (j) => j?.status === "failed");
    expect(failed).toMatchObject({ attempts: 3, error: { detail: "attempt 3" } });
    // Each retry started after the previous attempt's error was recorded (the row went back to `queued` in between).
    expect(seenBeforeRun).toEqual([
      { attempts: 1, error: undefined },
      { attempts: 2, error: "attempt 1" },
      { attempts: 3, error: "attempt 2" },
    ]);
  });

  it("fails a non-retryable failure at once", async () => {
    const queued = await enqueue();
    let calls = 0;
    startWorker(async () => {
      calls++;
      return { kind: "failed", error: { type: "about:blank", title: "bad", status: 400, detail: "no" } };
    });
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "failed")).toMatchObject({ attempts: 1, error: { detail: "no" } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toBe(1);
  });

  it("runs a job that answers `continue` again without spending an attempt", async () => {
    const queued = await enqueue();
    let calls = 0;
    startWorker(async () => (++calls < 4 ? { kind: "continue" } : { kind: "succeeded", result: { slices: calls } }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded")).toMatchObject({ result: { slices: 4 }, attempts: 1 });
  });

  it("cancels a running job at its next heartbeat, and a queued one before it ever runs", async () => {
    const running = await enqueue({ which: "running" });
    let aborted = false;
    const ran: unknown[] = [];
    startWorker(async ({ job: claimed, signal }) => {
      ran.push(claimed.payload);
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      aborted = true;
      return { kind: "succeeded", result: "should not be recorded" };
    }, { concurrency: 1 });
    await waitFor(() => job(running.id), (j) => j?.status === "running");
    const queued = await enqueue({ which: "queued" });
    expect(await fixture.backend.queue.cancel(tenantId, queued.id)).toMatchObject({ status: "cancelled" });
    expect(await fixture.backend.queue.cancel(tenantId, running.id)).toMatchObject({ status: "running", cancelRequested: true });
    expect(await waitFor(() => job(running.id), (j) => j?.status === "cancelled")).toMatchObject({ result: null });
    expect(aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ran).toEqual([{ which: "running" }]);
  });

  it("takes over the job of a worker that crashed while running it", async () => {
    const queued = await enqueue();
    await fixture.crashWhileHolding(queued.id);
    expect(await job(queued.id)).toMatchObject({ status: "running", attempts: 1 });
    startWorker(async () => ({ kind: "succeeded", result: "taken over" }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded")).toMatchObject({ result: "taken over", attempts: 2 });
  });

  it("puts running jobs back on stop and runs them in the next worker without spending an attempt", async () => {
    const queued = await enqueue();
    const first = startWorker(({ signal }) => new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("stopped")))));
    await waitFor(() => job(queued.id), (j) => j?.status === "running");
    await first.stop();
    expect(await job(queued.id)).toMatchObject({ status: "queued", attempts: 0 });
    startWorker(async () => ({ kind: "succeeded", result: "second" }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded")).toMatchObject({ result: "second", attempts: 1 });
  });

  it("runs a job recorded without a delivery (before the queue was in use, or one its Redis lost) once a worker starts", async () => {
    const recorded = await store.jobs.enqueue({ tenantId, type: "import", summary: "test", payload: { stranded: true } });
    startWorker(async ({ job: claimed }) => ({ kind: "succeeded", result: claimed.payload }));
    expect(await waitFor(() => job(recorded.id), (j) => j?.status === "succeeded")).toMatchObject({ result: { stranded: true }, attempts: 1 });
  });

  it.each([
    { cap: "a cap set, counted over every worker, holds: two workers of three slots", options: { concurrency: 3, tenantConcurrency: 2 }, jobs: 5 },
    { cap: "no cap set, each worker keeps a slot for other tenants: two workers of two slots", options: { concurrency: 2 }, jobs: 4 },
  ])("$cap run two of one tenant's jobs at once; the others wait (no attempt spent) while another tenant's runs", async ({ options, jobs }) => {
    const running = new Map<string, number>();
    let most = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handler: JobHandler = async ({ job: claimed }) => {
      running.set(claimed.tenantId, (running.get(claimed.tenantId) ?? 0) + 1);
      if (claimed.tenantId === tenantId) most = Math.max(most, running.get(tenantId)!);
      if (claimed.payload !== "quick") await released;
      running.set(claimed.tenantId, running.get(claimed.tenantId)! - 1);
      return { kind: "succeeded", result: null };
    };
    try {
      const slow = [];
      for (let i = 0; i < jobs; i++) slow.push(await enqueue("slow"));
      startWorker(handler, options);
      startWorker(handler, options);
      await waitFor(async () => running.get(tenantId) ?? 0, (n) => n === 2);
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for any over-take to show
      // Free slots left, yet two of Acme's jobs run; the others wait queued, not failed, and spent no attempt.
      const waiting = (await Promise.all(slow.map((queued) => job(queued.id)))).filter((j) => j?.status === "queued");
      expect(waiting.map((j) => j?.attempts)).toEqual(Array(jobs - 2).fill(0));
      const globex = (await store.tenants.create("Globex")).id;
      const quick = await fixture.backend.queue.enqueue({ tenantId: globex, type: "import", summary: "quick", payload: "quick" });
      await waitFor(() => store.jobs.get(globex, quick.id), (j) => j?.status === "succeeded", 5_000);
      release();
      for (const queued of slow) expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded", 15_000)).toMatchObject({ attempts: 1 });
      expect(most).toBe(2);
    } finally {
      release();
    }
  }, 30_000);

  it("frees the slot of a worker that crashed holding a job once its lease expires: the tenant's jobs all run, one at a time", async () => {
    const first = await enqueue({ n: 1 });
    await fixture.crashWhileHolding(first.id);
    const crashedAt = Date.now();
    const second = await enqueue({ n: 2 });
    let runningNow = 0;
    let most = 0;
    let firstStart = Infinity;
    startWorker(async () => {
      firstStart = Math.min(firstStart, Date.now());
      most = Math.max(most, ++runningNow);
      await new Promise((resolve) => setTimeout(resolve, 50));
      runningNow--;
      return { kind: "succeeded", result: null };
    }, { concurrency: 2, tenantConcurrency: 1 });
    for (const queued of [first, second]) await waitFor(() => job(queued.id), (j) => j?.status === "succeeded", 15_000);
    expect(most).toBe(1);
    // While the dead worker's lease ran, its job held the tenant's one slot: nothing started before it expired.
    expect(firstStart - crashedAt).toBeGreaterThanOrEqual(LEASE_MS / 2);
  }, 30_000);

  it("never gives one job to two workers", async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue({ i }).then((j) => j.id)));
    const runs = new Map<string, number>();
    const handler: JobHandler = async ({ job: claimed }) => {
      runs.set(claimed.id, (runs.get(claimed.id) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { kind: "succeeded", result: null };
    };
    startWorker(handler, { concurrency: 3 });
    startWorker(handler, { concurrency: 3 });
    for (const id of ids) await waitFor(() => job(id), (j) => j?.status === "succeeded");
    expect([...runs.values()]).toEqual(Array(12).fill(1));
  });
});
