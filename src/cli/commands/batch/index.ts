import { InvalidArgumentError, Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

function ratio(value: string): number {
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || number <= 0 || number > 1) throw new InvalidArgumentError("must be a number above 0 and at most 1");
  return number;
}

export function registerBatch(program: Command, execute: Executor): void {
  const noun = program.command("batch").description("run one action for many items, paced by the upstream's rate limits");
  verb(
    noun
      .command("run")
      .argument("<integration>", "integration slug")
      .argument("<action>", "action name, e.g. contacts.create")
      .requiredOption("--items <file>", "items.jsonl (one input object per line) or items.csv (a header row of input fields)")
      .addOption(new Option("--format <format>", "the file's format (default: from its extension)").choices(["jsonl", "csv"]))
      .option("--connection <id>", "connection id or end user of every item")
      .option("--user-field <field>", "take each item's end user from this field (removed from the input)")
      .option("--app <app>", "act for this app (tenant keys)")
      .option("--concurrency <n>", "items in flight at once per connection (default 4)", positiveInt)
      .option("--stop-on-error-ratio <ratio>", "stop once this share of finished items failed (the rest end skipped)", ratio)
      .option("--dry-run", "validate every item against the action's input schema; send nothing")
      .option("--detach", "start the batch and return without following it")
      .description("start a batch and follow its progress"),
    execute,
    () => import("./run.js"),
    ([integration, action], flags) => ({
      integration: integration!,
      action: action!,
      items: String(flags.items),
      dryRun: flags.dryRun === true,
      detach: flags.detach === true,
      ...given(flags, ["format", "connection", "userField", "app", "concurrency", "stopOnErrorRatio"]),
    }),
  );
  verb(
    noun.command("list").alias("ls").description("list batches, newest first").option("--limit <n>", "page size (1-200)", positiveInt).option("--cursor <cursor>", "continue from a previous page"),
    execute,
    () => import("./list.js"),
    (_args, flags) => given(flags, ["limit", "cursor"]),
  );
  verb(noun.command("show").argument("<id>", "batch id (bat_…)").description("show a batch's state, counts and rate"), execute, () => import("./show.js"), ([id]) => ({ id: id! }));
  verb(noun.command("watch").argument("<id>", "batch id").description("follow a batch until it finishes"), execute, () => import("./watch.js"), ([id]) => ({ id: id! }));
  for (const [name, description] of [
    ["cancel", "cancel a batch: queued items end cancelled, items in flight finish"],
    ["resume", "run again what did not finish (cancelled items, or a batch whose job stopped)"],
    ["retry", "run the failed items again, as a new attempt"],
  ] as const) {
    verb(noun.command(name).argument("<id>", "batch id").description(description), execute, () => import("./control.js"), ([id]) => ({ id: id!, verb: name }));
  }
  verb(
    noun
      .command("results")
      .argument("<id>", "batch id")
      .option("--failed", "only the failed items")
      .addOption(new Option("--format <format>", "one item per line").choices(["jsonl", "csv"]).default("jsonl"))
      .description("print every item's state, upstream status and body or problem, in order"),
    execute,
    () => import("./results.js"),
    ([id], flags) => ({ id: id!, failed: flags.failed === true, format: flags.format as "jsonl" | "csv" }),
  );
}
