import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { createApp } from "./app.js";
import { BullJobBackend } from "../jobs/bullmq-queue.js";

describe("jobs on BullMQ when Redis does not answer", () => {
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

  it("answers an import request with 503 problem+json naming the setting to check", async () => {
    const tenant = await store.tenants.create("Acme");
    const key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    const app = createApp({ store, version: "test", jobs: backend.queue });
    const response = await app.request("/v1/imports", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ source: { url: "https://docs.example.com/openapi.json" } }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("10");
    expect(((await response.json()) as { detail: string }).detail).toContain("check WAYGATE_REDIS_URL");
  });
});
