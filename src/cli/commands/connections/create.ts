import { readFile } from "node:fs/promises";
import { CredentialsSchema, routes, type Connection, type Credentials } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface CreateOptions {
  integration: string;
  app?: string;
  user?: string;
  key?: string;
  token?: string;
  basic?: string;
  oauthTokens?: string;
  type?: string;
}

export async function run(context: Context, options: CreateOptions): Promise<Connection> {
  const credentials = await readCredentials(context, options);
  return (await context.client()).call(routes.createConnection, {
    body: {
      integration: options.integration,
      credentials,
      ...(options.app ? { app: options.app } : {}),
      ...(options.user ? { externalUserId: options.user } : {}),
    },
  });
}

/** Secrets come from exactly one flag, or from stdin / a hidden prompt, and are never echoed. */
async function readCredentials(context: Context, options: CreateOptions): Promise<Credentials> {
  const given = (["key", "token", "basic", "oauthTokens"] as const).filter((name) => options[name] !== undefined);
  if (given.length > 1) throw new UsageError("pass only one of --key, --token, --basic, --oauth-tokens");
  const secret = async (label: string): Promise<string> => {
    if (!context.io.stdinIsTTY) return (await context.io.readStdin()).trim();
    if (context.prompter.interactive) return context.prompter.password(label);
    throw new UsageError(`no ${label.toLowerCase()} given: pass it with a flag or on stdin`);
  };
  if (options.oauthTokens !== undefined) {
    const text = options.oauthTokens === "-" ? await context.io.readStdin() : await readFile(options.oauthTokens, "utf8").catch(() => {
      throw new UsageError(`cannot read ${options.oauthTokens}`);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${options.oauthTokens === "-" ? "stdin" : options.oauthTokens} is not valid JSON: ${(error as Error).message}`);
    }
    return parse({ type: "oauth2", ...(json as object) });
  }
  const kind = options.key !== undefined ? "apiKey" : options.token !== undefined ? "bearer" : options.basic !== undefined ? "basic" : (options.type ?? "apiKey");
  switch (kind) {
    case "apiKey":
      return parse({ type: "apiKey", key: options.key ?? (await secret("API key")) });
    case "bearer":
      return parse({ type: "bearer", token: options.token ?? (await secret("Token")) });
    case "basic": {
      const pair = options.basic ?? (await secret("USER:PASSWORD"));
      const colon = pair.indexOf(":");
      if (colon < 0) throw new UsageError("basic credentials must be USER:PASSWORD");
      return parse({ type: "basic", username: pair.slice(0, colon), password: pair.slice(colon + 1) });
    }
    default:
      throw new UsageError(`--type must be apiKey, bearer or basic (got "${kind}")`);
  }
}

function parse(value: unknown): Credentials {
  const parsed = CredentialsSchema.safeParse(value);
  if (!parsed.success) {
    // Field names only: the message must never contain the secret itself.
    const fields = parsed.error.issues.map((issue) => `${issue.path.join(".") || "credentials"}: ${issue.message}`);
    throw new CliError(`invalid credentials: ${fields.slice(0, 5).join("; ")}`);
  }
  return parsed.data;
}

export function render(connection: Connection, io: IO): void {
  const who = connection.externalUserId ? ` for user ${connection.externalUserId}` : "";
  const app = connection.app ? ` in app ${connection.app.name}` : "";
  const appFlag = connection.app ? ` --app ${connection.app.name}` : "";
  io.out(`Created connection ${connection.id} to ${connection.integration}${app}${who} (${connection.authType}). Check it with \`waygate connections test ${connection.id}${appFlag}\`.`);
}
