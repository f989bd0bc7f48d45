import type { IO } from "./io.js";
import { CancelledError } from "./errors.js";

export interface Prompter {
  /** Whether a person is there to answer: stdin is a TTY and neither --yes nor CI is set. */
  readonly interactive: boolean;
  password(message: string): Promise<string>;
  confirm(message: string, defaultAnswer?: boolean): Promise<boolean>;
}

/** Prompts through @inquirer/prompts, imported only when a prompt is actually shown. */
export function createPrompter(io: IO, interactive: boolean): Prompter {
  const context = { input: io.stdinStream, output: io.stderrStream } as const;
  const cancelled = (error: unknown): never => {
    if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) throw new CancelledError();
    throw error;
  };
  return {
    interactive,
    async password(message) {
      const { password } = await import("@inquirer/prompts");
      return password({ message, mask: true }, context).catch(cancelled);
    },
    async confirm(message, defaultAnswer = false) {
      const { confirm } = await import("@inquirer/prompts");
      return confirm({ message, default: defaultAnswer }, context).catch(cancelled);
    },
  };
}
