import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";
import type { IO } from "../../io.js";
import { describeStore, withStore, type DatabaseFlags } from "./database.js";

export interface MigrateOptions extends DatabaseFlags {
  /** Only report: exit 5 when migrations are pending, apply nothing. */
  check: boolean;
}

export interface MigrateResult {
  database: string;
  /** Applied by this run (empty with --check, or when another process applied them first). */
  applied: string[];
  /** Still pending (only with --check, where it is then empty: pending ones exit 5). */
  pending: string[];
  /** Applied by a newer waygate than this one: fine during a rolling deploy. */
  unknown: string[];
}

/**
 * Brings the database's schema up to date as a step of its own, before new servers start
 * with --no-migrate. Several of these may run at once: the migration lock lets one apply
 * and the others find nothing left to do.
 */
export async function run(context: Context, options: MigrateOptions): Promise<MigrateResult> {
  return withStore(
    context,
    options,
    async (store, location) => {
      const database = describeStore(location);
      const before = await store.migrations.status();
      if (options.check) {
        if (before.pending.length > 0) {
          throw new CliError(`${database} is missing ${plural(before.pending.length, "migration")} this version needs: ${before.pending.join(", ")}. Run \`waygate server migrate\`.`, ExitCode.conflict);
        }
        return { database, applied: [], pending: [], unknown: before.unknown };
      }
      const applied = await store.migrations.apply();
      return { database, applied, pending: [], unknown: before.unknown };
    },
    { migrate: false },
  );
}

export function render(result: MigrateResult, io: IO): void {
  if (result.applied.length > 0) io.err(`Applied ${plural(result.applied.length, "migration")} to ${result.database}: ${result.applied.join(", ")}.`);
  else io.err(`${result.database} is up to date.`);
  if (result.unknown.length > 0) {
    io.err(`It also has ${plural(result.unknown.length, "migration")} from a newer waygate (${result.unknown.join(", ")}); this version runs on it.`);
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
