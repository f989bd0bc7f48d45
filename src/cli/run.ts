import { CommanderError } from "commander";
import type { Executor } from "./command.js";
import type { GlobalOptions } from "./context.js";
import { ApiError, NetworkError, UnexpectedResponseError } from "../client/errors.js";
import type { FieldError, Problem } from "../contract/index.js";
import { CliError, ExitCode, localProblem } from "./errors.js";
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

  // Under --json, commander's own messages (unknown option, help after an error) would be
  // plain text: report() prints them as problem+json instead.
  const json = argv.includes("--json");
  const program = buildProgram({
    execute,
    writeOut: (text) => process.stdout.write(text),
    writeErr: json ? () => {} : (text) => process.stderr.write(text),
  });

  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return report(error, io, globals ?? { json, debug: argv.includes("--debug"), color: true, yes: false });
  }
}

/** Prints an error the way the user asked for (text or problem+json on stderr) and picks its exit code. */
export function report(error: unknown, io: IO, globals: Pick<GlobalOptions, "json" | "debug">): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return ExitCode.ok;
    // Without --json commander has already printed its message (and help where it shows it).
    if (globals.json) io.err(JSON.stringify(localProblem(ExitCode.usage, usageDetail(error), error.code), null, 2));
    return ExitCode.usage;
  }
  const { exitCode, message, problem, internal } = classify(error);
  if (globals.json) {
    io.err(JSON.stringify(problem ?? localProblem(exitCode, message), null, 2));
  } else {
    io.err(`${style(io, "red", "error:")} ${message}`);
    for (const field of fieldList(problem, message)) io.err(`  ${field.field}: ${field.message}`);
    if (internal && !globals.debug) io.err("This looks like a bug in waygate. Re-run with --debug for details and report it with that output.");
  }
  if (globals.debug && error instanceof Error && error.stack) io.err(error.stack);
  return exitCode;
}

interface Classified {
  exitCode: number;
  message: string;
  problem?: Problem | undefined;
  /** Waygate itself failed (a bug, not the user's input or the network): worth a report. */
  internal: boolean;
}

function classify(error: unknown): Classified {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, problem: error.problem, internal: false };
  if (error instanceof ApiError) {
    // The server's own 500 is a bug on its side; any other status is an answer about the request.
    const internal = error.status === 500 && error.problem.type === INTERNAL_PROBLEM_TYPE;
    return { exitCode: exitCodeForStatus(error.status), message: error.message, problem: error.problem, internal };
  }
  if (error instanceof NetworkError) {
    return { exitCode: ExitCode.network, message: `${error.message}. Is the server running? Start one with \`waygate server start\`.`, internal: false };
  }
  // The message already says what to check (the CLI and server versions).
  if (error instanceof UnexpectedResponseError) return { exitCode: ExitCode.error, message: error.message, internal: false };
  if (error instanceof Error) return { exitCode: ExitCode.error, message: error.message || error.name, internal: true };
  return { exitCode: ExitCode.error, message: String(error), internal: true };
}

/** problemTypeUri("internal"), spelled out as USAGE_PROBLEM_TYPE is: the contract module would load zod here. */
const INTERNAL_PROBLEM_TYPE = "https://waygate.dev/problems/internal";

/**
 * A 400 says the request itself is wrong (a bad slug, input that fails the action's schema):
 * a usage error the caller fixes, exit 2. (A 422, a document that could not be imported, stays
 * an error: the command was right, the document was not.)
 */
export function exitCodeForStatus(status: number): number {
  if (status === 400) return ExitCode.usage;
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 404) return ExitCode.notFound;
  if (status === 409 || status === 412) return ExitCode.conflict;
  return ExitCode.error;
}

/** The problem's field errors, unless the one-line message already is the only one. */
function fieldList(problem: Problem | undefined, message: string): FieldError[] {
  const fields = problem?.errors ?? [];
  const only = fields.length === 1 ? fields[0] : undefined;
  if (only && message === `${only.field}: ${only.message}`) return [];
  return fields;
}

/** Commander's message without its own `error: ` prefix; its help-after-error has none to give. */
function usageDetail(error: CommanderError): string {
  if (error.code === "commander.help") return "a command is missing: add --help to see the commands";
  return error.message.replace(/^error: /, "").trim();
}
