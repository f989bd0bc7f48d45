import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import { Store, type StoreLocation, type StoreOptions } from "../../src/store/index.js";
import type { Database } from "../../src/store/schema.js";
import { Sealer } from "../../src/lib/sealer.js";

/**
 * The store backends a contract suite runs against: SQLite always, Postgres when
 * WAYGATE_TEST_DATABASE_URL is set (.ci/run sets it to the machine's Postgres).
 */
export const storeBackends: Array<"sqlite" | "postgres"> = process.env.WAYGATE_TEST_DATABASE_URL
  ? ["sqlite", "postgres"]
  : ["sqlite"];

export interface TestDatabase {
  location: StoreLocation;
  /** The same location as a CLI/server would take it: a data dir or a database URL. */
  args: string[];
  drop(): Promise<void>;
}

/** A fresh, isolated database: a temp directory for SQLite, a new schema for Postgres. */
export async function createTestDatabase(kind: "sqlite" | "postgres"): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-test-"));
    return {
      location: { kind: "sqlite", file: path.join(dir, "waygate.db") },
      args: ["--data-dir", dir],
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.WAYGATE_TEST_DATABASE_URL;
  if (!url) throw new Error("WAYGATE_TEST_DATABASE_URL is not set");
  const schema = `wg_test_${randomBytes(6).toString("hex")}`;
  const withSchema = new URL(url);
  withSchema.searchParams.set("schema", schema);
  return {
    location: { kind: "postgres", url, schema },
    args: ["--database-url", withSchema.toString()],
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function openTestStore(kind: "sqlite" | "postgres", options: StoreOptions = {}): Promise<{ store: Store; location: StoreLocation; sealer: () => Promise<Sealer>; dispose(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  // One key per store: the ring may be reloaded (key rotation), and must come back the same.
  const key = randomBytes(32);
  const sealer = async () => new Sealer(key);
  const store = await Store.open(database.location, { sealer, ...options });
  return {
    store,
    // Another server on the same database: Store.open(location, { sealer }).
    location: database.location,
    sealer,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/** The store's Kysely instance, to read rows as they are stored or corrupt one as a hand edit would. */
export function rawDb(store: Store): Kysely<Database> {
  return (store as unknown as { handle: { db: Kysely<Database> } }).handle.db;
}
