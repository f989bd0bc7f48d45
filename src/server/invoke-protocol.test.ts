import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeProblemTypes, InvokeRequestHeaders as Req, InvokeResponseHeaders as Res } from "../contract/index.js";
import { startUpstream, type Upstream } from "../gateway/test-upstream.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";

/**
 * The invoke protocol as the contract declares it (src/contract/invoke.ts), through the
 * real server on loopback against a real upstream the test starts: what the caller sends
 * and gets back, and what (and how often) the upstream received.
 */
describe.each(storeBackends)("the invoke protocol on %s", (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  const token = "tok_protocol_0123456789";

  const call = async (path: string, body: unknown, headers: Record<string, string> = {}, key = server.tenantKey) => {
    const response = await fetch(server.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get("content-type") ?? "";
    const json = /json/.test(type) && bytes.length > 0 ? (JSON.parse(bytes.toString()) as Record<string, unknown>) : null;
    return { status: response.status, headers: response.headers, bytes, json };
  };
  const hits = (route: string) => upstream.hits(route).length;

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/me": { body: { id: 7 } },
      "GET /api/report.csv": { headers: { "content-type": "text/csv; charset=utf-8" }, body: "id,name\n1,Ada\n" },
      "GET /api/logo": { headers: { "content-type": "image/png" }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255, 1]) },
      "DELETE /api/things/1": { status: 204 },
      "GET /api/echo": (request) => ({ body: { seen: request.headers.authorization, note: `your token is ${token}` } }),
      "GET /api/busy": { status: 503, body: { message: "busy" } },
      "GET /api/limited": { status: 429, headers: { "retry-after": "120" }, body: { message: "API rate limit exceeded" } },
      "GET /api/missing": { status: 404, body: { message: "Not Found" } },
      "GET /api/pages": (request) => {
        const page = Number(request.query.get("page") ?? "1");
        return { body: { items: page <= 3 ? [{ page }] : [] } };
      },
      "GET /api/raw/traffic": (request) => ({ body: { query: request.rawQuery, auth: request.headers.authorization } }),
      "POST /api/raw/notes": (request) => ({ status: 201, body: { received: JSON.parse(request.body.toString()) as unknown } }),
    });
    server = await startTestServer(backend);
    const created = await call("/v1/integrations", {
      slug: "crm",
      name: "CRM",
      baseUrl: `${upstream.url}/api`,
      authSchemes: [{ type: "bearer" }],
      actions: [
        { name: "me", method: "GET", path: "/me" },
        { name: "report", method: "GET", path: "/report.csv" },
        { name: "logo", method: "GET", path: "/logo" },
        { name: "things.delete", method: "DELETE", path: "/things/1" },
        { name: "echo", method: "GET", path: "/echo" },
        { name: "busy", method: "GET", path: "/busy" },
        { name: "limited", method: "GET", path: "/limited" },
        { name: "missing", method: "GET", path: "/missing" },
        {
          name: "pages.list",
          method: "GET",
          path: "/pages",
          inputSchema: { type: "object", properties: { page: { type: "integer", "x-waygate-in": "query" } } },
          pagination: { strategy: "page", pageParam: "page", itemsPath: "/items" },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    // "throttled" takes the upstream's 429s: the gateway then holds that connection back for the Retry-After.
    for (const app of ["web", "batch", "throttled"]) expect((await call("/v1/apps", { name: app })).status).toBe(201);
    for (const app of ["web", "batch", "throttled"]) {
      const connection = await call("/v1/connections", { integration: "crm", app, credentials: { type: "bearer", token } });
      expect(connection.status, JSON.stringify(connection.json)).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  describe("request ids", () => {
    it("keeps a well-formed caller id, replaces a malformed one, and puts it in problems too", async () => {
      const kept = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.requestId]: "trace-42.a:b" });
      expect(kept.headers.get(Res.requestId)).toBe("trace-42.a:b");
      const replaced = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.requestId]: "bad id\twith spaces" });
      expect(replaced.headers.get(Res.requestId)).toMatch(/^[0-9a-f-]{36}$/);
      const problem = await call("/v1/invoke/crm/nope", {}, { [Req.app]: "web" });
      expect(problem.status).toBe(404);
      expect(problem.json?.requestId).toBe(problem.headers.get(Res.requestId));
    });

    it("answers every route with one, including refusals before any route runs", async () => {
      const unauthenticated = await call("/v1/invoke/crm/me", {}, { [Req.requestId]: "no-key-1" }, "wg_tenant_wrong");
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get(Res.requestId)).toBe("no-key-1");
      expect(unauthenticated.json?.requestId).toBe("no-key-1");
      const health = await fetch(`${server.url}/v1/health`);
      expect(health.headers.get(Res.requestId)).toBeTruthy();
    });
  });

  describe("versions", () => {
    it("says so when another version ran than the one the caller expected, and runs it (warn)", async () => {
      const result = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.expectedVersion]: "3" });
      expect(result.status).toBe(200);
      expect(result.headers.get(Res.versionExecuted)).toBe("1");
      expect(result.headers.get(Res.versionMismatch)).toBe("3");
      expect(result.headers.get(Res.warning)).toMatch(/version 1 ran, not version 3/);
      const matching = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.expectedVersion]: "1" });
      expect(matching.headers.get(Res.versionMismatch)).toBeNull();
    });

    it("refuses with 409 under the strict policy, without calling the upstream", async () => {
      const before = hits("GET /api/me");
      const result = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.expectedVersion]: "2", [Req.versionPolicy]: "strict" });
      expect(result.status).toBe(409);
      expect(result.json).toMatchObject({ type: InvokeProblemTypes.versionMismatch });
      expect(result.headers.get(Res.errorSource)).toBe("waygate");
      expect(result.headers.get(Res.versionMismatch)).toBe("2");
      expect(hits("GET /api/me")).toBe(before);
    });

    it("refuses a malformed expected version or policy as a header validation error", async () => {
      const result = await call("/v1/invoke/crm/me", {}, { [Req.app]: "web", [Req.versionPolicy]: "loose" });
      expect(result.status).toBe(400);
      expect(result.json?.errors).toEqual([expect.objectContaining({ field: `headers.${Req.versionPolicy}` })]);
    });
  });

  describe("errors say who failed", () => {
    it("passes an upstream error through with its status and body, marked upstream", async () => {
      const result = await call("/v1/invoke/crm/missing", {}, { [Req.app]: "web" });
      expect(result.status).toBe(404);
      expect(result.headers.get(Res.errorSource)).toBe("upstream");
      expect(result.json).toMatchObject({ type: InvokeProblemTypes.upstreamError, upstream: { status: 404, body: { message: "Not Found" } } });
    });

    it("marks Waygate's own refusals as such: unknown connection, unknown app", async () => {
      const connection = await call("/v1/invoke/crm/me", { connection: "user_nobody" }, { [Req.app]: "web" });
      expect(connection.status).toBe(404);
      expect(connection.json).toMatchObject({ type: InvokeProblemTypes.connectionNotFound });
      expect(connection.headers.get(Res.errorSource)).toBe("waygate");
      const app = await call("/v1/invoke/crm/me", {}, { [Req.app]: "ghost" });
      expect(app.status).toBe(404);
      expect(app.json?.detail).toMatch(/app "ghost"/);
    });
  });

  describe("retries and Retry-After", () => {
    it("bounds the upstream attempts by the caller's retries, end to end", async () => {
      for (const [retries, expected] of [[0, 1], [1, 2], [undefined, 3]] as const) {
        const before = hits("GET /api/busy");
        const result = await call("/v1/invoke/crm/busy", retries === undefined ? {} : { retries }, { [Req.app]: "web" });
        expect(result.status).toBe(503);
        expect(hits("GET /api/busy") - before, `retries ${retries}`).toBe(expected);
      }
    }, 20_000);

    it("passes the upstream's Retry-After on a 429, in seconds and milliseconds", async () => {
      const result = await call("/v1/invoke/crm/limited", {}, { [Req.app]: "throttled" });
      expect(result.status).toBe(429);
      expect(result.headers.get(Res.retryAfter)).toBe("120");
      expect(result.headers.get(Res.retryAfterMs)).toBe("120000");
      expect(result.headers.get(Res.errorSource)).toBe("upstream");
      // The connection is now held back for the Retry-After, longer than the gateway waits: refused without a call.
      const before = hits("GET /api/me");
      const held = await call("/v1/invoke/crm/me", {}, { [Req.app]: "throttled" });
      expect(held.status).toBe(429);
      expect(held.json).toMatchObject({ type: InvokeProblemTypes.rateLimitWaitExceeded });
      expect(held.headers.get(Res.errorSource)).toBe("waygate");
      expect(Number(held.headers.get(Res.retryAfter))).toBeGreaterThanOrEqual(110);
      expect(hits("GET /api/me")).toBe(before);
    });

    it("sends Retry-After with Waygate's own rate-limit refusal", async () => {
      expect((await fetch(`${server.url}/v1/integrations/crm/rate-limit`, { method: "PUT", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: JSON.stringify({ rateLimit: { capacity: 1, refillPerSecond: 0.01 } }) })).status).toBe(200);
      try {
        expect((await call("/v1/invoke/crm/me", {}, { [Req.app]: "batch" })).status).toBe(200);
        const refused = await call("/v1/invoke/crm/me", {}, { [Req.app]: "batch" });
        expect(refused.status).toBe(429);
        expect(refused.json).toMatchObject({ type: InvokeProblemTypes.rateLimitWaitExceeded });
        expect(refused.headers.get(Res.errorSource)).toBe("waygate");
        expect(Number(refused.headers.get(Res.retryAfter))).toBeGreaterThanOrEqual(90);
        expect(Number(refused.headers.get(Res.retryAfterMs))).toBeGreaterThan(90_000);
      } finally {
        await fetch(`${server.url}/v1/integrations/crm/rate-limit`, { method: "PUT", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: JSON.stringify({ rateLimit: null }) });
      }
    });
  });

  describe("escape hatches", () => {
    it("forwards the caller's content-negotiation and API-version headers upstream", async () => {
      const result = await call("/v1/invoke/crm/me", { headers: { Accept: "application/vnd.crm.raw+json", "X-Crm-Api-Version": "2024-01-01", "If-None-Match": '"v1"' } }, { [Req.app]: "web" });
      expect(result.status).toBe(200);
      const sent = upstream.hits("GET /api/me").at(-1)!.headers;
      expect(sent).toMatchObject({ accept: "application/vnd.crm.raw+json", "x-crm-api-version": "2024-01-01", "if-none-match": '"v1"', authorization: `Bearer ${token}` });
    });

    it("refuses headers the gateway owns, naming them, without calling the upstream", async () => {
      const before = hits("GET /api/me");
      const result = await call("/v1/invoke/crm/me", { headers: { Authorization: "Bearer stolen", Cookie: "a=b", Accept: "text/plain" } }, { [Req.app]: "web" });
      expect(result.status).toBe(400);
      expect((result.json?.errors as Array<{ field: string }>).map((error) => error.field)).toEqual(["headers.Authorization", "headers.Cookie"]);
      expect(hits("GET /api/me")).toBe(before);
    });

    it("refuses input fields the action does not declare, naming them, instead of dropping them", async () => {
      const before = hits("GET /api/pages");
      const result = await call("/v1/invoke/crm/pages.list", { input: { page: 1, pageSize: 10, filter: "x" } }, { [Req.app]: "web" });
      expect(result.status).toBe(400);
      expect(result.json).toMatchObject({ type: InvokeProblemTypes.invalidInput, errors: [{ field: "input.pageSize" }, { field: "input.filter" }] });
      expect(hits("GET /api/pages")).toBe(before);
    });

    it("sends a raw request under the base URL with the connection's credentials (proxy)", async () => {
      const read = await call("/v1/proxy/crm", { method: "GET", path: "/raw/traffic?per=week", query: { tag: ["a", "b"], n: 2 } }, { [Req.app]: "web" });
      expect(read.status).toBe(200);
      expect(read.json).toEqual({ query: "per=week&tag=a&tag=b&n=2", auth: "Bearer [redacted]" });
      expect(upstream.hits("GET /api/raw/traffic").at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
      expect(read.headers.get(Res.versionExecuted)).toBe("1");
      const write = await call("/v1/proxy/crm", { method: "POST", path: "/raw/notes", body: { text: "hi" } }, { [Req.app]: "web" });
      expect(write).toMatchObject({ status: 201, json: { received: { text: "hi" } } });
    });

    it("keeps proxy requests under the base URL", async () => {
      const before = upstream.received.length;
      for (const path of ["/../admin", "/raw/%2e%2e/%2e%2e/admin", "/raw/a%2Fb", "//evil.example.com/x"]) {
        const result = await call("/v1/proxy/crm", { method: "GET", path }, { [Req.app]: "web" });
        expect(result.status, path).toBe(400);
        expect(result.json).toMatchObject({ type: InvokeProblemTypes.invalidInput });
      }
      expect(upstream.received.length).toBe(before);
    });
  });

  describe("bodies", () => {
    it("passes non-JSON bodies on as the upstream sent them: text by its type, bytes exactly, 204 empty", async () => {
      const csv = await call("/v1/invoke/crm/report", {}, { [Req.app]: "web" });
      expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(csv.bytes.toString()).toBe("id,name\n1,Ada\n");
      const png = await call("/v1/invoke/crm/logo", {}, { [Req.app]: "web" });
      expect(png.headers.get("content-type")).toBe("image/png");
      expect([...png.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 255, 1]);
      const deleted = await call("/v1/invoke/crm/things.delete", {}, { [Req.app]: "web" });
      expect(deleted.status).toBe(204);
      expect(deleted.bytes.length).toBe(0);
    });

    it("redacts the connection's secret from a success body that echoes it", async () => {
      const result = await call("/v1/invoke/crm/echo", {}, { [Req.app]: "web" });
      expect(result.status).toBe(200);
      expect(result.bytes.toString()).not.toContain(token);
      expect(result.json).toEqual({ seen: "Bearer [redacted]", note: "your token is [redacted]" });
    });
  });

  describe("pages", () => {
    it("answers one page of items per call with a token for the next, until the last", async () => {
      const seen: unknown[] = [];
      let page: string | undefined;
      for (let calls = 0; calls < 10; calls++) {
        const result = await call("/v1/invoke/crm/pages.list", { paginate: { maxPages: 1 }, ...(page ? { page } : {}) }, { [Req.app]: "web" });
        expect(result.status).toBe(200);
        seen.push(...(result.json as unknown as unknown[]));
        page = result.headers.get(Res.nextPage) ?? undefined;
        if (!page) break;
      }
      expect(seen).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }]);
    });

    it("binds page tokens to the app (and tenant) they were issued to", async () => {
      const first = await call("/v1/invoke/crm/pages.list", {}, { [Req.app]: "web" });
      const token = first.headers.get(Res.nextPage);
      expect(token).toBeTruthy();
      const before = hits("GET /api/pages");
      const other = await call("/v1/invoke/crm/pages.list", { page: token }, { [Req.app]: "batch" });
      expect(other.status).toBe(400);
      expect(other.json).toMatchObject({ type: InvokeProblemTypes.invalidPageToken });
      expect(hits("GET /api/pages")).toBe(before);
      expect((await call("/v1/invoke/crm/pages.list", { page: token }, { [Req.app]: "web" })).status).toBe(200);
    });
  });
});
