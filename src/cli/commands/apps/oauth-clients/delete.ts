import { routes } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import type { IO } from "../../../io.js";
import { isTenantTarget } from "./target.js";

export async function run(context: Context, options: { target: string; integration: string }): Promise<{ deleted: true; target: string; integration: string }> {
  const client = await context.client();
  if (isTenantTarget(options.target)) await client.call(routes.deleteTenantOAuthClient, { params: { slug: options.integration } });
  else await client.call(routes.deleteOAuthClient, { params: { app: options.target, slug: options.integration } });
  return { deleted: true, ...options };
}

export function render(result: { target: string; integration: string }, io: IO): void {
  io.out(`Deleted the OAuth client for ${result.integration} of ${isTenantTarget(result.target) ? "the tenant" : `app ${result.target}`}.`);
}
