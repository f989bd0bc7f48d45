import { CommanderError } from "commander";
import type { Executor } from "./command.js";
import type { GlobalOptions } from "./context.js";
import { CliError, ExitCode } from "./errors.js";
import { processIO, style, wantsColor, type IO } from "./io.js";
import { buildProgram } from "./program.js";

/** Parses argv, runs the command, and turns whatever happened into an exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let io: IO = processIO({ color: wantsColor(env, !argv.includes("--no-color")) });
  let globals: GlobalOptions | undefined;

  const execute: Executor = async (invocation) => {
    globals = invocation.globals;
    io = processIO({ color: wantsColor(env, globals.color) });
    // Imported here, not at the top: the context pulls in zod and the config and
    // credential modules, which `--help` and usage errors never need.
    const [{ createContext }, { emit }] = await Promise.all([import("./context.js"), import("./output.js")]);
    const context = createContext({ io, env, globals });
    try {
      const verb = await invocation.load();
      const result = await verb.run(context, invocation.options);
      emit(context, result, verb.render);
    } finally {
      await context.close();
    }
  };

  const program = buildProgram({
    execute,
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
  });

  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return report(error, io, globals ?? { json: argv.includes("--json"), debug: argv.includes("--debug"), color: true, yes: false });
  }
}

/** Prints an error the way the user asked for (text or problem+json on stderr) and picks its exit code. */
export function report(error: unknown, io: IO, globals: Pick<GlobalOptions, "json" | "debug">): number {
  // commander has already printed its own message (unknown option, missing argument…).
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const { exitCode, message, problem } = classify(error);
  if (globals.json) {
    io.err(JSON.stringify(problem ?? { type: "about:blank", title: message, status: 0, detail: message }, null, 2));
  } else {
    io.err(`${style(io, "red", "error:")} ${message}`);
    if (exitCode === ExitCode.error && !(error instanceof CliError) && !globals.debug) {
      io.err("This looks like a bug in waygate. Re-run with --debug for details and report it with that output.");
    }
  }
  if (globals.debug && error instanceof Error && error.stack) io.err(error.stack);
  return exitCode;
}

interface Classified {
  exitCode: number;
  message: string;
  problem?: unknown;
}

function classify(error: unknown): Classified {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, problem: error.problem };
  if (error instanceof Error) {
    switch (error.name) {
      case "ApiError": {
        const { status, problem } = error as Error & { status: number; problem: unknown };
        return { exitCode: exitCodeForStatus(status), message: error.message, problem };
      }
      case "NetworkError":
        return { exitCode: ExitCode.network, message: `${error.message}. Is the server running? Start one with \`waygate server start\`.` };
      case "UnexpectedResponseError":
        return { exitCode: ExitCode.error, message: error.message };
    }
    return { exitCode: ExitCode.error, message: error.message || error.name };
  }
  return { exitCode: ExitCode.error, message: String(error) };
}

export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 404) return ExitCode.notFound;
  if (status === 409 || status === 412) return ExitCode.conflict;
  return ExitCode.error;
}
