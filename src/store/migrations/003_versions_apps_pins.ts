import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("integration_versions").addColumn("published_at", "text").execute();
  /** JSON: the diff summary against the version before it (added/removed/changed/breaking counts). */
  await db.schema.alterTable("integration_versions").addColumn("diff_summary", "text").execute();

  await db.schema
    .createTable("integration_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    /** Order within the integration's history; timestamps tie within one transaction. */
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("previous_version", "integer")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("integration_events_seq_unique", ["integration_id", "seq"])
    .execute();

  await db.schema
    .createTable("pins")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("pins_pk", ["app_id", "integration_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("pins").execute();
  await db.schema.dropTable("integration_events").execute();
  await db.schema.alterTable("integration_versions").dropColumn("diff_summary").execute();
  await db.schema.alterTable("integration_versions").dropColumn("published_at").execute();
}
