import type { Dialect } from "./database.js";

/**
 * Locks the rows a query selects until the transaction ends: `FOR UPDATE` on Postgres. On
 * SQLite every transaction already holds the database's write lock from its first
 * statement (BEGIN IMMEDIATE, see sqlite-adapter.ts), and SQLite has no row locks to take.
 */
export function forUpdate<Query extends { forUpdate(): Query }>(query: Query, dialect: Dialect): Query {
  return dialect === "postgres" ? query.forUpdate() : query;
}
