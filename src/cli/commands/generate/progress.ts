import { isCI, type Context } from "../../context.js";

/** The stage `waygate generate` is in, shown while it works. */
export interface Progress {
  stage(text: string): void;
  /** Clears the spinner; the command's own output follows. */
  stop(): void;
}

const SILENT: Progress = { stage: () => {}, stop: () => {} };

/**
 * An ora spinner on stderr naming the stage, only on an interactive terminal and never
 * with --json; everywhere else a no-op (generation takes seconds, and a CI log gains
 * nothing from stage lines). ora is imported only when a spinner is shown.
 */
export async function startProgress(context: Context, text: string): Promise<Progress> {
  const { io, env, globals } = context;
  if (!io.stderrIsTTY || globals.json || env.TERM === "dumb" || isCI(env)) return SILENT;
  // A pseudo-terminal without a size (`script` with no terminal behind it) reports 0 columns, which ora divides by.
  if ((io.stderrStream as { columns?: number }).columns === 0) return SILENT;
  const { default: ora } = await import("ora");
  // The TTY decision is made above, through the IO seam; ora must not make its own.
  const spinner = ora({ stream: io.stderrStream, text, isEnabled: true, discardStdin: false, color: io.color ? "cyan" : false }).start();
  return {
    stage(next) {
      spinner.text = next;
      // Generating is synchronous work that blocks ora's timer: draw the new stage now.
      spinner.render();
    },
    stop: () => void spinner.stop(),
  };
}
