import { routes, type OAuthClient } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import { UsageError } from "../../../errors.js";
import type { IO } from "../../../io.js";
import { isTenantTarget } from "./target.js";

export interface SetOptions {
  target: string;
  integration: string;
  clientId: string;
  clientSecret?: string;
  scopes?: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  issuer?: string;
  resource?: string;
}

export async function run(context: Context, options: SetOptions): Promise<OAuthClient> {
  const clientSecret = await readSecret(context, options.clientSecret);
  const body = {
    clientId: options.clientId,
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    scopes: options.scopes ? options.scopes.split(",").map((s) => s.trim()).filter(Boolean) : [],
    ...(options.authorizeUrl ? { authorizeUrl: options.authorizeUrl } : {}),
    ...(options.tokenUrl ? { tokenUrl: options.tokenUrl } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.resource ? { resource: options.resource } : {}),
  };
  const client = await context.client();
  if (isTenantTarget(options.target)) return client.call(routes.setTenantOAuthClient, { params: { slug: options.integration }, body });
  return client.call(routes.setOAuthClient, { params: { app: options.target, slug: options.integration }, body });
}

/** `-` reads the secret from stdin (or a hidden prompt on a terminal); a literal value works but lands in shell history. */
async function readSecret(context: Context, given: string | undefined): Promise<string | undefined> {
  if (given !== "-") return given;
  if (!context.io.stdinIsTTY) {
    const secret = (await context.io.readStdin()).trim();
    if (!secret) throw new UsageError("--client-secret - read nothing from stdin");
    return secret;
  }
  if (context.prompter.interactive) return context.prompter.password("Client secret");
  throw new UsageError("--client-secret -: pipe the secret on stdin");
}

export function render(client: OAuthClient, io: IO): void {
  const owner = client.app ? `app ${client.app.name}` : "the tenant (default for apps without their own)";
  io.out(`OAuth client ${client.clientId} set for ${client.integration} in ${owner}${client.hasSecret ? "; its secret is stored encrypted and will not be shown again" : " (public client, PKCE only)"}.`);
}
