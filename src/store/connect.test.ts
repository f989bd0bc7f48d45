import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openTestStore, rawDb as db, storeBackends } from "../../test/support/stores.js";
import { saveIntegration } from "../../test/support/connect.js";
import type { Store } from "./index.js";


describe.each(storeBackends)("OAuth clients and connect sessions in the store (%s)", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let offsetMs = 0;
  let tenantId = "";
  let appId = "";
  let integrationId = "";

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore(backend, { now: () => new Date(Date.now() + offsetMs) }));
    tenantId = (await store.tenants.create("Acme")).id;
    const app = await store.apps.create(tenantId, "web");
    if (app === "name-taken") throw new Error("unexpected");
    appId = app.id;
    await saveIntegration(store, tenantId, { slug: "gh", name: "GH", baseUrl: "https://api.example.com", actions: [] });
    integrationId = (await store.integrations.find(tenantId, "gh"))!.id;
  });
  afterAll(async () => dispose());

  const client = { scopes: ["repo"], authorizeUrl: null, tokenUrl: null, issuer: null, resource: null };

  it("seals the client secret (no plaintext in the row), falls back to the tenant's default, and keeps a secret when none is given", async () => {
    await store.oauthClients.set({ tenantId, appId: null }, integrationId, { ...client, clientId: "tenant-client", clientSecret: "tenant-secret" });
    expect(await store.oauthClients.usable(tenantId, appId, integrationId)).toMatchObject({ clientId: "tenant-client", clientSecret: "tenant-secret", level: "tenant" });

    await store.oauthClients.set({ tenantId, appId }, integrationId, { ...client, clientId: "app-client", clientSecret: "app-secret-value" });
    expect(await store.oauthClients.usable(tenantId, appId, integrationId)).toMatchObject({ clientId: "app-client", clientSecret: "app-secret-value", level: "app" });
    const { rows } = await sql<{ secret: string }>`select secret from oauth_clients`.execute(db(store));
    expect(rows.map((row) => row.secret).join()).not.toMatch(/app-secret-value|tenant-secret/);

    await store.oauthClients.set({ tenantId, appId }, integrationId, { ...client, clientId: "app-client-2" });
    expect(await store.oauthClients.usable(tenantId, appId, integrationId)).toMatchObject({ clientId: "app-client-2", clientSecret: "app-secret-value" });
    expect(await store.oauthClients.list({ tenantId, appId })).toMatchObject([{ integration: "gh", clientId: "app-client-2", hasSecret: true, app: { name: "web" } }]);
    expect(await store.oauthClients.delete({ tenantId, appId }, integrationId)).toBe(true);
    expect(await store.oauthClients.usable(tenantId, appId, integrationId)).toMatchObject({ level: "tenant" });
  });

  it("stores only the token's hash, gives a state to one claimer, finishes a session once, and prunes expired ones", async () => {
    const token = "wgcs_store_test_token";
    const session = await store.connectSessions.create({ tenantId, appId, token, externalUserId: "u1", displayName: null, email: null, integrations: ["gh"], scopes: null, successUrl: null, errorUrl: null, expiresAt: new Date(Date.now() + 60_000) });
    const { rows } = await sql<{ token_hash: string }>`select token_hash from connect_sessions`.execute(db(store));
    expect(rows.map((row) => row.token_hash).join()).not.toContain(token);
    expect((await store.connectSessions.byToken(token))?.id).toBe(session.id);

    expect(await store.connectSessions.startAuthorization(session.id, { integration: "gh", state: "state-1", verifier: "verifier-1", redirectUri: "https://wg/cb" })).toBe(true);
    const [first, second] = await Promise.all([store.connectSessions.claimState("state-1"), store.connectSessions.claimState("state-1")]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect((first ?? second)!.verifier).toBe("verifier-1");

    const outcomes = await Promise.all([
      store.connectSessions.finish(session.id, { status: "connected", connectionId: "con_x", integration: "gh" }),
      store.connectSessions.finish(session.id, { status: "failed", error: "access_denied", integration: "gh" }),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await store.connectSessions.startAuthorization(session.id, { integration: "gh", state: "state-2", verifier: "v", redirectUri: "https://wg/cb" })).toBe(false);

    offsetMs = 8 * 24 * 3600_000;
    try {
      expect(await store.connectSessions.get(tenantId, appId, session.id)).toBeDefined();
      expect(await store.connectSessions.prune(7 * 24 * 3600_000)).toBeGreaterThanOrEqual(1);
      expect(await store.connectSessions.get(tenantId, appId, session.id)).toBeUndefined();
    } finally {
      offsetMs = 0;
    }
  });

  it("marks needs_reauth only while the stored token is the one refreshed from (another server may have rotated it), and a reconnect makes it active again", async () => {
    const scope = { tenantId, appId };
    const first = await store.connections.upsertForUser(scope, { integrationId, externalUserId: "reauth", credentials: { type: "oauth2", accessToken: "old", refreshToken: "r" } });
    expect(first.created).toBe(true);
    await store.connections.replaceCredentials(first.connection.id, { type: "oauth2", accessToken: "rotated-by-another-server", refreshToken: "r2" });
    expect(await store.connections.markNeedsReauth(first.connection.id, "old")).toBe(false);
    expect(await store.connections.markNeedsReauth(first.connection.id, "rotated-by-another-server")).toBe(true);
    expect((await store.connections.get(scope, first.connection.id))?.status).toBe("needs_reauth");
    const again = await store.connections.upsertForUser(scope, { integrationId, externalUserId: "reauth", credentials: { type: "oauth2", accessToken: "new" } });
    expect(again).toMatchObject({ created: false, connection: { id: first.connection.id, status: "active" } });
    expect(await store.connections.credentials(first.connection.id)).toMatchObject({ accessToken: "new" });
  });
});
