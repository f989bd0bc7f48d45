import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { ApiKey, KeyKind } from "../contract/index.js";
import { ReadCache, type ChangeTracker } from "./changes.js";
import type { Dialect } from "./database.js";
import { newId } from "./ids.js";
import { lockForWrite } from "./locks.js";
import { UsageStamps } from "./usage.js";
import type { ApiKeyTable, Database } from "./schema.js";

export const KEY_PREFIXES: Record<KeyKind, string> = { tenant: "wg_tenant_", app: "wg_app_" };

export interface IssuedKey {
  key: ApiKey;
  /** The whole key. Returned once; only its hash is stored. */
  secret: string;
}

export interface AuthenticatedKey {
  /** `lastUsedAt` may lag by up to a minute: usage is stamped at most that often. */
  key: ApiKey;
  tenantId: string;
}

interface KnownKey {
  digest: Buffer;
  revoked: boolean;
  lastUsedMs: number;
  authenticated: AuthenticatedKey;
}

/**
 * API keys are 32 random bytes (256 bits) behind a readable prefix. Only a SHA-256
 * hash is stored: a slow password hash buys nothing for keys with this much entropy,
 * and a fast one keeps authentication off the request's critical path. Lookup is by
 * the hash's unique index; the stored and computed digests are then compared with
 * timingSafeEqual, so no byte-by-byte comparison of secret material ever happens.
 */
export class KeyRepository {
  /** Keys by hash: authentication runs on every request, and keys change rarely. */
  private readonly byHash: ReadCache<string, KnownKey>;
  private readonly usage = new UsageStamps();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    changes: ChangeTracker,
    private readonly now: () => Date,
  ) {
    this.byHash = new ReadCache(changes);
  }

  async issue(input: { tenantId: string; kind: KeyKind; appId?: string | null; name?: string }): Promise<IssuedKey> {
    const secret = KEY_PREFIXES[input.kind] + randomBytes(32).toString("base64url");
    const row: ApiKeyTable = {
      id: newId("key"),
      tenant_id: input.tenantId,
      app_id: input.appId ?? null,
      kind: input.kind,
      name: input.name ?? "default",
      prefix: secret.slice(0, KEY_PREFIXES[input.kind].length + 6),
      hash: hashKey(secret),
      created_at: this.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto("api_keys").values(row).execute();
    return { key: toApiKey(row), secret };
  }

  /** The live key matching `secret`, or undefined for unknown, malformed and revoked keys alike. */
  async authenticate(secret: string): Promise<AuthenticatedKey | undefined> {
    if (!Object.values(KEY_PREFIXES).some((prefix) => secret.startsWith(prefix)) || secret.length > 200) return undefined;
    const digest = hash("sha256", secret, "buffer");
    const hex = digest.toString("hex");
    const known = await this.byHash.get(hex, async () => {
      const row = await this.db.selectFrom("api_keys").selectAll().where("hash", "=", hex).executeTakeFirst();
      return row && { digest: Buffer.from(row.hash, "hex"), revoked: row.revoked_at !== null, lastUsedMs: row.last_used_at ? Date.parse(row.last_used_at) : 0, authenticated: { key: toApiKey(row), tenantId: row.tenant_id } };
    });
    if (!known || known.revoked || !timingSafeEqual(known.digest, digest)) return undefined;
    const { id } = known.authenticated.key;
    const now = this.now().getTime();
    if (this.usage.due(id, now, known.lastUsedMs)) {
      const stamp = new Date(now).toISOString();
      await this.db.updateTable("api_keys").set({ last_used_at: stamp }).where("id", "=", id).execute();
      return { ...known.authenticated, key: { ...known.authenticated.key, lastUsedAt: stamp } };
    }
    return known.authenticated;
  }

  async list(tenantId: string, filter: { kind?: KeyKind; appId?: string } = {}): Promise<ApiKey[]> {
    let query = this.db.selectFrom("api_keys").selectAll().where("tenant_id", "=", tenantId);
    if (filter.kind) query = query.where("kind", "=", filter.kind);
    if (filter.appId) query = query.where("app_id", "=", filter.appId);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(toApiKey);
  }

  async get(tenantId: string, id: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  /** Revokes a key of this tenant. Idempotent: revoking twice keeps the first timestamp. */
  async revoke(tenantId: string, id: string): Promise<ApiKey | undefined> {
    await this.db
      .updateTable("api_keys")
      .set({ revoked_at: this.now().toISOString() })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
    return this.get(tenantId, id);
  }

  /**
   * Revokes one of the tenant's admin keys unless it is the last active one: a tenant
   * without an admin key cannot be administered any more. Checking and revoking happen
   * under the tenant's row lock (the database's write lock on SQLite), so two servers
   * revoking the last two keys at once cannot both succeed. Undefined: no such admin key.
   */
  async revokeAdminKey(tenantId: string, id: string): Promise<ApiKey | "last-active" | undefined> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const tenant = await lockForWrite(trx.selectFrom("tenants").select("id").where("id", "=", tenantId), this.dialect).executeTakeFirst();
      if (!tenant) return undefined;
      const key = await trx.selectFrom("api_keys").select(["id", "revoked_at"]).where("tenant_id", "=", tenantId).where("id", "=", id).where("kind", "=", "tenant").executeTakeFirst();
      if (!key) return undefined;
      if (key.revoked_at !== null) return "revoked" as const;
      const others = await trx
        .selectFrom("api_keys")
        .select((eb) => eb.fn.countAll<string | number>().as("n"))
        .where("tenant_id", "=", tenantId)
        .where("kind", "=", "tenant")
        .where("revoked_at", "is", null)
        .where("id", "<>", id)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) return "last-active" as const;
      await trx.updateTable("api_keys").set({ revoked_at: this.now().toISOString() }).where("id", "=", id).execute();
      return "revoked" as const;
    });
    return outcome === "revoked" ? this.get(tenantId, id) : outcome;
  }
}

export function hashKey(secret: string): string {
  return hash("sha256", secret, "hex");
}

function toApiKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    appId: row.app_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
