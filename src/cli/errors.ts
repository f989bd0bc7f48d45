import type { Problem } from "../contract/index.js";

/** Exit codes, as DESIGN.md fixes them. Only main.ts turns these into process exits. */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  network: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI expected and can explain: its message is for the user, its code for scripts. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.error,
    /** The API's problem body, printed as-is with --json. */
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

/**
 * The problem type of a usage error the CLI finds itself (unknown command or flag, bad
 * value). Spelled out rather than built from the contract's PROBLEM_BASE: importing the
 * contract would load zod on the path of every usage error and of `--help`.
 */
export const USAGE_PROBLEM_TYPE = "https://waygate.dev/problems/usage";

/**
 * A problem+json body for an error no server answered: `status` 0 says that no HTTP
 * exchange took place; `code` is a machine-readable cause (commander's, for usage errors).
 */
export function localProblem(exitCode: number, detail: string, code?: string): Problem {
  const usage = exitCode === ExitCode.usage;
  return {
    type: usage ? USAGE_PROBLEM_TYPE : "about:blank",
    title: usage ? "Usage error" : detail,
    status: 0,
    detail,
    ...(code ? { code } : {}),
  };
}

export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

export class CancelledError extends CliError {
  override name = "CancelledError";
  constructor(message = "cancelled") {
    super(message, ExitCode.usage);
  }
}

export class NotFoundError extends CliError {
  override name = "NotFoundError";
  constructor(message: string) {
    super(message, ExitCode.notFound);
  }
}

export class AuthError extends CliError {
  override name = "AuthError";
  constructor(message: string, problem?: Problem) {
    super(message, ExitCode.auth, problem);
  }
}

export class ConflictError extends CliError {
  override name = "ConflictError";
  constructor(message: string) {
    super(message, ExitCode.conflict);
  }
}
