import type { Context } from "hono";
import type { Action, ActionDefinition, Connection, ConnectionTest, InvokeBody } from "../contract/index.js";
import { Gateway, GatewayError, type Connection as GatewayConnection, type Credentials, type GatewayDeps, type InvokeResponse } from "../gateway/index.js";
import { isExpired } from "../gateway/oauth.js";
import { SealError } from "../lib/sealer.js";
import type { ConnectionScope, Store, VersionConfig } from "../store/index.js";
import type { AppEnv } from "./env.js";
import { HttpError, notFound } from "./errors.js";
import { remember } from "../lib/bounded-map.js";

interface Target {
  integrationId: string;
  version: number;
  config: VersionConfig;
  action: ActionDefinition;
  rateLimit: { capacity: number; refillPerSecond: number } | null;
}

/** Versions are immutable, so an action of a version never changes: cached by version id. */
const CACHE_LIMIT = 2_000;

/**
 * Turns `POST /v1/invoke/{integration}/{action}` into a gateway call: resolves the version
 * the caller's app runs (pin, else current), its stored credentials and its settings,
 * then answers with the upstream's status and body.
 */
export class Invoker {
  private readonly actions = new Map<string, { config: VersionConfig; action: ActionDefinition }>();

  constructor(
    private readonly store: Store,
    readonly gateway: Gateway,
  ) {}

  async invoke(c: Context<AppEnv>, slug: string, actionName: string, body: InvokeBody): Promise<Response> {
    // Only ids are needed here: an app key's own app, or the app a tenant key names.
    // c.get, not c.var: Hono builds a fresh object for every c.var access.
    const auth = c.get("auth");
    const named = auth.appId ? undefined : c.req.header("x-waygate-app");
    const appId = auth.appId ?? (named ? await this.namedApp(auth.tenantId, named) : null);
    const scope: ConnectionScope = { tenantId: auth.tenantId, appId };
    const target = await this.target(scope, slug, actionName);
    const connection = await this.connection(scope, target, body.connection);
    const settings = appId ? await this.store.connections.settings(appId, target.integrationId) : { validation: "warn" as const, mappings: [] };
    const idempotencyKey = c.req.header("idempotency-key");
    // A plain record takes @hono/node-server's fast path; a Headers object is only built for repeated warnings.
    const headers: Record<string, string> = { "x-waygate-version-executed": String(target.version) };
    let result: InvokeResponse;
    try {
      result = await this.gateway.invoke({
        integration: { slug, version: target.version, baseUrl: target.config.baseUrl, authSchemes: target.config.authSchemes, rateLimitKey: target.integrationId, rateLimit: target.rateLimit },
        action: target.action,
        input: body.input,
        connection: connection ?? null,
        options: {
          paginate: paginateOption(body.paginate),
          ...(body.page ? { page: body.page } : {}),
          ...(idempotencyKey ? { idempotencyKey } : {}),
          validation: settings.validation,
          mappings: settings.mappings,
          signal: c.req.raw.signal,
        },
      });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      headers["content-type"] = "application/problem+json";
      return new Response(JSON.stringify({ ...error.problem, instance: c.req.path }), { status: error.problem.status, headers });
    } finally {
      if (connection) void this.store.connections.touch(connection.id).catch(() => {});
    }
    // Upstream names are the gateway's allow-list of safe headers, lower-case: never `__proto__`.
    for (const [name, value] of Object.entries(result.headers)) if (name !== "content-length") headers[name] = value;
    headers["x-waygate-attempts"] = String(result.attempts);
    if (result.nextPage) headers["x-waygate-next-page"] = result.nextPage;
    const empty = result.body === undefined || result.status === 204 || result.status === 304;
    if (!empty) headers["content-type"] = "application/json";
    const warnings = result.warnings.slice(0, 5).map((warning) => warning.replace(/[^\x20-\x7e]/g, "?").slice(0, 300));
    let init: Record<string, string> | Headers = headers;
    if (warnings.length > 0) {
      const list = new Headers(headers);
      for (const warning of warnings) list.append("x-waygate-warning", warning);
      init = list;
    }
    return new Response(empty ? null : JSON.stringify(result.body), { status: result.status, headers: init });
  }

  private async namedApp(tenantId: string, ref: string): Promise<string> {
    const id = await this.store.apps.idOf(tenantId, ref);
    if (!id) throw notFound(`app "${ref}"`);
    return id;
  }

  /** Calls a cheap read action with the connection's credentials and reports whether the upstream accepted them. */
  async test(c: Context<AppEnv>, scope: ConnectionScope, connection: Connection): Promise<ConnectionTest> {
    const integration = await this.store.integrations.find(scope.tenantId, connection.integration);
    const version = integration && (await this.store.apps.resolvedVersion(scope.appId, integration.id)).version;
    if (!integration || version === null || version === undefined) return { ok: false, action: null, status: null, detail: "the integration has no published version" };
    const definition = await this.store.versions.definition(scope.tenantId, connection.integration, version);
    const probe = definition && pickProbe(definition.actions);
    if (!definition || !probe) {
      return { ok: false, action: null, status: null, detail: "the integration has no read-only action without required inputs to test with" };
    }
    try {
      const result = await this.gateway.invoke({
        integration: { slug: connection.integration, version, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes, rateLimitKey: integration.id },
        action: probe,
        input: {},
        connection: { id: connection.id, credentials: await this.credentials(connection.id) },
        options: { validation: "off", maxAttempts: 1, signal: c.req.raw.signal },
      });
      return { ok: true, action: probe.name, status: result.status, detail: `${probe.name} answered ${result.status}` };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      return { ok: false, action: probe.name, status: error.problem.upstream?.status ?? null, detail: error.problem.detail ?? error.problem.title };
    }
  }

  private async target(scope: ConnectionScope, slug: string, actionName: string): Promise<Target> {
    const found = await this.store.apps.invokeTarget(scope.tenantId, scope.appId, slug);
    if (!found) throw notFound(`integration "${slug}"`);
    if (!found.version) throw notFound(`a published version of "${slug}"`);
    const key = `${found.version.id}\u0000${actionName}`;
    let cached = this.actions.get(key);
    if (!cached) {
      const ref = { integrationId: found.integrationId, slug, versionId: found.version.id, version: found.version.number };
      const [action, config] = await Promise.all([this.store.integrations.getAction(ref, actionName), this.store.versions.config(found.version.id)]);
      if (!action || !config) throw notFound(`action "${actionName}" in ${slug} version ${found.version.number}`);
      cached = { config, action: toDefinition(action) };
      remember(this.actions, key, cached, CACHE_LIMIT);
    }
    return { integrationId: found.integrationId, version: found.version.number, ...cached, rateLimit: found.rateLimit };
  }

  private async connection(scope: ConnectionScope, target: Target, requested: string | undefined): Promise<GatewayConnection | undefined> {
    let connection: GatewayConnection | undefined;
    try {
      connection = (await this.store.connections.forInvoke(scope, target.integrationId, requested ?? null)) as GatewayConnection | undefined;
    } catch (error) {
      if (error instanceof SealError) throw new HttpError("internal", `${error.message}. Create it again.`);
      throw error;
    }
    if (requested !== undefined && !connection) throw notFound(`a connection "${requested}" to this integration${scope.appId ? " for this app" : ""}`);
    return connection;
  }

  private async credentials(connectionId: string): Promise<Credentials> {
    try {
      return (await this.store.connections.credentials(connectionId)) as Credentials;
    } catch (error) {
      if (error instanceof SealError) throw new HttpError("internal", `connection ${connectionId} cannot be used: ${error.message}. Create it again.`);
      throw error;
    }
  }
}

/**
 * The gateway for a server: OAuth refreshes are persisted (sealed) in the store. The
 * gateway already runs one refresh at a time per connection in this process; across
 * servers sharing the database, the connection's refresh lease makes them take turns, and
 * whoever comes second rereads the stored tokens and uses them if they are fresh, so a
 * refresh token that is single-use (RFC 6749 §10.4) is spent once.
 */
export function createGateway(store: Store, options: Omit<GatewayDeps, "refreshOAuth"> = {}): Gateway {
  return new Gateway({
    ...options,
    refreshOAuth: async (connection, { refreshAtTokenEndpoint }) => {
      const refreshed = await store.connections.withRefreshLease(connection.id, async () => {
        const stored = (await store.connections.credentials(connection.id)) as Credentials;
        const stale = connection.credentials;
        if (stored.type !== "oauth2" || stale.type !== "oauth2") return stored;
        if (stored.accessToken !== stale.accessToken && !isExpired(stored, Date.now())) return stored;
        const fresh = await refreshAtTokenEndpoint(stored);
        await store.connections.replaceCredentials(connection.id, fresh);
        return fresh;
      });
      if (!refreshed) throw new HttpError("not-found", `connection ${connection.id} was deleted while its tokens were being refreshed`);
      return refreshed;
    },
  });
}

function toDefinition(action: Action): ActionDefinition {
  return {
    name: action.name,
    method: action.method,
    path: action.path,
    ...(action.summary === null ? {} : { summary: action.summary }),
    ...(action.description === null ? {} : { description: action.description }),
    deprecated: action.deprecated,
    tags: action.tags,
    inputSchema: action.inputSchema,
    outputSchema: action.outputSchema,
    errors: action.errors,
    pagination: action.pagination,
  };
}

const PROBE_NAMES = /(^|\.)(me|whoami|getAuthenticated|getCurrent|current|currentUser|self|user|account|ping|test)$/i;

/** A GET without required inputs, preferring "who am I" style actions. */
export function pickProbe(actions: ActionDefinition[]): ActionDefinition | undefined {
  const candidates = actions.filter((action) => action.method === "GET" && !action.deprecated && !(Array.isArray(action.inputSchema.required) && action.inputSchema.required.length > 0));
  return candidates.find((action) => PROBE_NAMES.test(action.name)) ?? [...candidates].sort((a, b) => a.path.length - b.path.length || (a.name < b.name ? -1 : 1))[0];
}

function paginateOption(value: InvokeBody["paginate"]): false | { maxPages?: number; maxItems?: number } {
  if (value === false) return false;
  if (value === true) return {};
  return { ...(value.maxPages ? { maxPages: value.maxPages } : {}), ...(value.maxItems ? { maxItems: value.maxItems } : {}) };
}
