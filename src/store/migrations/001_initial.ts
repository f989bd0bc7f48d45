import type { Kysely } from "kysely";

// Column types are chosen to mean the same on SQLite and Postgres (see ../schema.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tenants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("apps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("apps_tenant_name_unique", ["tenant_id", "name"])
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.references("apps.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema.createIndex("api_keys_tenant_idx").on("api_keys").column("tenant_id").execute();

  await db.schema
    .createTable("integrations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("base_url", "text", (c) => c.notNull())
    .addColumn("auth_type", "text", (c) => c.notNull())
    .addColumn("auth_type_unverified", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("current_version", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("integrations_tenant_slug_unique", ["tenant_id", "slug"])
    .execute();

  await db.schema
    .createTable("integration_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("config", "text", (c) => c.notNull())
    .addColumn("action_count", "integer", (c) => c.notNull())
    .addColumn("changelog", "text")
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("integration_versions_number_unique", ["integration_id", "version"])
    .execute();

  await db.schema
    .createTable("actions")
    .addColumn("version_id", "text", (c) => c.notNull().references("integration_versions.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("summary", "text")
    .addColumn("description", "text")
    .addColumn("deprecated", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("paginated", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("actions_pk", ["version_id", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["actions", "integration_versions", "integrations", "api_keys", "apps", "tenants"]) {
    await db.schema.dropTable(table).execute();
  }
}
