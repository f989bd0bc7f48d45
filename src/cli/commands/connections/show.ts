import { routes, type Connection } from "../../../contract/index.js";
import { ApiError } from "../../../client/errors.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

/** A connection by id; a tenant key names the app it belongs to (app-level connections are only found within their app). */
export interface ConnectionRef {
  id: string;
  app?: string;
}

export async function run(context: Context, options: ConnectionRef): Promise<Connection> {
  return hintApp(options, (await context.client()).call(routes.getConnection, { params: { connectionId: options.id }, query: { app: options.app } }));
}

/** A tenant key that names no app only sees tenant-level connections: say so when the id is not found. */
export async function hintApp<T>(options: ConnectionRef, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (options.app === undefined && error instanceof ApiError && error.status === 404) {
      throw new CliError(`${error.message}; if it belongs to an app, name the app with --app`, ExitCode.notFound, error.problem);
    }
    throw error;
  }
}

export function render(c: Connection, io: IO): void {
  details(io, [
    ["Connection", c.id],
    ["Integration", c.integration],
    ["App", c.app?.name],
    ["User", c.externalUserId],
    ["Auth", c.authType],
    ["Scopes", c.scopes?.join(" ")],
    ["Expires", c.expiresAt],
    ["Created", c.createdAt],
    ["Last used", c.lastUsedAt],
  ]);
}
