import { PostgresAdapter, sql, type Kysely } from "kysely";

/**
 * Uploaded import documents leave the job row: they are stored in 1 MiB chunks in
 * `job_documents` while the job waits and runs, and deleted when it ends. Chunks, because
 * an upload is written as it arrives (never held whole in memory) and because Postgres
 * returns bytea as hex text: a 64 MiB value would be read back as a 128 MiB string.
 *
 * `job_id` has no foreign key: the document is written before its job row exists (the job
 * is enqueued once the upload is complete). Chunks whose job never came are swept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable("job_documents")
    .addColumn("job_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("data", postgres ? "bytea" : "blob", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("job_documents_pk", ["job_id", "seq"])
    .execute();
  await db.schema.createIndex("job_documents_created_idx").on("job_documents").column("created_at").execute();
  // Payloads of finished jobs were kept forever (whole uploaded documents among them).
  await sql`update jobs set payload = 'null' where status in ('succeeded', 'failed', 'cancelled')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("job_documents").execute();
}
