import { Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerSnippets(program: Command, execute: Executor): void {
  verb(
    program
      .command("snippets")
      .argument("<integration>", "integration slug")
      .argument("<action>", "action name, e.g. issues.create")
      .description("ready-to-paste code that calls an action through Waygate")
      .addOption(new Option("--lang <lang>", "language").choices(["ts", "js", "python", "curl", "go", "all"]).default("ts"))
      .option("--version <n>", "integration version (default: the one your app resolves to)", positiveInt),
    execute,
    () => import("./snippets.js"),
    ([integration, action], flags) => ({ integration: integration!, action: action!, lang: String(flags.lang), ...given(flags, ["version"]) }),
  );
}
