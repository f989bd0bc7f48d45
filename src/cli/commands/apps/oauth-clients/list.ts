import { routes, type OAuthClient } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import type { IO } from "../../../io.js";
import { table } from "../../../output.js";
import { isTenantTarget } from "./target.js";

export async function run(context: Context, options: { target: string }): Promise<{ data: OAuthClient[] }> {
  const client = await context.client();
  if (isTenantTarget(options.target)) return client.call(routes.listTenantOAuthClients, {});
  return client.call(routes.listOAuthClients, { params: { app: options.target } });
}

export function render(result: { data: OAuthClient[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No OAuth clients. Set one with `waygate apps oauth-clients set <app|@tenant> <integration> --client-id ID --client-secret -`.");
    return;
  }
  table(
    io,
    [{ header: "INTEGRATION", keep: true }, { header: "CLIENT ID", keep: true }, "SECRET", "SCOPES", "AUTHORIZE URL", "TOKEN URL"],
    result.data.map((c) => [c.integration, c.clientId, c.hasSecret ? "stored" : "none", c.scopes.join(","), c.authorizeUrl ?? "(integration's)", c.tokenUrl ?? "(integration's)"]),
  );
}
