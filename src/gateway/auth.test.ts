import { describe, expect, it } from "vitest";
import { applyAuth, planAuth } from "./auth.js";
import { OAuthRefresher, credentialsFromTokenResponse, isExpired, refreshGrant, tokenEndpoint } from "./oauth.js";
import { GatewayError, PROBLEM_OAUTH_REFRESH_FAILED } from "./problems.js";
import { parseBaseUrl } from "./request.js";
import type { PreparedRequest } from "./request.js";
import type { Connection, OAuth2Credentials } from "./types.js";

const request = (): PreparedRequest => ({ method: "GET", url: new URL("https://api.example.com/v1/x?api_key=caller"), headers: {}, cookies: [["a", "1"]], body: null });
const oauth: OAuth2Credentials = { type: "oauth2", accessToken: "at", refreshToken: "rt", clientId: "id", clientSecret: "s&cret" };

describe("planAuth", () => {
  it("needs nothing when the integration declares no scheme and no connection is given", () => {
    expect(planAuth([], null)).toEqual({ kind: "none" });
  });

  it("puts bearer and OAuth credentials in Authorization when the integration declares no scheme (GitHub's spec)", () => {
    expect(planAuth([], { id: "c", credentials: { type: "bearer", token: "t" } })).toEqual({ kind: "authorization" });
    expect(() => planAuth([], { id: "c", credentials: { type: "apiKey", key: "k" } })).toThrow(/no API key location/);
  });

  it("accepts an OAuth connection for a bearer scheme and a bearer connection for an oauth2 scheme (RFC 6750)", () => {
    expect(planAuth([{ type: "bearer" }], { id: "c", credentials: oauth })).toEqual({ kind: "authorization" });
    expect(planAuth([{ type: "oauth2", flows: {} }], { id: "c", credentials: { type: "bearer", token: "t" } })).toEqual({ kind: "authorization" });
  });

  it("picks the scheme matching the credential among several", () => {
    const schemes = [{ type: "bearer" as const }, { type: "apiKey" as const, name: "X-Key", in: "header" as const }];
    expect(planAuth(schemes, { id: "c", credentials: { type: "apiKey", key: "k" } })).toEqual({ kind: "apiKey", name: "X-Key", in: "header" });
  });
});

describe("applyAuth", () => {
  it("replaces a caller-supplied query parameter of the same name with the API key", () => {
    const authed = applyAuth(request(), { kind: "apiKey", name: "api_key", in: "query" }, { type: "apiKey", key: "k 1" });
    expect(authed.url.search).toBe("?api_key=k%201");
  });

  it("adds a cookie without dropping the input's cookies and leaves the original request alone", () => {
    const original = request();
    const authed = applyAuth(original, { kind: "apiKey", name: "sid", in: "cookie" }, { type: "apiKey", key: "k" });
    expect(authed.cookies).toEqual([["a", "1"], ["sid", "k"]]);
    expect(original.cookies).toEqual([["a", "1"]]);
  });

  it("refuses credentials containing CR/LF without naming them", () => {
    const attempt = () => applyAuth(request(), { kind: "authorization" }, { type: "bearer", token: "abc\r\nX-Evil: 1" });
    expect(attempt).toThrow(GatewayError);
    expect(attempt).not.toThrow(/abc/);
  });

  it("refuses a basic username containing a colon (RFC 7617 §2)", () => {
    expect(() => applyAuth(request(), { kind: "authorization" }, { type: "basic", username: "a:b", password: "p" })).toThrow(/may not contain ':'/);
  });
});

describe("OAuth helpers", () => {
  it("treats a token as expired 30 s before expiresAt", () => {
    const at = Date.UTC(2025, 0, 1);
    const credentials = { ...oauth, expiresAt: new Date(at + 29_000).toISOString() };
    expect(isExpired(credentials, at)).toBe(true);
    expect(isExpired({ ...oauth, expiresAt: new Date(at + 31_000).toISOString() }, at)).toBe(false);
    expect(isExpired(oauth, at)).toBe(false);
  });

  it("builds the refresh_token grant with form-encoded HTTP Basic client authentication (RFC 6749 §2.3.1, §6)", () => {
    const grant = refreshGrant({ ...oauth, scopes: ["read", "write"] });
    expect(grant.body).toBe("grant_type=refresh_token&refresh_token=rt&scope=read+write");
    expect(grant.headers["authorization"]).toBe(`Basic ${Buffer.from("id:s%26cret").toString("base64")}`);
    expect(refreshGrant({ type: "oauth2", accessToken: "a", refreshToken: "r", clientId: "public" }).body).toBe("grant_type=refresh_token&refresh_token=r&client_id=public");
  });

  it("keeps the old refresh token when the response has none, and computes expiresAt from expires_in", () => {
    const next = credentialsFromTokenResponse({ ...oauth, expiresAt: "2020-01-01T00:00:00Z" }, 200, { access_token: "new", expires_in: 60 }, Date.UTC(2025, 0, 1));
    expect(next).toMatchObject({ accessToken: "new", refreshToken: "rt", expiresAt: "2025-01-01T00:01:00.000Z" });
  });

  it("prefers the connection's token URL, then the flow's refreshUrl, then its tokenUrl", () => {
    const schemes = [{ type: "oauth2" as const, flows: { authorizationCode: { tokenUrl: "https://t", refreshUrl: "https://r", scopes: {} } } }];
    expect(tokenEndpoint({ ...oauth, tokenUrl: "https://own" }, schemes)).toBe("https://own");
    expect(tokenEndpoint(oauth, schemes)).toBe("https://r");
    expect(tokenEndpoint(oauth, [])).toBeUndefined();
  });

  it("shares one in-flight refresh per connection and wraps a failing refresh in oauth-refresh-failed", async () => {
    const refresher = new OAuthRefresher();
    const connection: Connection = { id: "c", credentials: oauth };
    let calls = 0;
    const refresh = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { ...oauth, accessToken: "at-2" };
    };
    const results = await Promise.all([1, 2, 3].map(() => refresher.refreshFrom(connection, oauth, refresh)));
    expect(calls).toBe(1);
    expect(results.map((r) => r.accessToken)).toEqual(["at-2", "at-2", "at-2"]);
    expect(refresher.current(connection)).toMatchObject({ accessToken: "at-2" });

    const failing = refresher.refreshFrom({ id: "d", credentials: oauth }, oauth, () => Promise.reject(new Error("boom rt")));
    await expect(failing).rejects.toMatchObject({ problem: { type: PROBLEM_OAUTH_REFRESH_FAILED } });
  });
});

describe("base URL", () => {
  it("refuses non-http schemes and embedded credentials", () => {
    expect(() => parseBaseUrl("file:///etc/passwd")).toThrow(GatewayError);
    expect(() => parseBaseUrl("https://u:p@api.example.com")).toThrow(GatewayError);
  });
});
