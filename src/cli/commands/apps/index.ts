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
}
