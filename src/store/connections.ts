import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Kysely } from "kysely";
import type { AppIntegrationSettings, Connection, Credentials } from "../contract/index.js";
import { SealError, type Sealer } from "../lib/sealer.js";
import { ReadCache, type ChangeTracker } from "./changes.js";
import type { Dialect } from "./database.js";
import { decodeConnectionMetadata, decodeCredentials, decodeMappings, type ConnectionMetadata } from "./decode.js";
import { newId } from "./ids.js";
import { lockKey } from "./locks.js";
import { UsageStamps } from "./usage.js";
import type { ConnectionTable, Database } from "./schema.js";

/** A connection as an invoke uses it: its id and its opened credentials. */
export interface InvokeConnection {
  id: string;
  credentials: Credentials;
  /** "needs_reauth": a refresh was refused (invalid_grant); the end user must connect again. */
  status: ConnectionTable["status"];
  externalUserId: string | null;
}

/** Which connections a caller may see: one app's, or the tenant-level ones (no app). */
export interface ConnectionScope {
  tenantId: string;
  appId: string | null;
}

/**
 * Connections hold end users' credentials, sealed with AES-256-GCM under the server's
 * key ring (bound to the row id). Nothing here returns a secret except `credentials()`,
 * which only the gateway calls.
 */
export class ConnectionRepository {
  /**
   * What invokes read on every call: the connection with its credentials already opened
   * (AES-GCM per call would cost more than the rest of the lookup), and the app's settings.
   * They live in this process's memory only, as they do during a call anyway.
   */
  private readonly invokable: ReadCache<string, InvokeConnection>;
  private readonly settingsCache: ReadCache<string, AppIntegrationSettings>;
  /** Which integrations an end user is connected to: read by every intent call that names no provider. */
  private readonly connected: ReadCache<string, { slugs: string[] }>;
  private readonly usage = new UsageStamps();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    changes: ChangeTracker,
    private readonly sealer: (options?: { reload: boolean }) => Promise<Sealer>,
    private readonly now: () => Date,
  ) {
    this.invokable = new ReadCache(changes);
    this.settingsCache = new ReadCache(changes);
    this.connected = new ReadCache(changes);
  }

  /**
   * One connection per integration, scope and end user. The check and the insert hold a lock
   * on exactly that combination (an advisory lock on Postgres, the write lock on SQLite), so of
   * two creates racing for one end user, the second finds the first's row: "exists". (NULL app
   * and user ids rule out a unique index that would say the same.)
   */
  async create(scope: ConnectionScope, input: { integrationId: string; externalUserId: string | null; credentials: Credentials }): Promise<Connection | "exists"> {
    const id = newId("con");
    const now = this.now().toISOString();
    const row: ConnectionTable = {
      id,
      tenant_id: scope.tenantId,
      app_id: scope.appId,
      integration_id: input.integrationId,
      external_user_id: input.externalUserId,
      auth_type: input.credentials.type,
      secret: (await this.sealer()).seal(JSON.stringify(input.credentials), id),
      metadata: JSON.stringify(metadataOf(input.credentials)),
      created_at: now,
      updated_at: now,
      last_used_at: null,
      refresh_owner: null,
      refresh_until: null,
      status: "active",
    };
    const created = await this.db.transaction().execute(async (trx) => {
      await lockKey(trx, this.dialect, JSON.stringify(["connection", scope.tenantId, scope.appId, input.integrationId, input.externalUserId]));
      let existing = trx
        .selectFrom("connections")
        .select("id")
        .where("tenant_id", "=", scope.tenantId)
        .where("integration_id", "=", input.integrationId)
        .where((eb) => scopeFilter(eb, scope.appId));
      existing = input.externalUserId === null ? existing.where("external_user_id", "is", null) : existing.where("external_user_id", "=", input.externalUserId);
      if (await existing.executeTakeFirst()) return false;
      await trx.insertInto("connections").values(row).execute();
      return true;
    });
    return created ? (await this.get(scope, id))! : "exists";
  }

  /**
   * The end user's connection to an integration with these credentials: created, or (when
   * one exists: a reconnect) given the new credentials and made active again. Under the same
   * lock as `create`, so two completions racing for one end user leave one connection.
   */
  async upsertForUser(scope: ConnectionScope & { appId: string }, input: { integrationId: string; externalUserId: string; credentials: Credentials }): Promise<{ connection: Connection; created: boolean }> {
    const now = this.now().toISOString();
    const sealer = await this.sealer();
    const outcome = await this.db.transaction().execute(async (trx) => {
      await lockKey(trx, this.dialect, JSON.stringify(["connection", scope.tenantId, scope.appId, input.integrationId, input.externalUserId]));
      const existing = await trx
        .selectFrom("connections")
        .select("id")
        .where("tenant_id", "=", scope.tenantId)
        .where("app_id", "=", scope.appId)
        .where("integration_id", "=", input.integrationId)
        .where("external_user_id", "=", input.externalUserId)
        .orderBy("created_at")
        .executeTakeFirst();
      const values = {
        auth_type: input.credentials.type,
        metadata: JSON.stringify(metadataOf(input.credentials)),
        updated_at: now,
        status: "active" as const,
      };
      if (existing) {
        await trx.updateTable("connections").set({ ...values, secret: sealer.seal(JSON.stringify(input.credentials), existing.id) }).where("id", "=", existing.id).execute();
        return { id: existing.id, created: false };
      }
      const id = newId("con");
      await trx
        .insertInto("connections")
        .values({
          id,
          tenant_id: scope.tenantId,
          app_id: scope.appId,
          integration_id: input.integrationId,
          external_user_id: input.externalUserId,
          secret: sealer.seal(JSON.stringify(input.credentials), id),
          created_at: now,
          last_used_at: null,
          refresh_owner: null,
          refresh_until: null,
          ...values,
        })
        .execute();
      return { id, created: true };
    });
    return { connection: (await this.get(scope, outcome.id))!, created: outcome.created };
  }

  /**
   * Marks a connection `needs_reauth` after its refresh token was refused, but only if the
   * stored access token is still the one that was refreshed from: another server may have
   * rotated the tokens meanwhile, and then the connection is fine. True when marked.
   */
  async markNeedsReauth(id: string, staleAccessToken: string): Promise<boolean> {
    const row = await this.db.selectFrom("connections").select(["secret"]).where("id", "=", id).executeTakeFirst();
    if (!row) return false;
    const stored = await this.credentials(id, row.secret);
    if (stored.type !== "oauth2" || stored.accessToken !== staleAccessToken) return false;
    const result = await this.db
      .updateTable("connections")
      .set({ status: "needs_reauth", updated_at: this.now().toISOString() })
      .where("id", "=", id)
      .where("secret", "=", row.secret)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async list(scope: ConnectionScope, filter: { integrationId?: string; externalUserId?: string } = {}): Promise<Connection[]> {
    let query = this.query(scope);
    if (filter.integrationId) query = query.where("c.integration_id", "=", filter.integrationId);
    if (filter.externalUserId) query = query.where("c.external_user_id", "=", filter.externalUserId);
    return (await query.orderBy("c.created_at").orderBy("c.id").execute()).map(toConnection);
  }

  async get(scope: ConnectionScope, id: string): Promise<Connection | undefined> {
    const row = await this.query(scope).where("c.id", "=", id).executeTakeFirst();
    return row && toConnection(row);
  }

  /** The connection of an integration for one end user (or the shared one, `externalUserId` null). */
  async find(scope: ConnectionScope, integrationId: string, externalUserId: string | null): Promise<Connection | undefined> {
    let query = this.query(scope).where("c.integration_id", "=", integrationId);
    query = externalUserId === null ? query.where("c.external_user_id", "is", null) : query.where("c.external_user_id", "=", externalUserId);
    const row = await query.executeTakeFirst();
    return row && toConnection(row);
  }

  /**
   * The connection an invoke uses, with its decrypted credentials, in one query: by id
   * (`con_…`), by end-user id, or the shared one (`ref` null). Only within the scope and
   * only for this integration.
   */
  forInvoke(scope: ConnectionScope, integrationId: string, ref: string | null): Promise<InvokeConnection | undefined> {
    const key = [scope.tenantId, scope.appId ?? "", integrationId, ref === null ? "" : `=${ref}`].join("\u0000");
    return this.invokable.get(key, () => this.readForInvoke(scope, integrationId, ref));
  }

  /**
   * The slugs of the integrations `ref` (an end user's id or a connection id; null: the
   * scope's shared connections) has a connection to, as `forInvoke` would find one.
   */
  async connectedIntegrations(scope: ConnectionScope, ref: string | null): Promise<string[]> {
    const key = [scope.tenantId, scope.appId ?? "", ref === null ? "" : `=${ref}`].join("\u0000");
    const found = await this.connected.get(key, async () => {
      let query = this.db
        .selectFrom("connections as c")
        .innerJoin("integrations as i", "i.id", "c.integration_id")
        .select("i.slug")
        .distinct()
        .where("c.tenant_id", "=", scope.tenantId)
        .where((eb) => scopeFilter(eb, scope.appId, "c.app_id"));
      if (ref === null) query = query.where("c.external_user_id", "is", null);
      else query = query.where((eb) => eb.or([eb("c.id", "=", ref), eb("c.external_user_id", "=", ref)]));
      return { slugs: (await query.orderBy("i.slug").execute()).map((row) => row.slug) };
    });
    return found?.slugs ?? [];
  }

  private async readForInvoke(scope: ConnectionScope, integrationId: string, ref: string | null): Promise<InvokeConnection | undefined> {
    let query = this.db
      .selectFrom("connections")
      .select(["id", "secret", "status", "external_user_id"])
      .where("tenant_id", "=", scope.tenantId)
      .where("integration_id", "=", integrationId)
      .where((eb) => scopeFilter(eb, scope.appId));
    if (ref === null) query = query.where("external_user_id", "is", null);
    else query = query.where((eb) => eb.or([eb("id", "=", ref), eb("external_user_id", "=", ref)]));
    const row = await query.orderBy("created_at").limit(1).executeTakeFirst();
    if (!row) return undefined;
    try {
      return { id: row.id, credentials: await this.credentials(row.id, row.secret), status: row.status, externalUserId: row.external_user_id };
    } catch (error) {
      if (error instanceof SealError) throw new SealError(error.reason, `connection ${row.id} cannot be used: ${error.message}`);
      throw error;
    }
  }

  async delete(scope: ConnectionScope, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("connections").where("tenant_id", "=", scope.tenantId).where("id", "=", id).where((eb) => scopeFilter(eb, scope.appId)).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The decrypted credentials. Throws SealError when the ciphertext is corrupt or its key unknown. */
  async credentials(id: string, sealed?: string): Promise<Credentials> {
    const secret = sealed ?? (await this.db.selectFrom("connections").select("secret").where("id", "=", id).executeTakeFirstOrThrow()).secret;
    try {
      return decodeCredentials((await this.sealer()).open(secret, id));
    } catch (error) {
      // Sealed by a newer key (another server rotated): reload the key ring once and retry.
      if (!(error instanceof SealError) || error.reason !== "unknown-key") throw error;
      return decodeCredentials((await this.sealer({ reload: true })).open(secret, id));
    }
  }

  /** Stores refreshed credentials; `expected` (the access token refreshed from) makes it a compare-and-swap. */
  async replaceCredentials(id: string, credentials: Credentials): Promise<void> {
    await this.db
      .updateTable("connections")
      .set({
        secret: (await this.sealer()).seal(JSON.stringify(credentials), id),
        metadata: JSON.stringify(metadataOf(credentials)),
        updated_at: this.now().toISOString(),
      })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Runs `work` (an OAuth refresh) while holding the connection's refresh lease, which
   * every server sharing this database takes turns on: the others wait for it and then
   * find the new tokens stored. A lease outlives a crashed holder by at most `leaseMs`.
   * Resolves undefined, without running `work`, if the connection no longer exists.
   */
  async withRefreshLease<T>(id: string, work: () => Promise<T>, options: { leaseMs?: number; pollMs?: number } = {}): Promise<T | undefined> {
    const leaseMs = options.leaseMs ?? 45_000;
    const pollMs = options.pollMs ?? 50;
    const owner = randomUUID();
    const giveUpAt = Date.now() + leaseMs;
    for (;;) {
      const now = this.now();
      const taken = await this.db
        .updateTable("connections")
        .set({ refresh_owner: owner, refresh_until: new Date(now.getTime() + leaseMs).toISOString() })
        .where("id", "=", id)
        .where((eb) => eb.or([eb("refresh_until", "is", null), eb("refresh_until", "<", now.toISOString())]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) break;
      const exists = await this.db.selectFrom("connections").select("id").where("id", "=", id).executeTakeFirst();
      if (!exists) return undefined;
      if (Date.now() > giveUpAt) throw new Error(`connection ${id}: another server has been refreshing its tokens for over ${leaseMs} ms`);
      await delay(pollMs);
    }
    try {
      return await work();
    } finally {
      await this.db.updateTable("connections").set({ refresh_owner: null, refresh_until: null }).where("id", "=", id).where("refresh_owner", "=", owner).execute();
    }
  }

  /** Stamps the connection as used; written at most once per LAST_USED_RESOLUTION_MS (usage.ts). */
  async touch(id: string): Promise<void> {
    if (!this.usage.due(id, this.now().getTime())) return;
    await this.db.updateTable("connections").set({ last_used_at: this.now().toISOString() }).where("id", "=", id).execute();
  }

  /** Re-seals every secret not sealed with the current key (key rotation). Returns how many. */
  async reseal(): Promise<number> {
    const sealer = await this.sealer();
    let count = 0;
    const rows = await this.db.selectFrom("connections").select(["id", "secret"]).execute();
    for (const row of rows) {
      if (!sealer.isStale(row.secret)) continue;
      const resealed = sealer.seal(sealer.open(row.secret, row.id), row.id);
      // Only if nobody changed it meanwhile (a token refresh): the next run picks it up otherwise.
      const result = await this.db.updateTable("connections").set({ secret: resealed }).where("id", "=", row.id).where("secret", "=", row.secret).executeTakeFirst();
      count += Number(result.numUpdatedRows);
    }
    return count;
  }

  async settings(appId: string, integrationId: string): Promise<AppIntegrationSettings> {
    const settings = await this.settingsCache.get(`${appId}\u0000${integrationId}`, async () => {
      const row = await this.db
        .selectFrom("app_integration_settings")
        .selectAll()
        .where("app_id", "=", appId)
        .where("integration_id", "=", integrationId)
        .executeTakeFirst();
      return row ? { validation: row.validation, mappings: decodeMappings(row.mappings) } : { validation: "warn", mappings: [] };
    });
    return settings!;
  }

  async saveSettings(appId: string, integrationId: string, settings: AppIntegrationSettings): Promise<void> {
    const now = this.now().toISOString();
    const values = { validation: settings.validation, mappings: JSON.stringify(settings.mappings), updated_at: now };
    await this.db
      .insertInto("app_integration_settings")
      .values({ app_id: appId, integration_id: integrationId, ...values })
      .onConflict((oc) => oc.columns(["app_id", "integration_id"]).doUpdateSet(values))
      .execute();
  }

  private query(scope: ConnectionScope) {
    return this.db
      .selectFrom("connections as c")
      .innerJoin("integrations as i", "i.id", "c.integration_id")
      .leftJoin("apps as a", "a.id", "c.app_id")
      .selectAll("c")
      .select(["i.slug", "a.name as app_name"])
      .where("c.tenant_id", "=", scope.tenantId)
      .where((eb) => scopeFilter(eb, scope.appId, "c.app_id"));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's expression builder type differs per query; the filter is the same SQL.
function scopeFilter(eb: any, appId: string | null, column = "app_id") {
  return appId === null ? eb(column, "is", null) : eb(column, "=", appId);
}

function metadataOf(credentials: Credentials): ConnectionMetadata {
  return credentials.type === "oauth2" ? { scopes: credentials.scopes ?? null, expiresAt: credentials.expiresAt ?? null } : { scopes: null, expiresAt: null };
}

function toConnection(row: ConnectionTable & { slug: string; app_name: string | null }): Connection {
  const metadata = decodeConnectionMetadata(row.metadata);
  return {
    id: row.id,
    integration: row.slug,
    app: row.app_id && row.app_name ? { id: row.app_id, name: row.app_name } : null,
    externalUserId: row.external_user_id,
    authType: row.auth_type as Connection["authType"],
    status: row.status,
    scopes: metadata.scopes,
    expiresAt: metadata.expiresAt ? new Date(metadata.expiresAt).toISOString() : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
  };
}
