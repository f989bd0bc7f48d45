/**
 * The part of a logger the server, the job worker and the fetch handler use: fields first,
 * then the message (pino's calling convention, so a pino logger is one). Layers below the
 * server depend on this, not on pino.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Logs nothing: the default where no logger is given (in-process tests, embedders). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
