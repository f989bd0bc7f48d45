import type { Kysely } from "kysely";

/**
 * What each version-making request (an import job, later a proposal's approval) came to,
 * keyed by the request: a job that runs again after a crash finds its own result here
 * instead of applying its content again over versions that landed meanwhile.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("version_requests")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    /** `import:<job id>`: who asked, unique per tenant. */
    .addColumn("request_key", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    /** 1 when the request made the version, 0 when its content already was the latest version. */
    .addColumn("created", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("version_requests_pk", ["tenant_id", "request_key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("version_requests").execute();
}
