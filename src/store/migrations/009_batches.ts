import type { Kysely } from "kysely";

/**
 * Batch operations: one row per batch, one per item. Items are stored when the batch is
 * created, so a batch survives restarts; each item moves queued → running → one final state
 * (succeeded, failed, skipped, cancelled) and keeps its upstream status and body or problem.
 *
 * Inputs are the caller's data, not credentials: plain JSON text (credentials stay in the
 * sealed connections the items name).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.references("apps.id").onDelete("cascade"))
    .addColumn("integration", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("connection", "text")
    .addColumn("options", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("job_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .execute();
  await db.schema.createIndex("batches_tenant_idx").on("batches").columns(["tenant_id", "created_at"]).execute();

  await db.schema
    .createTable("batch_items")
    .addColumn("batch_id", "text", (c) => c.notNull().references("batches.id").onDelete("cascade"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("input", "text", (c) => c.notNull())
    .addColumn("connection", "text")
    .addColumn("idempotency_key", "text")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("throttled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("upstream_status", "integer")
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addColumn("run_after", "text", (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addPrimaryKeyConstraint("batch_items_pk", ["batch_id", "seq"])
    .execute();
  await db.schema.createIndex("batch_items_state_idx").on("batch_items").columns(["batch_id", "state", "seq"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("batch_items").execute();
  await db.schema.dropTable("batches").execute();
}
