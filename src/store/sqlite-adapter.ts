import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement } from "kysely";
import { remember } from "../lib/bounded-map.js";

/**
 * Kysely's SqliteDialect is written against better-sqlite3. Node's built-in
 * `node:sqlite` has almost the same surface; this adapter supplies the two
 * differences: the `reader` flag (does the statement return rows?) and spread
 * parameters. Booleans become 0/1, since node:sqlite refuses them.
 */
export function adaptNodeSqlite(db: DatabaseSync): SqliteDatabase {
  // Kysely prepares every query afresh; the same SQL text recurs on every request, so
  // prepared statements are kept (SQLite compiles a statement once, then only binds).
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sql) => {
      let statement = cache.get(sql);
      if (!statement) {
        statement = adaptStatement(db.prepare(sql));
        remember(cache, sql, statement, STATEMENT_CACHE_SIZE);
      }
      return statement;
    },
  };
}

const STATEMENT_CACHE_SIZE = 500;

function adaptStatement(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (parameters) => statement.all(...toSqlite(parameters)),
    run: (parameters) => statement.run(...toSqlite(parameters)),
    iterate: (parameters) => statement.iterate(...toSqlite(parameters)),
  };
}

function toSqlite(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`: the write lock
 * is only asked for at the first write, after the transaction has read. When another
 * process (a second server on the same file, or the CLI's operator commands) committed in
 * between, SQLite cannot upgrade that stale snapshot and fails at once with SQLITE_BUSY:
 * busy_timeout does not apply. Every transaction here reads in order to write, so each one
 * takes the write lock up front with `BEGIN IMMEDIATE`, waiting (busy_timeout) for the
 * other process instead; within one process Kysely already runs one transaction at a time.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  private readonly settings: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.settings = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Kysely's SQLite adapter says DDL is not transactional and takes no migration lock, so two
 * processes migrating one file at once both read "nothing applied" and the second fails
 * half-way ("table jobs already exists"). SQLite's DDL is transactional: saying so makes the
 * migrator run in one transaction, which begins IMMEDIATE above and so holds the write lock
 * from reading what is applied to the last migration; the other process waits, then finds
 * nothing left to do.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}
