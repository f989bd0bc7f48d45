import { randomBytes } from "node:crypto";
import {
  CONNECT_PAGE_PATHS,
  CredentialsSchema,
  type AuthScheme,
  type ConnectErrorCode,
  type ConnectEvent,
  type CreateConnectSession,
  type CreatedConnectSession,
  type Credentials,
  type SetOAuthClient,
} from "../contract/index.js";
import { AuthorizationCodeError, authorizationUrl, exchangeAuthorizationCode, newAuthorizationSecrets, type TokenTransport } from "../gateway/authorization-code.js";
import { remember } from "../lib/bounded-map.js";
import type { ConnectSessionRecord, OAuthClientScope, Store, UsableOAuthClient } from "../store/index.js";

/** Session tokens: a readable prefix and 256 random bits; only the hash is stored. */
const TOKEN_PREFIX = "wgcs_";
/** A reconnect link made for an invoke that failed lives this long. */
const LINK_TTL_SECONDS = 30 * 60;
/** A link is handed out again while it is unused and has this long left, so a retry loop does not make a session per call. */
const LINK_REUSE_MIN_LEFT_MS = 10 * 60_000;
const MAX_REMEMBERED_LINKS = 10_000;
/** Expired sessions stay this long (an app may still ask how one ended), then go with the next prune. */
const EXPIRED_SESSIONS_KEPT_MS = 7 * 24 * 3_600_000;
/** Pruning rides on session creation, at most this often per process: no loop of its own to run or schedule. */
const PRUNE_EVERY_MS = 10 * 60_000;

/** How the end user can connect one integration of a session, as the hosted page shows it. */
export type ConnectMethod =
  | { kind: "oauth2"; scopes: string[]; authorizeOrigin: string }
  | { kind: "apiKey"; name: string }
  | { kind: "bearer" }
  | { kind: "basic" }
  | { kind: "unavailable"; reason: string };

export interface ConnectChoice {
  slug: string;
  name: string;
  method: ConnectMethod;
}

/** Where a finished flow sends the browser: the app's URL, or Waygate's own page when the session named none. */
export type ConnectFinish =
  | { status: "connected"; session: ConnectSessionRecord; connectionId: string; redirect: string | null }
  | { status: "failed"; session: ConnectSessionRecord | null; error: ConnectErrorCode; redirect: string | null };

/** An expected refusal of a service call, with what to tell the caller; the HTTP layer maps `kind` to a status. */
export class ConnectRefusal extends Error {
  override readonly name = "ConnectRefusal";
  constructor(
    readonly kind: "not-found" | "validation" | "conflict",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface ConnectServiceDeps {
  store: Store;
  /** Token requests go through the gateway's transport (and its private-network guard). */
  tokenTransport: TokenTransport;
  /** Told about every finished session (the signed webhooks hang here once they exist). */
  onEvent?: ((event: ConnectEvent) => void) | undefined;
  now?: () => Date;
}

/**
 * Just-in-time auth: OAuth clients per app, connect sessions, and the steps of the hosted
 * connect page (start an OAuth authorization, take a key, complete a callback). Plain values
 * in and out; the page and the API routes only adapt HTTP to it.
 */
export class ConnectService {
  private readonly store: Store;
  private readonly now: () => Date;
  private nextPrune = 0;
  /** Connect links made for failed invokes, by tenant, app, integration, user and origin (this process only). */
  private readonly links = new Map<string, { sessionId: string; url: string; expiresAt: number }>();

  constructor(private readonly deps: ConnectServiceDeps) {
    this.store = deps.store;
    this.now = deps.now ?? deps.store.now;
  }

  /** Sets an app's (or the tenant's default) client; authorize and token URLs default from the integration's OAuth2 scheme. */
  async setOAuthClient(scope: OAuthClientScope, slug: string, input: SetOAuthClient): Promise<void> {
    const target = await this.store.apps.invokeTarget(scope.tenantId, scope.appId, slug);
    if (!target) throw new ConnectRefusal("not-found", `integration "${slug}" not found`);
    const flow = target.version ? authorizationCodeFlow((await this.store.versions.config(target.version.id))?.authSchemes ?? []) : undefined;
    const authorizeUrl = input.authorizeUrl ?? flow?.authorizationUrl;
    const tokenUrl = input.tokenUrl ?? flow?.tokenUrl;
    if (!authorizeUrl || !tokenUrl) {
      throw new ConnectRefusal(
        "validation",
        `"${slug}" declares no OAuth2 authorization-code flow with an authorizationUrl and tokenUrl: pass --authorize-url and --token-url (authorizeUrl, tokenUrl)`,
        authorizeUrl ? "body.tokenUrl" : "body.authorizeUrl",
      );
    }
    await this.store.oauthClients.set(scope, target.integrationId, {
      clientId: input.clientId,
      ...(input.clientSecret !== undefined ? { clientSecret: input.clientSecret } : {}),
      scopes: input.scopes,
      authorizeUrl: input.authorizeUrl ?? null,
      tokenUrl: input.tokenUrl ?? null,
      issuer: input.issuer ?? null,
      resource: input.resource ?? null,
    });
  }

  /** A session for one end user of an app; the link's token is returned once. */
  async createSession(scope: { tenantId: string; appId: string }, body: CreateConnectSession, origin: string): Promise<CreatedConnectSession> {
    for (const slug of body.integrations) {
      if (!(await this.store.apps.invokeTarget(scope.tenantId, scope.appId, slug))) throw new ConnectRefusal("not-found", `integration "${slug}" not found`);
    }
    const allowed = await this.store.connectSessions.redirectUrls(scope.appId);
    for (const [field, url] of [["successUrl", body.successUrl], ["errorUrl", body.errorUrl]] as const) {
      if (url !== undefined && !allowed.some((entry) => redirectAllowed(url, entry))) {
        throw new ConnectRefusal(
          "validation",
          `${field} ${url} is not on the app's redirect allow-list (${allowed.length === 0 ? "which is empty" : allowed.join(", ")}): add it with \`waygate apps redirect-urls set <app> <url…>\``,
          `body.${field}`,
        );
      }
    }
    const user = typeof body.user === "string" ? { id: body.user } : body.user;
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const expiresAt = new Date(this.now().getTime() + body.expiresInSeconds * 1000);
    const session = await this.store.connectSessions.create({
      tenantId: scope.tenantId,
      appId: scope.appId,
      token,
      externalUserId: user.id,
      displayName: user.displayName ?? null,
      email: user.email ?? null,
      integrations: [...new Set(body.integrations)],
      scopes: body.scopes ?? null,
      successUrl: body.successUrl ?? null,
      errorUrl: body.errorUrl ?? null,
      expiresAt,
    });
    await this.pruneExpired();
    return { id: session.id, token, url: connectUrl(origin, token), expiresAt: expiresAt.toISOString() };
  }

  /** Deletes sessions that expired over a week ago (indexed by expiry), at most every 10 minutes. */
  private async pruneExpired(): Promise<void> {
    const now = this.now().getTime();
    if (now < this.nextPrune) return;
    this.nextPrune = now + PRUNE_EVERY_MS;
    await this.store.connectSessions.prune(EXPIRED_SESSIONS_KEPT_MS);
  }

  /**
   * A link an app can show when a call needs a connection the end user does not have (or
   * must renew): a fresh session for that user and integration, back to Waygate's own page.
   */
  async connectLink(scope: { tenantId: string; appId: string }, slug: string, externalUserId: string, origin: string): Promise<string> {
    const key = JSON.stringify([scope.tenantId, scope.appId, slug, externalUserId, origin]);
    const known = this.links.get(key);
    if (known && known.expiresAt - this.now().getTime() > LINK_REUSE_MIN_LEFT_MS) {
      const session = await this.store.connectSessions.get(scope.tenantId, scope.appId, known.sessionId);
      if (session?.status === "pending") return known.url;
    }
    const created = await this.createSession(scope, { user: externalUserId, integrations: [slug], expiresInSeconds: LINK_TTL_SECONDS }, origin);
    remember(this.links, key, { sessionId: created.id, url: created.url, expiresAt: Date.parse(created.expiresAt) }, MAX_REMEMBERED_LINKS);
    return created.url;
  }

  /** The session a browser's cookie names, while it can still be completed. */
  async openSession(token: string): Promise<{ session: ConnectSessionRecord; problem: ConnectErrorCode | null } | undefined> {
    const session = await this.store.connectSessions.byToken(token);
    if (!session) return undefined;
    if (session.status === "connected" || session.status === "failed") return { session, problem: "session_used" };
    if (session.expiresAt <= this.now()) return { session, problem: "session_expired" };
    return { session, problem: null };
  }

  /** What the page offers for each integration of the session: OAuth2 when a client is set up, else a form for the key, token or password. */
  async choices(session: ConnectSessionRecord): Promise<ConnectChoice[]> {
    const choices: ConnectChoice[] = [];
    for (const slug of session.integrations) {
      const target = await this.store.apps.invokeTarget(session.tenantId, session.appId, slug);
      const config = target?.version ? await this.store.versions.config(target.version.id) : undefined;
      if (!target || !config) {
        choices.push({ slug, name: slug, method: { kind: "unavailable", reason: "this integration is not available" } });
        continue;
      }
      choices.push({ slug, name: config.name, method: await this.methodFor(session, target.integrationId, config.authSchemes) });
    }
    return choices;
  }

  /** Starts the OAuth2 authorization for one integration of the session: the provider URL to send the browser to. */
  async startAuthorization(session: ConnectSessionRecord, slug: string, origin: string): Promise<string> {
    const client = await this.oauthClient(session, slug);
    const secrets = newAuthorizationSecrets();
    const redirectUri = new URL(CONNECT_PAGE_PATHS.callback, origin).href;
    if (!(await this.store.connectSessions.startAuthorization(session.id, { integration: slug, ...secrets, redirectUri }))) {
      throw new ConnectRefusal("conflict", "this connect link has expired or was already used");
    }
    return (await authorizationUrl(client.endpoints, { redirectUri, ...secrets, scopes: session.scopes ?? client.scopes })).href;
  }

  /** Stores an API key, token or password the end user typed for one integration of the session. */
  async saveCredentials(session: ConnectSessionRecord, slug: string, fields: Record<string, string>): Promise<ConnectFinish> {
    const choice = (await this.choices(session)).find((c) => c.slug === slug);
    if (!choice) return this.fail(session, slug, "invalid_credentials");
    const method = choice.method;
    const value =
      method.kind === "apiKey" ? { type: "apiKey", key: fields.key } : method.kind === "bearer" ? { type: "bearer", token: fields.token } : method.kind === "basic" ? { type: "basic", username: fields.username, password: fields.password } : undefined;
    const parsed = value ? CredentialsSchema.safeParse(value) : undefined;
    if (!parsed?.success) throw new ConnectRefusal("validation", "fill in every field");
    return this.complete(session, slug, parsed.data);
  }

  /**
   * Completes an OAuth2 authorization from the provider's callback parameters. The browser
   * must present the cookie of the session the `state` belongs to (`browserSessionId`), so a
   * callback for someone else's authorization (login CSRF, RFC 6749 §10.12) connects nothing.
   */
  async completeCallback(parameters: URLSearchParams, browserSessionId: string | null): Promise<ConnectFinish> {
    const state = parameters.get("state");
    const claimed = state ? await this.store.connectSessions.claimState(state) : undefined;
    if (!claimed || !state) return { status: "failed", session: null, error: "invalid_state", redirect: null };
    const { session, verifier } = claimed;
    const slug = session.integration!;
    if (browserSessionId !== session.id) return this.fail(session, slug, "invalid_state");
    if (session.expiresAt <= this.now()) return this.fail(session, slug, "session_expired");
    let client: Awaited<ReturnType<ConnectService["oauthClient"]>>;
    try {
      client = await this.oauthClient(session, slug);
    } catch {
      return this.fail(session, slug, "no_oauth_client");
    }
    let credentials: Credentials;
    try {
      credentials = await exchangeAuthorizationCode(client.endpoints, {
        callback: parameters,
        state,
        verifier,
        redirectUri: session.redirectUri!,
        scopes: session.scopes ?? client.scopes,
        send: this.deps.tokenTransport,
        now: this.now().getTime(),
      });
    } catch (error) {
      if (error instanceof AuthorizationCodeError) return this.fail(session, slug, error.code);
      throw error;
    }
    return this.complete(session, slug, credentials);
  }

  private async complete(session: ConnectSessionRecord, slug: string, credentials: Credentials): Promise<ConnectFinish> {
    const target = await this.store.apps.invokeTarget(session.tenantId, session.appId, slug);
    if (!target) return this.fail(session, slug, "invalid_credentials");
    // The OAuth path got here by claiming the session's state, once; a form can be posted
    // twice, and then both store the same end user's credentials and one finishes the session.
    const { connection, created } = await this.store.connections.upsertForUser(
      { tenantId: session.tenantId, appId: session.appId },
      { integrationId: target.integrationId, externalUserId: session.externalUserId, credentials },
    );
    if (!(await this.store.connectSessions.finish(session.id, { status: "connected", connectionId: connection.id, integration: slug }))) {
      return { status: "failed", session, error: "session_used", redirect: withParams(session.errorUrl, { error: "session_used" }) };
    }
    this.emit(session, { type: created ? "connection.created" : "connection.updated", integration: slug, connectionId: connection.id, error: null });
    return { status: "connected", session, connectionId: connection.id, redirect: withParams(session.successUrl, { connection_id: connection.id, integration: slug }) };
  }

  private async fail(session: ConnectSessionRecord, slug: string | null, error: ConnectErrorCode): Promise<ConnectFinish> {
    if (await this.store.connectSessions.finish(session.id, { status: "failed", error, integration: slug })) {
      this.emit(session, { type: "connection.failed", integration: slug, connectionId: null, error });
    }
    return { status: "failed", session, error, redirect: withParams(session.errorUrl, { error }) };
  }

  private emit(session: ConnectSessionRecord, event: Pick<ConnectEvent, "type" | "integration" | "connectionId" | "error">): void {
    try {
      this.deps.onEvent?.({ ...event, tenantId: session.tenantId, appId: session.appId, sessionId: session.id, externalUserId: session.externalUserId, at: this.now().toISOString() });
    } catch {
      // A listener's failure must not undo a connection the end user has just made.
    }
  }

  private async methodFor(session: ConnectSessionRecord, integrationId: string, schemes: readonly AuthScheme[]): Promise<ConnectMethod> {
    if (authorizationCodeFlow(schemes)) {
      const client = await this.store.oauthClients.usable(session.tenantId, session.appId, integrationId);
      if (client) {
        const endpoints = endpointsOf(client, schemes);
        if (endpoints) return { kind: "oauth2", scopes: session.scopes ?? client.scopes, authorizeOrigin: new URL(endpoints.authorizeUrl).origin };
      }
    }
    for (const scheme of schemes) {
      if (scheme.type === "apiKey") return { kind: "apiKey", name: scheme.name };
      if (scheme.type === "bearer") return { kind: "bearer" };
      if (scheme.type === "basic") return { kind: "basic" };
    }
    if (authorizationCodeFlow(schemes)) return { kind: "unavailable", reason: "the app has no OAuth client for this integration yet" };
    return { kind: "unavailable", reason: "this integration needs no credentials, or none this page can take" };
  }

  private async oauthClient(session: ConnectSessionRecord, slug: string): Promise<UsableOAuthClient & { endpoints: ReturnType<typeof endpointsOf> & object }> {
    const target = await this.store.apps.invokeTarget(session.tenantId, session.appId, slug);
    const config = target?.version ? await this.store.versions.config(target.version.id) : undefined;
    const client = target && config ? await this.store.oauthClients.usable(session.tenantId, session.appId, target.integrationId) : undefined;
    const endpoints = client && config ? endpointsOf(client, config.authSchemes) : undefined;
    if (!client || !endpoints || !session.integrations.includes(slug)) throw new ConnectRefusal("not-found", `no OAuth client is set up for "${slug}"`);
    return { ...client, endpoints };
  }
}

/** The integration's OAuth2 authorization-code flow, if it declares one. */
function authorizationCodeFlow(schemes: readonly AuthScheme[]) {
  for (const scheme of schemes) if (scheme.type === "oauth2" && scheme.flows.authorizationCode) return scheme.flows.authorizationCode;
  return undefined;
}

function endpointsOf(client: UsableOAuthClient, schemes: readonly AuthScheme[]) {
  const flow = authorizationCodeFlow(schemes);
  const authorizeUrl = client.authorizeUrl ?? flow?.authorizationUrl;
  const tokenUrl = client.tokenUrl ?? flow?.tokenUrl;
  if (!authorizeUrl || !tokenUrl || !URL.canParse(authorizeUrl) || !URL.canParse(tokenUrl)) return undefined;
  return { clientId: client.clientId, clientSecret: client.clientSecret, authorizeUrl, tokenUrl, issuer: client.issuer, resource: client.resource };
}

/** A redirect URL matches an allow-list entry with the same origin and path, or a path under an entry that ends in "/". */
export function redirectAllowed(url: string, entry: string): boolean {
  if (!URL.canParse(url) || !URL.canParse(entry)) return false;
  const candidate = new URL(url);
  const allowed = new URL(entry);
  if (candidate.origin !== allowed.origin || candidate.username || candidate.password) return false;
  return candidate.pathname === allowed.pathname || (allowed.pathname.endsWith("/") && candidate.pathname.startsWith(allowed.pathname));
}

/** The hosted page's link for a session token. */
export function connectUrl(origin: string, token: string): string {
  const url = new URL(CONNECT_PAGE_PATHS.page, origin);
  url.searchParams.set("token", token);
  return url.href;
}

function withParams(base: string | null, params: Record<string, string>): string | null {
  if (!base) return null;
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}
