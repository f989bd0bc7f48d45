import type { Kysely } from "kysely";

/**
 * The schemas a version's actions share (the members of each action schema's `$defs`), stored
 * once per version and referred to by digest from `actions.definition`. Every action schema
 * carries the shared definitions it reaches, so a big spec's actions repeat them: Stripe's 452
 * actions were 450 MB of JSON, of about 3 MB of distinct schemas. Rows written before this
 * table (no `sharedDefs` flag in their JSON) keep their schemas inline and read as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("action_schemas")
    .addColumn("version_id", "text", (c) => c.notNull().references("integration_versions.id").onDelete("cascade"))
    .addColumn("digest", "text", (c) => c.notNull())
    .addColumn("schema", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("action_schemas_pk", ["version_id", "digest"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("action_schemas").execute();
}
