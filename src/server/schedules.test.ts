import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startServer as startDocs, type TestServer as DocsServer } from "../importer/test-server.js";
import { createSchedule } from "../services/schedules.js";
import type { Store } from "../store/index.js";
import { startServer, type RunningServer } from "./start.js";

const todo = readFileSync(fileURLToPath(new URL("../../fixtures/scrape/todo-v1.yaml", import.meta.url)), "utf8");
const HOUR = 3_600_000;
const T0 = new Date("2026-12-01T00:00:00.000Z");

interface RunView {
  jobId: string;
  scheduledFor: string;
  job: { status: string; type: string; result: Record<string, unknown> | null } | null;
}

/**
 * Schedules through the real server (HTTP, scheduler, worker, store) on each backend: a
 * schedule's runs are import jobs that run; pause and resume; runs missed while the server
 * was down run once on start; and what `POST /v1/schedules` refuses.
 */
describe.each(storeBackends)("schedules on the real server on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer | undefined;
  let key: string;
  let keyId: string;
  let tenantId: string;
  let docs: DocsServer;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
    const issued = await store.keys.issue({ tenantId, kind: "tenant" });
    key = issued.secret;
    keyId = issued.key.id;
    docs = await startDocs({ "/todo.yaml": { body: todo, type: "application/yaml" } });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await docs.close();
    await dispose();
  });

  const start = async (scheduler: { now?: () => Date } = {}) => {
    server = await startServer({
      store,
      version: "0.0.0-test",
      host: "127.0.0.1",
      port: 0,
      allowPrivateImports: true,
      worker: { pollMs: 50, retryBaseMs: 20 },
      scheduler: { pollMs: 50, ...scheduler },
    });
  };
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(server!.url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const runsOf = async (ref: string) => (await api(`/v1/schedules/${ref}`)).json()["runs"] as RunView[];
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("fires a schedule whose runs are import jobs that run, stops while paused and fires again once resumed", async () => {
    await start();
    const payload = { url: `${docs.url}/todo.yaml`, slug: "todo" };
    // A scheduled import re-imports an integration: import it once first.
    const imported = await api("/v1/imports", { body: { source: { url: payload.url }, slug: "todo" } });
    expect(imported.status, imported.text).toBe(202);
    await waitFor("the first import", async () => ((await api(`/v1/jobs/${imported.json()["id"] as string}`)).json()["status"] === "succeeded" ? true : undefined));
    // Sub-second for the test: features may ask for less than the API's one-minute floor.
    const created = await createSchedule(store, { tenantId, name: "todo-refresh", jobType: "import", payload, timing: { everyMs: 300 }, minIntervalMs: 1 });
    expect(created).toMatchObject({ kind: "created", schedule: { every: "300ms", paused: false } });

    const first = await waitFor("two succeeded runs", async () => {
      const runs = await runsOf("todo-refresh");
      return runs.filter((run) => run.job?.status === "succeeded").length >= 2 ? runs : undefined;
    });
    const oldest = first.at(-1)!;
    // The same document again: no new version (a changed one would be version 2, or a draft if it broke version 1).
    expect(oldest.job).toMatchObject({ type: "import", status: "succeeded", result: { integration: "todo", version: 1, created: false } });
    expect((await api(`/v1/jobs/${oldest.jobId}`)).json()).toMatchObject({ status: "succeeded", summary: `import ${docs.url}/todo.yaml as todo` });

    const paused = await api("/v1/schedules/todo-refresh/pause", { method: "POST" });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, nextRunAt: null });
    await waitFor("the last run's job to end", async () => ((await runsOf("todo-refresh")).every((run) => run.job?.status === "succeeded") ? true : undefined));
    const runsWhenPaused = (await runsOf("todo-refresh")).length;
    const hitsWhenPaused = docs.hits.length;
    await sleep(1_000); // more than three intervals
    expect((await runsOf("todo-refresh")).length).toBe(runsWhenPaused);
    expect(docs.hits.length).toBe(hitsWhenPaused);

    const before = Date.now();
    const resumed = await api("/v1/schedules/todo-refresh/resume", { method: "POST" });
    expect(resumed.status, resumed.text).toBe(200);
    expect(Date.parse(resumed.json()["nextRunAt"] as string)).toBeGreaterThanOrEqual(before + 300);
    await waitFor("a run after resuming", async () => ((await runsOf("todo-refresh")).length > runsWhenPaused ? true : undefined));
  });

  const importTodoOnce = async () => {
    await start();
    const imported = await api("/v1/imports", { body: { source: { url: `${docs.url}/todo.yaml` }, slug: "todo" } });
    await waitFor("the first import", async () => ((await api(`/v1/jobs/${imported.json()["id"] as string}`)).json()["status"] === "succeeded" ? true : undefined));
    await server!.close();
    server = undefined;
  };

  it("runs a schedule once on start for the three runs it missed while the server was down", async () => {
    await importTodoOnce();
    let now = T0;
    const clock = () => now;
    const created = await createSchedule(store, { tenantId, name: "hourly", jobType: "import", payload: { url: `${docs.url}/todo.yaml`, slug: "todo" }, timing: { everyMs: HOUR } }, T0);
    expect(created).toMatchObject({ kind: "created", schedule: { nextRunAt: "2026-12-01T01:00:00.000Z" } });

    now = new Date(T0.getTime() + HOUR);
    await start({ now: clock });
    await waitFor("the 01:00 run", async () => ((await runsOf("hourly")).length === 1 ? true : undefined));
    await server!.close();
    server = undefined;

    now = new Date(T0.getTime() + 4.5 * HOUR); // 02:00, 03:00 and 04:00 passed while down
    await start({ now: clock });
    const runs = await waitFor("the run on start", async () => {
      const found = await runsOf("hourly");
      return found.length === 2 ? found : undefined;
    });
    await sleep(400); // eight more scheduler polls: nothing else is due
    expect(await runsOf("hourly")).toHaveLength(2);
    expect(runs.map((run) => run.scheduledFor)).toEqual(["2026-12-01T02:00:00.000Z", "2026-12-01T01:00:00.000Z"]);
    expect((await api("/v1/schedules/hourly")).json()).toMatchObject({ nextRunAt: "2026-12-01T05:00:00.000Z", lastRunAt: now.toISOString() });
    expect(((await api("/v1/jobs")).json()["data"] as unknown[]).length).toBe(3); // the first import and two runs
  });

  it("creates, lists, shows and deletes schedules over the API, refusing what cannot be scheduled", async () => {
    await importTodoOnce();
    await start();
    const url = `${docs.url}/todo.yaml`;
    const refusals: Array<[unknown, number, string]> = [
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, every: "10s" }, 400, "at least 1m"],
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, every: "soon" }, 400, "30s, 15m, 24h or 7d"],
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, every: "1h", cron: "0 * * * *" }, 400, "exactly one of every and cron"],
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, cron: "every day" }, 400, "is not a cron expression"],
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, cron: "* * * * * *" }, 400, "more often than every 60 s"],
      [{ name: "x", jobType: "import", payload: { url, slug: "todo" }, cron: "0 6 * * *", timezone: "Mars/Olympus" }, 400, "IANA time zone"],
      [{ name: "x", jobType: "import", payload: { url: `${docs.url}/todo.yaml?access_token=s3cret`, slug: "todo" }, every: "1h" }, 400, "may not carry credentials"],
      [{ name: "x", jobType: "batch", payload: {}, every: "1h" }, 400, "jobType"],
      [{ name: "x", jobType: "import", payload: { url, slug: "nope" }, every: "1h" }, 400, "there is no integration nope to re-import"],
    ];
    for (const [body, status, message] of refusals) {
      const answer = await api("/v1/schedules", { body });
      expect(answer.status, answer.text).toBe(status);
      expect(answer.text).toContain(message);
    }

    const created = await api("/v1/schedules", { body: { name: "nightly", jobType: "import", payload: { url, slug: "todo" }, cron: "0 3 * * *", timezone: "Europe/Paris" } });
    expect(created.status, created.text).toBe(201);
    expect(created.json()).toMatchObject({ name: "nightly", cron: "0 3 * * *", timezone: "Europe/Paris", every: null, createdBy: keyId, payload: { url, slug: "todo", format: "auto", publish: false } });
    const again = await api("/v1/schedules", { body: { name: "nightly", jobType: "import", payload: { url, slug: "todo" }, every: "1h" } });
    expect(again.status).toBe(409);
    expect(again.text).toContain("delete it first or pick another name");
    expect((await api("/v1/schedules", { body: { name: "daily", jobType: "import", payload: { url, slug: "todo" }, every: "1d" } })).json()).toMatchObject({ every: "1d", intervalMs: 86_400_000 });

    const list = (await api("/v1/schedules?limit=1")).json();
    expect(list).toMatchObject({ data: [{ name: "daily" }], nextCursor: expect.any(String) });
    expect((await api(`/v1/schedules?limit=1&cursor=${list["nextCursor"] as string}`)).json()).toMatchObject({ data: [{ name: "nightly" }], nextCursor: null });
    const id = created.json()["id"] as string;
    expect((await api(`/v1/schedules/${id}`)).json()).toMatchObject({ id, name: "nightly", runs: [] });

    expect((await api("/v1/schedules/nightly", { method: "DELETE" })).status).toBe(204);
    const gone = await api(`/v1/schedules/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain(`schedule ${id} not found`);
  });
});
