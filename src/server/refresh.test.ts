import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "../gateway/test-upstream.js";
import { Sealer } from "../lib/sealer.js";
import { Store } from "../store/index.js";
import { createTestDatabase, storeBackends, type TestDatabase } from "../../test/support/stores.js";
import { startServer, type RunningServer } from "./start.js";

/**
 * Two servers on one database (a deployment behind a load balancer), each with its own
 * store: an expired OAuth token is refreshed once between them, even when the token
 * endpoint rotates refresh tokens and refuses a spent one, as many providers do.
 */
describe.each(storeBackends)("OAuth refresh across two servers on %s", (backend) => {
  let database: TestDatabase;
  let stores: Store[];
  let servers: RunningServer[];
  let upstream: Upstream;
  let tenantKey: string;
  const spent = new Set<string>();
  let tokenCalls = 0;

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/me": (request) => (request.headers.authorization?.startsWith("Bearer fresh-") ? { body: { id: 7 } } : { status: 401, body: { error: "invalid_token" } }),
      "POST /oauth/token": (request) => {
        tokenCalls++;
        const refreshToken = new URLSearchParams(request.body.toString()).get("refresh_token") ?? "";
        if (spent.has(refreshToken)) return { status: 400, body: { error: "invalid_grant" } };
        spent.add(refreshToken);
        return { body: { access_token: `fresh-${tokenCalls}`, token_type: "bearer", expires_in: 3600, refresh_token: `r${tokenCalls + 1}` }, delayMs: 100 };
      },
    });
    database = await createTestDatabase(backend);
    const key = randomBytes(32);
    stores = [await Store.open(database.location, { sealer: async () => new Sealer(key) }), await Store.open(database.location, { sealer: async () => new Sealer(key) })];
    const tenant = await stores[0]!.tenants.create("Acme");
    tenantKey = (await stores[0]!.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    servers = await Promise.all(stores.map((store) => startServer({ store, version: "0.0.0-test", host: "127.0.0.1", port: 0, allowPrivateImports: true, upstreams: "loopback", worker: { pollMs: 50 } })));
  });
  afterAll(async () => {
    for (const server of servers ?? []) await server.close();
    for (const store of stores ?? []) await store.close();
    await database?.drop();
    await upstream?.close();
  });

  const call = async (server: RunningServer, path: string, body: unknown) => {
    const response = await fetch(server.url + path, { method: "POST", headers: { authorization: `Bearer ${tenantKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("spends the refresh token once for concurrent invokes on both servers, and both then use the new token", async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const oauth = [{ type: "oauth2", flows: { authorizationCode: { authorizationUrl: `${upstream.url}/oauth/authorize`, tokenUrl: `${upstream.url}/oauth/token`, scopes: {} } } }];
    const definition = { slug: "crm", name: "CRM", baseUrl: `${upstream.url}/api`, authSchemes: oauth, actions: [{ name: "me", method: "GET", path: "/me" }] };
    expect((await call(a, "/v1/integrations", definition)).status).toBe(201);
    const credentials = { type: "oauth2", accessToken: "stale", refreshToken: "r1", expiresAt: "2020-01-01T00:00:00Z" };
    expect((await call(a, "/v1/connections", { integration: "crm", credentials })).status).toBe(201);

    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 === 0 ? a : b, "/v1/invoke/crm/me", {})));
    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 40 }, () => 200));
    expect(tokenCalls).toBe(1);
    expect(new Set(upstream.hits("GET /api/me").map((request) => request.headers.authorization))).toEqual(new Set(["Bearer fresh-1"]));

    for (const server of [a, b]) expect((await call(server, "/v1/invoke/crm/me", {})).status).toBe(200);
    expect(tokenCalls).toBe(1);
  });
});
