import type { Kysely } from "kysely";
import type { App, Pin } from "../contract/index.js";
import { ReadCache, type ChangeTracker } from "./changes.js";
import { isUniqueViolation } from "./conflicts.js";
import { decodeRateLimit } from "./decode.js";
import { newId } from "./ids.js";
import type { AppTable, Database } from "./schema.js";

/**
 * Apps of a tenant and their pins. An app is addressed by id or by name: `ref` in these
 * methods may be either, and both lookups are always scoped to the tenant.
 */
export interface InvokeTarget {
  integrationId: string;
  rateLimit: { capacity: number; refillPerSecond: number } | null;
  /** The version the app runs: its pin, else the integration's current one; null when none is published. */
  version: { id: string; number: number } | null;
}

export class AppRepository {
  /** What `invokeTarget` found, per tenant, app and integration: read on every invoke. */
  private readonly targets: ReadCache<string, InvokeTarget>;
  /** App ids by tenant and reference: a tenant key's `X-Waygate-App` names one on every invoke. */
  private readonly ids: ReadCache<string, { id: string }>;

  constructor(
    private readonly db: Kysely<Database>,
    changes: ChangeTracker,
    private readonly now: () => Date,
  ) {
    this.targets = new ReadCache(changes);
    this.ids = new ReadCache(changes);
  }

  /** The name is unique in the tenant (apps_tenant_name_unique): of two creates racing for it, one gets "name-taken". */
  async create(tenantId: string, name: string): Promise<App | "name-taken"> {
    const row: AppTable = { id: newId("app"), tenant_id: tenantId, name, created_at: this.now().toISOString() };
    const inserted = await this.db
      .insertInto("apps")
      .values(row)
      .onConflict((oc) => oc.columns(["tenant_id", "name"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return "name-taken";
    return (await this.get(tenantId, row.id))!;
  }

  async list(tenantId: string): Promise<App[]> {
    const rows = await this.summaryQuery(tenantId).orderBy("a.name").execute();
    return rows.map(toApp);
  }

  /** The id of the app `ref` (its id or name) names in the tenant: all an invoke needs of it. */
  async idOf(tenantId: string, ref: string): Promise<string | undefined> {
    const found = await this.ids.get(`${tenantId}\u0000${ref}`, async () => {
      const row = await this.db
        .selectFrom("apps")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where((eb) => eb.or([eb("id", "=", ref), eb("name", "=", ref)]))
        .executeTakeFirst();
      return row && { id: row.id };
    });
    return found?.id;
  }

  async get(tenantId: string, ref: string): Promise<App | undefined> {
    const row = await this.summaryQuery(tenantId)
      .where((eb) => eb.or([eb("a.id", "=", ref), eb("a.name", "=", ref)]))
      .executeTakeFirst();
    return row && toApp(row);
  }

  async rename(tenantId: string, ref: string, name: string): Promise<App | "name-taken" | undefined> {
    const app = await this.row(tenantId, ref);
    if (!app) return undefined;
    try {
      await this.db.updateTable("apps").set({ name }).where("id", "=", app.id).execute();
    } catch (error) {
      // The unique constraint decides between renames racing for one name; there is no other way to lose.
      if (isUniqueViolation(error)) return "name-taken";
      throw error;
    }
    return this.get(tenantId, app.id);
  }

  /** Deletes the app with its keys and pins (and, through the same cascade, its connections). */
  async delete(tenantId: string, ref: string): Promise<boolean> {
    const app = await this.row(tenantId, ref);
    if (!app) return false;
    await this.db.transaction().execute(async (trx) => {
      // Revoked first so that a request racing the delete cannot still authenticate.
      await trx.deleteFrom("api_keys").where("app_id", "=", app.id).execute();
      await trx.deleteFrom("pins").where("app_id", "=", app.id).execute();
      await trx.deleteFrom("apps").where("id", "=", app.id).execute();
    });
    return true;
  }

  async pins(appId: string): Promise<Pin[]> {
    const rows = await this.db
      .selectFrom("pins as p")
      .innerJoin("integrations as i", "i.id", "p.integration_id")
      .select(["i.slug", "p.version", "i.current_version", "p.updated_at"])
      .where("p.app_id", "=", appId)
      .orderBy("i.slug")
      .execute();
    return rows.map((row) => ({ integration: row.slug, version: row.version, currentVersion: row.current_version, updatedAt: row.updated_at }));
  }

  /** Pins app × integration to a version, replacing an earlier pin. */
  async pin(appId: string, integrationId: string, version: number): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .insertInto("pins")
      .values({ app_id: appId, integration_id: integrationId, version, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(["app_id", "integration_id"]).doUpdateSet({ version, updated_at: now }))
      .execute();
  }

  async unpin(appId: string, integrationId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("pins").where("app_id", "=", appId).where("integration_id", "=", integrationId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The version an app runs for an integration: its pin, else the integration's current version. */
  async resolvedVersion(appId: string | null, integrationId: string): Promise<{ version: number | null; pinned: boolean }> {
    if (appId) {
      const pin = await this.db.selectFrom("pins").select("version").where("app_id", "=", appId).where("integration_id", "=", integrationId).executeTakeFirst();
      if (pin) return { version: pin.version, pinned: true };
    }
    const integration = await this.db.selectFrom("integrations").select("current_version").where("id", "=", integrationId).executeTakeFirst();
    return { version: integration?.current_version ?? null, pinned: false };
  }

  /**
   * Everything an invoke needs to know about the integration in one query: its id, rate
   * limit, and the version the app runs (its pin, else current) with that version's id.
   */
  invokeTarget(tenantId: string, appId: string | null, slug: string): Promise<InvokeTarget | undefined> {
    return this.targets.get(`${tenantId}\u0000${appId ?? ""}\u0000${slug}`, () => this.readInvokeTarget(tenantId, appId, slug));
  }

  private async readInvokeTarget(tenantId: string, appId: string | null, slug: string): Promise<InvokeTarget | undefined> {
    const row = await this.db
      .selectFrom("integrations as i")
      .leftJoin("pins as p", (join) => join.onRef("p.integration_id", "=", "i.id").on("p.app_id", "=", appId ?? ""))
      .leftJoin("integration_versions as v", (join) =>
        join.onRef("v.integration_id", "=", "i.id").on((eb) => eb("v.version", "=", eb.fn.coalesce("p.version", "i.current_version"))),
      )
      .select(["i.id", "i.rate_limit", "v.id as version_id", "v.version"])
      .where("i.tenant_id", "=", tenantId)
      .where("i.slug", "=", slug)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      integrationId: row.id,
      rateLimit: row.rate_limit ? decodeRateLimit(row.rate_limit) : null,
      version: row.version_id && row.version !== null ? { id: row.version_id, number: row.version } : null,
    };
  }

  private row(tenantId: string, ref: string) {
    return this.db
      .selectFrom("apps")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where((eb) => eb.or([eb("id", "=", ref), eb("name", "=", ref)]))
      .executeTakeFirst();
  }

  private summaryQuery(tenantId: string) {
    return this.db
      .selectFrom("apps as a")
      .selectAll("a")
      .select((eb) => [
        eb
          .selectFrom("api_keys as k")
          .select((inner) => inner.fn.countAll<string | number>().as("n"))
          .whereRef("k.app_id", "=", "a.id")
          .where("k.revoked_at", "is", null)
          .as("key_count"),
        eb
          .selectFrom("pins as p")
          .select((inner) => inner.fn.countAll<string | number>().as("n"))
          .whereRef("p.app_id", "=", "a.id")
          .as("pin_count"),
      ])
      .where("a.tenant_id", "=", tenantId);
  }
}

function toApp(row: AppTable & { key_count: string | number | null; pin_count: string | number | null }): App {
  return { id: row.id, name: row.name, createdAt: row.created_at, keyCount: Number(row.key_count ?? 0), pinCount: Number(row.pin_count ?? 0) };
}
