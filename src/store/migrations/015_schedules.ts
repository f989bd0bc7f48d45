import type { Kysely } from "kysely";

/**
 * Schedules: a job type and payload to enqueue on a cron expression or a fixed interval.
 * The scheduler fires a schedule by moving `next_run_at` with an UPDATE guarded on its old
 * value, so two servers on one database never fire the same run twice. Each run is recorded
 * with the job it created; a schedule keeps its most recent runs only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("schedules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("job_type", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("cron", "text")
    .addColumn("interval_ms", "bigint")
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_run_at", "text")
    .addColumn("last_run_at", "text")
    .addColumn("last_job_id", "text")
    .addColumn("last_error", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("schedules_tenant_name_unique", ["tenant_id", "name"])
    .execute();
  await db.schema.createIndex("schedules_due_idx").on("schedules").columns(["paused", "next_run_at"]).execute();

  await db.schema
    .createTable("schedule_runs")
    .addColumn("schedule_id", "text", (c) => c.notNull().references("schedules.id").onDelete("cascade"))
    .addColumn("job_id", "text", (c) => c.notNull())
    .addColumn("scheduled_for", "text", (c) => c.notNull())
    .addColumn("fired_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("schedule_runs_pk", ["schedule_id", "job_id"])
    .execute();
  await db.schema.createIndex("schedule_runs_recent_idx").on("schedule_runs").columns(["schedule_id", "fired_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("schedule_runs").execute();
  await db.schema.dropTable("schedules").execute();
}
