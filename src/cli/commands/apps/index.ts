import { Option, type Command } from "commander";
import { given, verb, type Executor } from "../../command.js";

export function registerApps(program: Command, execute: Executor): void {
  const noun = program.command("apps").description("the tenant's apps, each with its own keys, pins and connections");
  verb(noun.command("create").argument("<name>", "app name (lowercase, digits, dashes)").description("create an app"), execute, () => import("./create.js"), ([name]) => ({ name: name! }));
  verb(noun.command("list").alias("ls").description("list apps"), execute, () => import("./list.js"), () => ({}));
  verb(noun.command("show").argument("<app>", "app name or id").description("show an app"), execute, () => import("./show.js"), ([app]) => ({ app: app! }));
  verb(
    noun.command("rename").argument("<app>", "app name or id").argument("<name>", "new name").description("rename an app"),
    execute,
    () => import("./rename.js"),
    ([app, name]) => ({ app: app!, name: name! }),
  );
  verb(
    noun.command("delete").alias("rm").argument("<app>", "app name or id").description("delete an app, revoking its keys and removing its pins and connections"),
    execute,
    () => import("./delete.js"),
    ([app]) => ({ app: app! }),
  );

  verb(
    noun
      .command("settings")
      .argument("<app>", "app name or id")
      .argument("<integration>", "integration slug")
      .description("show or change how the gateway treats this integration's responses for the app")
      .addOption(new Option("--validation <mode>", "check responses against the output schema").choices(["off", "warn", "strict"]))
      .option("--mappings <file>", 'JSON list of field mappings, e.g. [{"op":"rename","from":"/full_name","to":"/name"}]'),
    execute,
    () => import("./settings.js"),
    ([app, integration], flags) => ({ app: app!, integration: integration!, ...given(flags, ["validation", "mappings"]) }),
  );

  const keys = noun.command("keys").description("an app's API keys (wg_app_…)");
  verb(
    keys.command("create").argument("<app>", "app name or id").option("--name <name>", "a label for the key", "default").description("create an app key; it is shown once"),
    execute,
    () => import("./keys/create.js"),
    ([app], flags) => ({ app: app!, name: String(flags.name) }),
  );
  verb(keys.command("list").alias("ls").argument("<app>", "app name or id").description("list an app's keys"), execute, () => import("./keys/list.js"), ([app]) => ({ app: app! }));
  verb(
    keys.command("revoke").argument("<app>", "app name or id").argument("<keyId>", "key id (key_…)").description("revoke an app key"),
    execute,
    () => import("./keys/revoke.js"),
    ([app, keyId]) => ({ app: app!, keyId: keyId! }),
  );

  const clients = noun.command("oauth-clients").description("the OAuth clients connect sessions use, per app (or @tenant: the default for apps without their own)");
  const target = "app name or id, or @tenant for the tenant's default";
  verb(
    clients
      .command("set")
      .argument("<app>", target)
      .argument("<integration>", "integration slug")
      .requiredOption("--client-id <id>", "the OAuth client id registered at the provider")
      .option("--client-secret <secret>", "- to read it from stdin (stored encrypted, never shown again); omit for a public client")
      .option("--scopes <a,b>", "scopes to ask for, comma-separated")
      .option("--authorize-url <url>", "default: the integration's OAuth2 authorization-code flow's")
      .option("--token-url <url>", "default: the integration's OAuth2 authorization-code flow's")
      .option("--issuer <issuer>", "the provider's issuer: callbacks must then carry a matching iss (RFC 9207)")
      .option("--resource <url>", "resource indicator sent with authorization and token requests (RFC 8707)")
      .description("set the OAuth client for an integration (redirect URI at the provider: <waygate url>/v1/oauth/callback)"),
    execute,
    () => import("./oauth-clients/set.js"),
    ([app, integration], flags) => ({
      target: app!,
      integration: integration!,
      clientId: String(flags.clientId),
      ...given(flags, ["clientSecret", "scopes", "authorizeUrl", "tokenUrl", "issuer", "resource"]),
    }),
  );
  verb(clients.command("list").alias("ls").argument("<app>", target).description("list OAuth clients (never their secrets)"), execute, () => import("./oauth-clients/list.js"), ([app]) => ({ target: app! }));
  verb(
    clients.command("delete").alias("rm").argument("<app>", target).argument("<integration>", "integration slug").description("remove an OAuth client"),
    execute,
    () => import("./oauth-clients/delete.js"),
    ([app, integration]) => ({ target: app!, integration: integration! }),
  );

  const redirects = noun.command("redirect-urls").description("where the app's connect sessions may send the browser back to (success and error URLs)");
  verb(
    redirects.command("set").argument("<app>", "app name or id").argument("[urls...]", "allowed URLs; a URL ending in / allows paths under it; none clears the list").description("replace the allow-list"),
    execute,
    () => import("./redirect-urls/set.js"),
    ([app, ...urls]) => ({ app: app!, urls: (urls as unknown as string[][]).flat() }),
  );
  verb(redirects.command("list").alias("ls").argument("<app>", "app name or id").description("show the allow-list"), execute, () => import("./redirect-urls/list.js"), ([app]) => ({ app: app! }));
}
