import type { IncomingMessage } from "node:http";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieBrowser, hiddenField, saveIntegration } from "../../test/support/connect.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";

/**
 * The connect flow against oauth2-mock-server, a standards-following authorization server
 * from npm (no provider quirks): it verifies PKCE at its token endpoint (S256 challenge from
 * /authorize, verifier at /token) and, told to, sends `iss` in the redirect (RFC 9207), which
 * the callback checks against the configured issuer.
 */
describe("just-in-time auth against oauth2-mock-server", () => {
  let server: TestServer;
  let oauth: OAuth2Server;
  let issuer = "";
  let appKey = "";
  const issuedTokens: string[] = [];
  const userinfoAuthorization: string[] = [];

  beforeAll(async () => {
    oauth = new OAuth2Server();
    await oauth.issuer.keys.generate("RS256");
    await oauth.start(0, "127.0.0.1");
    issuer = oauth.issuer.url!;
    oauth.service.on("beforeAuthorizeRedirect", ({ url }: { url: URL }) => url.searchParams.set("iss", issuer));
    oauth.service.on("beforeResponse", (response: { body: Record<string, unknown> }) => {
      // The flow asks for no OpenID scope: the ID token the mock adds anyway is left out.
      delete response.body.id_token;
      if (typeof response.body.access_token === "string") issuedTokens.push(response.body.access_token);
    });
    oauth.service.on("beforeUserinfo", (_response: unknown, req: IncomingMessage) => userinfoAuthorization.push(String(req.headers.authorization)));

    server = await startTestServer();
    await saveIntegration(server.store, server.tenantId, {
      slug: "standard",
      name: "Standard OAuth",
      baseUrl: issuer,
      authSchemes: [{ type: "oauth2", flows: { authorizationCode: { authorizationUrl: `${issuer}/authorize`, tokenUrl: `${issuer}/token`, scopes: {} } } }],
      actions: [{ name: "me.get", method: "GET", path: "/userinfo" }],
    });
    const app = await server.store.apps.create(server.tenantId, "web");
    if (app === "name-taken") throw new Error("unexpected");
    appKey = (await server.store.keys.issue({ tenantId: server.tenantId, kind: "app", appId: app.id })).secret;
    const set = await fetch(`${server.url}/v1/apps/web/oauth-clients/standard`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" },
      body: JSON.stringify({ clientId: "waygate-test", clientSecret: "mock-secret", scopes: ["read"], issuer }),
    });
    expect(set.status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await oauth?.stop();
  });

  it("connects through the mock (PKCE verified by it, iss checked), and the invoke sends the token it issued", async () => {
    const created = await fetch(`${server.url}/v1/connect/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${appKey}`, "content-type": "application/json" },
      body: JSON.stringify({ user: "std-user", integrations: ["standard"] }),
    });
    const session = (await created.json()) as { url: string };
    const browser = new CookieBrowser();
    const html = await (await browser.follow(session.url)).response.text();
    const started = await browser.request(`${server.url}/connect/authorize`, { form: { csrf: hiddenField(html, "csrf"), integration: "standard" } });
    expect(new URL(started.headers.get("location")!).searchParams.get("code_challenge_method")).toBe("S256");
    const done = await browser.follow(started.headers.get("location")!);
    expect(await done.response.text()).toContain("Connected");
    expect(issuedTokens).toHaveLength(1);

    const invoked = await fetch(`${server.url}/v1/invoke/standard/me.get`, {
      method: "POST",
      headers: { authorization: `Bearer ${appKey}`, "content-type": "application/json" },
      body: JSON.stringify({ connection: "std-user" }),
    });
    expect(invoked.status).toBe(200);
    expect(await invoked.json()).toEqual({ sub: "johndoe" });
    expect(userinfoAuthorization).toEqual([`Bearer ${issuedTokens[0]}`]);
  });
});
