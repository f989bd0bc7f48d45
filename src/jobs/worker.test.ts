import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import type { JobHandler } from "./types.js";
import { Worker } from "./worker.js";

async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(storeBackends)("durable job queue on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  const workers: Worker[] = [];

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await dispose();
  });

  const startWorker = (handler: JobHandler, options: Partial<ConstructorParameters<typeof Worker>[0]> = {}) => {
    const worker = new Worker({ store, handlers: { import: handler }, pollMs: 20, leaseMs: 400, heartbeatMs: 50, retryBaseMs: 10, ...options });
    workers.push(worker);
    worker.start();
    return worker;
  };
  const enqueue = (payload: unknown = {}) => store.jobs.enqueue({ tenantId, type: "import", summary: "test", payload });
  const job = (id: string) => store.jobs.get(tenantId, id);

  it("runs a job, records its progress and its result", async () => {
    const queued = await enqueue({ n: 2 });
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
    expect(done?.startedAt).not.toBeNull();
    expect(done?.finishedAt).not.toBeNull();
  });

  it("retries a retryable failure with backoff, then fails with the last error", async () => {
    const queued = await enqueue();
    let calls = 0;
    startWorker(async () => {
      calls++;
      return { kind: "failed", error: { type: "about:blank", title: "flaky", status: 502, detail: `attempt ${calls}` }, retryable: true };
    });
    const failed = await waitFor(() => job(queued.id), (j) => j?.status === "failed");
    expect(calls).toBe(3);
    expect(failed).toMatchObject({ attempts: 3, error: { detail: "attempt 3" } });
  });

  it("fails a non-retryable failure at once", async () => {
    const queued = await enqueue();
    startWorker(async () => ({ kind: "failed", error: { type: "about:blank", title: "bad document", status: 422 } }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "failed")).toMatchObject({ attempts: 1, error: { title: "bad document" } });
  });

  it("cancels a queued job at once and a running job at its next heartbeat", async () => {
    const queued = await enqueue();
    expect(await store.jobs.cancel(tenantId, queued.id)).toMatchObject({ status: "cancelled", cancelRequested: true });

    const running = await enqueue();
    let aborted = false;
    startWorker(
      ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve({ kind: "succeeded", result: null });
          });
        }),
    );
    await waitFor(() => job(running.id), (j) => j?.status === "running");
    await store.jobs.cancel(tenantId, running.id);
    expect(await waitFor(() => job(running.id), (j) => j?.status === "cancelled")).toMatchObject({ result: null });
    expect(aborted).toBe(true);
  });

  it("puts running jobs back in the queue on shutdown and resumes them on the next start", async () => {
    const queued = await enqueue();
    let starts = 0;
    const first = startWorker(
      ({ signal }) =>
        new Promise((_resolve, reject) => {
          starts++;
          signal.addEventListener("abort", () => reject(new Error("stopped")));
        }),
    );
    await waitFor(() => job(queued.id), (j) => j?.status === "running");
    await first.stop();
    expect(await job(queued.id)).toMatchObject({ status: "queued", attempts: 0 });

    startWorker(async () => ({ kind: "succeeded", result: "resumed" }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded")).toMatchObject({ result: "resumed", attempts: 1 });
    expect(starts).toBe(1);
  });

  it("takes over a job whose worker died (its lease expired) and gives up after max attempts", async () => {
    const queued = await enqueue();
    // A worker that claimed the job and vanished: no heartbeat, no release.
    expect(await store.jobs.claim("worker_dead", 200)).toMatchObject({ id: queued.id, attempts: 1 });
    startWorker(async () => ({ kind: "succeeded", result: "taken over" }));
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "succeeded")).toMatchObject({ result: "taken over", attempts: 2 });

    // No worker may run while the doomed job is enqueued and its deaths are simulated.
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const doomed = await enqueue();
    for (let i = 0; i < 3; i++) {
      await waitFor(() => store.jobs.claim(`worker_dead_${i}`, 1), (claimed) => claimed?.id === doomed.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    startWorker(async () => ({ kind: "succeeded", result: "should not run" }));
    expect(await waitFor(() => job(doomed.id), (j) => j?.status === "failed")).toMatchObject({
      error: { detail: expect.stringContaining("interrupted 3 times") },
    });
  });

  it("aborts and fails a job that runs past its timeout", async () => {
    const queued = await enqueue();
    startWorker(({ signal }) => new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))), { jobTimeoutMs: 200 });
    expect(await waitFor(() => job(queued.id), (j) => j?.status === "failed")).toMatchObject({ error: { detail: expect.stringContaining("ran longer than") } });
  });

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

  it("lists a tenant's jobs newest first with a cursor, filtered by status, and hides other tenants' jobs", async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await enqueue({ i }));
    await store.jobs.cancel(tenantId, made[0]!.id);
    const first = await store.jobs.list(tenantId, { limit: 2 });
    const second = await store.jobs.list(tenantId, { limit: 2, cursor: first.nextCursor! });
    expect([...first.data, ...second.data].map((j) => j.id).sort()).toEqual(made.map((j) => j.id).sort());
    expect(second.nextCursor).toBeNull();
    expect((await store.jobs.list(tenantId, { limit: 10, status: "cancelled" })).data.map((j) => j.id)).toEqual([made[0]!.id]);
    const other = (await store.tenants.create("Globex")).id;
    expect(await store.jobs.list(other, { limit: 10 })).toEqual({ data: [], nextCursor: null });
    expect(await store.jobs.get(other, made[1]!.id)).toBeUndefined();
    expect(await store.jobs.cancel(other, made[1]!.id)).toBeUndefined();
    expect((await store.jobs.get(tenantId, made[1]!.id))?.status).toBe("queued");
  });
});
