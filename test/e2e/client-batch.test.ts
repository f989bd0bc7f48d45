/**
 * `action.batch()` of the generated client against the real server (its in-process worker
 * runs the batches) and real upstreams the test starts: progress from the server's events and
 * by polling, waiting, per-item results, cancelling, and Waygate's errors as the client's
 * error classes. Each test also asserts what the upstream received.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { at, loadGeneratedClient, type LoadedClient } from "../codegen/support/load-client.js";
import { collect, rejection } from "../codegen/support/runtime-setup.js";
import { removeDir } from "../codegen/support/compile.js";
import { contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../support/rate-limited-upstream.js";
import { startTestServer, tenantApi, type TestServer } from "../support/server.js";

interface BatchSnapshot {
  id: string;
  app: string | null;
  status: string;
  counts: Record<"total" | "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled", number>;
}
interface BatchResult {
  seq: number;
  connection: string | null;
  state: string;
  upstreamStatus: number | null;
  result: unknown;
  error: { type?: string; errors?: { field: string }[] } | null;
}
interface BatchHandle {
  id: string;
  batch: BatchSnapshot;
  progress(): AsyncIterable<BatchSnapshot>;
  wait(): Promise<BatchSnapshot>;
  results(options?: { state?: string }): AsyncIterable<BatchResult>;
  cancel(): Promise<BatchSnapshot>;
}
interface BatchValidation {
  valid: boolean;
  items: number;
  version: number | null;
  errors: Array<{ index: number; field: string; message: string }>;
  detail: string | null;
}
type Batchable = { batch(items: readonly unknown[], options?: Record<string, unknown>): Promise<BatchHandle | BatchValidation> };

describe("action.batch() of the generated client against the real server", () => {
  let server: TestServer;
  let fast: RateLimitedUpstream;
  let slow: RateLimitedUpstream;
  let loaded: LoadedClient;
  /** Every URL the client asked for, with its method. */
  const requested: string[] = [];

  const api = (method: string, path: string, body?: unknown) => tenantApi(server, method, path, body);
  const recordingFetch = async (url: string, init: RequestInit): Promise<Response> => {
    requested.push(`${init.method ?? "GET"} ${url.slice(server.url.length)}`);
    return await fetch(url, init);
  };
  /** A fetch whose responses have no body stream (some polyfills and test doubles): progress must poll. */
  const streamlessFetch = async (url: string, init: RequestInit) => {
    const response = await recordingFetch(url, init);
    return { status: response.status, headers: response.headers, arrayBuffer: () => response.arrayBuffer() };
  };
  const client = (options: Record<string, unknown> = {}) =>
    loaded.module.createWaygate({ apiKey: server.tenantKey, baseUrl: server.url, app: "web", fetch: recordingFetch, onVersionMismatch: () => {}, ...options });
  const batchable = (slug: string, options: Record<string, unknown> = {}) => at<Batchable>(client(options), `${slug}.contacts.create`);
  /** `.batch()` without `dryRun`: resolves with the batch's handle. */
  const create = (slug: string, options: Record<string, unknown> = {}) => ({
    batch: async (items: readonly unknown[], batchOptions?: Record<string, unknown>) => (await batchable(slug, options).batch(items, batchOptions)) as BatchHandle,
  });
  /** `.batch(items, { dryRun: true })`: resolves with the validation outcome. */
  const dryRun = async (items: readonly unknown[], batchOptions: Record<string, unknown> = {}) => (await batchable("crm").batch(items, { ...batchOptions, dryRun: true })) as BatchValidation;

  beforeAll(async () => {
    fast = await startRateLimitedUpstream({ perSecond: 100, latencyMs: 10 });
    slow = await startRateLimitedUpstream({ perSecond: 100, latencyMs: 300 });
    server = await startTestServer();
    await api("POST", "/v1/integrations", contactsIntegration(fast.url, "crm"));
    await api("POST", "/v1/integrations", contactsIntegration(slow.url, "slowcrm"));
    await api("POST", "/v1/apps", { name: "web" });
    const manifest = (await api("GET", "/v1/sdk/manifest?app=web")) as unknown as SdkManifest;
    loaded = await loadGeneratedClient(manifest);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await fast?.close();
    await slow?.close();
    if (loaded) removeDir(loaded.dir);
  });

  it("runs every item once, streams progress from the server's events, waits, and lists each item's outcome in order", async () => {
    requested.length = 0;
    const names = Array.from({ length: 12 }, (_, i) => (i % 5 === 3 ? `bad ${i}` : `contact ${i}`));
    const items = [...names.map((name) => ({ input: { name } })), { input: {} }];
    const handle = await create("crm").batch(items, { concurrency: 3 });
    expect(handle.id).toBe(handle.batch.id);
    expect(handle.batch.counts.total).toBe(13);
    expect(handle.batch.app).not.toBeNull();

    const snapshots = await collect(handle.progress());
    expect(snapshots.length).toBeGreaterThan(0);
    for (const { counts } of snapshots) {
      expect(counts.queued + counts.running + counts.succeeded + counts.failed + counts.skipped + counts.cancelled).toBe(counts.total);
    }
    const succeeded = snapshots.map((snapshot) => snapshot.counts.succeeded);
    expect(succeeded).toEqual([...succeeded].sort((a, b) => a - b));
    const last = snapshots.at(-1)!;
    expect([last.status, last.counts.succeeded, last.counts.failed]).toEqual(["completed_with_errors", 10, 3]);
    // Followed through the event stream, not by polling the batch.
    expect(requested).toContain(`GET /v1/batches/${handle.id}/events`);
    expect(requested).not.toContain(`GET /v1/batches/${handle.id}`);

    expect(await handle.wait()).toMatchObject({ id: handle.id, status: "completed_with_errors" });
    const results = await collect(handle.results());
    expect(results.map((result) => result.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    for (const result of results.slice(0, 12)) {
      const bad = names[result.seq]!.startsWith("bad");
      expect([result.state, result.upstreamStatus], `item ${result.seq}`).toEqual(bad ? ["failed", 422] : ["succeeded", 201]);
      if (!bad) expect(result.result).toMatchObject({ name: names[result.seq] });
      // The upstream created each good contact exactly once, under the key the batch gave the item.
      if (!bad) expect(fast.created.get(`batch:${handle.id}:${result.seq}`)).toBe(1);
    }
    // The item without a name failed Waygate's validation and never reached the upstream.
    expect(results[12]).toMatchObject({ state: "failed", upstreamStatus: null });
    expect(results[12]!.error?.errors?.map((error) => error.field)).toEqual(["input.name"]);
    expect(fast.unkeyed).toBe(0);
    expect([...fast.accepted.keys()].filter((key) => key.startsWith(`batch:${handle.id}:`))).toHaveLength(12);

    const failed = await collect(handle.results({ state: "failed" }));
    expect(failed.map((result) => result.seq)).toEqual([3, 8, 12]);
  }, 30_000);

  it("polls the batch when fetch gives no body stream, and ends with the final state", async () => {
    requested.length = 0;
    const handle = await create("crm", { fetch: streamlessFetch }).batch([{ input: { name: "polled 1" } }, { input: { name: "polled 2" } }], { pollInterval: 50 });
    const final = await handle.wait();
    expect([final.status, final.counts.succeeded]).toEqual(["completed", 2]);
    expect(requested.filter((line) => line === `GET /v1/batches/${handle.id}`).length).toBeGreaterThan(0);
    expect((await collect(handle.results())).map((result) => result.state)).toEqual(["succeeded", "succeeded"]);
  }, 30_000);

  it("the client's default connection (withOptions) is the batch's; an item's own connection is kept with it", async () => {
    const forUser = at<Batchable>((client() as { withOptions(options: Record<string, unknown>): unknown }).withOptions({ connection: "user_42" }), "crm.contacts.create");
    const handle = (await forUser.batch([{ input: { name: "for user 42" } }, { input: { name: "for user 7" }, connection: "user_7" }])) as BatchHandle;
    expect(handle.batch).toMatchObject({ connection: "user_42", counts: { total: 2 } });
    await handle.wait();
    expect((await collect(handle.results())).map((result) => result.connection)).toEqual([null, "user_7"]);
  }, 30_000);

  it("cancel() stops what has not started: queued items end cancelled and never reach the upstream", async () => {
    const before = slow.accepted.size;
    const handle = await create("slowcrm").batch(
      Array.from({ length: 20 }, (_, i) => ({ input: { name: `slow ${i}` } })),
      { concurrency: 1 },
    );
    const cancelled = await handle.cancel();
    expect(cancelled.id).toBe(handle.id);
    const final = await handle.wait();
    expect(final.status).toBe("cancelled");
    expect(final.counts.cancelled).toBeGreaterThan(0);
    expect(final.counts.succeeded + final.counts.cancelled).toBe(20);
    const results = await collect(handle.results());
    expect(new Set(results.map((result) => result.state))).toEqual(new Set(["succeeded", "cancelled"]));
    // Only the items that ran were sent.
    expect(slow.accepted.size - before).toBe(final.counts.succeeded);
  }, 30_000);

  it("a signal ends wait() with the client's abort error; the batch itself runs on", async () => {
    const controller = new AbortController();
    const handle = await create("slowcrm").batch([{ input: { name: "a" } }, { input: { name: "b" } }, { input: { name: "c" } }], { concurrency: 1, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left")), 100);
    const failure = await rejection(handle.wait());
    expect(failure).toBeInstanceOf(loaded.module.APIUserAbortError);
    const after = await create("slowcrm").batch([{ input: { name: "d" } }]);
    expect((await after.wait()).status).toBe("completed");
    expect((await api("GET", `/v1/batches/${handle.id}`)).status).toBe("completed");
  }, 30_000);

  it("dryRun checks every item and resolves with the outcome: valid with the version checked against, nothing stored or sent", async () => {
    const batchesBefore = (await api("GET", "/v1/batches?limit=100")).data as unknown[];
    const acceptedBefore = fast.accepted.size;
    requested.length = 0;
    const checked = await dryRun([{ input: { name: "checked 1" } }, { input: { name: "checked 2", age: 40 } }]);
    expect(checked).toEqual({ valid: true, items: 2, version: 1, errors: [], detail: null });
    expect(requested).toEqual(["POST /v1/batches"]);
    expect((await api("GET", "/v1/batches?limit=100")).data).toHaveLength(batchesBefore.length);
    expect(fast.accepted.size).toBe(acceptedBefore);
  }, 30_000);

  it("dryRun lists each invalid item's fields with its index, and nothing is stored or sent", async () => {
    const batchesBefore = (await api("GET", "/v1/batches?limit=100")).data as unknown[];
    const acceptedBefore = fast.accepted.size;
    const items = [{ input: { name: "fine" } }, { input: {} }, { input: { name: "fine too" } }, { input: { name: "", age: "old" } }];
    const checked = await dryRun(items, { concurrency: 2 });
    expect([checked.valid, checked.items, checked.version]).toEqual([false, 4, null]);
    expect(checked.detail).toMatch(/^2 of 4 items do not match the action's input schema/);
    expect(checked.errors.map(({ index, field }) => [index, field])).toEqual([
      [1, "input.name"],
      [3, "input.name"],
      [3, "input.age"],
    ]);
    for (const error of checked.errors) expect(error.message.length).toBeGreaterThan(0);
    expect((await api("GET", "/v1/batches?limit=100")).data).toHaveLength(batchesBefore.length);
    expect(fast.accepted.size).toBe(acceptedBefore);
  }, 30_000);

  it("dryRun still throws Waygate's other refusals (a bad option, an unknown app) as the client's error classes", async () => {
    const badOption = await rejection(dryRun([{ input: {} }], { concurrency: 500 }));
    expect(badOption).toBeInstanceOf(loaded.module.InvalidInputError);
    expect((badOption.errors as Array<{ field: string }>).map((error) => error.field)).toEqual(["body.options.concurrency"]);
    const noApp = await rejection(at<Batchable>(client({ app: "nope" }), "crm.contacts.create").batch([{ input: { name: "x" } }], { dryRun: true }));
    expect(noApp).toBeInstanceOf(loaded.module.WaygateNotFoundError);
  }, 30_000);

  it("Waygate's refusals are the client's error classes, and a malformed item fails before anything is sent", async () => {
    const tooMany = await rejection(create("crm").batch([{ input: { name: "x" } }], { concurrency: 500 }));
    expect(tooMany).toBeInstanceOf(loaded.module.InvalidInputError);
    expect(tooMany).not.toBeInstanceOf(loaded.module.APIError);
    expect(tooMany.message).toMatch(/^crm\.contacts\.create\.batch: /);

    const noApp = await rejection(create("crm", { app: "nope" }).batch([{ input: { name: "x" } }]));
    expect(noApp).toBeInstanceOf(loaded.module.WaygateNotFoundError);
    expect(noApp.message).toContain('app "nope"');

    requested.length = 0;
    const flat = await rejection(create("crm").batch([{ name: "forgot the input wrapper" }]));
    expect(flat).toBeInstanceOf(TypeError);
    expect(flat.message).toContain('item 0 has "name" besides input, connection and idempotencyKey');
    const empty = await rejection(create("crm").batch([]));
    expect(empty.message).toContain("needs a non-empty array of items");
    expect(requested).toEqual([]);
  }, 30_000);
});
