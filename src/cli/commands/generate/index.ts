import type { Command } from "commander";
import { given, verb, type Executor } from "../../command.js";

export function registerGenerate(program: Command, execute: Executor): void {
  verb(
    program
      .command("generate")
      .alias("gen")
      .description("write a typed TypeScript client for the integrations your app uses (settings from ./waygate.json)")
      .option("--out <dir>", "output directory (default: `out` in waygate.json, else ./waygate)")
      .option("--app <app>", "app whose pins decide the versions (default: `app` in waygate.json, or the app key's own)")
      .option("--integrations <slugs>", "only these integrations, comma-separated (with waygate.json: some of its entries)")
      .option("--check", "write nothing; exit 5 when the files on disk differ from what would be generated, or the server's pins from waygate.json")
      .option("--force", "replace files in the output folder that generate did not write (a symlink is replaced, never written through)")
      .addHelpText(
        "after",
        "\nWith a waygate.json, exactly its integrations at its versions are generated; without one, every integration\nat the version the app resolves to (its pin, else current). --integrations narrows either.\n\n--check fails (exit 5) when the files differ, saying which integrations changed (\"github 1 → 2; slack unchanged\"),\nand when the server's pins for the app differ from waygate.json (fix with `waygate pins sync`).",
      ),
    execute,
    () => import("./generate.js"),
    (_args, flags) => ({
      ...given(flags, ["out", "app"]),
      ...(typeof flags.integrations === "string" ? { integrations: splitList(flags.integrations) } : {}),
      check: flags.check === true,
      ...(flags.force === true ? { force: true } : {}),
    }),
  );
}

/** `github, slack,` → ["github", "slack"]; the verb rejects what is not a slug. */
function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
