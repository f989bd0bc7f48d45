import { remember } from "../lib/bounded-map.js";

/** `last_used_at` is written at most this often per row: a write per request would cost more than the request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** At most this many rows are remembered; the oldest is forgotten first. */
const REMEMBERED = 10_000;

/**
 * When this process last stamped each row (a key, a connection) as used. Cached reads are
 * not updated in place, so the stamp this process wrote is remembered here.
 */
export class UsageStamps {
  private readonly stamped = new Map<string, number>();

  /** Whether `id` should be stamped at `now`, given the stamp the database held when read; records the stamp if so. */
  due(id: string, now: number, storedMs = 0): boolean {
    if (now - Math.max(storedMs, this.stamped.get(id) ?? 0) <= LAST_USED_RESOLUTION_MS) return false;
    remember(this.stamped, id, now, REMEMBERED);
    return true;
  }
}
