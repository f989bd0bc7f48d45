import type { AuthScheme } from "../contract/integrations.js";
import { GatewayError, oauthRefreshFailed } from "./problems.js";
import type { Connection, Credentials, OAuth2Credentials } from "./types.js";
import { remember } from "../lib/bounded-map.js";

/** Refresh this long before `expiresAt`, so a token does not expire between our check and the upstream's. */
export const EXPIRY_SKEW_MS = 30_000;
/** Refreshed credentials kept per connection, so callers still holding the old token reuse the new one. */
const MAX_REMEMBERED = 10_000;

export function isExpired(credentials: OAuth2Credentials, now: number): boolean {
  if (credentials.expiresAt === undefined) return false;
  const expiresAt = Date.parse(credentials.expiresAt);
  return Number.isFinite(expiresAt) && expiresAt - EXPIRY_SKEW_MS <= now;
}

export type Refresh = (connection: Connection) => Promise<Credentials>;

/**
 * One refresh at a time per connection id (single flight): concurrent invokes that find
 * the same expired token, or the same 401, share one promise. The result is remembered
 * against the access token it replaced, so an invoke that arrives later with the stale
 * token (its caller read the connection before the refresh was persisted) uses the new
 * one instead of refreshing again — a refresh token may be single-use (RFC 6749 §10.4).
 */
export class OAuthRefresher {
  private readonly inFlight = new Map<string, Promise<OAuth2Credentials>>();
  private readonly refreshed = new Map<string, { from: string; credentials: OAuth2Credentials }>();

  /** The newest credentials known for this connection: a later refresh's result when the caller still holds the token it replaced. */
  current(connection: Connection): Credentials {
    const credentials = connection.credentials;
    if (credentials.type !== "oauth2") return credentials;
    const known = this.refreshed.get(connection.id);
    return known && known.from === credentials.accessToken ? known.credentials : credentials;
  }

  /** Refreshes `stale` (credentials the upstream refused or that expired), sharing any refresh of this connection already under way. */
  async refreshFrom(connection: Connection, stale: OAuth2Credentials, refresh: Refresh): Promise<OAuth2Credentials> {
    const known = this.refreshed.get(connection.id);
    if (known && known.from === stale.accessToken) return known.credentials;
    const running = this.inFlight.get(connection.id);
    if (running) return running;
    const promise = runRefresh(refresh, { id: connection.id, credentials: stale });
    this.inFlight.set(connection.id, promise);
    try {
      const credentials = await promise;
      remember(this.refreshed, connection.id, { from: stale.accessToken, credentials }, MAX_REMEMBERED);
      return credentials;
    } finally {
      this.inFlight.delete(connection.id);
    }
  }
}

async function runRefresh(refresh: Refresh, connection: Connection): Promise<OAuth2Credentials> {
  let result: Credentials;
  try {
    result = await refresh(connection);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw oauthRefreshFailed("the token refresh failed; the connection may need to be authorised again", error);
  }
  if (result?.type !== "oauth2" || typeof result.accessToken !== "string" || result.accessToken === "") {
    throw oauthRefreshFailed("the token refresh returned no access token");
  }
  return result;
}

/** The token endpoint for a refresh: the connection's own, else the integration's oauth2 flow (refreshUrl before tokenUrl). */
export function tokenEndpoint(credentials: OAuth2Credentials, schemes: readonly AuthScheme[]): string | undefined {
  if (credentials.tokenUrl) return credentials.tokenUrl;
  for (const scheme of schemes) {
    if (scheme.type !== "oauth2") continue;
    for (const flow of [scheme.flows.authorizationCode, scheme.flows.clientCredentials, scheme.flows.password]) {
      const url = flow?.refreshUrl ?? flow?.tokenUrl;
      if (url) return url;
    }
  }
  return undefined;
}

export interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  scope?: unknown;
  error?: unknown;
}

/**
 * The refresh_token grant request of RFC 6749 §6, client authenticated with HTTP Basic
 * (§2.3.1) when it has a secret. With `credentialsFromTokenResponse`, what a server's
 * `refreshOAuth` needs before it persists the result.
 *
 * @example
 * const grant = refreshGrant(credentials);
 * const response = await request(tokenUrl, { method: "POST", headers: grant.headers, body: grant.body });
 * const next = credentialsFromTokenResponse(credentials, response.statusCode, (await response.body.json()) as TokenResponse, Date.now());
 */
export function refreshGrant(credentials: OAuth2Credentials): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.refreshToken ?? "" });
  if (credentials.scopes && credentials.scopes.length > 0) form.set("scope", credentials.scopes.join(" "));
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (credentials.clientId && credentials.clientSecret) {
    // §2.3.1: client_id and secret are form-encoded (space → "+") before being joined and base64-encoded.
    const id = formEncode(credentials.clientId);
    const secret = formEncode(credentials.clientSecret);
    headers["authorization"] = `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
  } else if (credentials.clientId) {
    form.set("client_id", credentials.clientId);
  }
  return { headers, body: form.toString() };
}

/**
 * New credentials from a §5.1 token response. A response without `refresh_token` keeps
 * the old one (§6: the server MAY issue a new one); `expires_in` is relative to `now`.
 * An §5.2 error response becomes a problem naming only its standard `error` code: never the
 * status or anything else the endpoint said, since the token URL is the connection's to set
 * and a refusal that described what answered would make the gateway a port scanner.
 */
export function credentialsFromTokenResponse(previous: OAuth2Credentials, status: number, body: TokenResponse, now: number): OAuth2Credentials {
  if (status < 200 || status >= 300 || typeof body.access_token !== "string" || body.access_token === "") {
    const known = typeof body.error === "string" && OAUTH_ERRORS.has(body.error) ? body.error : undefined;
    throw oauthRefreshFailed(`the token endpoint did not issue new tokens${known ? ` (${known})` : ""}; the connection may need to be authorised again`, undefined, known);
  }
  const next: OAuth2Credentials = { ...previous, accessToken: body.access_token };
  if (typeof body.refresh_token === "string" && body.refresh_token !== "") next.refreshToken = body.refresh_token;
  if (typeof body.expires_in === "number" && Number.isFinite(body.expires_in)) next.expiresAt = new Date(now + body.expires_in * 1000).toISOString();
  else delete next.expiresAt;
  if (typeof body.scope === "string") next.scopes = body.scope.split(" ").filter(Boolean);
  return next;
}

/** RFC 6749 §5.2 error codes: the only part of a refusal worth repeating. */
const OAUTH_ERRORS = new Set(["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]);

function formEncode(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}
