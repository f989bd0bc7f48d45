import { InvalidArgumentError, type Command } from "commander";
import { verb, type Executor } from "../../command.js";

/** `github@3` → { integration: "github", version: 3 }. */
export function integrationAtVersion(value: string): { integration: string; version: number } {
  const match = /^([a-z0-9][a-z0-9-]*)@(\d+)$/.exec(value);
  if (!match || Number(match[2]) < 1) throw new InvalidArgumentError("expected <integration>@<version>, e.g. github@3");
  return { integration: match[1]!, version: Number(match[2]) };
}

export function registerPins(program: Command, execute: Executor): void {
  verb(
    program
      .command("pin")
      .argument("<app>", "app name or id")
      .argument("<integration@version>", "e.g. github@3", integrationAtVersion)
      .option("--save", "also record the version in ./waygate.json")
      .description("run an app against a fixed version of an integration (takes effect on its next call)"),
    execute,
    () => import("./pin.js"),
    ([app, target], flags) => ({ app: app!, ...(target as unknown as { integration: string; version: number }), save: flags.save === true }),
  );
  verb(
    program
      .command("unpin")
      .argument("<app>", "app name or id")
      .argument("<integration>", "integration slug")
      .option("--save", "also remove it from ./waygate.json")
      .description("let an app follow the integration's current version again"),
    execute,
    () => import("./unpin.js"),
    ([app, integration], flags) => ({ app: app!, integration: integration!, save: flags.save === true }),
  );
  const noun = program.command("pins").description("an app's version pins");
  verb(noun.command("list").alias("ls").argument("<app>", "app name or id").description("list an app's pins"), execute, () => import("./list.js"), ([app]) => ({ app: app! }));
  verb(
    noun
      .command("sync")
      .description("bring the server's pins for the app and ./waygate.json together (by default: pin the server to waygate.json)")
      .option("--app <app>", "app whose pins to sync (default: `app` in waygate.json)")
      .option("--from-server", "write waygate.json from the server's pins instead (then run `waygate generate`)")
      .option("--prune", "also unpin integrations that waygate.json does not list")
      .option("--dry-run", "show what would change, change nothing")
      .addHelpText(
        "after",
        "\nwaygate.json is what the repository builds against: the generated client is typed for its versions, and\n" +
          "`waygate generate --check` fails while the server runs the app on others. Shows the changes and asks first;\n" +
          "--yes applies them without asking (required without a terminal).",
      ),
    execute,
    () => import("./sync.js"),
    (_args, flags) => ({
      ...(typeof flags.app === "string" ? { app: flags.app } : {}),
      fromServer: flags.fromServer === true,
      prune: flags.prune === true,
      dryRun: flags.dryRun === true,
    }),
  );
}
