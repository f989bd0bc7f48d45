/** SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (extended result codes). */
const SQLITE_UNIQUE = new Set([2067, 1555]);

/**
 * Whether a write failed on a unique constraint: Postgres SQLSTATE 23505, or SQLite's
 * extended code as node:sqlite reports it. Repositories turn this into a typed outcome
 * ("name-taken", "exists") where two writers can race for one name and one must lose.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code === "23505") return true;
  return code === "ERR_SQLITE_ERROR" && typeof errcode === "number" && SQLITE_UNIQUE.has(errcode);
}
