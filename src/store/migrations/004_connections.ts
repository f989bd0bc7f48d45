import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("connections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.references("apps.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("external_user_id", "text")
    .addColumn("auth_type", "text", (c) => c.notNull())
    /** AES-256-GCM ciphertext of the credentials, bound to this row's id (see lib/sealer.ts). */
    .addColumn("secret", "text", (c) => c.notNull())
    /** JSON, not secret: scopes and token expiry, for listing. */
    .addColumn("metadata", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .execute();
  await db.schema.createIndex("connections_lookup_idx").on("connections").columns(["tenant_id", "integration_id", "external_user_id"]).execute();

  /** Per app × integration: how the gateway validates responses and reshapes them. */
  await db.schema
    .createTable("app_integration_settings")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("validation", "text", (c) => c.notNull())
    .addColumn("mappings", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("app_integration_settings_pk", ["app_id", "integration_id"])
    .execute();

  /** JSON token bucket { capacity, refillPerSecond } the gateway keeps to for this integration; null: none configured. */
  await db.schema.alterTable("integrations").addColumn("rate_limit", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("integrations").dropColumn("rate_limit").execute();
  await db.schema.dropTable("app_integration_settings").execute();
  await db.schema.dropTable("connections").execute();
}
