import type { CompiledQuery, DatabaseConnection, Dialect, Driver, OperationNode } from "kysely";
import { remember } from "../lib/bounded-map.js";

/**
 * The tables whose rows the read caches hold. Writes to the others (the job queue, the
 * append-only event log, Kysely's migration bookkeeping) leave the caches alone: the
 * job worker heartbeats every few seconds and must not empty them each time.
 */
export const CACHED_TABLES = [
  "tenants",
  "apps",
  "api_keys",
  "integrations",
  "integration_versions",
  "actions",
  "pins",
  "connections",
  "app_integration_settings",
] as const;

/**
 * Cached tables added after migration 006 (which reads CACHED_TABLES when it runs): the
 * migration that creates each also gives it 006's change-notification triggers on Postgres.
 */
export const LATER_CACHED_TABLES = ["intents", "intent_bindings", "intent_preferences", "intent_pins"] as const;

const CACHED = new Set<string>([...CACHED_TABLES, ...LATER_CACHED_TABLES]);

/**
 * Columns no cached value depends on: usage stamps (written at most once a minute per key
 * and connection) and the OAuth refresh lease. Updates of these alone invalidate nothing.
 */
export const BOOKKEEPING_COLUMNS = ["last_used_at", "refresh_owner", "refresh_until"] as const;

const BOOKKEEPING = new Set<string>(BOOKKEEPING_COLUMNS);

/** How often, at most, other processes' changes are polled for (where they must be polled). */
export const POLL_MS = 10;

/**
 * How a store learns that another process committed a change: SQLite's `PRAGMA
 * data_version`, asked at most every POLL_MS, or Postgres notifications
 * from the triggers of migration 006.
 */
export interface ExternalChanges {
  /** False while changes by other processes cannot be observed: caches then read through. */
  readonly live: boolean;
  /** True when another process committed since the last call. */
  poll(): boolean;
  /** Starts observing (the Postgres listener), at most once; the store calls it on first use. */
  start(onChange: () => void): void;
  close(): Promise<void>;
}

/**
 * Tells read caches whether what they hold may be stale. The generation moves on before
 * and after every write statement this process sends to a cached table, after every
 * commit and rollback, and whenever another process commits; a cached value is served
 * only while the generation it was read at is still the current one, and a read that a
 * write overlapped is not cached at all. Within one process that is exact; another
 * process's commit is seen within POLL_MS on SQLite and as soon as its notification
 * arrives on Postgres.
 */
export class ChangeTracker {
  private generation = 0;
  private started = false;
  private polledAt = 0;

  constructor(private readonly external: ExternalChanges) {}

  /** The current generation, or null when caching is off (changes elsewhere cannot be seen). */
  current(): number | null {
    if (!this.started) {
      this.started = true;
      this.external.start(() => this.bump());
    }
    if (!this.external.live) return null;
    // One request reads several caches, twice each, and a poll can cost 20 µs (SQLite
    // reads its WAL index): asked at most every POLL_MS, another process's commit is
    // still seen within that time, and the poll stays off the profile.
    const now = Date.now();
    if (now - this.polledAt >= POLL_MS || now < this.polledAt) {
      this.polledAt = now;
      if (this.external.poll()) this.generation++;
    }
    return this.generation;
  }

  bump(): void {
    this.generation++;
  }

  close(): Promise<void> {
    return this.external.close();
  }
}

/**
 * A bounded map of values read from the store, valid for one generation of the tracker.
 * Values are frozen at the top level: callers share them and must not change them.
 */
export class ReadCache<K, V extends object> {
  private readonly entries = new Map<K, V>();
  private generation: number | null = null;

  constructor(
    private readonly tracker: ChangeTracker,
    private readonly limit = 10_000,
  ) {}

  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const generation = this.tracker.current();
    if (generation === null) return load();
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    // Cached only when no write happened while it was read, so it cannot be older than the write.
    if (value !== undefined && this.tracker.current() === generation && this.generation === generation) {
      remember(this.entries, key, Object.freeze(value), this.limit);
    }
    return value;
  }
}

/**
 * Wraps a Kysely dialect so that every write to a cached table, and every transaction's
 * end, moves the tracker on. Watching at the driver means no repository method can
 * forget to invalidate: whatever reaches the database is seen.
 */
export function watchWrites(dialect: Dialect, tracker: ChangeTracker): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => watchedDriver(dialect.createDriver(), tracker),
  };
}

function watchedDriver(driver: Driver, tracker: ChangeTracker): Driver {
  // Kysely hands the connection it acquired back to the driver for transactions and
  // release: the driver gets its own connection back, Kysely only ever sees the wrapper.
  const wrappers = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const wrap = (connection: DatabaseConnection): DatabaseConnection => {
    let wrapped = wrappers.get(connection);
    if (!wrapped) {
      wrapped = {
        executeQuery: async (query, options) => {
          const writes = changesCachedRows(query);
          if (writes) tracker.bump();
          try {
            return await connection.executeQuery(query, options);
          } finally {
            if (writes) tracker.bump();
          }
        },
        streamQuery: (query, chunkSize, options) => connection.streamQuery(query, chunkSize, options),
      };
      wrappers.set(connection, wrapped);
      originals.set(wrapped, connection);
    }
    return wrapped;
  };
  const original = (connection: DatabaseConnection) => originals.get(connection) ?? connection;
  const thenBump = async (end: () => Promise<void>) => {
    try {
      await end();
    } finally {
      tracker.bump();
    }
  };
  return {
    init: (options) => driver.init(options),
    acquireConnection: async (options) => wrap(await driver.acquireConnection(options)),
    beginTransaction: (connection, settings) => driver.beginTransaction(original(connection), settings),
    commitTransaction: (connection) => thenBump(() => driver.commitTransaction(original(connection))),
    rollbackTransaction: (connection) => thenBump(() => driver.rollbackTransaction(original(connection))),
    ...(driver.savepoint ? { savepoint: (connection, name, compile) => driver.savepoint!(original(connection), name, compile) } : {}),
    ...(driver.rollbackToSavepoint
      ? { rollbackToSavepoint: (connection, name, compile) => thenBump(() => driver.rollbackToSavepoint!(original(connection), name, compile)) }
      : {}),
    ...(driver.releaseSavepoint ? { releaseSavepoint: (connection, name, compile) => driver.releaseSavepoint!(original(connection), name, compile) } : {}),
    releaseConnection: (connection, options) => driver.releaseConnection(original(connection), options),
    destroy: (options) => driver.destroy(options),
  };
}

/**
 * Whether a statement may change rows the caches hold. Reads never do; neither do writes
 * to other tables, nor updates of BOOKKEEPING_COLUMNS alone. Anything unrecognised counts
 * as a change: a needless refill is cheap, a stale key is not.
 */
export function changesCachedRows(query: CompiledQuery): boolean {
  const node = query.query as OperationNode & Record<string, unknown>;
  switch (node.kind) {
    case "SelectQueryNode":
      return false;
    case "InsertQueryNode":
    case "MergeQueryNode":
      return touchesCached([node.into]);
    case "DeleteQueryNode":
      return touchesCached((node.from as { froms?: unknown[] } | undefined)?.froms ?? [undefined]);
    case "UpdateQueryNode": {
      const columns = ((node.updates as { column?: { column?: { name?: string } } }[] | undefined) ?? []).map((update) => update.column?.column?.name);
      if (columns.length > 0 && columns.every((column) => column !== undefined && BOOKKEEPING.has(column))) return false;
      return touchesCached([node.table]);
    }
    case "RawNode":
      return !/^\s*(select|pragma\s+\w+\s*;?\s*$)/i.test(query.sql);
    default:
      return true;
  }
}

function touchesCached(tables: readonly unknown[]): boolean {
  return tables.some((table) => {
    const name = tableName(table);
    return name === undefined || CACHED.has(name);
  });
}

/** The table a TableNode (possibly aliased) names. */
function tableName(node: unknown): string | undefined {
  const table = (node as { kind?: string; node?: unknown } | undefined)?.kind === "AliasNode" ? (node as { node: unknown }).node : node;
  const name = (table as { table?: { identifier?: { name?: unknown } } } | undefined)?.table?.identifier?.name;
  return typeof name === "string" ? name : undefined;
}
