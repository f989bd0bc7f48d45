import { PostgresAdapter, sql, type Kysely } from "kysely";
import { CHANGE_CHANNEL } from "../change-sources.js";
import { BOOKKEEPING_COLUMNS, CACHED_TABLES } from "../changes.js";

/**
 * Postgres only: every change to a table the read caches hold notifies `waygate_changes`
 * (payload: the schema), delivered when the transaction commits, so every server sharing
 * the database drops what it cached. SQLite needs nothing: other
 * processes' commits show in `PRAGMA data_version`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    CREATE OR REPLACE FUNCTION waygate_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(${sql.lit(CHANGE_CHANNEL)}, TG_TABLE_SCHEMA);
      RETURN NULL;
    END $$`.execute(db);
  for (const table of CACHED_TABLES) {
    await sql`
      CREATE TRIGGER waygate_notify_change AFTER INSERT OR DELETE OR TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION waygate_notify_change()`.execute(db);
    // Per row, so that bookkeeping (usage stamps, refresh leases) and updates that change
    // nothing do not empty every server's caches.
    const ignored = sql.raw(`ARRAY[${BOOKKEEPING_COLUMNS.map((column) => `'${column}'`).join(", ")}]::text[]`);
    await sql`
      CREATE TRIGGER waygate_notify_update AFTER UPDATE ON ${sql.table(table)}
      FOR EACH ROW WHEN ((to_jsonb(OLD) - ${ignored}) IS DISTINCT FROM (to_jsonb(NEW) - ${ignored}))
      EXECUTE FUNCTION waygate_notify_change()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const table of CACHED_TABLES) {
    await sql`DROP TRIGGER IF EXISTS waygate_notify_change ON ${sql.table(table)}`.execute(db);
    await sql`DROP TRIGGER IF EXISTS waygate_notify_update ON ${sql.table(table)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS waygate_notify_change()`.execute(db);
}
