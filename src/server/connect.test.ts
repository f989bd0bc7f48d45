import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectEvent } from "../contract/index.js";
import { createLogger } from "./logging.js";
import { startServer, type RunningServer } from "./start.js";
import type { Store } from "../store/index.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startFakeProvider, oauthIntegration, type FakeProvider } from "../../test/support/oauth-provider.js";
import { CookieBrowser, hiddenField, saveIntegration } from "../../test/support/connect.js";
import { loadGeneratedClient } from "../../test/codegen/support/load-client.js";
import { loadManifest } from "../../test/codegen/support/manifests.js";
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from "../../test/support/webhook-receiver.js";

const SUCCESS = "https://app.example.com/connected";
const FAILURE = "https://app.example.com/connect-failed";

describe.each(storeBackends)("just-in-time auth against a real OAuth server (%s)", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let provider: FakeProvider;
  let slack: FakeProvider;
  let github: FakeProvider;
  let clockOffsetMs = 0;
  const logLines: string[] = [];
  const events: ConnectEvent[] = [];
  const keys: Record<string, string> = {};
  let tenantId = "";

  const api = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const createSession = async (body: Record<string, unknown>, key = keys.appOne!) => {
    const created = await api("POST", "/v1/connect/sessions", key, { successUrl: SUCCESS, errorUrl: FAILURE, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; token: string; url: string };
  };

  /** Opens the link, and starts the OAuth flow from the page: answers the provider's consent page URL. */
  const startFlow = async (browser: CookieBrowser, url: string) => {
    const opened = await browser.follow(url);
    expect(opened.response.status).toBe(200);
    const html = await opened.response.text();
    const started = await browser.request(`${server.url}/connect/authorize`, { form: { csrf: hiddenField(html, "csrf"), integration: hiddenField(html, "integration") } });
    expect(started.status).toBe(303);
    return started.headers.get("location")!;
  };

  /** At the provider: approve or deny; answers the callback URL the provider sends the browser to. */
  const decide = async (browser: CookieBrowser, authorizeUrl: string, decision: "approve" | "deny") => {
    const consent = await browser.request(authorizeUrl);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    const form: Record<string, string> = { decision };
    for (const name of ["redirect_uri", "state", "code_challenge", "scope"]) form[name] = hiddenField(html, name).replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
    const back = await browser.request(new URL("/authorize/decision", authorizeUrl).href, { form });
    expect(back.status).toBe(302);
    return back.headers.get("location")!;
  };

  let receiver: WebhookReceiver | undefined;
  let webhookSecret = "";
  const waitForWebhook = async () => {
    const deadline = Date.now() + 10_000;
    while (receiver!.received.length === 0) {
      if (Date.now() > deadline) throw new Error("no webhook delivery arrived");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return receiver!.received[0]!;
  };

  const connectionsOf = async (key: string, user: string) => (await api("GET", `/v1/connections?user=${encodeURIComponent(user)}`, key)).body.data as Array<{ id: string; integration: string; status: string }>;

  beforeAll(async () => {
    provider = await startFakeProvider("standard");
    slack = await startFakeProvider("slack");
    github = await startFakeProvider("github");
    ({ store, dispose } = await openTestStore(backend, { now: () => new Date(Date.now() + clockOffsetMs) }));
    const tenant = await store.tenants.create("Acme");
    tenantId = tenant.id;
    keys.tenant = (await store.keys.issue({ tenantId, kind: "tenant" })).secret;
    for (const name of ["app-one", "app-two"]) {
      const app = await store.apps.create(tenantId, name);
      if (app === "name-taken") throw new Error("unexpected");
      keys[name === "app-one" ? "appOne" : "appTwo"] = (await store.keys.issue({ tenantId, kind: "app", appId: app.id })).secret;
    }
    await saveIntegration(store, tenantId, oauthIntegration("acme-oauth", provider));
    await saveIntegration(store, tenantId, oauthIntegration("slacky", slack));
    await saveIntegration(store, tenantId, oauthIntegration("githubby", github));
    await saveIntegration(store, tenantId, {
      slug: "keyed",
      name: "Keyed API",
      baseUrl: `${provider.url}/api`,
      authSchemes: [{ type: "apiKey", name: "x-api-key", in: "header" }],
      actions: [{ name: "me.get", method: "GET", path: "/me" }],
    });
    const logger = createLogger({ level: "debug", format: "json", writeLine: (line) => logLines.push(line) });
    server = await startServer({ store, version: "test", host: "127.0.0.1", port: 0, allowPrivateImports: false, upstreams: "loopback", logger, onConnectEvent: (event) => events.push(event) });
    for (const [slug, fake] of [["acme-oauth", provider], ["slacky", slack], ["githubby", github]] as const) {
      const set = await api("PUT", `/v1/apps/app-one/oauth-clients/${slug}`, keys.tenant!, { clientId: fake.clientId, clientSecret: fake.clientSecret, scopes: ["read"] });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      expect(JSON.stringify(set.body)).not.toContain(fake.clientSecret);
    }
    expect((await api("PUT", "/v1/apps/app-one/connect-redirect-urls", keys.tenant!, { urls: [SUCCESS, FAILURE] })).status).toBe(200);
    receiver = await startWebhookReceiver();
    const hook = await api("POST", "/v1/alerts/webhooks", keys.tenant!, { url: receiver.url, events: ["connection.created"] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    webhookSecret = hook.body.secret as string;
  });
  afterAll(async () => {
    await server?.close();
    await dispose?.();
    await Promise.all([provider?.close(), slack?.close(), github?.close(), receiver?.close()]);
  });

  it("connects an end user: link → cookie → page → provider consent → callback → success URL; the invoke reaches the API with the new token", async () => {
    const session = await createSession({ user: { id: "user-1", displayName: "Ada" }, integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    const first = await browser.request(session.url);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/connect");
    const cookie = first.headers.getSetCookie().join("\n");
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const page = await browser.request(`${server.url}/connect`);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src");
    expect(csp).toContain(`form-action 'self' ${provider.url}`);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("app-one wants to connect to Fake acme-oauth");
    expect(html).toContain("<code>read</code>");
    expect(html).not.toContain("<script");
    expect(html).not.toContain(session.token);

    const authorizeUrl = await startFlow(browser, session.url);
    const authorize = new URL(authorizeUrl);
    expect(authorize.origin).toBe(provider.url);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${server.url}/v1/oauth/callback`);
    const callback = await decide(browser, authorizeUrl, "approve");
    const done = await browser.follow(callback, {}, SUCCESS);
    const final = new URL(done.url);
    expect(final.origin + final.pathname).toBe(SUCCESS);
    const connectionId = final.searchParams.get("connection_id");
    expect(connectionId).toMatch(/^con_/);
    expect(final.href).not.toContain(session.token);
    expect(browser.visited.filter((url) => url !== session.url && url.includes(session.token))).toEqual([]);

    // PKCE: the provider got a verifier whose S256 hash matched the challenge, and issued tokens.
    expect(provider.tokenRequests.at(-1)!.form.code_verifier).toMatch(/^[\w-]{43,}$/);
    expect(provider.tokenOutcomes.at(-1)).toBe("issued");

    const invoked = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "user-1" });
    expect(invoked.status, JSON.stringify(invoked.body)).toBe(200);
    expect(invoked.body).toEqual({ login: "octo", quirks: "standard" });
    expect(provider.apiCalls).toHaveLength(1);

    expect((await api("GET", `/v1/connect/sessions/${session.id}`, keys.appOne!)).body).toMatchObject({ status: "connected", connectionId });
    expect(events.at(-1)).toMatchObject({ type: "connection.created", integration: "acme-oauth", externalUserId: "user-1", connectionId });
    // The tenant's webhook got it too, signed (Standard Webhooks).
    const delivered = await waitForWebhook();
    expect(verifyStandardWebhook(webhookSecret, delivered)).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: "connection.created", data: { integration: "acme-oauth", externalUserId: "user-1", connectionId, appId: expect.stringMatching(/^app_/) } });
    expect(delivered.body).not.toContain(session.token);
    // The token appears in no log line.
    expect(logLines.join("\n")).not.toContain(session.token);
    expect(logLines.join("\n")).not.toContain(provider.clientSecret);
  });

  it("refuses a callback whose state was tampered with, and a replayed callback (the code is used once): one connection, no more", async () => {
    const session = await createSession({ user: "user-2", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    const callback = await decide(browser, await startFlow(browser, session.url), "approve");
    const tampered = new URL(callback);
    tampered.searchParams.set("state", tampered.searchParams.get("state")!.slice(0, -2) + "xx");
    const refused = await browser.request(tampered.href);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("invalid_state");
    expect(await connectionsOf(keys.appOne!, "user-2")).toEqual([]);

    const done = await browser.follow(callback, {}, SUCCESS);
    expect(new URL(done.url).searchParams.get("connection_id")).toMatch(/^con_/);
    const replayed = await browser.request(callback);
    expect(replayed.status).toBe(400);
    expect(await connectionsOf(keys.appOne!, "user-2")).toHaveLength(1);
    // The provider saw the code once.
    expect(provider.tokenRequests.filter((r) => r.form.code === tampered.searchParams.get("code"))).toHaveLength(1);
  });

  it("sends the browser to the error URL with access_denied when the user denies consent, and creates nothing", async () => {
    const session = await createSession({ user: "user-3", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    const callback = await decide(browser, await startFlow(browser, session.url), "deny");
    const done = await browser.follow(callback, {}, FAILURE);
    expect(new URL(done.url).searchParams.get("error")).toBe("access_denied");
    expect(await connectionsOf(keys.appOne!, "user-3")).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: "connection.failed", error: "access_denied", externalUserId: "user-3" });
    expect((await api("GET", `/v1/connect/sessions/${session.id}`, keys.appOne!)).body).toMatchObject({ status: "failed", error: "access_denied" });
  });

  it("answers provider_error when the provider sends an error other than a denial back, and creates nothing", async () => {
    const session = await createSession({ user: "user-6", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    const callback = new URL(await decide(browser, await startFlow(browser, session.url), "approve"));
    callback.searchParams.delete("code");
    callback.searchParams.set("error", "temporarily_unavailable");
    const done = await browser.follow(callback.href, {}, FAILURE);
    expect(new URL(done.url).searchParams.get("error")).toBe("provider_error");
    expect(await connectionsOf(keys.appOne!, "user-6")).toEqual([]);
  });

  it("with the provider's issuer set, requires a matching iss (RFC 9207) and sends the resource indicator (RFC 8707); the tenant's default client serves apps without their own", async () => {
    const set = await api("PUT", "/v1/oauth-clients/acme-oauth", keys.tenant!, { clientId: provider.clientId, clientSecret: provider.clientSecret, issuer: provider.url, resource: "https://api.example.com/" });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const start = async (user: string) => {
      const session = await createSession({ user, integrations: ["acme-oauth"], successUrl: undefined, errorUrl: undefined }, keys.appTwo!);
      const browser = new CookieBrowser();
      const authorizeUrl = await startFlow(browser, session.url);
      expect(new URL(authorizeUrl).searchParams.get("resource")).toBe("https://api.example.com/");
      return { browser, callback: new URL(await decide(browser, authorizeUrl, "approve")) };
    };
    const withIss = await start("iss-user");
    withIss.callback.searchParams.set("iss", provider.url);
    expect(await (await withIss.browser.follow(withIss.callback.href)).response.text()).toContain("Connected");
    expect(provider.tokenRequests.at(-1)!.form.resource).toBe("https://api.example.com/");

    const without = await start("no-iss-user");
    const refused = await without.browser.follow(without.callback.href);
    expect(refused.response.status).toBe(400);
    const wrong = await start("wrong-iss-user");
    wrong.callback.searchParams.set("iss", "https://evil.example.com");
    expect((await wrong.browser.follow(wrong.callback.href)).response.status).toBe(400);
    expect(await connectionsOf(keys.appTwo!, "no-iss-user")).toEqual([]);
    expect(await connectionsOf(keys.appTwo!, "wrong-iss-user")).toEqual([]);
    expect(await connectionsOf(keys.appTwo!, "iss-user")).toHaveLength(1);
  });

  it("answers token_exchange_failed when the provider's token endpoint fails, and creates nothing", async () => {
    const session = await createSession({ user: "user-4", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    const callback = await decide(browser, await startFlow(browser, session.url), "approve");
    provider.failTokenEndpoint(true);
    try {
      const done = await browser.follow(callback, {}, FAILURE);
      expect(new URL(done.url).searchParams.get("error")).toBe("token_exchange_failed");
    } finally {
      provider.failTokenEndpoint(false);
    }
    expect(await connectionsOf(keys.appOne!, "user-4")).toEqual([]);
  });

  it("refuses an expired session at the page and at the callback", async () => {
    const session = await createSession({ user: "user-5", integrations: ["acme-oauth"], expiresInSeconds: 60 });
    const browser = new CookieBrowser();
    const callback = await decide(browser, await startFlow(browser, session.url), "approve");
    clockOffsetMs = 61_000;
    try {
      const done = await browser.follow(callback, {}, FAILURE);
      expect(new URL(done.url).searchParams.get("error")).toBe("session_expired");
      const late = await createSession({ user: "user-5b", integrations: ["acme-oauth"], expiresInSeconds: 60 });
      clockOffsetMs += 61_000;
      const page = await new CookieBrowser().follow(late.url);
      expect(page.response.status).toBe(410);
      expect(await page.response.text()).toContain("expired");
    } finally {
      clockOffsetMs = 0;
    }
    expect(await connectionsOf(keys.appOne!, "user-5")).toEqual([]);
  });

  it("prunes sessions a week after they expired, on a later session's creation", async () => {
    const old = await createSession({ user: "user-old", integrations: ["acme-oauth"], expiresInSeconds: 60 });
    expect((await api("GET", `/v1/connect/sessions/${old.id}`, keys.appOne!)).status).toBe(200);
    clockOffsetMs = 6 * 24 * 3_600_000;
    try {
      await createSession({ user: "user-later", integrations: ["acme-oauth"] });
      // Expired six days ago: still there, so an app can ask how it ended.
      expect((await api("GET", `/v1/connect/sessions/${old.id}`, keys.appOne!)).body).toMatchObject({ status: "expired" });
      clockOffsetMs = 8 * 24 * 3_600_000;
      await createSession({ user: "user-later", integrations: ["acme-oauth"] });
      expect((await api("GET", `/v1/connect/sessions/${old.id}`, keys.appOne!)).status).toBe(404);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("refuses redirect URLs that are not on the app's allow-list", async () => {
    const refused = await api("POST", "/v1/connect/sessions", keys.appOne!, { user: "u", integrations: ["acme-oauth"], successUrl: "https://evil.example.net/steal" });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe("body.successUrl");
    expect(refused.body.detail).toContain("allow-list");
    const lookalike = await api("POST", "/v1/connect/sessions", keys.appOne!, { user: "u", integrations: ["acme-oauth"], errorUrl: "https://app.example.com/connected-evil" });
    expect(lookalike.status).toBe(400);
  });

  it("keeps apps apart: app-two cannot read app-one's session, and a session of app-one connects only app-one", async () => {
    const session = await createSession({ user: "shared-user", integrations: ["keyed"] });
    expect((await api("GET", `/v1/connect/sessions/${session.id}`, keys.appTwo!)).status).toBe(404);
    const browser = new CookieBrowser();
    const page = await browser.follow(session.url);
    const html = await page.response.text();
    const saved = await browser.request(`${server.url}/connect/credentials`, { form: { csrf: hiddenField(html, "csrf"), integration: "keyed", key: "user-key-123" } });
    expect(saved.status).toBe(303);
    expect(await connectionsOf(keys.appOne!, "shared-user")).toHaveLength(1);
    expect(await connectionsOf(keys.appTwo!, "shared-user")).toEqual([]);
    // A tenant key must name the app, and then acts only for it.
    expect((await api("POST", "/v1/connect/sessions", keys.tenant!, { user: "u", integrations: ["keyed"] })).status).toBe(400);
  });

  it("takes an API key in the form (never echoed), checks the CSRF token, and the invoke sends the key", async () => {
    const session = await createSession({ user: "key-user", integrations: ["keyed"] });
    const browser = new CookieBrowser();
    const html = await (await browser.follow(session.url)).response.text();
    expect(html).toContain('type="password"');
    const forged = await browser.request(`${server.url}/connect/credentials`, { form: { csrf: "forged", integration: "keyed", key: "k" } });
    expect(forged.status).toBe(403);
    expect(await connectionsOf(keys.appOne!, "key-user")).toEqual([]);
    const saved = await browser.request(`${server.url}/connect/credentials`, { form: { csrf: hiddenField(html, "csrf"), integration: "keyed", key: "secret-api-key-9" } });
    expect(saved.status).toBe(303);
    const location = new URL(saved.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(SUCCESS);
    expect(location.href).not.toContain("secret-api-key-9");
    const [connection] = await connectionsOf(keys.appOne!, "key-user");
    expect(connection).toMatchObject({ integration: "keyed", status: "active" });
    // A second post with the same (now used) session is refused.
    const again = await browser.request(`${server.url}/connect/credentials`, { form: { csrf: hiddenField(html, "csrf"), integration: "keyed", key: "other" } });
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ["slacky", "slack"],
    ["githubby", "github"],
  ] as const)("copes with %s's token response quirks", async (slug, quirks) => {
    const fake = quirks === "slack" ? slack : github;
    const session = await createSession({ user: `quirk-${quirks}`, integrations: [slug] });
    const browser = new CookieBrowser();
    const callback = await decide(browser, await startFlow(browser, session.url), "approve");
    const done = await browser.follow(callback, {}, SUCCESS);
    expect(new URL(done.url).searchParams.get("connection_id")).toMatch(/^con_/);
    expect(fake.tokenRequests.at(-1)!.headers.accept).toContain("application/json");
    const invoked = await api("POST", `/v1/invoke/${slug}/me.get`, keys.appOne!, { connection: `quirk-${quirks}` });
    expect(invoked.status, JSON.stringify(invoked.body)).toBe(200);
    expect(invoked.body).toEqual({ login: "octo", quirks });
  });

  it("refreshes a connected user's tokens with the OAuth client's current secret (rotated after the user connected)", async () => {
    const session = await createSession({ user: "rotate-user", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    await browser.follow(await decide(browser, await startFlow(browser, session.url), "approve"), {}, SUCCESS);
    // The app rotates its client secret; app-one's client keeps the new one for the tests after this.
    const secret = provider.rotateClientSecret();
    {
      expect((await api("PUT", "/v1/apps/app-one/oauth-clients/acme-oauth", keys.tenant!, { clientId: provider.clientId, clientSecret: secret, scopes: ["read"] })).status).toBe(200);
      provider.revokeAccessTokens();
      const invoked = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "rotate-user" });
      expect(invoked.status, JSON.stringify(invoked.body)).toBe(200);
      expect(provider.tokenRequests.at(-1)!.form.grant_type).toBe("refresh_token");
      expect(provider.tokenOutcomes.at(-1)).toBe("issued");
      expect((await connectionsOf(keys.appOne!, "rotate-user"))[0]).toMatchObject({ status: "active" });
    }
  });

  it("marks a connection needs_reauth when its refresh is refused with invalid_grant; invokes then answer a reconnect link", async () => {
    const session = await createSession({ user: "reauth-user", integrations: ["acme-oauth"] });
    const browser = new CookieBrowser();
    await browser.follow(await decide(browser, await startFlow(browser, session.url), "approve"), {}, SUCCESS);
    provider.revokeTokens();
    {
      const refused = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "reauth-user" });
      expect(refused.status).toBe(409);
      expect(refused.body.type).toBe("https://waygate.dev/problems/connection-needs-reauth");
      expect(refused.body.connectUrl).toMatch(new RegExp(`^${server.url}/connect\\?token=wgcs_`));
      expect((await connectionsOf(keys.appOne!, "reauth-user"))[0]).toMatchObject({ status: "needs_reauth" });
      const again = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "reauth-user" });
      expect(again.body.type).toBe("https://waygate.dev/problems/connection-needs-reauth");

      // Reconnecting through the link makes the same connection active again.
      const reconnect = new CookieBrowser();
      const done = await reconnect.follow(await decide(reconnect, await startFlow(reconnect, refused.body.connectUrl), "approve"));
      expect(await done.response.text()).toContain("Connected");
      expect((await connectionsOf(keys.appOne!, "reauth-user"))).toMatchObject([{ status: "active" }]);
      expect((await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "reauth-user" })).status).toBe(200);
    }
    expect(events.at(-1)).toMatchObject({ type: "connection.updated", externalUserId: "reauth-user" });
  });

  it("offers each integration of a session its own way in: OAuth2 where the app has a client, a key form otherwise, and says when neither works", async () => {
    await saveIntegration(store, tenantId, oauthIntegration("no-client", provider));
    const session = await createSession({ user: "multi-user", integrations: ["acme-oauth", "keyed", "no-client"] });
    const browser = new CookieBrowser();
    const page = await browser.follow(session.url);
    const html = await page.response.text();
    expect(html).toContain("app-one wants to connect to your accounts");
    expect(html).toContain("Continue to Fake acme-oauth");
    expect(html).toContain("Connect Keyed API");
    expect(html).toContain("the app has no OAuth client for this integration yet");
    // An integration the session does not name cannot be started, whatever the form says.
    const forged = await browser.request(`${server.url}/connect/authorize`, { form: { csrf: hiddenField(html, "csrf"), integration: "slacky" } });
    expect(forged.status).toBe(409);
    expect(await connectionsOf(keys.appOne!, "multi-user")).toEqual([]);
  });

  it("the generated client's wg.connect.createSession makes a session the page accepts", async () => {
    const generated = await loadGeneratedClient(loadManifest("small-manifest.json"));
    const wg = generated.module.createWaygate({ apiKey: keys.appOne!, baseUrl: server.url }) as { connect: { createSession(input: object): Promise<{ url: string }> } };
    const created = await wg.connect.createSession({ user: "from-sdk", integrations: ["keyed"] });
    expect(created.url).toMatch(/\/connect\?token=wgcs_/);
    expect((await new CookieBrowser().follow(created.url)).response.status).toBe(200);
    expect(Object.keys(wg)).not.toContain("connect");
  });

  it("answers a connect link when the call names an end user who has not connected yet", async () => {
    const refused = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "new-user" });
    expect(refused.status).toBe(404);
    expect(refused.body.type).toBe("https://waygate.dev/problems/connection-not-found");
    expect(refused.body.connectUrl).toMatch(/\/connect\?token=wgcs_/);
    // A caller retrying gets the same unused link, not a new session per call.
    const again = await api("POST", "/v1/invoke/acme-oauth/me.get", keys.appOne!, { connection: "new-user" });
    expect(again.body.connectUrl).toBe(refused.body.connectUrl);
  });
});
