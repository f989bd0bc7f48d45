import type { Context } from "../context.js";
import { CancelledError, UsageError } from "../errors.js";

/**
 * Asks before destroying something. --yes skips the question; without a terminal to
 * ask on (CI, pipes) the command refuses rather than guessing.
 */
export async function confirmDestructive(context: Context, question: string): Promise<void> {
  if (context.globals.yes) return;
  if (!context.prompter.interactive) {
    throw new UsageError(`${question.replace(/\?.*$/, "")}: confirm with --yes (no terminal to ask on)`);
  }
  if (!(await context.prompter.confirm(question))) throw new CancelledError();
}
