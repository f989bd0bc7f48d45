import { sql, type Transaction } from "kysely";
import type { Dialect } from "./database.js";
import type { Database } from "./schema.js";

/*
 * On SQLite every transaction already holds the database's write lock from its first
 * statement (BEGIN IMMEDIATE, see sqlite-adapter.ts), and there are no finer locks to take:
 * both helpers only act on Postgres.
 */

/**
 * Locks the rows a query selects until the transaction ends, against other writers of those
 * rows: `FOR NO KEY UPDATE`, not `FOR UPDATE`, so inserting rows that reference them (their
 * foreign-key checks take KEY SHARE) is not held up meanwhile.
 */
export function lockForWrite<Query extends { forNoKeyUpdate(): Query }>(query: Query, dialect: Dialect): Query {
  return dialect === "postgres" ? query.forNoKeyUpdate() : query;
}

/**
 * Serializes the transactions that name the same `key` (a transaction-scoped advisory lock,
 * released at commit or rollback): for a check-then-insert that no unique index can guard
 * and no single row stands for.
 */
export async function lockKey(trx: Transaction<Database>, dialect: Dialect, key: string): Promise<void> {
  if (dialect === "postgres") await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
