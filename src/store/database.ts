import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import type * as NodeSqlite from "node:sqlite";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import { Migrator } from "kysely/migration";
import { PostgresChanges, sqliteChanges } from "./change-sources.js";
import { ChangeTracker, watchWrites } from "./changes.js";
import { migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";
import { adaptNodeSqlite, ImmediateSqliteDialect } from "./sqlite-adapter.js";

export type StoreLocation =
  | { kind: "sqlite"; file: string }
  /** `schema` isolates one tenant of a shared database (and each test): created if missing. */
  | { kind: "postgres"; url: string; schema?: string };

export type Dialect = StoreLocation["kind"];

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Sees every write, this process's and others': what the store's read caches check. */
  changes: ChangeTracker;
  /** The migrations of this database: pending ones, and applying them. */
  migrations: Migrations;
}

export interface OpenOptions {
  /**
   * Apply pending migrations while opening (default true). Multi-server deployments run
   * `waygate server migrate` as a step of their own and open with false.
   */
  migrate?: boolean;
}

export interface MigrationStatus {
  /** Migrations this code knows that the database has not applied, in order. */
  pending: string[];
  /** Migrations the database has applied that this code does not know: a newer version migrated it. */
  unknown: string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Where the store lives: a Postgres URL when one is given (flag or WAYGATE_DATABASE_URL),
 * else `waygate.db` in the data directory. A `?schema=` parameter on the URL selects
 * a Postgres schema.
 */
export function resolveStoreLocation(options: { databaseUrl?: string | undefined; dataDir: string }): StoreLocation {
  const url = options.databaseUrl;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new StoreConfigError(`database URL must start with postgres:// (got "${redactUrl(url)}")`);
    }
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    parsed.searchParams.delete("schema");
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new StoreConfigError(`schema "${schema}" must be a lowercase SQL identifier`);
    }
    return schema === undefined ? { kind: "postgres", url: parsed.toString() } : { kind: "postgres", url: parsed.toString(), schema };
  }
  return { kind: "sqlite", file: path.join(options.dataDir, "waygate.db") };
}

export class StoreConfigError extends Error {
  override name = "StoreConfigError";
}

/** Opens the database and (unless told not to) brings its schema up to date. */
export async function openDatabase(location: StoreLocation, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const { db, changes } = location.kind === "sqlite" ? await openSqlite(location.file) : await openPostgres(location);
  // Without the schema named, Kysely looks for its migration tables in any schema: another
  // database's `kysely_migration_lock` would be taken for this one's, and the lock table never made.
  // Found lazily: a server opened without migrating must start even while the database is down.
  let schema: Promise<string | undefined> | undefined;
  const migrationSchema = () => (schema ??= location.kind === "postgres" ? (location.schema ? Promise.resolve(location.schema) : currentSchema(db)) : Promise.resolve(undefined));
  const migrations = new Migrations(db, migrationSchema);
  if (options.migrate !== false) {
    try {
      await migrations.apply();
    } catch (error) {
      await changes.close();
      await db.destroy();
      throw error;
    }
  }
  return { db, dialect: location.kind, changes, migrations };
}

interface Opened {
  db: Kysely<Database>;
  changes: ChangeTracker;
}

async function openSqlite(file: string): Promise<Opened> {
  const onDisk = file !== ":memory:";
  if (onDisk) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    ownerOnly(file, { create: true });
  }
  const { DatabaseSync } = await importNodeSqlite();
  const sqlite = new DatabaseSync(file);
  // WAL lets readers proceed during a write; busy_timeout makes a second process wait
  // for the lock instead of failing (the CLI's operator commands may run beside a server).
  // busy_timeout first: switching to WAL needs a lock too, which a process migrating the
  // same new file may hold (two `server migrate` at once failed with "database is locked").
  sqlite.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
  // SQLite gives new -wal and -shm files the database file's mode; ones left by an older version may be wider.
  if (onDisk) for (const suffix of SIDE_FILES) ownerOnly(file + suffix, { create: false });
  const changes = new ChangeTracker(sqliteChanges(sqlite));
  return { db: new Kysely<Database>({ dialect: watchWrites(new ImmediateSqliteDialect({ database: adaptNodeSqlite(sqlite) }), changes) }), changes };
}

const SIDE_FILES = ["-wal", "-shm", "-journal"];

/**
 * The database holds key hashes and sealed credentials: it is the owner's alone (0600),
 * whether its folder was created here (0700) or already existed with wider permissions,
 * and also when an earlier version created it readable by others.
 */
function ownerOnly(file: string, options: { create: boolean }): void {
  if (options.create) closeSync(openSync(file, "a", 0o600));
  else if (!existsSync(file)) return;
  chmodSync(file, 0o600);
}

/**
 * node:sqlite prints an ExperimentalWarning on Node 22 when first loaded. It is stable
 * enough for us and the warning would land in every CLI command's stderr, so that one
 * warning (and only it) is silenced.
 */
async function importNodeSqlite(): Promise<typeof NodeSqlite> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

async function openPostgres(location: { url: string; schema?: string }): Promise<Opened> {
  const { default: pg } = await import("pg");
  if (location.schema) {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${location.schema}"`);
    } catch (error) {
      // IF NOT EXISTS is not atomic: two processes creating it at once, one gets a
      // unique violation on the catalogue (23505) although the schema now exists.
      if ((error as { code?: string }).code !== "23505") throw error;
    } finally {
      await client.end();
    }
  }
  const settings = { connectionString: location.url, ...(location.schema ? { options: `-c search_path="${location.schema}"` } : {}) };
  const pool = new pg.Pool({ ...settings, max: 10 });
  // A connection the database drops (restart, failover, network) emits "error" on the pool
  // when idle and on the client itself when checked out; without listeners either ends the
  // process. The query in flight fails on its own, the pool discards the client, and the
  // next query reconnects (src/server/readiness.test.ts takes the database away).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  // Named, so operators can tell the listening connection from the pool's in pg_stat_activity.
  const applicationName = `waygate-changes ${location.schema ?? ""}`.trim().slice(0, 63);
  const changes = new ChangeTracker(new PostgresChanges(() => new pg.Client({ ...settings, application_name: applicationName })));
  return { db: new Kysely<Database>({ dialect: watchWrites(new PostgresDialect({ pool }), changes) }), changes };
}

/** The schema unqualified names land in (the first of search_path that exists): where the migration tables belong. */
async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * Kysely's migrator over this database. Applying is safe when several processes do it at
 * once: on Postgres the migrator holds an advisory lock (kysely 0.29's PostgresAdapter:
 * pg_advisory_lock on one fixed id for the whole database, waited for up to an hour) while it
 * reads what is applied and applies the rest, so a second process waits and then finds nothing
 * left to do; on SQLite the write lock serialises them. test/e2e/migrate.test.ts races two.
 */
export class Migrations {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly schema: () => Promise<string | undefined>,
  ) {}

  private async migrator(): Promise<Migrator> {
    const schema = await this.schema();
    return new Migrator({ db: this.db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  }

  async status(): Promise<MigrationStatus> {
    const known = await (await this.migrator()).getMigrations();
    const knownNames = new Set(known.map((migration) => migration.name));
    const applied = await this.appliedNames();
    return {
      pending: known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name),
      unknown: applied.filter((name) => !knownNames.has(name)),
    };
  }

  /** Applies what is pending; returns the names applied (none when another process got there first). */
  async apply(): Promise<string[]> {
    // Nothing pending: leave the migrator alone. It refuses a database with migrations it does
    // not know, which is what an older server sees once a newer one has migrated (expand step):
    // that server must keep starting. (With something pending it re-reads under its lock.)
    if ((await this.status()).pending.length === 0) return [];
    const { error, results } = await (await this.migrator()).migrateToLatest();
    if (error) {
      const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
      throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
  }

  /** Kysely's own table; absent before the first migration (looked for first: another process may be creating it). */
  private async appliedNames(): Promise<string[]> {
    if (!(await this.migrationTableExists())) return [];
    const schema = await this.schema();
    const table = schema ? sql.table(`${schema}.kysely_migration`) : sql.table("kysely_migration");
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(this.db);
    return rows.map((row) => row.name);
  }

  private async migrationTableExists(): Promise<boolean> {
    const tables = await this.db.introspection.getTables({ withInternalKyselyTables: true });
    const schema = await this.schema();
    return tables.some((table) => table.name === "kysely_migration" && (schema === undefined || table.schema === schema));
  }
}

/** A database URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}
