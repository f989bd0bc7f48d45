import { InvalidArgumentError, type Command } from "commander";
import type { Context, GlobalOptions } from "./context.js";
import type { Render } from "./output.js";

/** What a verb module exports: the work, and how to show its result to people. */
export interface VerbModule<Options, Result> {
  run(context: Context, options: Options): Promise<Result>;
  render: Render<Result>;
}

export type Loader<Options, Result> = () => Promise<VerbModule<Options, Result>>;

/** Runs a verb. Production loads the module and emits its result; argv tests record the options instead. */
export type Executor = (invocation: { command: string; load: Loader<unknown, unknown>; options: unknown; globals: GlobalOptions }) => Promise<void>;

/**
 * Wires a commander action to a lazily loaded verb: commander parses, `toOptions` turns
 * positional arguments and flags into the verb's options type, and the verb's module is
 * imported only now, so `--help` and `--version` never load it.
 */
export function verb<Options, Result>(
  command: Command,
  execute: Executor,
  load: Loader<Options, Result>,
  toOptions: (args: string[], flags: Record<string, unknown>) => Options,
): Command {
  return command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const flags = received.at(-2) as Record<string, unknown>;
    const args = received.slice(0, -2) as string[];
    await execute({
      command: commandPath(self),
      load: load as Loader<unknown, unknown>,
      options: toOptions(args, flags),
      globals: normaliseGlobals(self.optsWithGlobals()),
    });
  });
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("must be a positive whole number");
  return Number(value);
}

export function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError("must be a port number from 0 to 65535");
  return Number(value);
}

/** Copies flags that were given, leaving absent ones out (exactOptionalPropertyTypes-friendly). */
export function given<T extends Record<string, unknown>>(flags: Record<string, unknown>, names: Array<keyof T & string>): Partial<T> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (flags[name] !== undefined) picked[name] = flags[name];
  return picked as Partial<T>;
}

function normaliseGlobals(raw: Record<string, unknown>): GlobalOptions {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    apiUrl: text(raw.apiUrl),
    apiKey: text(raw.apiKey),
    profile: text(raw.profile),
    json: raw.json === true,
    debug: raw.debug === true,
    color: raw.color !== false,
    yes: raw.yes === true,
  };
}
