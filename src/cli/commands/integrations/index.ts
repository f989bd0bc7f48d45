import { InvalidArgumentError, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerIntegrations(program: Command, execute: Executor): void {
  const noun = program.command("integrations").alias("int").description("list, show, create and delete integrations");
  verb(
    noun
      .command("list")
      .alias("ls")
      .description("list integrations, sorted by slug")
      .option("--search <text>", "only integrations whose slug or name contains this")
      .option("--limit <n>", "page size (1-200)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow every page"),
    execute,
    () => import("./list.js"),
    (_args, flags) => ({ ...given(flags, ["search", "limit", "cursor"]), all: flags.all === true }),
  );
  verb(
    noun
      .command("show")
      .argument("<slug>", "integration slug")
      .option("--full", "print the whole description (default: its first paragraph)")
      .description("show an integration"),
    execute,
    () => import("./show.js"),
    ([slug], flags) => ({ slug: slug!, full: flags.full === true }),
  );
  verb(
    noun
      .command("create")
      .argument("<file>", "integration definition (JSON), or - for stdin")
      .option("--draft", "store the new version as a draft (publish it later with `versions publish`)")
      .description("create an integration from a definition file, or add it as the next version"),
    execute,
    () => import("./create.js"),
    ([file], flags) => ({ file: file!, draft: flags.draft === true }),
  );
  verb(
    noun
      .command("rate-limit")
      .argument("<slug>", "integration slug")
      .description("set the token bucket the gateway keeps to for this integration, so it waits instead of provoking 429s")
      .option("--capacity <n>", "calls allowed at once (bucket size)", positiveInt)
      .option("--per-second <n>", "refill rate, calls per second", (value: string) => {
        const rate = Number(value);
        if (!(rate > 0)) throw new InvalidArgumentError("must be a positive number");
        return rate;
      })
      .option("--clear", "remove the configured limit"),
    execute,
    () => import("./rate-limit.js"),
    ([slug], flags) => ({ slug: slug!, ...given(flags, ["capacity", "perSecond"]), clear: flags.clear === true }),
  );
  verb(
    noun.command("delete").alias("rm").argument("<slug>", "integration slug").description("delete an integration and all its versions"),
    execute,
    () => import("./delete.js"),
    ([slug]) => ({ slug: slug! }),
  );
}
