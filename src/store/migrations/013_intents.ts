import { PostgresAdapter, sql, type Kysely } from "kysely";
import { BOOKKEEPING_COLUMNS } from "../changes.js";

/** The tables this migration creates, all read through the read caches (LATER_CACHED_TABLES in changes.ts). */
const TABLES = ["intents", "intent_bindings", "intent_preferences", "intent_pins"] as const;

/**
 * Intents: provider-neutral operations. Each version of an intent is an immutable row
 * (canonical input and output JSON Schemas); bindings tie an intent version to one action
 * of an integration with a declarative mapping; preferences order the providers per tenant
 * (app_id '') or per app; intent pins hold an app on one version. Schemas and mappings are
 * definitions, not secrets: plain JSON text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("intents")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("input_schema", "text", (c) => c.notNull())
    .addColumn("output_schema", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("intents_pk", ["tenant_id", "name", "version"])
    .execute();

  await db.schema
    .createTable("intent_bindings")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("intent_name", "text", (c) => c.notNull())
    .addColumn("intent_version", "integer", (c) => c.notNull())
    .addColumn("integration", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("integration_version", "integer", (c) => c.notNull())
    .addColumn("mapping", "text", (c) => c.notNull())
    .addColumn("unsupported", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("intent_bindings_pk", ["tenant_id", "intent_name", "intent_version", "integration"])
    .execute();

  await db.schema
    .createTable("intent_preferences")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("intent_name", "text", (c) => c.notNull())
    .addColumn("providers", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("intent_preferences_pk", ["tenant_id", "app_id", "intent_name"])
    .execute();

  await db.schema
    .createTable("intent_pins")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("intent_name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("intent_pins_pk", ["app_id", "intent_name"])
    .execute();

  // Intents are read through the read caches on every intent call: on Postgres, changes
  // notify every server as 006 set up for the older cached tables (its function, its triggers).
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const ignored = sql.raw(`ARRAY[${BOOKKEEPING_COLUMNS.map((column) => `'${column}'`).join(", ")}]::text[]`);
    for (const table of TABLES) {
      await sql`
        CREATE TRIGGER waygate_notify_change AFTER INSERT OR DELETE OR TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION waygate_notify_change()`.execute(db);
      await sql`
        CREATE TRIGGER waygate_notify_update AFTER UPDATE ON ${sql.table(table)}
        FOR EACH ROW WHEN ((to_jsonb(OLD) - ${ignored}) IS DISTINCT FROM (to_jsonb(NEW) - ${ignored}))
        EXECUTE FUNCTION waygate_notify_change()`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("intent_pins").execute();
  await db.schema.dropTable("intent_preferences").execute();
  await db.schema.dropTable("intent_bindings").execute();
  await db.schema.dropTable("intents").execute();
}
