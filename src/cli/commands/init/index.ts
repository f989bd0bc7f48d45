import type { Command } from "commander";
import { verb, type Executor } from "../../command.js";

export function registerInit(program: Command, execute: Executor): void {
  verb(
    program
      .command("init")
      .description("write ./waygate.json: the app this repository uses and the integration versions it builds against")
      .requiredOption("--app <app>", "app name")
      .option("--out <dir>", "where `waygate generate` writes the client", "./waygate")
      .option("--from-pins", "record the app's current pins as the integration versions")
      .option("--force", "overwrite an existing waygate.json"),
    execute,
    () => import("./init.js"),
    (_args, flags) => ({ app: String(flags.app), out: String(flags.out), fromPins: flags.fromPins === true, force: flags.force === true }),
  );
}
