import type { Command } from "commander";
import { Option } from "commander";
import { verb, type Executor } from "../../command.js";

export function registerInit(program: Command, execute: Executor): void {
  verb(
    program
      .command("init")
      .description("write ./waygate.json: the app this repository uses and the integration versions it builds against")
      .option("--app <app>", "app name (required unless waygate.json exists and only --ci is wanted)")
      .option("--out <dir>", "where `waygate generate` writes the client", "./waygate")
      .option("--from-pins", "record the app's current pins as the integration versions")
      .addOption(new Option("--ci <provider>", "also write a CI workflow that runs `waygate generate --check` (.github/workflows/waygate.yml)").choices(["github"]))
      .option("--force", "overwrite an existing waygate.json (and workflow)"),
    execute,
    () => import("./init.js"),
    (_args, flags) => ({
      ...(typeof flags.app === "string" ? { app: flags.app } : {}),
      out: String(flags.out),
      fromPins: flags.fromPins === true,
      force: flags.force === true,
      ...(flags.ci === "github" ? { ci: "github" as const } : {}),
    }),
  );
}
