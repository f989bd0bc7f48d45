import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "../gateway/test-upstream.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";
import { InvokeProblemTypes } from "../contract/index.js";

/**
 * The gateway through the real API server on loopback, against a real upstream that the
 * test starts: what the upstream received, and what the caller got back.
 */
describe.each(storeBackends)("POST /v1/invoke through the server on %s", (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let tokenCalls = 0;

  const definition = (slug: string, authSchemes: unknown[], extra: Record<string, unknown> = {}) => ({
    slug,
    name: slug,
    baseUrl: `${upstream.url}/api`,
    authSchemes,
    actions: [
      { name: "me", method: "GET", path: "/me", outputSchema: { type: "object", required: ["id"], properties: { id: { type: "integer" }, full_name: { type: "string" } } } },
      {
        name: "contacts.list",
        method: "GET",
        path: "/contacts",
        inputSchema: { type: "object", properties: { cursor: { type: "string", "x-waygate-in": "query" } } },
        pagination: { strategy: "cursor", cursorParam: "cursor", nextCursorPath: "/next", itemsPath: "/data" },
      },
      {
        name: "contacts.create",
        method: "POST",
        path: "/contacts",
        inputSchema: {
          type: "object",
          required: ["name", "email"],
          properties: { name: { type: "string", "x-waygate-in": "body" }, email: { type: "string", format: "email", "x-waygate-in": "body" }, age: { type: "integer", "x-waygate-in": "body" } },
        },
      },
      { name: "flaky.get", method: "GET", path: "/flaky" },
    ],
    ...extra,
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = server.tenantKey) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown> & { data?: unknown[] }) : null, text };
  };
  const connect = async (integration: string, credentials: unknown, extra: Record<string, unknown> = {}, key?: string) => {
    const created = await call("POST", "/v1/connections", { integration, credentials, ...extra }, {}, key);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body!.id as string;
  };

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/me": { body: { id: 7, full_name: "Ada" } },
      "GET /api/contacts": (request) =>
        request.query.get("cursor") === "2" ? { body: { data: [{ id: 3 }], next: null } } : { body: { data: [{ id: 1 }, { id: 2 }], next: "2" } },
      "POST /api/contacts": (request) => ({ status: 201, body: { id: 9, ...JSON.parse(request.body.toString()) } }),
      "POST /oauth/token": (request) => {
        tokenCalls++;
        const form = new URLSearchParams(request.body.toString());
        return { body: { access_token: `fresh-${form.get("refresh_token")}`, token_type: "bearer", expires_in: 3600, refresh_token: "rotated" }, delayMs: 50 };
      },
    });
    server = await startTestServer(backend);
    const schemes = {
      key: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
      bearer: [{ type: "bearer" }],
      basic: [{ type: "basic" }],
      oauth: [{ type: "oauth2", flows: { authorizationCode: { authorizationUrl: `${upstream.url}/oauth/authorize`, tokenUrl: `${upstream.url}/oauth/token`, scopes: {} } } }],
    };
    for (const [slug, authSchemes] of Object.entries(schemes)) {
      expect((await call("POST", "/v1/integrations", definition(`crm-${slug}`, authSchemes))).status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("injects an API key, passes the upstream's answer through, and says which version ran", async () => {
    await connect("crm-key", { type: "apiKey", key: "sk_live_123" });
    const result = await call("POST", "/v1/invoke/crm-key/me", { input: {} });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ id: 7, full_name: "Ada" });
    expect(result.headers.get("x-waygate-version-executed")).toBe("1");
    expect(result.headers.get("x-waygate-attempts")).toBe("1");
    expect(upstream.hits("GET /api/me").at(-1)?.headers["x-api-key"]).toBe("sk_live_123");
  });

  it("sends bearer and basic credentials as the upstream expects", async () => {
    await connect("crm-bearer", { type: "bearer", token: "tok_abc" });
    await connect("crm-basic", { type: "basic", username: "ada", password: "s3cret" });
    await call("POST", "/v1/invoke/crm-bearer/me", {});
    expect(upstream.hits("GET /api/me").at(-1)?.headers.authorization).toBe("Bearer tok_abc");
    await call("POST", "/v1/invoke/crm-basic/me", {});
    expect(upstream.hits("GET /api/me").at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from("ada:s3cret").toString("base64")}`);
  });

  it("builds a JSON body from the merged input and returns the upstream's 201", async () => {
    const result = await call("POST", "/v1/invoke/crm-key/contacts.create", { input: { name: "Ada", email: "ada@example.com", age: 36 } });
    expect(result.status).toBe(201);
    expect(JSON.parse(upstream.hits("POST /api/contacts").at(-1)!.body.toString())).toEqual({ name: "Ada", email: "ada@example.com", age: 36 });
  });

  it("rejects invalid input with 400 listing every failing field, without calling upstream", async () => {
    const before = upstream.received.length;
    const result = await call("POST", "/v1/invoke/crm-key/contacts.create", { input: { email: "not-an-email", age: "old" } });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ type: "https://waygate.dev/problems/invalid-input" });
    const fields = (result.body!.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(["input.age", "input.email", "input.name"]));
    expect(upstream.received.length).toBe(before);
  });

  it("answers 404 for an unknown action, a missing connection, and 400 for malformed JSON", async () => {
    expect((await call("POST", "/v1/invoke/crm-key/nope", {})).status).toBe(404);
    const missing = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_404" });
    expect(missing.status).toBe(404);
    expect(missing.body?.detail).toContain('connection "user_404"');
    const malformed = await fetch(`${server.url}/v1/invoke/crm-key/me`, { method: "POST", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: "{" });
    expect(malformed.status).toBe(400);
  });

  it("answers 413 to a body over the limit, whether its length is declared or it comes in chunks", async () => {
    const headers = { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" };
    const before = upstream.hits("GET /api/me").length;
    const big = JSON.stringify({ input: { padding: "x".repeat(2 * 1024 * 1024) } });
    const declared = await fetch(`${server.url}/v1/invoke/crm-key/me`, { method: "POST", headers, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ type: "https://waygate.dev/problems/payload-too-large" });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"input":{"padding":"' : "x".repeat(64 * 1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.url}/v1/invoke/crm-key/me`, { method: "POST", headers, body: chunks, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(upstream.hits("GET /api/me")).toHaveLength(before);
  });

  it("passes the upstream's answer on with a warning per output field that breaks the schema (validation warn)", async () => {
    upstream.route("GET /api/me", { body: { id: "seven", full_name: 7 } });
    try {
      const result = await call("POST", "/v1/invoke/crm-key/me", {});
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ id: "seven", full_name: 7 });
      expect(result.headers.get("content-type")).toBe("application/json");
      const warnings = result.headers.get("x-waygate-warning") ?? "";
      expect(warnings).toContain("output does not match the schema: output.id");
      expect(warnings).toContain("output does not match the schema: output.full_name");
    } finally {
      upstream.route("GET /api/me", { body: { id: 7, full_name: "Ada" } });
    }
  });

  it("says a connection is required when the integration needs credentials and the call names none", async () => {
    await call("POST", "/v1/integrations", definition("crm-nokey", [{ type: "apiKey", name: "X-Api-Key", in: "header" }]));
    const result = await call("POST", "/v1/invoke/crm-nokey/me", {});
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ type: InvokeProblemTypes.connectionRequired, detail: expect.stringMatching(/named no connection/) });
    expect(result.headers.get("x-waygate-error-source")).toBe("waygate");
  });

  it("follows cursor pages with paginate: true", async () => {
    const result = await call("POST", "/v1/invoke/crm-key/contacts.list", { paginate: true });
    expect(result.body).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const first = await call("POST", "/v1/invoke/crm-key/contacts.list", {});
    expect(first.body).toMatchObject({ data: [{ id: 1 }, { id: 2 }] });
    const token = first.headers.get("x-waygate-next-page");
    expect(token).toBeTruthy();
    const second = await call("POST", "/v1/invoke/crm-key/contacts.list", { page: token });
    expect(second.body).toMatchObject({ data: [{ id: 3 }] });
  });

  it("retries a flaky GET, honours Retry-After on 429, and never retries a POST without an idempotency key", async () => {
    upstream.route("GET /api/flaky", (_request, hit) => (hit < 3 ? { status: 503, body: { error: "busy" } } : { body: { ok: true } }));
    const flaky = await call("POST", "/v1/invoke/crm-key/flaky.get", {});
    expect(flaky.status).toBe(200);
    expect(flaky.headers.get("x-waygate-attempts")).toBe("3");

    upstream.route("GET /api/flaky", (_request, hit) => (hit === 1 ? { status: 429, headers: { "retry-after": "1" }, body: {} } : { body: { ok: "later" } }));
    const started = Date.now();
    const limited = await call("POST", "/v1/invoke/crm-key/flaky.get", {});
    expect(limited.body).toEqual({ ok: "later" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    upstream.route("POST /api/contacts", { status: 503, body: { error: "down" } });
    const before = upstream.hits("POST /api/contacts").length;
    const post = await call("POST", "/v1/invoke/crm-key/contacts.create", { input: { name: "A", email: "a@example.com" } });
    expect(post.status).toBe(503);
    expect(post.body).toMatchObject({ type: "https://waygate.dev/problems/upstream-error", upstream: { status: 503, body: { error: "down" } } });
    expect(upstream.hits("POST /api/contacts").length - before).toBe(1);

    upstream.route("POST /api/contacts", (_request, hit) => (hit === 1 ? { status: 503, body: {} } : { status: 201, body: { id: 1 } }));
    const safe = await call("POST", "/v1/invoke/crm-key/contacts.create", { input: { name: "A", email: "a@example.com" } }, { "idempotency-key": "op-1" });
    expect(safe.status).toBe(201);
    expect(upstream.hits("POST /api/contacts").at(-1)?.headers["idempotency-key"]).toBe("op-1");
  });

  it("refreshes an expired OAuth token once for 100 concurrent invokes, and stores the new token", async () => {
    const id = await connect("crm-oauth", { type: "oauth2", accessToken: "stale", refreshToken: "r1", expiresAt: "2020-01-01T00:00:00Z" });
    tokenCalls = 0;
    const results = await Promise.all(Array.from({ length: 100 }, () => call("POST", "/v1/invoke/crm-oauth/me", {})));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(tokenCalls).toBe(1);
    expect(upstream.hits("GET /api/me").at(-1)?.headers.authorization).toBe("Bearer fresh-r1");
    const shown = await call("GET", `/v1/connections/${id}`);
    expect(new Date(shown.body!.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    await call("POST", "/v1/invoke/crm-oauth/me", {});
    expect(tokenCalls).toBe(1);
  });

  it("never returns a secret through any route", async () => {
    const list = await call("GET", "/v1/connections");
    const one = await call("GET", `/v1/connections/${(list.body!.data as Array<{ id: string }>)[0]!.id}`);
    for (const text of [list.text, one.text]) {
      for (const secret of ["sk_live_123", "tok_abc", "s3cret", "fresh-r1", "rotated", "r1\""]) expect(text).not.toContain(secret);
    }
  });

  it("reports a corrupted ciphertext clearly instead of sending garbage upstream", async () => {
    await call("POST", "/v1/integrations", definition("crm-broken", [{ type: "bearer" }]));
    const id = await connect("crm-broken", { type: "bearer", token: "abc" });
    // Tamper with the stored ciphertext directly, as a disk fault or a bad restore would.
    const { sql } = await import("kysely");
    await sql`update connections set secret = ${"v1.zzzzzzzz.AAAA.AAAA.AAAA"} where id = ${id}`.execute((server.store as unknown as { handle: { db: never } }).handle.db);
    const result = await call("POST", "/v1/invoke/crm-broken/me", {});
    expect(result.status).toBe(500);
    expect(result.body?.detail).toContain(`connection ${id} cannot be used`);
  });

  it("scopes connections and settings to apps, and applies the app's mappings and strict validation", async () => {
    for (const name of ["web", "worker"]) await call("POST", "/v1/apps", { name });
    const webKey = ((await call("POST", "/v1/apps/web/keys", { name: "k" })).body as { secret: string }).secret;
    const workerKey = ((await call("POST", "/v1/apps/worker/keys", { name: "k" })).body as { secret: string }).secret;
    const webConnection = await connect("crm-key", { type: "apiKey", key: "web-key" }, { externalUserId: "user_42" }, webKey);

    const asWeb = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, webKey);
    expect(asWeb.status).toBe(200);
    expect(upstream.hits("GET /api/me").at(-1)?.headers["x-api-key"]).toBe("web-key");

    expect((await call("POST", "/v1/invoke/crm-key/me", { connection: webConnection }, {}, workerKey)).status).toBe(404);
    expect((await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, workerKey)).status).toBe(404);
    expect((await call("GET", `/v1/connections/${webConnection}`, undefined, {}, workerKey)).status).toBe(404);
    expect((await call("PUT", "/v1/apps/web/integrations/crm-key/settings", { validation: "off", mappings: [] }, {}, webKey)).status).toBe(403);
    expect((await call("GET", "/v1/apps/web/integrations/crm-key/settings", undefined, {}, workerKey)).status).toBe(404);

    const settings = await call("PUT", "/v1/apps/web/integrations/crm-key/settings", { validation: "strict", mappings: [{ op: "rename", from: "/full_name", to: "/name" }] });
    expect(settings.status).toBe(200);
    const mapped = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, webKey);
    expect(mapped.body).toEqual({ id: 7, name: "Ada" });
    const unmapped = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, { "x-waygate-app": "worker" });
    expect(unmapped.status).toBe(404);
    // A tenant key acting for an app by name gets that app's connection and mappings; an unknown name is 404.
    const asWebByName = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, { "x-waygate-app": "web" });
    expect(asWebByName.body).toEqual({ id: 7, name: "Ada" });
    const unknownApp = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, { "x-waygate-app": "nope" });
    expect(unknownApp.status).toBe(404);
    expect(unknownApp.body?.detail).toContain('app "nope"');

    upstream.route("GET /api/me", { body: { full_name: "no id" } });
    const strict = await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, webKey);
    expect(strict.status).toBe(502);
    expect(strict.body).toMatchObject({ type: "https://waygate.dev/problems/invalid-output" });
    upstream.route("GET /api/me", { body: { id: 7, full_name: "Ada" } });

    expect((await call("PUT", "/v1/apps/web/integrations/crm-key/settings", { mappings: [{ op: "drop", path: "/__proto__/x" }] })).status).toBe(400);
  });

  it("runs the pinned version for an app, and a pin change takes effect on the next call", async () => {
    const v2 = definition("crm-key", [{ type: "apiKey", name: "X-Api-Key", in: "header" }], { description: "v2" });
    expect((await call("POST", "/v1/integrations", v2)).body).toMatchObject({ version: 2 });
    const webKey = ((await call("POST", "/v1/apps/web/keys", { name: "k2" })).body as { secret: string }).secret;
    expect((await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, webKey)).headers.get("x-waygate-version-executed")).toBe("2");
    await call("PUT", "/v1/apps/web/pins/crm-key", { version: 1 });
    expect((await call("POST", "/v1/invoke/crm-key/me", { connection: "user_42" }, {}, webKey)).headers.get("x-waygate-version-executed")).toBe("1");
  });

  it("waits for the integration's configured rate limit instead of provoking 429s", async () => {
    await call("PUT", "/v1/integrations/crm-bearer/rate-limit", { rateLimit: { capacity: 1, refillPerSecond: 2 } });
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const result = await call("POST", "/v1/invoke/crm-bearer/me", {});
      expect(result.status, result.text).toBe(200);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("tests a connection with a cheap read action", async () => {
    const list = await call("GET", "/v1/connections?integration=crm-bearer");
    const id = (list.body!.data as Array<{ id: string }>)[0]!.id;
    expect((await call("POST", `/v1/connections/${id}/test`)).body).toMatchObject({ ok: true, action: "me", status: 200 });
    upstream.route("GET /api/me", { status: 401, body: { message: "bad credentials" } });
    expect((await call("POST", `/v1/connections/${id}/test`)).body).toMatchObject({ ok: false, action: "me", status: 401 });
    upstream.route("GET /api/me", { body: { id: 7, full_name: "Ada" } });
  });
});
