import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OAuth 2.0 authorization server for tests, with the quirks of real providers:
 * - "standard": RFC 6749 JSON, `token_type: "Bearer"`, `expires_in`, a refresh token;
 * - "github": form-encoded tokens unless the request says `Accept: application/json`,
 *   lower-case `token_type`, no `expires_in`, comma-separated scopes;
 * - "slack": HTTP 200 with `ok: false` for refusals, user tokens nested under `authed_user`.
 * It shows a consent page (Approve / Deny), checks the client, the redirect URI and PKCE
 * (S256) at the token endpoint, allows each code once, and serves `GET /api/me`, which
 * accepts only tokens it issued: the "real upstream" invokes reach.
 */
export interface FakeProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Every token request, as received (form fields and headers). */
  tokenRequests: Array<{ form: Record<string, string>; headers: IncomingMessage["headers"] }>;
  /** Outcomes the token endpoint reached: "issued", or why it refused. */
  tokenOutcomes: string[];
  /** Access tokens `GET /api/me` accepted. */
  apiCalls: string[];
  /** The token endpoint answers 500 from now on (a provider outage). */
  failTokenEndpoint(fail: boolean): void;
  /** Every token issued so far stops working (the user revoked the app): the API answers 401, refresh answers invalid_grant. */
  revokeTokens(): void;
  /** Access tokens stop working (they expired early); refresh tokens still do. */
  revokeAccessTokens(): void;
  /** A new client secret (the app rotated it); the old one is refused from now on. */
  rotateClientSecret(): string;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  used: boolean;
}

export async function startFakeProvider(quirks: "standard" | "github" | "slack" = "standard"): Promise<FakeProvider> {
  const clientId = `client-${randomBytes(4).toString("hex")}`;
  let clientSecret = `secret-${randomBytes(12).toString("hex")}`;
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const tokenRequests: FakeProvider["tokenRequests"] = [];
  const tokenOutcomes: string[] = [];
  const apiCalls: string[] = [];
  let failTokens = false;

  const issue = (scope: string) => {
    const accessToken = `at-${quirks}-${randomBytes(12).toString("hex")}`;
    const refreshToken = `rt-${randomBytes(12).toString("hex")}`;
    accessTokens.add(accessToken);
    refreshTokens.add(refreshToken);
    return { accessToken, refreshToken, scope };
  };

  const refuse = (res: ServerResponse, error: string) => {
    tokenOutcomes.push(error);
    if (quirks === "slack") return json(res, 200, { ok: false, error });
    json(res, 400, { error });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://provider.test");
    const body = req.method === "POST" ? await readBody(req) : "";
    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId) return text(res, 400, "unknown client_id");
      if (q.get("response_type") !== "code" || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) return text(res, 400, "PKCE S256 is required");
      const hidden = ["redirect_uri", "state", "code_challenge", "scope"].map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(q.get(name) ?? "")}">`).join("");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>Fake provider consent</title></head><body>
<h1>Allow the app to use your account?</h1><p>Scopes: ${escapeHtml(q.get("scope") ?? "(none)")}</p>
<form method="post" action="/authorize/decision">${hidden}<button name="decision" value="approve" id="approve">Approve</button><button name="decision" value="deny" id="deny">Deny</button></form></body></html>`);
    }
    if (req.method === "POST" && url.pathname === "/authorize/decision") {
      const form = Object.fromEntries(new URLSearchParams(body));
      const back = new URL(form.redirect_uri!);
      back.searchParams.set("state", form.state ?? "");
      if (form.decision === "approve") {
        const code = `code-${randomBytes(12).toString("hex")}`;
        codes.set(code, { clientId, redirectUri: form.redirect_uri!, challenge: form.code_challenge!, scope: form.scope ?? "", used: false });
        back.searchParams.set("code", code);
      } else {
        back.searchParams.set("error", "access_denied");
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/token") {
      const form = Object.fromEntries(new URLSearchParams(body));
      tokenRequests.push({ form, headers: req.headers });
      if (failTokens) {
        tokenOutcomes.push("outage");
        return text(res, 500, "internal error");
      }
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const [id, secret] = basic ? Buffer.from(basic, "base64").toString().split(":").map(decodeURIComponent) : [form.client_id, form.client_secret];
      if (id !== clientId || secret !== clientSecret) return refuse(res, "invalid_client");
      let tokens: ReturnType<typeof issue>;
      if (form.grant_type === "authorization_code") {
        const pending = codes.get(form.code ?? "");
        if (!pending || pending.used) return refuse(res, "invalid_grant");
        pending.used = true;
        if (pending.redirectUri !== form.redirect_uri) return refuse(res, "invalid_grant");
        const challenge = createHash("sha256").update(form.code_verifier ?? "").digest("base64url");
        if (challenge !== pending.challenge) return refuse(res, "invalid_grant");
        tokens = issue(pending.scope);
      } else if (form.grant_type === "refresh_token") {
        if (!refreshTokens.has(form.refresh_token ?? "")) return refuse(res, "invalid_grant");
        tokens = issue(form.scope ?? "");
      } else {
        return refuse(res, "unsupported_grant_type");
      }
      tokenOutcomes.push("issued");
      if (quirks === "github") {
        const fields = { access_token: tokens.accessToken, token_type: "bearer", scope: tokens.scope.split(" ").join(",") };
        if (!(req.headers.accept ?? "").includes("application/json")) {
          res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
          return res.end(new URLSearchParams(fields).toString());
        }
        return json(res, 200, fields);
      }
      if (quirks === "slack") {
        return json(res, 200, { ok: true, app_id: "A1", authed_user: { id: "U1", scope: tokens.scope, access_token: tokens.accessToken, token_type: "user" }, team: { id: "T1" } });
      }
      return json(res, 200, { access_token: tokens.accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: tokens.refreshToken, scope: tokens.scope });
    }
    if (req.method === "GET" && url.pathname === "/api/me") {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (!token || !accessTokens.has(token)) return json(res, 401, { message: "bad token" });
      apiCalls.push(token);
      return json(res, 200, { login: "octo", quirks });
    }
    text(res, 404, "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    get clientSecret() {
      return clientSecret;
    },
    tokenRequests,
    tokenOutcomes,
    apiCalls,
    failTokenEndpoint: (fail) => void (failTokens = fail),
    revokeAccessTokens: () => accessTokens.clear(),
    rotateClientSecret: () => (clientSecret = `secret-${randomBytes(12).toString("hex")}`),
    revokeTokens: () => {
      accessTokens.clear();
      refreshTokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An integration whose only scheme is the provider's OAuth2 authorization-code flow, with one action on its API. */
export function oauthIntegration(slug: string, provider: FakeProvider) {
  return {
    slug,
    name: `Fake ${slug}`,
    baseUrl: `${provider.url}/api`,
    authSchemes: [{ type: "oauth2", flows: { authorizationCode: { authorizationUrl: `${provider.url}/authorize`, tokenUrl: `${provider.url}/token`, scopes: { read: "read" } } } }],
    actions: [{ name: "me.get", method: "GET", path: "/me" }],
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
