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
