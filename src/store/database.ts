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

/** Opens the database and brings its schema up to date. */
export async function openDatabase(location: StoreLocation): Promise<DatabaseHandle> {
  const { db, changes } = location.kind === "sqlite" ? await openSqlite(location.file) : await openPostgres(location);
  try {
    await migrate(db, location.kind === "postgres" ? (location.schema ?? (await currentSchema(db))) : undefined);
  } catch (error) {
    await changes.close();
    await db.destroy();
    throw error;
  }
  return { db, dialect: location.kind, changes };
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
  sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
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
    } finally {
      await client.end();
    }
  }
  const settings = { connectionString: location.url, ...(location.schema ? { options: `-c search_path="${location.schema}"` } : {}) };
  const pool = new pg.Pool({ ...settings, max: 10 });
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

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  // Without the schema named, Kysely looks for its migration tables in any schema: another
  // database's `kysely_migration_lock` would be taken for this one's, and the lock table never made.
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
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
