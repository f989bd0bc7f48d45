import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Problem } from "../contract/index.js";
import { MAX_STORED_RESULT_BYTES } from "./batches.js";
import type { Store } from "./store.js";

/** A claimed item's lease in these tests. */
const LEASE_MS = 60_000;

const problem = (detail: string): Problem => ({ type: "https://waygate.dev/problems/test", title: "Test", status: 400, detail });

describe.each(storeBackends)("batch store on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  let appId: string;
  let otherAppId: string;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date("2026-01-01T00:00:00.000Z");
    ({ store, dispose } = await openTestStore(backend, { now: () => clock }));
    tenantId = (await store.tenants.create("Acme")).id;
    const app = await store.apps.create(tenantId, "one");
    const other = await store.apps.create(tenantId, "two");
    if (app === "name-taken" || other === "name-taken") throw new Error("unexpected");
    appId = app.id;
    otherAppId = other.id;
  });
  afterEach(async () => dispose());

  const create = (count: number, extra: { invalid?: number[]; appId?: string | null } = {}) =>
    store.batches.create({
      tenantId,
      appId: extra.appId === undefined ? appId : extra.appId,
      integration: "petstore",
      action: "pets.create",
      connection: "user_1",
      options: { concurrency: 2, stopOnErrorRatio: null },
      jobId: "job_x",
      items: Array.from({ length: count }, (_, i) => ({ input: { name: `pet ${i}` }, ...(i === 1 ? { connection: "user_2", idempotencyKey: "own-key" } : {}), ...(extra.invalid?.includes(i) ? { invalid: problem(`item ${i} is invalid`) } : {}) })),
    });

  it("stores a batch of 1 234 items whole, invalid items already failed, and counts them", async () => {
    const id = await create(1234, { invalid: [3, 7] });
    const batch = await store.batches.get({ tenantId, appId: null }, id);
    expect(batch).toMatchObject({ status: "queued", app: appId, connection: "user_1", options: { concurrency: 2, stopOnErrorRatio: null } });
    expect(batch!.counts).toEqual({ total: 1234, queued: 1232, running: 0, succeeded: 0, failed: 2, skipped: 0, cancelled: 0 });
    const failed = await store.batches.items({ tenantId, appId: null }, id, { state: "failed", limit: 10 });
    expect(failed!.data.map((item) => [item.seq, item.error?.detail])).toEqual([[3, "item 3 is invalid"], [7, "item 7 is invalid"]]);
  });

  it("claims due items in order, finishes them only for the run that holds them, and takes back an earlier run's claims", async () => {
    const id = await create(10);
    const first = await store.batches.claim(id, "run_a", 4, LEASE_MS);
    expect(first.map((item) => item.seq)).toEqual([0, 1, 2, 3]);
    expect(first[1]).toMatchObject({ input: { name: "pet 1" }, connection: "user_2", idempotencyKey: "own-key", attempts: 1 });
    expect(await store.batches.finish(id, 0, "run_a", { state: "succeeded", upstreamStatus: 201, result: { id: 1 } })).toBe(true);
    // Run A died; run B takes the batch over and releases A's open claims.
    expect(await store.batches.releaseOrphans(id, "run_b")).toBe(3);
    expect(await store.batches.finish(id, 1, "run_a", { state: "succeeded", upstreamStatus: 201, result: {} })).toBe(false);
    const second = await store.batches.claim(id, "run_b", 100, LEASE_MS);
    expect(second.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second[0]!.attempts).toBe(2);
    expect(await store.batches.claim(id, "run_b", 100, LEASE_MS)).toEqual([]);
    const counts = await store.batches.counts(id);
    expect(counts).toMatchObject({ total: 10, running: 9, succeeded: 1 });
  });

  it("leases each claimed item: two runs claim side by side, a renewed lease holds, an expired one is claimed again", async () => {
    const id = await create(6);
    expect((await store.batches.claim(id, "run_a", 3, LEASE_MS)).map((item) => item.seq)).toEqual([0, 1, 2]);
    expect((await store.batches.claim(id, "run_b", 100, LEASE_MS)).map((item) => item.seq)).toEqual([3, 4, 5]);
    // Nothing is queued; the next claimable item is the first lease to expire.
    expect(await store.batches.nextDue(id)).toEqual(new Date(clock.getTime() + LEASE_MS));
    clock = new Date(clock.getTime() + LEASE_MS / 2);
    await store.batches.renewLeases(id, "run_b", LEASE_MS); // run B is alive; run A went silent
    expect(await store.batches.finish(id, 0, "run_a", { state: "succeeded", upstreamStatus: 201, result: {} })).toBe(true);
    clock = new Date(clock.getTime() + LEASE_MS / 2);
    // Run A's open leases expired: run B takes items 1 and 2 (a second attempt); its own stay its own.
    const taken = await store.batches.claim(id, "run_b", 100, LEASE_MS);
    expect(taken.map((item) => [item.seq, item.attempts])).toEqual([[1, 2], [2, 2]]);
    expect(await store.batches.finish(id, 1, "run_a", { state: "succeeded", upstreamStatus: 201, result: {} })).toBe(false);
    // A run that stops gives back what it holds, due at once.
    expect(await store.batches.releaseClaims(id, "run_b")).toBe(5);
    expect((await store.batches.claim(id, "run_c", 100, LEASE_MS)).map((item) => item.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await store.batches.counts(id)).toMatchObject({ running: 5, succeeded: 1 });
  });

  it("keeps a throttled item out of claims until its time and counts the throttle, not an attempt lost", async () => {
    const id = await create(2);
    await store.batches.claim(id, "run", 1, LEASE_MS);
    await store.batches.requeue(id, 0, "run", new Date(clock.getTime() + 5_000), "throttled");
    expect((await store.batches.claim(id, "run", 10, LEASE_MS)).map((item) => item.seq)).toEqual([1]);
    expect(await store.batches.nextDue(id)).toEqual(new Date(clock.getTime() + 5_000));
    clock = new Date(clock.getTime() + 5_000);
    const again = await store.batches.claim(id, "run", 10, LEASE_MS);
    expect(again).toMatchObject([{ seq: 0, attempts: 2, throttled: 1 }]);
  });

  it("finalizes only once nothing is open: completed, with errors, or cancelled", async () => {
    const id = await create(3);
    await store.batches.markRunning(id, "job_x");
    await store.batches.claim(id, "run", 3, LEASE_MS);
    await store.batches.finish(id, 0, "run", { state: "succeeded", upstreamStatus: 200, result: null });
    expect(await store.batches.finalize(id)).toBe(false);
    await store.batches.finish(id, 1, "run", { state: "succeeded", upstreamStatus: 200, result: null });
    await store.batches.finish(id, 2, "run", { state: "failed", upstreamStatus: 422, error: problem("no") });
    expect(await store.batches.finalize(id)).toBe(true);
    expect((await store.batches.get({ tenantId, appId: null }, id))!.status).toBe("completed_with_errors");

    const clean = await create(1);
    await store.batches.claim(clean, "run", 1, LEASE_MS);
    await store.batches.finish(clean, 0, "run", { state: "succeeded", upstreamStatus: 200, result: { ok: true } });
    await store.batches.finalize(clean);
    expect((await store.batches.get({ tenantId, appId: null }, clean))!.status).toBe("completed");
  });

  it("cancels queued items at once and ends a batch that is not running; resume queues the cancelled items again", async () => {
    const id = await create(5);
    const cancelled = await store.batches.cancel({ tenantId, appId }, id, problem("cancelled"));
    expect(cancelled).toMatchObject({ status: "cancelled", cancelRequested: true, counts: { cancelled: 5, queued: 0 } });
    const resumed = await store.batches.reopen({ tenantId, appId }, id, "cancelled", "job_y");
    expect(resumed).toMatchObject({ status: "queued", cancelRequested: false, counts: { queued: 5, cancelled: 0 } });
    expect((await store.batches.record(id))!.jobId).toBe("job_y");
  });

  it("retries failed items as a new attempt and answers nothing-to-run when none failed", async () => {
    const id = await create(2);
    await store.batches.claim(id, "run", 2, LEASE_MS);
    await store.batches.finish(id, 0, "run", { state: "failed", upstreamStatus: 500, error: problem("boom") });
    await store.batches.finish(id, 1, "run", { state: "succeeded", upstreamStatus: 200, result: 1 });
    await store.batches.finalize(id);
    const retried = await store.batches.reopen({ tenantId, appId: null }, id, "failed", "job_z");
    expect(retried).toMatchObject({ status: "queued", counts: { queued: 1, succeeded: 1, failed: 0 } });
    const [item] = await store.batches.claim(id, "run2", 5, LEASE_MS);
    expect(item).toMatchObject({ seq: 0, attempts: 2 });
    await store.batches.finish(id, 0, "run2", { state: "succeeded", upstreamStatus: 200, result: 2 });
    await store.batches.finalize(id);
    expect(await store.batches.reopen({ tenantId, appId: null }, id, "failed", "job_w")).toBe("nothing-to-run");
  });

  it("shows an app key only its app's batches, and another tenant nothing", async () => {
    const mine = await create(1);
    const theirs = await create(1, { appId: otherAppId });
    const tenantLevel = await create(1, { appId: null });
    expect((await store.batches.list({ tenantId, appId }, { limit: 10 })).data.map((b) => b.id)).toEqual([mine]);
    expect(await store.batches.get({ tenantId, appId }, theirs)).toBeUndefined();
    expect(await store.batches.get({ tenantId, appId }, tenantLevel)).toBeUndefined();
    expect(await store.batches.items({ tenantId, appId }, theirs, { limit: 10 })).toBeUndefined();
    expect(await store.batches.cancel({ tenantId, appId }, theirs, problem("x"))).toBeUndefined();
    expect(await store.batches.reopen({ tenantId, appId }, theirs, "failed", "job")).toBeUndefined();
    expect((await store.batches.list({ tenantId, appId: null }, { limit: 10 })).data).toHaveLength(3);
    const stranger = (await store.tenants.create("Globex")).id;
    expect(await store.batches.get({ tenantId: stranger, appId: null }, mine)).toBeUndefined();
    expect((await store.batches.list({ tenantId: stranger, appId: null }, { limit: 10 })).data).toEqual([]);
  });

  it("pages results by seq and keeps a huge success body as a marker", async () => {
    const id = await create(5);
    await store.batches.claim(id, "run", 5, LEASE_MS);
    await store.batches.finish(id, 0, "run", { state: "succeeded", upstreamStatus: 200, result: { big: "x".repeat(MAX_STORED_RESULT_BYTES) } });
    const first = await store.batches.items({ tenantId, appId: null }, id, { limit: 2 });
    expect(first!.data.map((item) => item.seq)).toEqual([0, 1]);
    expect(first!.data[0]!.result).toMatchObject({ truncated: true });
    const second = await store.batches.items({ tenantId, appId: null }, id, { limit: 2, cursor: first!.nextCursor! });
    expect(second!.data.map((item) => item.seq)).toEqual([2, 3]);
    const last = await store.batches.items({ tenantId, appId: null }, id, { limit: 2, cursor: second!.nextCursor! });
    expect(last).toMatchObject({ data: [{ seq: 4 }], nextCursor: null });
  });
});
