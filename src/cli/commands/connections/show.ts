import { routes, type Connection } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export async function run(context: Context, options: { id: string }): Promise<Connection> {
  return (await context.client()).call(routes.getConnection, { params: { connectionId: options.id } });
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
