import { routes, type Connection } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { integration?: string; user?: string; app?: string }): Promise<{ data: Connection[] }> {
  return (await context.client()).call(routes.listConnections, { query: { integration: options.integration, user: options.user, app: options.app } });
}

export function render(result: { data: Connection[] }, io: IO): void {
  if (result.data.length === 0) io.out("No connections. Create one with `waygate connections create <integration>`.");
  else
    table(
      io,
      [{ header: "ID", keep: true }, { header: "INTEGRATION", keep: true }, "APP", "USER", { header: "AUTH", keep: true }, { header: "STATUS", keep: true }, { header: "EXPIRES", keep: true }, { header: "LAST USED", keep: true }],
      result.data.map((c) => [c.id, c.integration, c.app?.name, c.externalUserId, c.authType, c.status === "needs_reauth" ? "needs reauth (run `waygate connect`)" : c.status, c.expiresAt?.slice(0, 16).replace("T", " "), c.lastUsedAt?.slice(0, 16).replace("T", " ")]),
    );
}
