import type { Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerActions(program: Command, execute: Executor): void {
  const noun = program.command("actions").description("browse an integration's actions");
  verb(
    noun
      .command("list")
      .alias("ls")
      .argument("<integration>", "integration slug")
      .description("list actions, sorted by name")
      .option("--version <n>", "integration version (default: current)", positiveInt)
      .option("--search <text>", "only actions whose name, path or summary contains this")
      .option("--limit <n>", "page size (1-200)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow every page"),
    execute,
    () => import("./list.js"),
    ([integration], flags) => ({ integration: integration!, ...given(flags, ["version", "search", "limit", "cursor"]), all: flags.all === true }),
  );
  verb(
    noun
      .command("show")
      .argument("<integration>", "integration slug")
      .argument("<action>", "action name, e.g. issues.create")
      .description("show an action's method, path, inputs and output")
      .option("--version <n>", "integration version (default: current)", positiveInt),
    execute,
    () => import("./show.js"),
    ([integration, action], flags) => ({ integration: integration!, action: action!, ...given(flags, ["version"]) }),
  );
}
