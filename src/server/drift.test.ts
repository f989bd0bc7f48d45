import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from "../../test/support/webhook-receiver.js";
import { startServer as startDocs, type TestServer as DocsServer } from "../importer/test-server.js";
import type { Store } from "../store/index.js";
import { startServer, type RunningServer } from "./start.js";

/** Version A of a small API: list, create and get todos. */
function specA(): Record<string, unknown> {
  const todo = { type: "object", required: ["id", "title"], properties: { id: { type: "integer" }, title: { type: "string" }, done: { type: "boolean" } } };
  return {
    openapi: "3.1.0",
    info: { title: "Todo API", version: "1.0" },
    servers: [{ url: "https://todo.example.com/v1" }],
    components: { schemas: { Todo: todo } },
    paths: {
      "/todos": {
        get: { operationId: "listTodos", summary: "List todos", responses: { "200": { description: "OK", content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Todo" } } } } } } },
        post: {
          operationId: "createTodo",
          summary: "Create a todo",
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["title"], properties: { title: { type: "string" }, priority: { type: "integer" } } } } } },
          responses: { "201": { description: "Created", content: { "application/json": { schema: { $ref: "#/components/schemas/Todo" } } } } },
        },
      },
      "/todos/{id}": {
        get: {
          operationId: "getTodo",
          summary: "Get a todo",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
          responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: "#/components/schemas/Todo" } } } } },
        },
      },
    },
  };
}

/** Version B: getTodo removed and createTodo's priority required (both breaking), listTodos' summary reworded (informational). */
function specB(): Record<string, unknown> {
  const spec = specA() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  delete spec.paths["/todos/{id}"];
  const post = spec.paths["/todos"]!.post as { requestBody: { content: { "application/json": { schema: { required: string[] } } } } };
  post.requestBody.content["application/json"].schema.required = ["title", "priority"];
  spec.paths["/todos"]!.get!.summary = "List all todos";
  return spec;
}

interface Json {
  [key: string]: unknown;
}

describe.each(storeBackends)("drift detection, proposals and alerts on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let tenantId: string;
  let key: string;
  let docs: DocsServer;
  let served: Record<string, unknown>;
  let receiver: WebhookReceiver;
  let clockOffsetMs = 0;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
    key = (await store.keys.issue({ tenantId, kind: "tenant" })).secret;
    served = specA();
    docs = await startDocs({
      "/openapi.json": () => ({ body: JSON.stringify(served), type: "application/json" }),
      // Docs behind a token: the import's header must be remembered (sealed) for later checks.
      "/private/openapi.json": (request) =>
        request.headers.authorization === "Bearer docs-token-123" ? { body: JSON.stringify(served), type: "application/json" } : { status: 401, body: "token required" },
    });
    // The receiver fails the first request it gets, so the first delivery is retried.
    receiver = await startWebhookReceiver((index) => (index === 0 ? 500 : 204));
    clockOffsetMs = 0;
    server = await startServer({
      store,
      version: "0.0.0-test",
      host: "127.0.0.1",
      port: 0,
      allowPrivateImports: true,
      upstreams: "loopback",
      worker: { pollMs: 20, retryBaseMs: 20 },
      // The test moves the schedules' clock and ticks by hand; the scheduler's own loop stays idle.
      scheduler: { pollMs: 600_000, now: () => new Date(Date.now() + clockOffsetMs) },
    });
  });
  afterEach(async () => {
    await server.close();
    await docs.close();
    await receiver.close();
    await dispose();
  });

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(server.url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Json };
  };
  const finished = async (id: string): Promise<Json> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = (await api(`/v1/jobs/${id}`)).json();
      if (["succeeded", "failed", "cancelled"].includes(job["status"] as string)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${String(job["status"])}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** What a schedule does when it fires: a drift_check job with the integration in its payload. */
  const scheduledCheck = async (slug: string): Promise<Json> => {
    const job = await store.jobs.enqueue({ tenantId, type: "drift_check", summary: `drift check ${slug}`, payload: { integration: slug } });
    const done = await finished(job.id);
    expect(done["status"], JSON.stringify(done["error"])).toBe("succeeded");
    return done["result"] as Json;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const importTodo = async () => {
    const started = await api("/v1/imports", { body: { source: { url: `${docs.url}/openapi.json` }, slug: "todo" } });
    expect(started.status, started.text).toBe(202);
    expect(await finished(started.json()["id"] as string)).toMatchObject({ status: "succeeded", result: { version: 1 } });
  };

  it("a scheduled check reports B once, with its breaking changes and affected apps; signed alerts are retried; approve publishes", async () => {
    await importTodo();
    for (const name of ["follower", "pinned"]) expect((await api("/v1/apps", { body: { name } })).status).toBe(201);
    expect((await api("/v1/apps/pinned/pins/todo", { method: "PUT", body: { version: 1 } })).status).toBe(200);
    const hook = await api("/v1/alerts/webhooks", { body: { url: receiver.url, events: ["drift.detected", "proposal.created", "proposal.approved"] } });
    expect(hook.status, hook.text).toBe(201);
    const secret = hook.json()["secret"] as string;
    expect(secret).toMatch(/^whsec_/);
    expect((await api("/v1/alerts/webhooks")).text).not.toContain(secret);

    // Version A again: nothing changed; the check is recorded, no report.
    expect(await scheduledCheck("todo")).toMatchObject({ check: { outcome: "no-change" }, report: null, proposal: null });

    served = specB();
    const drift = await scheduledCheck("todo");
    expect(drift).toMatchObject({ check: { outcome: "drift" }, report: { integration: "todo", origin: "scrape", baseVersion: 1, severity: "breaking" }, proposal: { status: "open", breaking: true, baseVersion: 1 } });
    const report = drift["report"] as { changes: Array<{ action: string; kind: string; severity: string; fingerprint: string }>; impact: { apps: unknown[] }; summary: Json };
    const brief = report.changes.map((change) => `${change.action} ${change.kind} ${change.severity}`).sort();
    expect(brief).toEqual(["createTodo became-required breaking", "getTodo action-removed breaking", "listTodos summary-changed informational"]);
    expect(report.summary).toEqual({ breaking: 2, nonBreaking: 0, informational: 1 });
    expect(new Set(report.changes.map((change) => change.fingerprint)).size).toBe(3);
    expect(report.impact.apps).toEqual([
      { app: expect.objectContaining({ name: "follower" }), follows: "current", version: 1, actions: ["createTodo", "getTodo", "listTodos"], recentlyCalled: [] },
      { app: expect.objectContaining({ name: "pinned" }), follows: "pin", version: 1, actions: ["createTodo", "getTodo", "listTodos"], recentlyCalled: [] },
    ]);
    const proposal = drift["proposal"] as { id: string; version: number };
    expect(proposal.version).toBe(2);
    expect((await api("/v1/integrations/todo/versions/2")).json()).toMatchObject({ status: "draft", changelog: expect.stringContaining("drift:") });

    // The same B again: reported already, nothing new.
    expect(await scheduledCheck("todo")).toMatchObject({ check: { outcome: "known" }, report: null, known: { reported: 3, suppressed: 0 } });
    expect((await api("/v1/drift-reports?integration=todo")).json()["data"]).toHaveLength(1);
    expect((await api("/v1/proposals")).json()["data"]).toHaveLength(1);

    // Alerts: drift.detected and proposal.created, signed; the first attempt got a 500 and was retried with the same webhook-id.
    const deliveries = await waitFor("both deliveries to succeed", async () => {
      const list = (await api(`/v1/alerts/webhooks/${hook.json()["id"] as string}/deliveries`)).json()["data"] as Array<{ event: string; status: string; attempts: number; lastStatus: number }>;
      return list.length === 2 && list.every((delivery) => delivery.status === "delivered") ? list : undefined;
    });
    expect(deliveries.map((delivery) => delivery.event).sort()).toEqual(["drift.detected", "proposal.created"]);
    expect(deliveries.reduce((sum, delivery) => sum + delivery.attempts, 0)).toBe(3);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[0]!.answered).toBe(500);
    for (const webhook of receiver.received) expect(verifyStandardWebhook(secret, webhook)).toBe(true);
    expect(verifyStandardWebhook(secret, { ...receiver.received[1]!, body: receiver.received[1]!.body.replace("todo", "tado") })).toBe(false);
    const retried = receiver.received.filter((webhook) => webhook.headers["webhook-id"] === receiver.received[0]!.headers["webhook-id"]);
    expect(retried.map((webhook) => webhook.answered)).toEqual([500, 204]);
    const detected = receiver.received.map((webhook) => JSON.parse(webhook.body) as { type: string; data: { id: string } }).find((event) => event.type === "drift.detected");
    expect(detected?.data.id).toBe((report as unknown as { id: string }).id);

    // Breaking, and "follower" follows the current version: refused without allowBreaking.
    const refused = await api(`/v1/proposals/${proposal.id}/approve`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json()["detail"]).toMatch(/breaking.*follower.*--allow-breaking/);

    // Two approvals at once: one publish, one clear 409.
    const approvals = await Promise.all([1, 2].map(() => api(`/v1/proposals/${proposal.id}/approve`, { body: { allowBreaking: true, note: "the vendor removed getTodo" } })));
    expect(approvals.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(approvals.find((answer) => answer.status === 409)!.json()["detail"]).toMatch(/approv/);
    expect((await api("/v1/integrations/todo")).json()).toMatchObject({ currentVersion: 2 });
    expect((await api("/v1/apps/pinned/pins")).json()["data"]).toEqual([expect.objectContaining({ integration: "todo", version: 1 })]);
    expect((await api(`/v1/proposals/${proposal.id}`)).json()).toMatchObject({ status: "approved", decidedBy: expect.stringMatching(/^key:/), note: "the vendor removed getTodo" });
    const history = (await api("/v1/integrations/todo/history")).json()["data"] as Json[];
    expect(history[0]).toMatchObject({ kind: "proposal-approved", version: 2, actor: expect.stringMatching(/^key:/), note: "the vendor removed getTodo" });
    expect(history[1]).toMatchObject({ kind: "published", version: 2, previousVersion: 1 });
    expect(history.filter((event) => event["kind"] === "published")).toHaveLength(2);

    // B is current now: no change.
    expect(await scheduledCheck("todo")).toMatchObject({ check: { outcome: "no-change" }, report: null });
    await waitFor("the approval alert", async () => (receiver.received.some((webhook) => webhook.body.includes('"proposal.approved"')) ? true : undefined));
  });

  it("reject records why and suppresses the same changes until they change again; a newer drift supersedes an open proposal", async () => {
    await importTodo();
    served = specB();
    const first = await api("/v1/integrations/todo/drift-checks", { body: {} });
    expect(first.status, first.text).toBe(200);
    const proposal = first.json()["proposal"] as { id: string };

    const rejected = await api(`/v1/proposals/${proposal.id}/reject`, { body: { note: "upstream docs are wrong; getTodo still works" } });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.json()).toMatchObject({ status: "rejected", note: "upstream docs are wrong; getTodo still works", decidedBy: expect.stringMatching(/^key:/) });
    expect((await api(`/v1/proposals/${proposal.id}/reject`, { body: {} })).status).toBe(409);
    expect((await api(`/v1/proposals/${proposal.id}/approve`, { body: { allowBreaking: true } })).status).toBe(409);
    expect(((await api("/v1/integrations/todo/history")).json()["data"] as Json[])[0]).toMatchObject({ kind: "proposal-rejected", note: "upstream docs are wrong; getTodo still works" });

    const again = await api("/v1/integrations/todo/drift-checks", { body: {} });
    expect(again.json()).toMatchObject({ check: { outcome: "known" }, report: null, proposal: null, known: { suppressed: 3 } });

    // The required priority changes again (now an enum of levels): a new fingerprint, so a new report and proposal.
    const moved = specB() as { paths: Record<string, { post?: { requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } } } }> };
    moved.paths["/todos"]!.post!.requestBody.content["application/json"].schema.properties["priority"] = { type: "integer", enum: [1, 2, 3] };
    served = moved as unknown as Record<string, unknown>;
    const third = await api("/v1/integrations/todo/drift-checks", { body: {} });
    expect(third.json()).toMatchObject({ check: { outcome: "drift" }, proposal: { status: "open" } });
    const open = third.json()["proposal"] as { id: string };

    // A document passed explicitly (CI: --source ./openapi.json) supersedes the open proposal.
    const local = specB() as { info: { description?: string }; paths: Record<string, Record<string, unknown>> };
    local.info.description = "local copy";
    delete local.paths["/todos"]!["get"];
    const fromFile = await api("/v1/integrations/todo/drift-checks", { body: { source: { content: JSON.stringify(local), filename: "openapi.json" } } });
    expect(fromFile.status, fromFile.text).toBe(200);
    expect(fromFile.json()).toMatchObject({ check: { outcome: "drift" }, proposal: { status: "open" } });
    expect((await api(`/v1/proposals/${open.id}`)).json()).toMatchObject({ status: "superseded", supersededBy: (fromFile.json()["proposal"] as { id: string }).id });
    expect((await api("/v1/proposals?status=open")).json()["data"]).toHaveLength(1);
  });

  it("rates and ignores kinds of change as the integration's severity levels say; approval still refuses real breaks", async () => {
    await importTodo();
    const set = await api("/v1/integrations/todo/drift-severity", { method: "PUT", body: { "summary-changed": "ignore", "became-required": "non-breaking" } });
    expect(set.status, set.text).toBe(200);
    expect((await api("/v1/integrations/todo/drift-severity")).json()).toEqual({ "became-required": "non-breaking", "summary-changed": "ignore" });
    expect((await api("/v1/integrations/todo/drift-severity", { method: "PUT", body: { "summary-changed": "maybe" } })).status).toBe(400);
    served = specB();
    const checked = (await api("/v1/integrations/todo/drift-checks", { body: {} })).json();
    const changes = (checked["report"] as { changes: Array<{ kind: string; severity: string }> }).changes;
    expect(changes.map((change) => `${change.kind} ${change.severity}`).sort()).toEqual(["action-removed breaking", "became-required non-breaking"]);
    const proposal = checked["proposal"] as { id: string };
    expect((await api(`/v1/proposals/${proposal.id}/approve`, { body: {} })).status).toBe(409);
  });

  it("re-scrapes a self-hosted integration with the base URL set for it, not the docs' one", async () => {
    await importTodo();
    const moved = await api("/v1/integrations/todo/base-url", { body: { baseUrl: "https://todo.acme.internal/v1" } });
    expect(moved.status, moved.text).toBe(201);
    expect((await api("/v1/integrations/todo/drift-checks", { body: {} })).json()).toMatchObject({ check: { outcome: "no-change" } });
  });

  it("remembers a docs URL's headers sealed, and checks with them", async () => {
    const started = await api("/v1/imports", { body: { source: { url: `${docs.url}/private/openapi.json`, headers: { Authorization: "Bearer docs-token-123" } }, slug: "private-todo" } });
    expect(await finished(started.json()["id"] as string)).toMatchObject({ status: "succeeded" });
    served = specB();
    const checked = await api("/v1/integrations/private-todo/drift-checks", { body: {} });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json()).toMatchObject({ check: { outcome: "drift" } });
    const integration = await store.integrations.find(tenantId, "private-todo");
    const source = await store.drift.source(integration!.id);
    expect(source).toMatchObject({ url: `${docs.url}/private/openapi.json`, format: "auto", sealed: expect.any(String) });
    expect(JSON.stringify(source)).not.toContain("docs-token-123");
  });

  it("drift schedule: a schedule per integration fires a drift_check job that finds B; setting it again replaces the timing", async () => {
    await importTodo();
    const set = await api("/v1/integrations/todo/drift-schedule", { method: "PUT", body: { every: "24h" } });
    expect(set.status, set.text).toBe(200);
    expect(set.json()).toMatchObject({ integration: "todo", every: "1d", cron: null });
    const first = ((await api("/v1/schedules")).json()["data"] as Json[])[0]!;
    const again = await api("/v1/integrations/todo/drift-schedule", { method: "PUT", body: { cron: "0 3 * * *" } });
    expect(again.json()).toMatchObject({ integration: "todo", every: null, cron: "0 3 * * *" });
    const listed = (await api("/v1/schedules")).json()["data"] as Json[];
    expect(listed.map((schedule) => [schedule["name"], schedule["jobType"], schedule["id"]])).toEqual([["drift:todo", "drift_check", first["id"]]]);
    // A timing that does not check is refused and changes nothing: the schedule is replaced in place or not at all.
    const refused = await api("/v1/integrations/todo/drift-schedule", { method: "PUT", body: { cron: "61 * * * *" } });
    expect(refused.status, refused.text).toBe(400);
    const after = (await api("/v1/schedules")).json()["data"] as Json[];
    expect(after.map((schedule) => [schedule["id"], schedule["cron"]])).toEqual([[listed[0]!["id"], "0 3 * * *"]]);

    served = specB();
    clockOffsetMs = 2 * 86_400_000;
    expect(await server.scheduler.tick()).toBe(1);
    const detail = await waitFor("the scheduled run's job", async () => {
      const shown = (await api("/v1/schedules/drift:todo")).json();
      const runs = shown["runs"] as Json[] | undefined;
      return runs && runs.length > 0 ? runs : undefined;
    });
    const job = await finished(detail[0]!["jobId"] as string);
    expect(job["status"], JSON.stringify(job["error"])).toBe("succeeded");
    const reports = (await api("/v1/drift-reports?integration=todo")).json()["data"] as Json[];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ severity: "breaking" });
    // Due again later, with nothing new: a check is recorded, no second report.
    clockOffsetMs = 4 * 86_400_000;
    expect(await server.scheduler.tick()).toBe(1);
    const runs = await waitFor("the second run", async () => {
      const shown = (await api("/v1/schedules/drift:todo")).json()["runs"] as Json[];
      return shown.length === 2 ? shown : undefined;
    });
    // Newest first.
    expect(await finished(runs[0]!["jobId"] as string)).toMatchObject({ status: "succeeded" });
    expect((await api("/v1/drift-reports?integration=todo")).json()["data"]).toHaveLength(1);
  });

  it("says what to do when an integration has no recorded source, and 404s for unknown ones", async () => {
    const created = await api("/v1/integrations", { body: { slug: "manual", name: "Manual", baseUrl: "https://manual.example.com", authSchemes: [], actions: [] } });
    expect(created.status, created.text).toBe(201);
    const answer = await api("/v1/integrations/manual/drift-checks", { body: {} });
    expect(answer.status).toBe(400);
    expect(answer.json()["detail"]).toContain("--source");
    expect((await api("/v1/integrations/nope/drift-checks", { body: {} })).status).toBe(404);
    expect((await api("/v1/proposals/prp_missing")).status).toBe(404);
    expect((await api("/v1/integrations/nope/drift-schedule", { method: "PUT", body: { every: "24h" } })).status).toBe(404);
  });
});
