import { routes, type Me } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { describeLocation } from "../../credentials.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface LoginOptions {
  withToken: boolean;
}

export interface LoginResult {
  profile: string;
  apiUrl: string;
  tenant: Me["tenant"];
  key: Pick<Me["key"], "id" | "prefix" | "kind">;
  storedIn: string;
}

export async function run(context: Context, options: LoginOptions): Promise<LoginResult> {
  const target = await context.target();
  const apiKey = (await readKey(context, options)).trim();
  if (!apiKey) throw new UsageError("the API key is empty");

  // Verify before storing: a typo should fail now, not on the next command.
  const client = await context.client({ apiKey });
  const me = await client.call(routes.me);
  await context.config.update((config) => {
    config.profiles[target.profile] = { ...config.profiles[target.profile], apiUrl: target.apiUrl };
    config.currentProfile ??= target.profile;
  });
  const location = await context.credentials.set(target.profile, apiKey);
  return {
    profile: target.profile,
    apiUrl: target.apiUrl,
    tenant: me.tenant,
    key: { id: me.key.id, prefix: me.key.prefix, kind: me.key.kind },
    storedIn: describeLocation(location),
  };
}

async function readKey(context: Context, options: LoginOptions): Promise<string> {
  if (context.globals.apiKey) return context.globals.apiKey;
  if (options.withToken) return context.io.readStdin();
  if (context.env.WAYGATE_API_KEY) return context.env.WAYGATE_API_KEY;
  if (context.prompter.interactive) return context.prompter.password("Waygate API key");
  throw new UsageError("no API key given: pass --api-key, pipe it with --with-token, or run on a terminal to be prompted");
}

export function render(result: LoginResult, io: IO): void {
  io.out(`Logged in to ${result.apiUrl} as tenant ${result.tenant.name} (${result.tenant.id}) with key ${result.key.prefix}…`);
  io.out(`Profile "${result.profile}"; key stored in ${result.storedIn}.`);
}
