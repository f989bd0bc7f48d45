import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthScheme } from "../contract/integrations.js";
import { Gateway } from "./gateway.js";
import { credentialsFromTokenResponse, refreshGrant } from "./oauth.js";
import type { TokenResponse } from "./oauth.js";
import { PROBLEM_AUTH_MISSING, PROBLEM_CONNECTION_REQUIRED, PROBLEM_OAUTH_REFRESH_FAILED, PROBLEM_UPSTREAM_ERROR } from "./problems.js";
import { actionOf, acmeIntegration, startUpstream } from "./test-upstream.js";
import type { Received, Upstream } from "./test-upstream.js";
import type { Connection, Credentials, GatewayDeps, OAuth2Credentials } from "./types.js";
import { problemOf } from "./test-problem.js";

let upstream: Upstream;
const gateways: Gateway[] = [];
/** The access token the fake authorisation server currently honours, and its refresh tokens (rotated on use). */
let validAccessToken = "at-1";
let validRefreshToken = "rt-1";
let issued = 0;

const profile = { id: 1, name: "mona" };

function ok(check: (request: Received) => boolean) {
  return (request: Received) => (check(request) ? { body: profile } : { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' }, body: { message: "bad credentials" } });
}

beforeAll(async () => {
  upstream = await startUpstream({
    "GET /api/items/1": ok((request) => request.headers["authorization"] === `Bearer ${validAccessToken}`),
    "POST /oauth/token": (request) => {
      const form = new URLSearchParams(request.body.toString());
      // §2.3.1: the client id and secret are form-encoded ("secret 1" → "secret+1") before base64.
      if (request.headers["authorization"] !== `Basic ${Buffer.from("client-1:secret+1").toString("base64")}`) return { status: 401, body: { error: "invalid_client" } };
      if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== validRefreshToken) return { status: 400, body: { error: "invalid_grant" } };
      issued++;
      validAccessToken = `at-${issued + 1}`;
      validRefreshToken = `rt-${issued + 1}`;
      return { body: { access_token: validAccessToken, token_type: "Bearer", expires_in: 3600, refresh_token: validRefreshToken } };
    },
  });
});

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

afterAll(() => upstream.close());

function gatewayWith(deps: GatewayDeps = {}) {
  const gateway = new Gateway({ upstreams: "loopback", ...deps });
  gateways.push(gateway);
  return gateway;
}

function invokeWith(gateway: Gateway, schemes: AuthScheme[], credentials: Credentials | null, connectionId = "conn-1") {
  const definition = acmeIntegration(upstream.url);
  return gateway.invoke({
    integration: { slug: "acme", version: 1, baseUrl: definition.baseUrl, authSchemes: schemes },
    action: actionOf(definition, "items.get"),
    input: { itemId: "1" },
    connection: credentials ? { id: connectionId, credentials } : null,
    options: {},
  });
}

describe("credential injection", () => {
  it.each([
    ["an API key header", { type: "apiKey", name: "X-Api-Key", in: "header" }, (r: Received) => r.headers["x-api-key"] === "key-123"],
    ["an API key query parameter", { type: "apiKey", name: "api_key", in: "query" }, (r: Received) => r.query.get("api_key") === "key-123"],
    ["an API key cookie", { type: "apiKey", name: "sid", in: "cookie" }, (r: Received) => r.cookies["sid"] === "key-123"],
  ] as const)("sends %s where the scheme says", async (_label, scheme, check) => {
    upstream.route("GET /api/items/1", ok(check));
    const result = await invokeWith(gatewayWith(), [scheme], { type: "apiKey", key: "key-123" });
    expect(result.body).toEqual(profile);
  });

  it("sends a bearer token in Authorization", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === "Bearer tok-9"));
    const result = await invokeWith(gatewayWith(), [{ type: "bearer" }], { type: "bearer", token: "tok-9" });
    expect(result.status).toBe(200);
  });

  it("sends basic credentials as base64 user:password (RFC 7617)", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === `Basic ${Buffer.from("ann:pa:ss").toString("base64")}`));
    const result = await invokeWith(gatewayWith(), [{ type: "basic" }], { type: "basic", username: "ann", password: "pa:ss" });
    expect(result.status).toBe(200);
  });

  it("answers 400 connection-required when the integration needs credentials and no connection is given", async () => {
    const problem = await problemOf(invokeWith(gatewayWith(), [{ type: "bearer" }], null));
    expect(problem).toMatchObject({ type: PROBLEM_CONNECTION_REQUIRED, status: 400 });
    expect(problem.detail).toMatch(/named no connection/);
  });

  it("answers 400 auth-missing when the connection holds a kind of credential the integration does not accept", async () => {
    const problem = await problemOf(invokeWith(gatewayWith(), [{ type: "apiKey", name: "k", in: "header" }], { type: "basic", username: "a", password: "b" }));
    expect(problem).toMatchObject({ type: PROBLEM_AUTH_MISSING, status: 400 });
  });

  it("passes an upstream 401 through as upstream-error without repeating the secret it refused", async () => {
    upstream.route("GET /api/items/1", (request) => ({ status: 401, body: { message: `token ${String(request.headers["authorization"]).slice(7)} is revoked` } }));
    const problem = await problemOf(invokeWith(gatewayWith(), [{ type: "bearer" }], { type: "bearer", token: "tok-secret-77" }));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 401, upstream: { status: 401, body: { message: "token [redacted] is revoked" } } });
    expect(JSON.stringify(problem)).not.toContain("tok-secret-77");
  });
});

describe("OAuth 2 refresh (RFC 6749 §6)", () => {
  const oauthScheme: AuthScheme = { type: "oauth2", flows: { authorizationCode: { tokenUrl: "", scopes: {} } } };

  function expired(accessToken: string, refreshToken: string): OAuth2Credentials {
    return {
      type: "oauth2",
      accessToken,
      refreshToken,
      expiresAt: new Date(Date.now() + 10_000).toISOString(), // inside the 30 s skew
      tokenUrl: `${upstream.url}/oauth/token`,
      clientId: "client-1",
      clientSecret: "secret 1",
    };
  }

  it("refreshes an expired token at the token endpoint before calling the upstream", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === `Bearer ${validAccessToken}`));
    const stale = validAccessToken;
    const result = await invokeWith(gatewayWith(), [oauthScheme], expired(stale, validRefreshToken));
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(1);
    const [grant] = upstream.hits("POST /oauth/token").slice(-1);
    expect(grant?.body.toString()).toBe(`grant_type=refresh_token&refresh_token=rt-${issued}`);
    expect(upstream.hits("GET /api/items/1").at(-1)?.headers["authorization"]).not.toBe(`Bearer ${stale}`);
  });

  it("lets 100 concurrent invokes with the same expired token cause exactly one refresh", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === `Bearer ${validAccessToken}`));
    const refreshes: Connection[] = [];
    const persisted = new Map<string, Credentials>();
    const gateway = gatewayWith({
      refreshOAuth: async (connection) => {
        refreshes.push(connection);
        await new Promise((resolve) => setTimeout(resolve, 20));
        // What a server's refreshOAuth does: the grant request, then persist.
        const previous = connection.credentials as OAuth2Credentials;
        const grant = refreshGrant(previous);
        const response = await fetch(`${upstream.url}/oauth/token`, { method: "POST", body: grant.body, headers: grant.headers });
        const next = credentialsFromTokenResponse(previous, response.status, (await response.json()) as TokenResponse, Date.now());
        persisted.set(connection.id, next);
        return next;
      },
    });
    const stale = expired(validAccessToken, validRefreshToken);
    const before = upstream.hits("POST /oauth/token").length;
    const results = await Promise.all(Array.from({ length: 100 }, () => invokeWith(gateway, [oauthScheme], stale, "conn-many")));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(refreshes).toHaveLength(1);
    expect(upstream.hits("POST /oauth/token").length - before).toBe(1);
    // A later invoke still holding the stale connection reuses the refreshed token instead of spending the rotated refresh token again.
    await expect(invokeWith(gateway, [oauthScheme], stale, "conn-many")).resolves.toMatchObject({ status: 200 });
    expect(refreshes).toHaveLength(1);
    expect(persisted.get("conn-many")).toMatchObject({ accessToken: validAccessToken });
  });

  it("refreshes once and retries when the upstream answers 401 to a token that has not expired", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === `Bearer ${validAccessToken}`));
    const revoked: OAuth2Credentials = { ...expired("at-revoked", validRefreshToken), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    const result = await invokeWith(gatewayWith(), [oauthScheme], revoked, "conn-401");
    expect(result).toMatchObject({ status: 200, attempts: 2 });
  });

  it("does not loop when the refreshed token is refused too", async () => {
    upstream.route("GET /api/items/1", { status: 401, body: { message: "nope" } });
    const { expiresAt: _never, ...revoked } = expired("at-x", validRefreshToken);
    const problem = await problemOf(invokeWith(gatewayWith(), [oauthScheme], revoked, "conn-loop"));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 401 });
    expect(upstream.hits("GET /api/items/1").slice(-2).map((r) => r.headers["authorization"])).toEqual(["Bearer at-x", `Bearer ${validAccessToken}`]);
  });

  it("redacts the refreshed token too when the upstream echoes it in an error", async () => {
    upstream.route("GET /api/items/1", (request) => ({ status: 403, body: { message: `${String(request.headers["authorization"])} may not read this` } }));
    const problem = await problemOf(invokeWith(gatewayWith(), [oauthScheme], expired("at-old-secret", validRefreshToken), "conn-echo"));
    expect(problem).toMatchObject({ type: PROBLEM_UPSTREAM_ERROR, status: 403, upstream: { body: { message: "Bearer [redacted] may not read this" } } });
    expect(upstream.hits("GET /api/items/1").at(-1)?.headers["authorization"]).toBe(`Bearer ${validAccessToken}`);
    expect(JSON.stringify(problem)).not.toContain(validAccessToken);
  });

  it("sends an expired token as it is when the connection holds no refresh token, and lets the upstream judge it", async () => {
    upstream.route("GET /api/items/1", ok((r) => r.headers["authorization"] === "Bearer at-lasting"));
    const { refreshToken: _none, ...unrefreshable } = expired("at-lasting", "unused");
    const before = upstream.hits("POST /oauth/token").length;
    await expect(invokeWith(gatewayWith(), [oauthScheme], unrefreshable, "conn-norefresh")).resolves.toMatchObject({ status: 200, attempts: 1 });
    expect(upstream.hits("POST /oauth/token").length).toBe(before);
  });

  it("answers oauth-refresh-failed naming the OAuth error code but no secret when the grant is refused", async () => {
    const problem = await problemOf(invokeWith(gatewayWith(), [oauthScheme], expired("at-old", "rt-unknown-secret"), "conn-bad"));
    expect(problem).toMatchObject({ type: PROBLEM_OAUTH_REFRESH_FAILED, status: 401 });
    expect(problem.detail).toContain("invalid_grant");
    expect(JSON.stringify(problem)).not.toMatch(/rt-unknown-secret|secret 1|at-old/);
  });

  it("says nothing about what answered when a token endpoint refuses or fails: no status, no body, no address", async () => {
    upstream.route("POST /oauth/internal", { status: 500, body: { error: "server_error", error_description: "db at 10.0.0.5:5432 is down" } });
    const refusing = { ...expired("at-x", "rt-x"), tokenUrl: `${upstream.url}/oauth/internal` };
    const refused = await problemOf(invokeWith(gatewayWith(), [oauthScheme], refusing, "conn-probe-1"));
    // A closed port on this machine: an attacker's probe of what listens where.
    const closed = { ...expired("at-y", "rt-y"), tokenUrl: "http://127.0.0.1:9/oauth/token" };
    const unreachable = await problemOf(invokeWith(gatewayWith(), [oauthScheme], closed, "conn-probe-2"));
    for (const problem of [refused, unreachable]) {
      expect(problem).toMatchObject({ type: PROBLEM_OAUTH_REFRESH_FAILED, status: 401 });
      expect(problem.detail).not.toMatch(/500|10\.0\.0\.5|server_error|127\.0\.0\.1|:9\b|ECONNREFUSED|refused/);
    }
  });
});
