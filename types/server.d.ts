// Types of `waygate/server` (dist/server.js), written by hand: the package ships no other
// declarations. src/server/fetch-handler.types-check.ts makes tsc compare them with the source.

/** Fields first, then the message (pino's convention: a pino logger is one). */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface FetchHandlerOptions {
  /**
   * The settings, as `waygate server start` reads them (`waygate server config` lists them):
   * WAYGATE_DATABASE_URL (Postgres) and WAYGATE_ENCRYPTION_KEY are required. Default process.env.
   */
  env?: Record<string, string | undefined>;
  /** Where log lines go; default JSON lines on stdout at WAYGATE_LOG_LEVEL. */
  logger?: Logger;
}

export interface FetchHandler {
  /** The Waygate API: a standard Request in, a Response out. */
  fetch(request: Request): Promise<Response>;
  /** Closes the database pool. */
  close(): Promise<void>;
}

/** A setting is missing or wrong; the message starts with the variable's name. */
export declare class ConfigError extends Error {}

/**
 * The Waygate API as a standard fetch handler on Postgres. Queued imports run when
 * `POST /v1/jobs/tick` is called or in a `waygate server worker` process.
 *
 * @example
 * import { createFetchHandler } from "waygate/server";
 * const waygate = createFetchHandler();
 * export default (request: Request) => waygate.fetch(request);
 */
export declare function createFetchHandler(options?: FetchHandlerOptions): FetchHandler;
