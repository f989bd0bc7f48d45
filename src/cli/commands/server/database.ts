import { loadSealer, redactUrl, resolveStoreLocation, Store, StoreConfigError, type StoreLocation, type StoreOptions } from "../../../store/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { defaultDataDir } from "../../paths.js";

export interface DatabaseFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/** Flag > env > default, for the database an operator command works on. */
function storeLocation(context: Context, flags: DatabaseFlags): StoreLocation {
  try {
    return resolveStoreLocation({
      databaseUrl: flags.databaseUrl ?? (context.env.WAYGATE_DATABASE_URL || undefined),
      dataDir: flags.dataDir ?? defaultDataDir(context.env),
    });
  } catch (error) {
    if (error instanceof StoreConfigError) throw new UsageError(error.message);
    throw error;
  }
}

export function describeStore(location: StoreLocation): string {
  return location.kind === "sqlite"
    ? `SQLite ${location.file}`
    : `Postgres ${redactUrl(location.url)}${location.schema ? ` (schema ${location.schema})` : ""}`;
}

/** Where the embedded server keeps its files (database, encryption key). */
export function dataDir(context: Context, flags: DatabaseFlags): string {
  return flags.dataDir ?? defaultDataDir(context.env);
}

/**
 * Opens the store with the server's key ring (WAYGATE_ENCRYPTION_KEY, else the data dir's key
 * file), applying pending migrations unless `migrate: false`.
 */
export async function openStore(context: Context, flags: DatabaseFlags, options: Pick<StoreOptions, "migrate"> = {}): Promise<{ store: Store; location: StoreLocation }> {
  const location = storeLocation(context, flags);
  const store = await Store.open(location, { ...options, sealer: () => loadSealer({ env: context.env, dataDir: dataDir(context, flags) }) });
  return { store, location };
}

/** Opens the store, runs `work`, and always closes it again. */
export async function withStore<T>(
  context: Context,
  flags: DatabaseFlags,
  work: (store: Store, location: StoreLocation) => Promise<T>,
  options: Pick<StoreOptions, "migrate"> = {},
): Promise<T> {
  const { store, location } = await openStore(context, flags, options);
  try {
    return await work(store, location);
  } finally {
    await store.close();
  }
}
