import * as oauth from "oauth4webapi";
import { bareHostname, isLoopbackAddress } from "../importer/net-guard.js";
import type { OAuth2Credentials } from "./types.js";

/*
 * The OAuth 2.0 authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636) for the connect
 * flow: oauth4webapi does the protocol (state and `iss` checks, the token request, the
 * response's validation); this module adds only what real providers need on top, in one
 * small, tested function (`normaliseTokenResponse`), and sends the token request through the
 * gateway's transport (and its private-network guard).
 */

/** What the flow needs of an OAuth client and its provider's endpoints. */
export interface AuthorizationCodeClient {
  clientId: string;
  clientSecret: string | null;
  authorizeUrl: string;
  tokenUrl: string;
  /** The provider's issuer: when known, the callback requires `iss` and checks it (RFC 9207). */
  issuer: string | null;
  /** Resource indicator (RFC 8707). */
  resource: string | null;
}

/** Sends the token request: the gateway's transport in production. Answers status, content type and body text. */
export type TokenTransport = (url: URL, headers: Record<string, string>, body: string) => Promise<{ status: number; contentType: string; body: string }>;

/** A fresh PKCE verifier and `state`, each 256 random bits (RFC 7636 §4.1, RFC 6749 §10.12). */
export function newAuthorizationSecrets(): { state: string; verifier: string } {
  return { state: oauth.generateRandomState(), verifier: oauth.generateRandomCodeVerifier() };
}

/** The provider URL the browser is sent to (RFC 6749 §4.1.1), with the S256 code challenge. */
export async function authorizationUrl(client: AuthorizationCodeClient, input: { redirectUri: string; state: string; verifier: string; scopes: readonly string[] }): Promise<URL> {
  const url = new URL(client.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(input.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  if (input.scopes.length > 0) url.searchParams.set("scope", input.scopes.join(" "));
  if (client.resource) url.searchParams.set("resource", client.resource);
  return url;
}

/** Why an exchange failed, as the connect flow reports it (never the provider's free text). */
export class AuthorizationCodeError extends Error {
  override readonly name = "AuthorizationCodeError";
  constructor(
    readonly code: "access_denied" | "provider_error" | "invalid_state" | "token_exchange_failed",
    /** The provider's RFC 6749 error code, when it sent one. */
    readonly oauthError: string | null,
    options?: { cause?: unknown },
  ) {
    super(`${code}${oauthError ? ` (${oauthError})` : ""}`, options);
  }
}

/**
 * Checks the callback's parameters (`state`, `iss`, an `error` from the provider) and trades
 * the code for tokens with the PKCE verifier. Resolves credentials to store.
 */
export async function exchangeAuthorizationCode(
  client: AuthorizationCodeClient,
  input: { callback: URLSearchParams; state: string; verifier: string; redirectUri: string; scopes: readonly string[]; send: TokenTransport; now: number },
): Promise<OAuth2Credentials> {
  const as: oauth.AuthorizationServer = {
    issuer: client.issuer ?? new URL(client.authorizeUrl).origin,
    authorization_endpoint: client.authorizeUrl,
    token_endpoint: client.tokenUrl,
    ...(client.issuer ? { authorization_response_iss_parameter_supported: true } : {}),
  };
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const parameters = new URLSearchParams(input.callback);
  // Without a known issuer there is nothing to compare `iss` with; the state already binds
  // this response to the one authorization request this session made.
  if (!client.issuer) parameters.delete("iss");
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, oauthClient, parameters, input.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new AuthorizationCodeError(error.error === "access_denied" ? "access_denied" : "provider_error", error.error, { cause: error });
    }
    throw new AuthorizationCodeError("invalid_state", null, { cause: error });
  }
  const auth = client.clientSecret ? oauth.ClientSecretBasic(client.clientSecret) : oauth.None();
  const tokenUrl = new URL(client.tokenUrl);
  const options: oauth.TokenEndpointRequestOptions = {
    ...(client.resource ? { additionalParameters: { resource: client.resource } } : {}),
    // The transport enforces which addresses may be reached; plain http is for loopback test servers only.
    [oauth.allowInsecureRequests]: tokenUrl.protocol === "http:" && isLoopbackHost(tokenUrl),
    [oauth.customFetch]: async (url, init) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      // GitHub answers form-encoded unless asked for JSON.
      headers["accept"] = "application/json";
      const sent = await input.send(new URL(url), headers, String(init.body ?? ""));
      const normalised = normaliseTokenResponse(sent.status, sent.contentType, sent.body);
      return new Response(JSON.stringify(normalised.body), { status: normalised.status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
    },
  };
  let tokens: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, oauthClient, auth, validated, input.redirectUri, input.verifier, options);
    tokens = await oauth.processAuthorizationCodeResponse(as, oauthClient, response);
  } catch (error) {
    const oauthError = error instanceof oauth.ResponseBodyError ? error.error : null;
    throw new AuthorizationCodeError("token_exchange_failed", oauthError, { cause: error });
  }
  // No client secret in the connection: refreshes borrow the OAuth client's current one.
  const credentials: OAuth2Credentials = { type: "oauth2", accessToken: tokens.access_token, tokenUrl: client.tokenUrl, clientId: client.clientId };
  if (tokens.refresh_token) credentials.refreshToken = tokens.refresh_token;
  if (typeof tokens.expires_in === "number") credentials.expiresAt = new Date(input.now + tokens.expires_in * 1000).toISOString();
  const scopes = typeof tokens.scope === "string" ? tokens.scope.split(/[\s,]+/).filter(Boolean) : [...input.scopes];
  if (scopes.length > 0) credentials.scopes = scopes;
  return credentials;
}

/**
 * Real providers' token responses, made into what RFC 6749 §5.1/§5.2 describe:
 * - a form-encoded body (GitHub without `Accept: application/json`) is read as fields;
 * - Slack answers HTTP 200 with `ok: false` and `error` for a refusal (→ 400 with that error),
 *   and for user tokens nests them under `authed_user` (→ lifted to the top);
 * - `token_type` may be missing or in any case (`bearer`, `Bearer`, Slack's `user`): a token
 *   that came with no type is a bearer token (RFC 6750), which is how every one of them is sent;
 * - `expires_in` may be missing (no expiry) or a numeric string.
 */
export function normaliseTokenResponse(status: number, contentType: string, text: string): { status: number; body: Record<string, unknown> } {
  let body: Record<string, unknown>;
  if (/json/i.test(contentType) || /^\s*\{/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      body = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
  } else {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  if (body.ok === false) return { status: status >= 400 ? status : 400, body: { error: typeof body.error === "string" ? body.error : "invalid_request" } };
  const nested = body.authed_user;
  if (typeof body.access_token !== "string" && typeof nested === "object" && nested !== null && typeof (nested as Record<string, unknown>).access_token === "string") {
    body = { ...(nested as Record<string, unknown>) };
  }
  if (typeof body.error === "string" && typeof body.access_token !== "string") return { status: status >= 400 ? status : 400, body: { error: body.error } };
  if (typeof body.access_token === "string") {
    const type = typeof body.token_type === "string" ? body.token_type.toLowerCase() : "bearer";
    body.token_type = type === "dpop" ? "dpop" : "bearer";
    if (typeof body.expires_in === "string" && /^\d+$/.test(body.expires_in)) body.expires_in = Number(body.expires_in);
    if (body.expires_in !== undefined && typeof body.expires_in !== "number") delete body.expires_in;
    if (Array.isArray(body.scope)) body.scope = body.scope.join(" ");
  }
  return { status, body };
}

function isLoopbackHost(url: URL): boolean {
  return url.hostname === "localhost" || isLoopbackAddress(bareHostname(url));
}
