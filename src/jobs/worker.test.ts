import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { newJobId, Store, type ClaimOptions, type StoreLocation } from "../store/index.js";
import type { Sealer } from "../lib/sealer.js";
import type { Database } from "../store/schema.js";
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
  let location: StoreLocation;
  let sealer: () => Promise<Sealer>;
  let dispose: () => Promise<void>;
  let tenantId: string;
  const workers: Worker[] = [];

  beforeEach(async () => {
    ({ store, location, sealer, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await dispose();
  });

  const startWorker = (handler: JobHandler, options: Partial<ConstructorParameters<typeof Worker>[0]> = {}) => {
    const worker = new Worker({ store, handlers: { import: handler, batch: handler, drift_check: handler, alert_delivery: handler }, pollMs: 20, leaseMs: 400, heartbeatMs: 50, retryBaseMs: 10, ...options });
    workers.push(worker);
    worker.start();
    return worker;
  };
  const enqueue = (payload: unknown = {}, tenant = tenantId) => store.jobs.enqueue({ tenantId: tenant, type: "import", summary: "test", payload });
  const job = (id: string, tenant = tenantId) => store.jobs.get(tenant, id);
  /** The job's row as stored, payload included (the API never shows it). */
  const storedRow = (id: string) => db().selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  const db = () => (store as unknown as { handle: { db: Kysely<Database> } }).handle.db;

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

  it("runs a job that answers `continue` again at once, without spending an attempt (a batch's time slices)", async () => {
    const queued = await enqueue();
    let calls = 0;
    startWorker(async () => (++calls < 4 ? { kind: "continue" } : { kind: "succeeded", result: { slices: calls } }));
    const done = await waitFor(() => job(queued.id), (j) => j?.status === "succeeded");
    expect(done).toMatchObject({ result: { slices: 4 }, attempts: 1 });
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

  it("claims the oldest job among the tenants with the fewest running jobs", async () => {
    const other = (await store.tenants.create("Globex")).id;
    // Creation times a millisecond apart at least: jobs created in the same millisecond have no order.
    const later = () => new Promise((resolve) => setTimeout(resolve, 2));
    const a1 = await enqueue({ a: 1 });
    await later();
    const a2 = await enqueue({ a: 2 });
    await later();
    const b1 = await enqueue({ b: 1 }, other);
    await later();
    const a3 = await enqueue({ a: 3 });
    const claimed = [];
    for (let i = 0; i < 4; i++) claimed.push((await store.jobs.claim(`worker_${i}`, 10_000, { tenantCap: 10 }))?.id);
    // Acme's first job is the oldest; then Globex has none running, Acme one.
    expect(claimed).toEqual([a1.id, b1.id, a2.id, a3.id]);
  });

  it("never runs more than tenantCap jobs of one tenant, even when many claims race", async () => {
    const other = (await store.tenants.create("Globex")).id;
    for (let i = 0; i < 8; i++) await enqueue({ a: i });
    for (let i = 0; i < 2; i++) await enqueue({ b: i }, other);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => store.jobs.claim(`worker_${i}`, 10_000, { tenantCap: 2 })));
    const byTenant = new Map<string, number>();
    for (const claim of claims) if (claim) byTenant.set(claim.tenantId, (byTenant.get(claim.tenantId) ?? 0) + 1);
    expect(Object.fromEntries(byTenant)).toEqual({ [tenantId]: 2, [other]: 2 });
    // Both tenants are at their cap: nothing more is claimed.
    expect(await store.jobs.claim("worker_late", 10_000, { tenantCap: 2 })).toBeUndefined();
  });

  it("counts only the claimer's own running jobs against the cap with capPerWorker, in claims and takes", async () => {
    const perWorker = { tenantCap: 1, capPerWorker: true };
    const queued = new Set<string>();
    for (let i = 0; i < 4; i++) queued.add((await enqueue({ n: i })).id);
    const claimedBy = async (owner: string, options: ClaimOptions) => {
      const claimed = await store.jobs.claim(owner, 10_000, options);
      if (claimed) queued.delete(claimed.id);
      return claimed;
    };
    const aQueuedJob = () => [...queued][0]!;
    expect(await claimedBy("worker_a", perWorker)).toBeDefined();
    // worker_a runs one of Acme's jobs: at its cap, it gets no other, by claim or by take.
    expect(await claimedBy("worker_a", perWorker)).toBeUndefined();
    expect(await store.jobs.take(aQueuedJob(), "worker_a", 10_000, perWorker)).toEqual({ kind: "tenant-at-cap" });
    // worker_b runs none of them yet: it gets one, then is at its cap too.
    expect(await claimedBy("worker_b", perWorker)).toBeDefined();
    expect(await store.jobs.take(aQueuedJob(), "worker_b", 10_000, perWorker)).toEqual({ kind: "tenant-at-cap" });
    const third = aQueuedJob();
    expect(await store.jobs.take(third, "worker_c", 10_000, perWorker)).toMatchObject({ kind: "taken", job: { id: third } });
    queued.delete(third);
    // Counted over every worker, three of Acme's jobs run: a fleet cap of 3 lets no fourth start.
    expect(await claimedBy("worker_d", { tenantCap: 3 })).toBeUndefined();
    expect(await store.jobs.take(aQueuedJob(), "worker_d", 10_000, { tenantCap: 3 })).toEqual({ kind: "tenant-at-cap" });
  });

  it("lets another tenant's job run while one tenant's slow jobs fill the queue", async () => {
    const other = (await store.tenants.create("Globex")).id;
    const slow: Array<{ id: string }> = [];
    for (let i = 0; i < 4; i++) slow.push(await enqueue({ slow: i }));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    startWorker(async ({ job: claimed, signal }) => {
      started.push(claimed.tenantId);
      if (claimed.tenantId === tenantId) await Promise.race([released, new Promise((resolve) => signal.addEventListener("abort", resolve))]);
      return { kind: "succeeded", result: null };
    });
    // One of them runs (which one is not fixed: jobs enqueued in the same millisecond go by their random ids).
    await waitFor(() => Promise.all(slow.map((queued) => job(queued.id))), (jobs) => jobs.some((j) => j?.status === "running"));
    const quick = await enqueue({ quick: true }, other);
    const began = Date.now();
    await waitFor(() => job(quick.id, other), (j) => j?.status === "succeeded", 2_000);
    expect(Date.now() - began).toBeLessThan(2_000);
    // The default worker (two slots) keeps one for other tenants: Acme never had two running.
    expect(started.filter((t) => t === tenantId)).toHaveLength(1);
    release();
    for (const queued of slow) await waitFor(() => job(queued.id), (j) => j?.status === "succeeded");
  });

  it("drops the payload and the uploaded document when a job ends, keeping its result", async () => {
    const withDocument = async (payload: unknown) => {
      const id = newJobId();
      await store.jobs.documents.append(id, tenantId, 0, new Uint8Array(1024).fill(65));
      await store.jobs.documents.append(id, tenantId, 1, new Uint8Array(10).fill(66));
      return store.jobs.enqueue({ id, tenantId, type: "import", summary: "test", payload });
    };
    const succeeding = await withDocument({ outcome: "succeed" });
    const failing = await withDocument({ outcome: "fail" });
    const cancelledWhileQueued = await withDocument({ outcome: "never" });
    expect((await store.jobs.documents.read(succeeding.id, 1034))?.byteLength).toBe(1034);
    await store.jobs.cancel(tenantId, cancelledWhileQueued.id);

    const seen: unknown[] = [];
    startWorker(async ({ job: claimed }) => {
      seen.push(claimed.payload);
      const document = await store.jobs.documents.read(claimed.id, 1034);
      if ((claimed.payload as { outcome: string }).outcome === "fail") return { kind: "failed", error: { type: "about:blank", title: "bad", status: 422 } };
      return { kind: "succeeded", result: { contentHash: "sha256:abc", bytes: document?.byteLength } };
    });
    expect(await waitFor(() => job(succeeding.id), (j) => j?.status === "succeeded")).toMatchObject({ result: { contentHash: "sha256:abc", bytes: 1034 } });
    await waitFor(() => job(failing.id), (j) => j?.status === "failed");
    expect(seen).toEqual(expect.arrayContaining([{ outcome: "succeed" }, { outcome: "fail" }]));
    for (const ended of [succeeding, failing, cancelledWhileQueued]) {
      expect(await storedRow(ended.id)).toMatchObject({ payload: "null" });
      expect(await store.jobs.documents.read(ended.id, 1034)).toBeUndefined();
    }
    const shown = await store.jobs.list(tenantId, { limit: 10 });
    expect(shown.data.map((j) => j.status).sort()).toEqual(["cancelled", "failed", "succeeded"]);
  });

  it("drops the payload of a running job that is cancelled or given up", async () => {
    const cancelled = await enqueue({ secret: "s".repeat(100) });
    startWorker(({ signal }) => new Promise((resolve) => signal.addEventListener("abort", () => resolve({ kind: "succeeded", result: null }))));
    await waitFor(() => job(cancelled.id), (j) => j?.status === "running");
    await store.jobs.cancel(tenantId, cancelled.id);
    await waitFor(() => job(cancelled.id), (j) => j?.status === "cancelled");
    expect(await storedRow(cancelled.id)).toMatchObject({ payload: "null" });
  });

  it("deletes uploads that never became a job, once they are old enough", async () => {
    const orphan = newJobId();
    await store.jobs.documents.append(orphan, tenantId, 0, new Uint8Array(16));
    const kept = await (async () => {
      const id = newJobId();
      await store.jobs.documents.append(id, tenantId, 0, new Uint8Array(16));
      return store.jobs.enqueue({ id, tenantId, type: "import", summary: "test", payload: {} });
    })();
    expect(await store.jobs.documents.sweep(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.jobs.documents.sweep(new Date(Date.now() + 60_000))).toBe(1);
    expect(await store.jobs.documents.read(orphan, 16)).toBeUndefined();
    expect((await store.jobs.documents.read(kept.id, 16))?.byteLength).toBe(16);
  });

  // Postgres only: two SQLite connections in one thread would wait on each other's locks in
  // SQLite's (synchronous) busy handler; processes sharing a SQLite file are serialised by its single writer.
  const postgresOnly = backend === "postgres" ? it : () => {};
  postgresOnly("holds the per-tenant cap across servers sharing the database", async () => {
    const first = store;
    const second = await Store.open(location, { sealer });
    const running = new Map<string, number>();
    let most = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handler: JobHandler = async ({ job: claimed, signal }) => {
      running.set(claimed.tenantId, (running.get(claimed.tenantId) ?? 0) + 1);
      most = Math.max(most, running.get(claimed.tenantId)!);
      if (claimed.payload !== "quick") await Promise.race([released, new Promise((resolve) => signal.addEventListener("abort", resolve))]);
      running.set(claimed.tenantId, running.get(claimed.tenantId)! - 1);
      return { kind: "succeeded", result: null };
    };
    const stopped: Worker[] = [];
    try {
      const acme = tenantId;
      const globex = (await first.tenants.create("Globex")).id;
      const slow = [];
      for (let i = 0; i < 6; i++) slow.push(await first.jobs.enqueue({ tenantId: acme, type: "import", summary: "slow", payload: "slow" }));
      for (const store of [first, second]) {
        const worker = new Worker({ store, handlers: { import: handler, batch: handler, drift_check: handler, alert_delivery: handler }, concurrency: 3, tenantConcurrency: 2, pollMs: 20, leaseMs: 2_000 });
        stopped.push(worker);
        worker.start();
      }
      await waitFor(async () => running.get(acme) ?? 0, (n) => n === 2);
      const quick = await second.jobs.enqueue({ tenantId: globex, type: "import", summary: "quick", payload: "quick" });
      await waitFor(() => first.jobs.get(globex, quick.id), (j) => j?.status === "succeeded", 2_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // time for any over-claim to show
      expect(most).toBe(2); // two servers with three slots each, yet never more than two of Acme's jobs
      release();
      for (const queued of slow) await waitFor(() => first.jobs.get(acme, queued.id), (j) => j?.status === "succeeded");
    } finally {
      release();
      await Promise.all(stopped.map((w) => w.stop()));
      await second.close();
    }
  });
});
