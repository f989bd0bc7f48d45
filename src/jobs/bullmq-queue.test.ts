import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { BullJobBackend } from "./bullmq-queue.js";

describe("BullMQ backend when Redis does not answer", () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let backend: BullJobBackend;
  const errors: unknown[] = [];

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore("sqlite"));
    // Nothing listens on port 1: every connection attempt is refused, and ioredis keeps retrying.
    backend = new BullJobBackend({ store, url: "redis://127.0.0.1:1", prefix: "wg-test-down", enqueueTimeoutMs: 300, onError: (error) => errors.push(error) });
  });
  afterEach(async () => {
    await Promise.race([backend.close(), new Promise((resolve) => setTimeout(resolve, 500))]);
    await dispose();
  });

  it("fails the enqueue within its timeout, saying what to check, and cancels the job's row", async () => {
    const tenantId = (await store.tenants.create("Acme")).id;
    const started = Date.now();
    await expect(backend.queue.enqueue({ tenantId, type: "import", summary: "test", payload: {} })).rejects.toThrow(/could not queue the job on Redis \(Redis did not answer within 300 ms\); check WAYGATE_REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const { data } = await store.jobs.list(tenantId, { limit: 10 });
    expect(data.map((job) => job.status)).toEqual(["cancelled"]);
    expect(String(errors[0])).toContain("ECONNREFUSED"); // the connection errors reach the server's log
  });
});
