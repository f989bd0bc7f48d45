import {
  InvokeProblemTypes,
  problemTypes,
  problemTypeUri,
  type Action,
  type ActionDefinition,
  type Connection,
  type ConnectionTest,
  type FieldError,
  type VersionPolicy,
} from "../contract/index.js";
import {
  Gateway,
  GatewayError,
  type Connection as GatewayConnection,
  type Credentials,
  type GatewayDeps,
  type OAuth2Credentials,
  type GatewayProblem,
  type InvokeIntegration,
  type InvokeResponse,
} from "../gateway/index.js";
import { isExpired } from "../gateway/oauth.js";
import { parseRetryAfter } from "../gateway/retry.js";
import type { ProxyQueryValue } from "../gateway/request.js";
import type { HttpMethod } from "../contract/integrations.js";
import { remember } from "../lib/bounded-map.js";
import { SealError } from "../lib/sealer.js";
import type { ConnectionScope, Store, VersionConfig } from "../store/index.js";
import type { ObservedCall } from "./traffic-drift.js";

/** Options every call through the gateway takes, whoever the caller is (HTTP, batches, tools, intents). */
export interface CallOptions {
  /** A connection id (`con_…`) or the end user's id; without it, the app's connection that has no end user. */
  connection?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Retries per upstream request after the first attempt. Default 2. */
  retries?: number | undefined;
  /** Per upstream attempt. */
  timeoutMs?: number | undefined;
  /** Extra upstream headers (the contract's FORWARDABLE_HEADER names only). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** The integration version the calling code was typed for, and what to do when another one would run. */
  expectedVersion?: number | undefined;
  versionPolicy?: VersionPolicy | undefined;
  signal?: AbortSignal | undefined;
  /** Where the end user's browser reaches this server: connection errors then carry a connect link for the end user. */
  connectOrigin?: string | undefined;
}

/** Makes a connect link (a fresh connect session) for one end user of an app and one integration. */
export type ConnectLinks = (scope: { tenantId: string; appId: string }, integration: string, externalUserId: string, origin: string) => Promise<string>;

/** Who calls: a tenant, and the app it acts for (null: the tenant itself, with tenant-level connections). */
export interface Caller {
  tenantId: string;
  appId: string | null;
}

export interface InvokeCall extends CallOptions {
  integration: string;
  action: string;
  input: unknown;
  /** Collect every page into one array (bounded); false answers one page with a next-page token. */
  paginate?: false | { maxPages?: number | undefined; maxItems?: number | undefined } | undefined;
  /** A next-page token from an earlier result of the same caller, integration and action. */
  page?: string | undefined;
}

export interface ProxyCall extends CallOptions {
  integration: string;
  method: HttpMethod;
  path: string;
  query?: Readonly<Record<string, ProxyQueryValue>> | undefined;
  body?: unknown;
}

/** Which version ran, against which the caller expected. */
export interface VersionOutcome {
  executed: number;
  expected: number | null;
  /** The caller expected another version than the one that ran. */
  mismatch: boolean;
}

export interface InvokeResult extends Omit<InvokeResponse, "warnings"> {
  warnings: string[];
  version: VersionOutcome;
}

/** Any failed call: a problem to answer with, and the version that ran (when it got that far). */
export class InvokeError extends Error {
  override readonly name = "InvokeError";
  constructor(
    readonly problem: GatewayProblem,
    readonly version: VersionOutcome | null,
    options?: { cause?: unknown },
  ) {
    super(`${problem.title}: ${problem.detail}`, options);
  }

  /** Whether the upstream answered the error (as opposed to Waygate refusing or failing). */
  get fromUpstream(): boolean {
    return this.problem.type === InvokeProblemTypes.upstreamError;
  }

  /** How long the caller should wait before trying again: Waygate's own estimate, else the upstream's Retry-After. */
  get retryAfterMs(): number | undefined {
    return this.problem.retryAfterMs ?? parseRetryAfter(this.problem.upstream?.headers["retry-after"], Date.now()) ?? undefined;
  }
}

export interface PreparedAction {
  /** The integration version the caller's calls run. */
  version: number;
  action: ActionDefinition;
  /** What is wrong with an input (undefined: valid), as invoke would refuse it. */
  check(input: unknown): { detail: string; errors: FieldError[] } | undefined;
}

interface Target {
  integrationId: string;
  version: number;
  config: VersionConfig;
  rateLimit: { capacity: number; refillPerSecond: number } | null;
}

/** Versions are immutable, so a version's configuration and actions never change: cached by version id. */
const CACHE_LIMIT = 2_000;

export interface InvokeServiceOptions {
  /** Makes the connect link a "no connection" or "needs reauth" refusal carries. */
  connectLinks?: ConnectLinks | undefined;
  /** Told about every successful invoke (traffic drift, recent calls); must be cheap and never throw. */
  observer?: ((call: ObservedCall) => void) | undefined;
}

/**
 * Calls actions for a caller: the one path every caller takes (the HTTP invoke and proxy
 * routes, batches, AI tools, intents, syncs). It resolves the version the caller's app
 * runs (its pin, else current) and checks it against the version the caller expected,
 * finds the connection with its opened credentials and the app's settings, and hands the
 * call to the gateway. Plain values in, a plain result out; failures are InvokeErrors
 * carrying a problem body.
 */
export class InvokeService {
  private readonly actions = new Map<string, ActionDefinition>();
  private readonly configs = new Map<string, VersionConfig>();

  private readonly connectLinks: ConnectLinks | undefined;
  private readonly observer: ((call: ObservedCall) => void) | undefined;

  constructor(
    private readonly store: Store,
    readonly gateway: Gateway,
    options: InvokeServiceOptions = {},
  ) {
    this.connectLinks = options.connectLinks;
    this.observer = options.observer;
  }

  /** The app a tenant key names (by name or id), or null when there is none. */
  async appId(tenantId: string, ref: string): Promise<string | null> {
    return (await this.store.apps.idOf(tenantId, ref)) ?? null;
  }

  async invoke(caller: Caller, call: InvokeCall): Promise<InvokeResult> {
    const found = await this.target(caller, call.integration);
    const version = versionOutcome(found.version, call);
    const action = await this.action(found, call.integration, call.action, version);
    if (version.mismatch && call.versionPolicy === "strict") throw versionRefused(call.integration, version);
    const connection = await this.connection(caller, found, call, version);
    const settings = caller.appId ? await this.store.connections.settings(caller.appId, found.integrationId) : { validation: "warn" as const, mappings: [] };
    try {
      const result = await this.gateway.invoke({
        integration: this.integration(call.integration, found),
        action,
        input: call.input,
        connection: connection ?? null,
        options: {
          ...gatewayOptions(call),
          ...(call.paginate ? { paginate: call.paginate } : {}),
          ...(call.page !== undefined ? { page: call.page } : {}),
          validation: settings.validation,
          mappings: settings.mappings,
          pageScope: `${caller.tenantId}/${caller.appId ?? ""}`,
        },
      });
      // The body is compared with the schema only as the upstream sent it: one page, no field mappings applied.
      if (this.observer && !call.paginate && settings.mappings.length === 0) {
        this.observer({
          tenantId: caller.tenantId,
          appId: caller.appId,
          integrationId: found.integrationId,
          action: action.name,
          validation: settings.validation,
          outputSchema: action.outputSchema ?? undefined,
          status: result.status,
          body: result.body,
        });
      }
      return { ...result, warnings: withVersionWarning(result.warnings, version, call.integration), version };
    } catch (error) {
      throw await this.withReconnect(asInvokeError(error, version, caller), caller, call, connection);
    } finally {
      if (connection) void this.store.connections.touch(connection.id).catch(() => {});
    }
  }

  /**
   * The action a call would run for this caller (the version resolved as invoke resolves
   * it), and a check of inputs against it that sends nothing: batches validate every item
   * up front this way. Throws InvokeError when the integration or action is not there.
   */
  async prepare(caller: Caller, integration: string, actionName: string): Promise<PreparedAction> {
    const found = await this.target(caller, integration);
    const version = versionOutcome(found.version, {});
    const action = await this.action(found, integration, actionName, version);
    return {
      version: found.version,
      action,
      check: (input) => {
        try {
          return this.gateway.checkInput(action, input);
        } catch (error) {
          throw asInvokeError(error, version, caller);
        }
      },
    };
  }

  /** A raw request under the integration's base URL, with the caller's connection: no schemas, no pagination. */
  async proxy(caller: Caller, call: ProxyCall): Promise<InvokeResult> {
    const found = await this.target(caller, call.integration);
    const version = versionOutcome(found.version, call);
    if (version.mismatch && call.versionPolicy === "strict") throw versionRefused(call.integration, version);
    const connection = await this.connection(caller, found, call, version);
    try {
      const result = await this.gateway.proxy({
        integration: this.integration(call.integration, found),
        method: call.method,
        path: call.path,
        ...(call.query ? { query: call.query } : {}),
        ...(call.body !== undefined ? { body: call.body } : {}),
        connection: connection ?? null,
        options: gatewayOptions(call),
      });
      return { ...result, warnings: withVersionWarning(result.warnings, version, call.integration), version };
    } catch (error) {
      throw await this.withReconnect(asInvokeError(error, version, caller), caller, call, connection);
    } finally {
      if (connection) void this.store.connections.touch(connection.id).catch(() => {});
    }
  }

  /** Calls a cheap read action with the connection's credentials and reports whether the upstream accepted them. */
  async testConnection(scope: ConnectionScope, connection: Connection, signal?: AbortSignal): Promise<ConnectionTest> {
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
        options: { validation: "off", maxAttempts: 1, ...(signal ? { signal } : {}) },
      });
      return { ok: true, action: probe.name, status: result.status, detail: `${probe.name} answered ${result.status}` };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      return { ok: false, action: probe.name, status: error.problem.upstream?.status ?? null, detail: error.problem.detail ?? error.problem.title };
    }
  }

  private integration(slug: string, target: Target): InvokeIntegration {
    return { slug, version: target.version, baseUrl: target.config.baseUrl, authSchemes: target.config.authSchemes, rateLimitKey: target.integrationId, rateLimit: target.rateLimit };
  }

  private async target(caller: Caller, slug: string): Promise<Target & { versionId: string }> {
    const found = await this.store.apps.invokeTarget(caller.tenantId, caller.appId, slug);
    if (!found) throw notFound(`integration "${slug}" not found`);
    if (!found.version) throw notFound(`"${slug}" has no published version`);
    const config = await this.config(found.version.id);
    return { integrationId: found.integrationId, version: found.version.number, versionId: found.version.id, config, rateLimit: found.rateLimit };
  }

  private async config(versionId: string): Promise<VersionConfig> {
    let config = this.configs.get(versionId);
    if (!config) {
      config = await this.store.versions.config(versionId);
      if (!config) throw new InvokeError(internalProblem(`version ${versionId} has no stored configuration`), null);
      remember(this.configs, versionId, config, CACHE_LIMIT);
    }
    return config;
  }

  private async action(target: Target & { versionId: string }, slug: string, name: string, version: VersionOutcome): Promise<ActionDefinition> {
    const key = `${target.versionId}\u0000${name}`;
    let action = this.actions.get(key);
    if (!action) {
      const ref = { integrationId: target.integrationId, slug, versionId: target.versionId, version: target.version };
      const found = await this.store.integrations.getAction(ref, name);
      // The action may exist in the version the caller expected: the error says which one ran.
      if (!found) throw new InvokeError(notFoundProblem(`action "${name}" not found in ${slug} version ${target.version}`), version);
      action = toDefinition(found);
      remember(this.actions, key, action, CACHE_LIMIT);
    }
    return action;
  }

  private async connection(caller: Caller, target: Target, call: CallOptions & { integration: string }, version: VersionOutcome): Promise<(GatewayConnection & { externalUserId: string | null }) | undefined> {
    const requested = call.connection;
    let connection: (GatewayConnection & { status: string; externalUserId: string | null }) | undefined;
    try {
      connection = (await this.store.connections.forInvoke(caller, target.integrationId, requested ?? null)) as typeof connection;
    } catch (error) {
      if (error instanceof SealError) throw new InvokeError(internalProblem(`${error.message}. Create it again.`), version);
      throw error;
    }
    if (requested !== undefined && !connection) {
      // An end user's id (not a connection id) that has no connection yet: the app can send them to connect.
      const connectUrl = requested.startsWith("con_") ? undefined : await this.link(caller, call, requested);
      throw new InvokeError(
        {
          type: InvokeProblemTypes.connectionNotFound,
          title: "Connection not found",
          status: 404,
          detail: `no connection "${requested}" to this integration${caller.appId ? " for this app" : ""}: pass a connection id or the end user's id${connectUrl ? "; the end user can connect at connectUrl" : ""}`,
          ...(connectUrl ? { connectUrl } : {}),
        },
        version,
      );
    }
    if (connection?.status === "needs_reauth") throw await this.needsReauth(caller, call, connection, version);
    return connection;
  }

  /** The problem for a connection whose refresh token the provider refused: the end user must connect again, at connectUrl. */
  private async needsReauth(caller: Caller, call: CallOptions & { integration: string }, connection: { id: string; externalUserId: string | null }, version: VersionOutcome | null): Promise<InvokeError> {
    const connectUrl = connection.externalUserId ? await this.link(caller, call, connection.externalUserId) : undefined;
    return new InvokeError(
      {
        type: InvokeProblemTypes.connectionNeedsReauth,
        title: "Connection needs to be authorised again",
        status: 409,
        detail: `connection ${connection.id}: the provider no longer accepts its refresh token (invalid_grant); the end user must connect again${connectUrl ? " at connectUrl" : " (create a connect session for them)"}`,
        ...(connectUrl ? { connectUrl } : {}),
      },
      version,
    );
  }

  /** A refresh refused with invalid_grant during this call: the connection is now marked, and the caller gets the reconnect problem. */
  private async withReconnect(error: unknown, caller: Caller, call: CallOptions & { integration: string }, connection: { id: string; externalUserId: string | null } | undefined): Promise<unknown> {
    if (!(error instanceof InvokeError) || !connection || error.problem.type !== InvokeProblemTypes.oauthRefreshFailed || error.problem.oauthError !== "invalid_grant") return error;
    return this.needsReauth(caller, call, connection, error.version);
  }

  private async link(caller: Caller, call: CallOptions & { integration: string }, externalUserId: string): Promise<string | undefined> {
    if (!this.connectLinks || !call.connectOrigin || caller.appId === null) return undefined;
    try {
      return await this.connectLinks({ tenantId: caller.tenantId, appId: caller.appId }, call.integration, externalUserId, call.connectOrigin);
    } catch {
      // The call failed anyway; a link that could not be made leaves the problem without one.
      return undefined;
    }
  }

  private async credentials(connectionId: string): Promise<Credentials> {
    try {
      return (await this.store.connections.credentials(connectionId)) as Credentials;
    } catch (error) {
      if (error instanceof SealError) throw new InvokeError(internalProblem(`connection ${connectionId} cannot be used: ${error.message}. Create it again.`), null);
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
        // A connection made by the connect flow keeps no client secret of its own: it refreshes
        // with its OAuth client's current one, so rotating the secret needs no reconnect.
        const client = stored.clientSecret === undefined && stored.clientId ? await store.oauthClients.forConnection(connection.id) : undefined;
        const borrowed = client && client.clientId === stored.clientId && client.clientSecret ? client.clientSecret : undefined;
        let fresh: Credentials;
        try {
          const refreshed = await refreshAtTokenEndpoint(borrowed ? { ...stored, clientSecret: borrowed } : stored);
          fresh = borrowed ? withoutClientSecret(refreshed) : refreshed;
        } catch (error) {
          // The refresh token is dead: the end user must connect again. markNeedsReauth rereads
          // the stored tokens first, in case another server rotated them meanwhile.
          if (error instanceof GatewayError && error.problem.oauthError === "invalid_grant") await store.connections.markNeedsReauth(connection.id, stored.accessToken);
          throw error;
        }
        await store.connections.replaceCredentials(connection.id, fresh);
        return fresh;
      });
      if (!refreshed) throw new GatewayError(notFoundProblem(`connection ${connection.id} was deleted while its tokens were being refreshed`));
      return refreshed;
    },
  });
}

function withoutClientSecret(credentials: OAuth2Credentials): OAuth2Credentials {
  const { clientSecret: _secret, ...rest } = credentials;
  return rest;
}

const PROBE_NAMES = /(^|\.)(me|whoami|getAuthenticated|getCurrent|current|currentUser|self|user|account|ping|test)$/i;

/** A GET without required inputs, preferring "who am I" style actions. */
export function pickProbe(actions: ActionDefinition[]): ActionDefinition | undefined {
  const candidates = actions.filter((action) => action.method === "GET" && !action.deprecated && !(Array.isArray(action.inputSchema.required) && action.inputSchema.required.length > 0));
  return candidates.find((action) => PROBE_NAMES.test(action.name)) ?? [...candidates].sort((a, b) => a.path.length - b.path.length || (a.name < b.name ? -1 : 1))[0];
}

function versionOutcome(executed: number, call: CallOptions): VersionOutcome {
  const expected = call.expectedVersion ?? null;
  return { executed, expected, mismatch: expected !== null && expected !== executed };
}

function withVersionWarning(warnings: string[], version: VersionOutcome, slug: string): string[] {
  if (!version.mismatch) return warnings;
  return [`${slug} version ${version.executed} ran, not version ${version.expected} that the calling code was generated for; regenerate the client or pin the app`, ...warnings];
}

function versionRefused(slug: string, version: VersionOutcome): InvokeError {
  return new InvokeError(
    {
      type: InvokeProblemTypes.versionMismatch,
      title: "Version mismatch",
      status: 409,
      detail: `the app runs ${slug} version ${version.executed}, and the call was made for version ${version.expected} with the strict version policy: pin the app to ${version.expected} or regenerate the client`,
    },
    version,
  );
}

function gatewayOptions(call: CallOptions) {
  return {
    ...(call.idempotencyKey !== undefined ? { idempotencyKey: call.idempotencyKey } : {}),
    ...(call.retries !== undefined ? { maxAttempts: call.retries + 1 } : {}),
    ...(call.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}),
    ...(call.headers ? { headers: call.headers } : {}),
    ...(call.signal ? { signal: call.signal } : {}),
  };
}

function asInvokeError(error: unknown, version: VersionOutcome, caller: Caller): unknown {
  if (!(error instanceof GatewayError)) return error;
  const { problem } = error;
  // A tenant key acts for no app, so its calls never see the apps' connections: say how to reach them.
  const hint = problem.type === InvokeProblemTypes.connectionRequired && caller.appId === null ? "; a tenant key acts for no app, so name one (X-Waygate-App, the client's `app` option) to use its connections" : "";
  return new InvokeError(hint ? { ...problem, detail: `${problem.detail ?? ""}${hint}` } : problem, version, { cause: error });
}

function notFoundProblem(detail: string): GatewayProblem {
  return { type: problemTypeUri("not-found"), title: problemTypes["not-found"].title, status: 404, detail };
}

function notFound(detail: string): InvokeError {
  return new InvokeError(notFoundProblem(detail), null);
}

function internalProblem(detail: string): GatewayProblem {
  return { type: problemTypeUri("internal"), title: problemTypes.internal.title, status: 500, detail };
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
