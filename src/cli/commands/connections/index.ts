import type { Command } from "commander";
import { given, verb, type Executor } from "../../command.js";
import type { ConnectionRef } from "./show.js";

export function registerConnections(program: Command, execute: Executor): void {
  const noun = program.command("connections").alias("conn").description("stored credentials for an integration, per app and end user");
  verb(
    noun
      .command("create")
      .argument("<integration>", "integration slug")
      .option("--app <app>", "app the connection belongs to (default: the app key's own; none for a tenant-level connection)")
      .option("--user <id>", "your id for the end user these credentials belong to")
      .option("--key <key>", "the integration's API key (global --api-key is your Waygate key; prefer stdin or the prompt: flags end up in shell history)")
      .option("--token <token>", "a bearer token")
      .option("--basic <user:password>", "HTTP basic credentials")
      .option("--oauth-tokens <file>", "OAuth tokens as JSON: {accessToken, refreshToken?, expiresAt?, tokenUrl?, clientId?, clientSecret?, scopes?} (- for stdin)")
      .option("--type <type>", "with no secret flag: which kind to read from stdin or a prompt (apiKey, bearer, basic)")
      .description("store credentials (encrypted at rest; never shown again)"),
    execute,
    () => import("./create.js"),
    ([integration], flags) => ({
      integration: integration!,
      ...given(flags, ["app", "user", "key", "token", "basic", "oauthTokens", "type"]),
    }),
  );
  verb(
    noun
      .command("list")
      .alias("ls")
      .option("--integration <slug>", "only this integration's")
      .option("--user <id>", "only this end user's")
      .option("--app <app>", "this app's connections (tenant keys)")
      .description("list connections (never their secrets)"),
    execute,
    () => import("./list.js"),
    (_args, flags) => given(flags, ["integration", "user", "app"]),
  );
  const byId = (name: string, description: string) =>
    noun
      .command(name)
      .argument("<id>", "connection id (con_…)")
      .option("--app <app>", "the app the connection belongs to (tenant keys; an app key acts for its own app)")
      .description(description);
  const toOptions = ([id]: string[], flags: Record<string, unknown>): ConnectionRef => ({ id: id!, ...given<{ app: string }>(flags, ["app"]) });
  verb(byId("show", "show a connection"), execute, () => import("./show.js"), toOptions);
  verb(byId("delete", "delete a connection and its credentials").alias("rm"), execute, () => import("./delete.js"), toOptions);
  verb(byId("test", "check the credentials by calling a cheap read action"), execute, () => import("./test.js"), toOptions);
}
