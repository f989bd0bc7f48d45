import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startServer as startUpstream, type TestServer } from "../importer/test-server.js";
import type { Store } from "../store/index.js";
import { startServer, type RunningServer } from "./start.js";

/** Traffic drift: the upstream changes its responses without changing its docs. */
describe.each(storeBackends)("traffic drift on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let key: string;
  let upstream: TestServer;
  let todo: Record<string, unknown>;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    const tenant = await store.tenants.create("Acme");
    key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    todo = { id: 1, title: "write the report", done: false };
    upstream = await startUpstream({ "/todos/1": () => ({ body: JSON.stringify(todo), type: "application/json" }) });
    server = await startServer({
      store,
      version: "0.0.0-test",
      host: "127.0.0.1",
      port: 0,
      allowPrivateImports: true,
      upstreams: "loopback",
      worker: { pollMs: 20 },
      // Every response is compared; mismatches are recorded 300 ms after the first one.
      trafficDrift: { sampleEvery: 1, windowMs: 300 },
    });
  });
  afterEach(async () => {
    await server.close();
    await upstream.close();
    await dispose();
  });

  const api = async (path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it("reports a field that appears and a required one that disappears, within the sample window, once, shapes only", async () => {
    const created = await api("/v1/integrations", {
      slug: "todo",
      name: "Todo",
      baseUrl: upstream.url,
      actions: [
        {
          name: "getTodo",
          method: "GET",
          path: "/todos/{id}",
          inputSchema: { type: "object", required: ["id"], properties: { id: { type: "integer", "x-waygate-in": "path" } } },
          outputSchema: { type: "object", required: ["id", "title"], properties: { id: { type: "integer" }, title: { type: "string" }, done: { type: "boolean" } } },
        },
      ],
    });
    expect(created.status, created.text).toBe(201);

    // As documented: nothing to report.
    expect((await api("/v1/invoke/todo/getTodo", { input: { id: 1 } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await api("/v1/drift-reports")).json()["data"]).toEqual([]);

    // The upstream drops `title` and starts sending `assignee` (with a value that must not be kept).
    todo = { id: 1, done: false, assignee: "secret-person@example.com" };
    for (let i = 0; i < 3; i++) expect((await api("/v1/invoke/todo/getTodo", { input: { id: 1 } })).status).toBe(200);
    let reports: Array<Record<string, unknown>> = [];
    for (let waited = 0; reports.length === 0 && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reports = (await api("/v1/drift-reports")).json()["data"] as Array<Record<string, unknown>>;
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ integration: "todo", origin: "traffic", severity: "breaking", proposal: null, baseVersion: 1 });
    const changes = reports[0]!["changes"] as Array<{ action: string; kind: string; pointer: string; severity: string }>;
    expect(changes.map(({ action, kind, pointer, severity }) => ({ action, kind, pointer, severity })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { action: "getTodo", kind: "response-field-added", pointer: "/output/assignee", severity: "non-breaking" },
      { action: "getTodo", kind: "response-field-missing", pointer: "/output/title", severity: "breaking" },
    ]);
    expect(JSON.stringify(reports)).not.toContain("secret-person");
    // The gateway stamped who called what: the tenant's own key called getTodo.
    expect(reports[0]!["impact"]).toMatchObject({ tenantRecentlyCalled: ["getTodo"] });

    // The same mismatches again: already reported.
    for (let i = 0; i < 3; i++) await api("/v1/invoke/todo/getTodo", { input: { id: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await api("/v1/drift-reports")).json()["data"]).toHaveLength(1);
  });
});
