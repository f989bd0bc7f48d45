/**
 * The generated client as its users run it: generated from the real server's manifest,
 * calling the real server on loopback, which calls a real upstream the test starts. Each
 * test asserts what the caller got and what (and how often) the upstream received, so the
 * client, the invoke route and the gateway are checked together: one retry layer, errors
 * that say who failed, Retry-After, responses with their status and headers, defaults per
 * app and user, version mismatches, escape hatches and pages.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { at, loadGeneratedClient, type Call, type ErrorClassName, type LoadedClient, type Paged, type RawRequest, type WaygateClient } from "../codegen/support/load-client.js";
import { collect, rejection } from "../codegen/support/runtime-setup.js";
import { removeDir } from "../codegen/support/compile.js";
import { startTestServer, tenantApi, type TestServer } from "../support/server.js";

describe("the generated client against the real server and a real upstream", () => {
  let server: TestServer;
  let upstream: Upstream;
  let loaded: LoadedClient;
  let appKey: string;
  const token = "tok_client_e2e_0123456789";
  const adaToken = "tok_ada_e2e_9876543210";

  const api = (method: string, path: string, body?: unknown) => tenantApi(server, method, path, body);
  const definition = (description: string) => ({
    slug: "crm",
    name: "CRM",
    description,
    baseUrl: `${upstream.url}/api`,
    authSchemes: [{ type: "bearer" }],
    actions: [
      { name: "me", method: "GET", path: "/me" },
      { name: "contacts.get", method: "GET", path: "/contacts/{id}", inputSchema: { type: "object", required: ["id"], properties: { id: { type: "string", "x-waygate-in": "path" } } } },
      {
        name: "contacts.create",
        method: "POST",
        path: "/contacts",
        inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      },
      { name: "contacts.delete", method: "DELETE", path: "/contacts/{id}", inputSchema: { type: "object", required: ["id"], properties: { id: { type: "string", "x-waygate-in": "path" } } } },
      {
        name: "contacts.list",
        method: "GET",
        path: "/contacts",
        inputSchema: { type: "object", properties: { page: { type: "integer", "x-waygate-in": "query" } } },
        pagination: { strategy: "page", pageParam: "page", itemsPath: "/items" },
      },
      { name: "busy", method: "GET", path: "/busy" },
      { name: "limited", method: "GET", path: "/limited" },
    ],
  });
  const client = (options: Record<string, unknown> = {}) =>
    loaded.module.createWaygate({ apiKey: server.tenantKey, baseUrl: server.url, app: "web", onVersionMismatch: () => {}, ...options }) as WaygateClient;
  const error = (name: ErrorClassName) => loaded.module[name];
  const hits = (route: string) => upstream.hits(route).length;
  const caller = (authorization: string | undefined) => ({ [`Bearer ${token}`]: "app", [`Bearer ${adaToken}`]: "ada" })[authorization ?? ""] ?? "unknown";

  beforeAll(async () => {
    upstream = await startUpstream({
      // The gateway redacts a connection's secret wherever an answer echoes it, so the upstream says whose token came.
      "GET /api/me": (request) => ({ headers: { etag: '"me-1"' }, body: { caller: caller(request.headers.authorization) } }),
      "GET /api/contacts/c1": (request) =>
        request.headers["if-none-match"] === '"c1-v1"' ? { status: 304 } : { headers: { etag: '"c1-v1"' }, body: { id: "c1", name: "Ada" } },
      "GET /api/contacts/gone": { status: 404, body: { message: "Contact gone was deleted" } },
      "POST /api/contacts": (request) => ({ status: 201, body: { id: "c2", ...(JSON.parse(request.body.toString()) as object) } }),
      "DELETE /api/contacts/c1": { status: 204 },
      "GET /api/contacts": (request) => {
        const page = Number(request.query.get("page") ?? "1");
        return { body: { items: page <= 3 ? [{ id: `p${page}a` }, { id: `p${page}b` }] : [] } };
      },
      "GET /api/busy": { status: 503, body: { message: "busy" } },
      "GET /api/limited": { status: 429, headers: { "retry-after": "120" }, body: { message: "API rate limit exceeded" } },
      "GET /api/traffic/views": (request) => ({ body: { query: request.rawQuery, caller: caller(request.headers.authorization) } }),
    });
    server = await startTestServer();
    await api("POST", "/v1/integrations", definition("v1"));
    for (const app of ["web", "throttled"]) {
      await api("POST", "/v1/apps", { name: app });
      await api("POST", "/v1/connections", { integration: "crm", app, credentials: { type: "bearer", token } });
    }
    await api("POST", "/v1/connections", { integration: "crm", app: "web", externalUserId: "ada", credentials: { type: "bearer", token: adaToken } });
    appKey = (await api("POST", "/v1/apps/web/keys", {})).secret as string;
    const manifest = (await api("GET", "/v1/sdk/manifest?app=web")) as unknown as SdkManifest;
    loaded = await loadGeneratedClient(manifest);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    if (loaded) removeDir(loaded.dir);
  });

  describe("keys, apps and connections", () => {
    it("a tenant key with `app` and an app key alone both reach the upstream with the app's connection", async () => {
      expect(await at(client(), "crm.me")()).toEqual({ caller: "app" });
      const withAppKey = loaded.module.createWaygate({ apiKey: appKey, baseUrl: server.url, onVersionMismatch: () => {} });
      expect(await at(withAppKey, "crm.me")()).toEqual({ caller: "app" });
    });

    it("a tenant key without `app` is a Waygate error that says an app is needed, and the upstream is not called", async () => {
      const before = hits("GET /api/me");
      const failure = await rejection(at(client({ app: undefined }), "crm.me")());
      expect(failure).toBeInstanceOf(error("WaygateProblemError"));
      expect(failure).not.toBeInstanceOf(error("APIError"));
      expect(failure.message).toMatch(/a tenant key acts for no app, so name one/);
      expect(hits("GET /api/me")).toBe(before);
    });

    it("withOptions({ connection }) acts for one end user on every call; the client it came from is unchanged", async () => {
      const base = client();
      const ada = base.withOptions({ connection: "ada" });
      expect(await at(ada, "crm.me")()).toEqual({ caller: "ada" });
      expect(await at(base, "crm.me")()).toEqual({ caller: "app" });
      expect(await at(base, "crm.me")({}, { connection: "ada" })).toEqual({ caller: "ada" });
    });

    it('an unknown connection is ConnectionNotFoundError, which `catch (e) { if (e instanceof NotFoundError) … }` does not swallow', async () => {
      const failure = await rejection(at(client({ connection: "nobody" }), "crm.me")());
      expect(failure).toBeInstanceOf(error("ConnectionNotFoundError"));
      expect(failure).not.toBeInstanceOf(error("NotFoundError"));
      expect(failure.requestId).toMatch(/\S/);
    });

    it("a wrong API key is WaygateAuthenticationError", async () => {
      const failure = await rejection(at(client({ apiKey: "wg_tenant_not_a_real_key" }), "crm.me")());
      expect(failure).toBeInstanceOf(error("WaygateAuthenticationError"));
      expect(failure).not.toBeInstanceOf(error("AuthenticationError"));
    });

    it("WAYGATE_API_KEY, WAYGATE_BASE_URL and WAYGATE_APP stand in for absent options", async () => {
      vi.stubEnv("WAYGATE_API_KEY", appKey);
      vi.stubEnv("WAYGATE_BASE_URL", server.url);
      vi.stubEnv("WAYGATE_APP", "web");
      try {
        const fromEnv = loaded.module.createWaygate({ onVersionMismatch: () => {} });
        expect(await at(fromEnv, "crm.me")()).toEqual({ caller: "app" });
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });

  describe("errors say who failed", () => {
    it("the upstream's 404 is NotFoundError with the upstream's status and body, quoting its message", async () => {
      const failure = await rejection(at(client(), "crm.contacts.get")({ id: "gone" }));
      expect(failure).toBeInstanceOf(error("NotFoundError"));
      expect(failure).toBeInstanceOf(error("APIError"));
      expect(failure.upstream).toMatchObject({ status: 404, body: { message: "Contact gone was deleted" } });
      expect(failure.message).toContain("Contact gone was deleted");
    });

    it("unknown input fields are InvalidInputError naming them, before the upstream is called", async () => {
      const before = hits("POST /api/contacts");
      const failure = await rejection(at(client(), "crm.contacts.create")({ name: "Ada", nmae: "typo" }));
      expect(failure).toBeInstanceOf(error("InvalidInputError"));
      expect(JSON.stringify(failure.problem)).toContain("nmae");
      expect(hits("POST /api/contacts")).toBe(before);
    });
  });

  describe("one retry layer", () => {
    it("the caller's retries bound the upstream attempts end to end: 0 → 1, 1 → 2, the default 2 → 3", async () => {
      for (const [retries, attempts] of [[0, 1], [1, 2], [undefined, 3]] as const) {
        const before = hits("GET /api/busy");
        const failure = await rejection(at(client(retries === undefined ? {} : { retries }), "crm.busy")());
        expect(failure).toBeInstanceOf(error("InternalServerError"));
        expect(hits("GET /api/busy") - before, `retries ${String(retries)}`).toBe(attempts);
      }
    });

    it("the upstream's 429 with Retry-After: 120 is RateLimitError with retryAfter 120, thrown at once after one attempt", async () => {
      const before = hits("GET /api/limited");
      const started = Date.now();
      const failure = await rejection(at(client({ app: "throttled" }), "crm.limited")());
      expect(failure).toBeInstanceOf(error("RateLimitError"));
      expect(failure.retryAfter).toBe(120);
      expect(hits("GET /api/limited") - before).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  describe("what a call gives back", () => {
    it("withResponse: the data with status, headers, request id and the version that ran", async () => {
      const response = await at(client(), "crm.me").withResponse({}, { requestId: "trace-e2e-1" });
      expect(response.data).toEqual({ caller: "app" });
      expect(response.status).toBe(200);
      expect(response.headers.get("etag")).toBe('"me-1"');
      expect(response.requestId).toBe("trace-e2e-1");
      expect(response.versionExecuted).toBe(1);
    });

    it("per-call headers reach the upstream within the allow-list: If-None-Match gives the upstream's 304", async () => {
      const fresh = await at(client(), "crm.contacts.get").withResponse({ id: "c1" });
      expect(fresh.data).toEqual({ id: "c1", name: "Ada" });
      const cached = await at(client(), "crm.contacts.get").withResponse({ id: "c1" }, { headers: { "If-None-Match": '"c1-v1"' } });
      expect(cached.status).toBe(304);
      expect(cached.data).toBeUndefined();
      expect(upstream.hits("GET /api/contacts/c1").at(-1)?.headers["if-none-match"]).toBe('"c1-v1"');
      const refused = await rejection(at(client(), "crm.contacts.get")({ id: "c1" }, { headers: { Authorization: "Bearer stolen" } }));
      expect(refused).toBeInstanceOf(error("InvalidInputError"));
    });

    it("a POST's body reaches the upstream; a 204 resolves to undefined", async () => {
      expect(await at(client(), "crm.contacts.create")({ name: "Grace" })).toEqual({ id: "c2", name: "Grace" });
      expect(JSON.parse(upstream.hits("POST /api/contacts").at(-1)!.body.toString())).toEqual({ name: "Grace" });
      expect(await at(client(), "crm.contacts.delete")({ id: "c1" })).toBeUndefined();
    });

    it("paginate() yields every item across the server's pages; pages() gives each page; maxItems stops early", async () => {
      const list = at<Paged>(client(), "crm.contacts.list");
      expect(await collect(list.paginate({}))).toEqual(["p1a", "p1b", "p2a", "p2b", "p3a", "p3b"].map((id) => ({ id })));
      const pages = await collect(list.pages({}));
      // A page-number API shows its end only by an empty page, which pages() passes on as it came.
      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2, 0]);
      expect(pages.every((page) => page.status === 200)).toBe(true);
      const before = hits("GET /api/contacts");
      expect(await collect(list.paginate({}, { maxItems: 3 }))).toHaveLength(3);
      expect(hits("GET /api/contacts") - before).toBe(2);
    });

    it("request() calls a route the spec lacks through the proxy, with the connection's credentials injected", async () => {
      const raw = at<RawRequest>(client(), "crm.request");
      expect(await raw("GET /traffic/views", { per: "week" })).toEqual({ query: "per=week", caller: "app" });
    });
  });

  describe("entry points", () => {
    it("a group's module (crm.contacts.js) gives that group alone; its pages and errors load when first needed and are index's classes", async () => {
      const module = loaded.integrations["crm.contacts"];
      expect(module, "crm.contacts.js was generated").toBeDefined();
      const wg = module!.createWaygate({ apiKey: appKey, baseUrl: server.url, onVersionMismatch: () => {} }) as WaygateClient;
      const crm = at<Record<string, unknown>>(wg, "crm");
      expect(Object.keys(crm)).toEqual(["contacts"]);
      expect(Object.keys(at<Record<string, unknown>>(crm, "contacts")).sort()).toEqual(["create", "delete", "get", "list"]);
      const before = hits("GET /api/contacts");
      expect(await collect(at<Paged>(wg, "crm.contacts.list").paginate({}, { maxItems: 3 }))).toEqual([{ id: "p1a" }, { id: "p1b" }, { id: "p2a" }]);
      expect(hits("GET /api/contacts") - before).toBe(2);
      const gone = await rejection(at(wg, "crm.contacts.get")({ id: "gone" }));
      expect(gone).toBeInstanceOf(error("NotFoundError"));
      expect(gone.message).toContain("Contact gone was deleted");
    });
  });

  describe("version mismatch", () => {
    it("after a new version is published the default warns once per action; strictVersion refuses with 409 and the upstream is not called", async () => {
      await api("POST", "/v1/integrations", definition("v2"));
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const wg = loaded.module.createWaygate({ apiKey: server.tenantKey, baseUrl: server.url, app: "web" });
        await at<Call>(wg, "crm.me")();
        await at<Call>(wg, "crm.me")();
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]?.[0])).toMatch(/crm me ran version 2 .* not 1/);
      } finally {
        warn.mockRestore();
      }
      const before = hits("GET /api/me");
      const refused = await rejection(at(client({ strictVersion: true }), "crm.me")());
      expect(refused).toBeInstanceOf(error("VersionMismatchError"));
      expect(refused.status).toBe(409);
      expect(hits("GET /api/me")).toBe(before);
    });
  });
});
