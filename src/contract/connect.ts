import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { ExternalUserIdSchema } from "./connections.js";

/*
 * Just-in-time auth: per-app OAuth clients, connect sessions and the hosted connect page
 * (issue 16). The API routes are in routes.ts; the browser-facing paths (HTML pages and the
 * OAuth callback, which answer with redirects, not JSON) are named here once.
 */

/** Paths the end user's browser visits; not JSON routes, so they are not in the route table. */
export const CONNECT_PAGE_PATHS = {
  /** `GET /connect?token=…` trades the token for a cookie and redirects to `GET /connect`. */
  page: "/connect",
  /** Form posts of the page: start an OAuth2 authorization, or save a key/token/password. */
  authorize: "/connect/authorize",
  credentials: "/connect/credentials",
  /** Where providers send the browser back (the OAuth client's redirect URI). */
  callback: "/v1/oauth/callback",
} as const;

/** Typed error codes the connect flow sends to the error redirect URL (`?error=…`) and in the connection.failed event. */
export const CONNECT_ERROR_CODES = [
  "session_expired",
  "session_used",
  "invalid_state",
  "access_denied",
  "provider_error",
  "token_exchange_failed",
  "no_oauth_client",
  "invalid_credentials",
] as const;
export type ConnectErrorCode = (typeof CONNECT_ERROR_CODES)[number];

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2_000);
const ScopeList = z.array(z.string().min(1).max(500).regex(/^[^\s]+$/, "a scope has no spaces")).max(200);

export const OAuthClientSchema = z
  .object({
    integration: SlugSchema,
    /** The app whose client this is; null for the tenant's default, which apps without their own use. */
    app: z.object({ id: z.string(), name: z.string() }).nullable(),
    clientId: z.string(),
    hasSecret: z.boolean().describe("Whether a client secret is stored (it is never returned)"),
    scopes: z.array(z.string()),
    authorizeUrl: z.string().nullable().describe("Null: the integration's OAuth2 authorization-code flow's"),
    tokenUrl: z.string().nullable(),
    issuer: z.string().nullable(),
    resource: z.string().nullable(),
    updatedAt: TimestampSchema,
  })
  .meta({ id: "OAuthClient" });
export type OAuthClient = z.infer<typeof OAuthClientSchema>;

export const SetOAuthClientSchema = z
  .object({
    clientId: z.string().min(1).max(1_000),
    clientSecret: z.string().min(1).max(10_000).optional().describe("Sealed at rest and never returned; omit for a public client (PKCE only)"),
    scopes: ScopeList.default([]),
    authorizeUrl: HttpUrl.optional().describe("Default: the integration's authorization-code flow's authorizationUrl"),
    tokenUrl: HttpUrl.optional().describe("Default: the integration's authorization-code flow's tokenUrl"),
    issuer: z.string().max(2_000).optional().describe("The authorization server's issuer: the callback then requires and checks `iss` (RFC 9207)"),
    resource: HttpUrl.optional().describe("A resource indicator sent with the authorization and token requests (RFC 8707)"),
  })
  .meta({ id: "SetOAuthClient" });
export type SetOAuthClient = z.infer<typeof SetOAuthClientSchema>;

export const ConnectRedirectUrlsSchema = z
  .object({
    urls: z
      .array(HttpUrl)
      .max(50)
      .describe("Where connect sessions may send the browser back: a URL matches an entry with the same origin and path, or a path under an entry ending in /"),
  })
  .meta({ id: "ConnectRedirectUrls" });

export const ConnectUserSchema = z.object({
  id: ExternalUserIdSchema,
  displayName: z.string().min(1).max(200).optional(),
  email: z.email().max(320).optional(),
});

export const CreateConnectSessionSchema = z
  .object({
    app: z.string().min(1).max(100).optional().describe("App id or name (tenant keys); an app key's sessions are its app's"),
    user: z.union([ExternalUserIdSchema, ConnectUserSchema]).describe("The end user: your id for them, or { id, displayName?, email? }"),
    integrations: z.array(SlugSchema).min(1).max(50).describe("The integrations the end user may connect"),
    scopes: ScopeList.optional().describe("OAuth scopes to ask for; default: the OAuth client's"),
    successUrl: HttpUrl.optional().describe("Where the browser goes once connected (?connection_id=…); must be on the app's redirect allow-list"),
    errorUrl: HttpUrl.optional().describe("Where the browser goes when it fails (?error=<code>); must be on the app's redirect allow-list"),
    expiresInSeconds: z.number().int().min(60).max(86_400).default(1_800),
  })
  .meta({ id: "CreateConnectSession" });
export type CreateConnectSession = z.infer<typeof CreateConnectSessionSchema>;

export const CreatedConnectSessionSchema = z
  .object({
    id: z.string(),
    token: z.string().describe("Single-use; only its hash is stored"),
    url: z.string().describe("The hosted connect page for the end user"),
    expiresAt: TimestampSchema,
  })
  .meta({ id: "CreatedConnectSession" });
export type CreatedConnectSession = z.infer<typeof CreatedConnectSessionSchema>;

export const ConnectSessionStatusSchema = z.enum(["pending", "authorizing", "connected", "failed", "expired"]);

export const ConnectSessionSchema = z
  .object({
    id: z.string(),
    app: z.object({ id: z.string(), name: z.string() }),
    externalUserId: z.string(),
    integrations: z.array(SlugSchema),
    status: ConnectSessionStatusSchema,
    connectionId: z.string().nullable(),
    error: z.enum(CONNECT_ERROR_CODES).nullable(),
    expiresAt: TimestampSchema,
    createdAt: TimestampSchema,
  })
  .meta({ id: "ConnectSession" });
export type ConnectSession = z.infer<typeof ConnectSessionSchema>;

/**
 * What the connect flow tells whoever listens (the signed webhooks, once they exist): one
 * event per finished session. Never a secret, never the session token.
 */
export interface ConnectEvent {
  type: "connection.created" | "connection.updated" | "connection.failed";
  tenantId: string;
  appId: string;
  sessionId: string;
  integration: string | null;
  externalUserId: string;
  connectionId: string | null;
  error: ConnectErrorCode | null;
  at: string;
}
