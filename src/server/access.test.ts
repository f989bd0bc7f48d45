import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes, type RouteSpec } from "../contract/index.js";
import { openTestStore } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { contentHash } from "../lib/canonical-json.js";
import { IntegrationDefinitionSchema } from "../contract/index.js";
import { createApp } from "./app.js";

/**
 * Every authenticated route of the contract, called by every kind of wrong caller. The
 * table is built from the route list itself, so a new route is covered the day it is added.
 */
describe("access matrix: every route × wrong callers", () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: ReturnType<typeof createApp>;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore("sqlite"));
    app = createApp({ store, version: "test" });
    const acme = await store.tenants.create("Acme");
    const globex = await store.tenants.create("Globex");
    ids.tenant = acme.id;
    keys.tenant = (await store.keys.issue({ tenantId: acme.id, kind: "tenant" })).secret;
    const spare = await store.keys.issue({ tenantId: acme.id, kind: "tenant", name: "spare" });
    ids.spareKey = spare.key.id;
    const revoked = await store.keys.issue({ tenantId: acme.id, kind: "tenant", name: "old" });
    await store.keys.revoke(acme.id, revoked.key.id);
    keys.revoked = revoked.secret;
    keys.otherTenant = (await store.keys.issue({ tenantId: globex.id, kind: "tenant" })).secret;

    for (const name of ["app-one", "app-two"]) {
      const created = await store.apps.create(acme.id, name);
      if (created === "name-taken") throw new Error("unexpected");
      ids[name] = created.id;
    }
    const appOneKey = await store.keys.issue({ tenantId: acme.id, kind: "app", appId: ids["app-one"]!, name: "one" });
    ids.appOneKey = appOneKey.key.id;
    keys.appOne = appOneKey.secret;
    keys.appTwo = (await store.keys.issue({ tenantId: acme.id, kind: "app", appId: ids["app-two"]!, name: "two" })).secret;
    const revokedAppKey = await store.keys.issue({ tenantId: acme.id, kind: "app", appId: ids["app-two"]!, name: "gone" });
    await store.keys.revoke(acme.id, revokedAppKey.key.id);
    keys.revokedApp = revokedAppKey.secret;

    const definition = IntegrationDefinitionSchema.parse({ slug: "petstore", name: "Petstore", baseUrl: "https://p.example.com", actions: [{ name: "pets.list", method: "GET", path: "/pets" }] });
    await store.versions.save(acme.id, definition, { contentHash: contentHash(definition), createdBy: "test" });
    const v2 = { ...definition, actions: [...definition.actions, { ...definition.actions[0]!, name: "pets.count" }] };
    await store.versions.save(acme.id, v2, { contentHash: contentHash(v2), createdBy: "test", draft: true });
    const integration = await store.integrations.resolveVersion(acme.id, "petstore", 1);
    if (integration.kind !== "found") throw new Error("unexpected");
    await store.apps.pin(ids["app-one"]!, integration.ref.integrationId, 1);
    const connection = await store.connections.create({ tenantId: acme.id, appId: ids["app-one"]! }, { integrationId: integration.ref.integrationId, externalUserId: "user_1", credentials: { type: "bearer", token: "app-one-secret-token" } });
    if (connection === "exists") throw new Error("unexpected");
    ids.connection = connection.id;
    ids.batch = await store.batches.create({ tenantId: acme.id, appId: ids["app-one"]!, integration: "petstore", action: "pets.list", connection: "user_1", options: { concurrency: 1, stopOnErrorRatio: null }, items: [{ input: {} }], jobId: "job_none" });
    ids.schedule = (await store.schedules.create({ tenantId: acme.id, name: "nightly-petstore", jobType: "import", payload: { url: "https://p.example.com/openapi.json", slug: "petstore" }, timing: { kind: "interval", intervalMs: 86_400_000 }, nextRunAt: new Date(Date.now() + 86_400_000), createdBy: null }) as { id: string }).id;
    await store.intents.append(acme.id, { name: "notify", description: "", inputSchema: { type: "object", properties: {} }, outputSchema: { type: "object", properties: {} } });
    await store.intents.bind(acme.id, "notify", 1, { integration: "petstore", action: "pets.list", integrationVersion: 1, mapping: { input: [], output: [] }, unsupported: [] });
    ids.session = (await store.connectSessions.create({ tenantId: acme.id, appId: ids["app-one"]!, token: "wgcs_access_test", externalUserId: "user_1", displayName: null, email: null, integrations: ["petstore"], scopes: null, successUrl: null, errorUrl: null, expiresAt: new Date(Date.now() + 60_000) })).id;
    const drift = await store.drift.recordDrift({
      tenantId: acme.id,
      integrationId: integration.ref.integrationId,
      origin: "scrape",
      actor: "test",
      baseVersion: 1,
      severity: "non-breaking",
      changes: [{ fingerprint: "fp_acme", severity: "non-breaking", action: "pets.count", kind: "action-added", pointer: "", message: "pets.count added" }],
      impact: { apps: [], tenantRecentlyCalled: [], recentDays: 30 },
      proposal: { version: 2, breaking: false, changelog: "drift: actions: 1 added" },
    });
    if (drift.kind !== "drift" || !drift.proposalId) throw new Error("unexpected");
    ids.report = drift.reportId;
    ids.proposal = drift.proposalId;
    ids.webhook = (await store.alerts.createEndpoint(acme.id, { url: "https://hooks.acme.example.com/waygate", events: ["drift.detected"], secret: "whsec_c2VjcmV0" })).id;
    ids.job = (await store.jobs.enqueue({ tenantId: acme.id, type: "import", summary: "import x", payload: { source: { url: "https://x" } } })).id;
  });
  afterAll(async () => dispose());

  const params: Record<string, () => string> = {
    slug: () => "petstore",
    version: () => "1",
    action: () => "pets.list",
    app: () => "app-one",
    keyId: () => ids.appOneKey!,
    jobId: () => ids.job!,
    connectionId: () => ids.connection!,
    batchId: () => ids.batch!,
    scheduleId: () => ids.schedule!,
    name: () => "notify",
    sessionId: () => ids.session!,
    reportId: () => ids.report!,
    proposalId: () => ids.proposal!,
    webhookId: () => ids.webhook!,
  };
  const bodies: Partial<Record<string, unknown>> = {
    createKey: { name: "x" },
    createIntegration: { slug: "hijack", name: "Hijack", baseUrl: "https://evil.example.com", actions: [] },
    startImport: { source: { url: "https://example.com/openapi.json" } },
    publishVersion: {},
    setBaseUrl: { baseUrl: "https://gitlab.example.com/api/v4" },
    setAuth: { authSchemes: [{ type: "bearer" }] },
    rollback: { to: 1 },
    createApp: { name: "app-three" },
    renameApp: { name: "renamed" },
    createAppKey: { name: "x" },
    setPin: { version: 1 },
    setRateLimit: { rateLimit: null },
    setAppSettings: { validation: "off" },
    createConnection: { integration: "petstore", credentials: { type: "bearer", token: "x" } },
    invoke: { connection: "user_1" },
    proxy: { method: "GET", path: "/pets", connection: "user_1" },
    callTool: { name: "petstore__pets_list", connection: "user_1" },
    mcp: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "petstore__pets_list", arguments: {} } },
    createBatch: { integration: "petstore", action: "pets.list", items: [{ input: {} }], options: { dryRun: true } },
    createSchedule: { name: "hourly", jobType: "import", payload: { url: "https://example.com/openapi.json", slug: "petstore" }, every: "1h" },
    createIntent: { name: "hijack_intent", template: "messages" },
    bindIntent: { action: "pets.list", mapping: {} },
    setIntentPreference: { providers: ["petstore"] },
    setIntentPin: { version: 1 },
    invokeIntent: { user: "user_1" },
    createConnectSession: { user: "user_2", integrations: ["petstore"] },
    setOAuthClient: { clientId: "hijack", authorizeUrl: "https://evil.example.com/a", tokenUrl: "https://evil.example.com/t" },
    setTenantOAuthClient: { clientId: "hijack", authorizeUrl: "https://evil.example.com/a", tokenUrl: "https://evil.example.com/t" },
    setConnectRedirectUrls: { urls: ["https://evil.example.com/"] },
    checkDrift: {},
    scheduleDrift: { every: "24h" },
    setDriftSeverity: { "description-changed": "ignore" },
    approveProposal: { note: "x" },
    rejectProposal: { note: "x" },
    createWebhook: { url: "https://hooks.example.com/x" },
    testWebhook: {},
  };
  // Streamable HTTP requires a client to accept both (MCP Transports).
  const extraHeaders: Partial<Record<string, Record<string, string>>> = { mcp: { accept: "application/json, text/event-stream" } };
  const queries: Partial<Record<string, string>> = { diffVersions: "?from=1&to=2", diffIntent: "?from=1&to=1" };

  const authenticated = Object.entries(routes).filter(([, spec]) => (spec as RouteSpec).auth) as Array<[string, RouteSpec]>;

  const pathOf = (name: string, spec: RouteSpec) => spec.path.replace(/\{(\w+)\}/g, (_m, param: string) => params[param]!()) + (queries[name] ?? "");

  const call = (name: string, spec: RouteSpec, key: string | null) => {
    const path = pathOf(name, spec);
    const body = bodies[name] ?? (spec.body ? {} : undefined);
    return app.request(path, {
      method: spec.method.toUpperCase(),
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }), ...extraHeaders[name] },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };

  /** Nothing of Acme's may appear in an answer to a caller who is not Acme (beyond what the caller itself sent). */
  const expectNoLeak = async (response: Response, path: string) => {
    const text = await response.text();
    for (const secret of [ids.tenant, ids["app-one"], ids["app-two"], ids.appOneKey, ids.spareKey, ids.job, ids.connection, ids.batch, ids.schedule, "nightly-petstore", ids.session, ids.report, ids.proposal, ids.webhook, "hooks.acme.example.com", "fp_acme", "Acme", "Petstore", "app-one-secret-token"]) {
      if (!path.includes(secret!)) expect(text, `response to ${path} leaks ${secret}`).not.toContain(secret);
    }
  };

  it.each(authenticated)("%s answers 401 without a key, with a revoked tenant key and with a revoked app key", async (name, spec) => {
    for (const key of [null, keys.revoked!, keys.revokedApp!]) {
      const response = await call(name, spec, key);
      expect(response.status, `${name} with ${key ? "revoked key" : "no key"}`).toBe(401);
      await expectNoLeak(response, pathOf(name, spec));
    }
  });

  it.each(authenticated)("%s gives another tenant's key nothing of this tenant's", async (name, spec) => {
    const response = await call(name, spec, keys.otherTenant!);
    const touchesAcme = /\{(slug|app|keyId|jobId|connectionId|batchId|scheduleId|sessionId|reportId|proposalId|webhookId)\}/.test(spec.path);
    if (touchesAcme) expect(response.status, name).toBe(404);
    await expectNoLeak(response, pathOf(name, spec));
  });

  it.each(authenticated)("%s keeps another app's key to what an app may do", async (name, spec) => {
    const response = await call(name, spec, keys.appTwo!);
    // app-one's connection and batch are invisible to app-two.
    const othersOnly = spec.path.includes("{app}") || spec.path.includes("{connectionId}") || spec.path.includes("{batchId}") || spec.path.includes("{sessionId}");
    if (spec.tenantOnly) expect(response.status, name).toBe(403);
    else if (othersOnly) expect(response.status, name).toBe(404);
    // app-one's connection "user_1" is invisible to app-two: the call fails as "not found", never with its credentials.
    else if (name === "invoke" || name === "proxy") expect(response.status, name).toBe(404);
    // The intent runs for app-two, which has no connection for "user_1": refused before anything is sent.
    else if (name === "invokeIntent") expect(await response.clone().json(), name).toMatchObject({ status: 400, type: expect.stringContaining("connection-required") });
    // A tool call answers 200 with the failure for the model to read: the same "not found", as a result.
    else if (name === "callTool") expect(await response.clone().json(), name).toMatchObject({ isError: true, status: 404 });
    else if (name === "mcp") expect(await response.clone().json(), name).toMatchObject({ result: { isError: true } });
    else expect(response.status, name).toBeLessThan(300);
    if (spec.tenantOnly || othersOnly || name === "invoke" || name === "proxy" || name === "invokeIntent" || name === "callTool" || name === "mcp") await expectNoLeak(response, pathOf(name, spec));
  });

  it("lets an app key read its own app and pins, and see who it is", async () => {
    const own = routes.getApp as RouteSpec;
    expect((await call("getApp", own, keys.appOne!)).status).toBe(200);
    const pins = await call("listPins", routes.listPins as RouteSpec, keys.appOne!);
    expect(await pins.json()).toMatchObject({ data: [{ integration: "petstore", version: 1 }] });
    const me = await call("me", routes.me as RouteSpec, keys.appOne!);
    expect(await me.json()).toMatchObject({ key: { kind: "app" }, app: { id: ids["app-one"], name: "app-one" } });
  });

  it("left this tenant's data untouched after all those calls", async () => {
    const integration = await store.integrations.get(ids.tenant!, "petstore");
    expect(integration).toMatchObject({ name: "Petstore", currentVersion: 1, versionCount: 2 });
    expect((await store.apps.list(ids.tenant!)).map((a) => a.name)).toEqual(["app-one", "app-two"]);
    expect(await store.apps.pins(ids["app-one"]!)).toMatchObject([{ integration: "petstore", version: 1 }]);
    expect((await store.keys.get(ids.tenant!, ids.appOneKey!))?.revokedAt).toBeNull();
    expect((await store.jobs.get(ids.tenant!, ids.job!))?.status).toBe("queued");
    expect(await store.schedules.get(ids.tenant!, ids.schedule!)).toMatchObject({ name: "nightly-petstore", paused: false });
    expect(await store.oauthClients.list({ tenantId: ids.tenant!, appId: ids["app-one"]! })).toEqual([]);
    expect(await store.connectSessions.redirectUrls(ids["app-one"]!)).toEqual([]);
    expect((await store.drift.proposal(ids.tenant!, ids.proposal!))?.status).toBe("open");
    expect(await store.alerts.endpoint(ids.tenant!, ids.webhook!)).toBeDefined();
  });
});
