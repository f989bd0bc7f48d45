import { redactUrl, resolveStoreLocation, Store, StoreConfigError, type StoreLocation } from "../../../store/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { defaultDataDir } from "../../paths.js";

export interface DatabaseFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/** Flag > env > default, for the database an operator command works on. */
export function storeLocation(context: Context, flags: DatabaseFlags): StoreLocation {
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

/** Opens the store, runs `work`, and always closes it again. */
export async function withStore<T>(context: Context, flags: DatabaseFlags, work: (store: Store, location: StoreLocation) => Promise<T>): Promise<T> {
  const location = storeLocation(context, flags);
  const store = await Store.open(location);
  try {
    return await work(store, location);
  } finally {
    await store.close();
  }
}
