import type { Command } from "commander";
import { verb, type Executor } from "../../command.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerDrift(program: Command, execute: Executor): void {
  const noun = program.command("drift").description("schema drift: check an integration's docs against its current version, on demand or on a schedule");
  verb(
    noun
      .command("check")
      .argument("<integration>", "integration slug")
      .option("--source <file-or-url>", "check against this document instead of the one the integration was imported from (CI: the spec file in the repo)")
      .option("--format <format>", "auto, openapi, swagger, postman or html (default: as imported)")
      .option("--header <header>", 'header for a --source URL, "Name: value" (repeatable)', collect, [])
      .option("--fail-on-breaking", "exit 5 when the check reports breaking changes (for CI)")
      .description("scrape the source again and report what changed: a drift report and a proposal when there is something new"),
    execute,
    () => import("./check.js"),
    ([integration], flags) => ({
      integration: integration!,
      ...(typeof flags.source === "string" ? { source: flags.source } : {}),
      ...(typeof flags.format === "string" ? { format: flags.format } : {}),
      headers: (flags.header as string[] | undefined) ?? [],
      failOnBreaking: flags.failOnBreaking === true,
    }),
  );
  verb(
    noun
      .command("schedule")
      .argument("<integration>", "integration slug")
      .option("--every <interval>", "check this often: 30m, 24h, 7d")
      .option("--cron <expression>", 'check on a cron schedule, e.g. "0 6 * * *"')
      .description("check the integration for drift on a schedule (replaces its earlier schedule)"),
    execute,
    () => import("./schedule.js"),
    ([integration], flags) => ({
      integration: integration!,
      ...(typeof flags.every === "string" ? { every: flags.every } : {}),
      ...(typeof flags.cron === "string" ? { cron: flags.cron } : {}),
    }),
  );
  verb(
    noun
      .command("severity")
      .argument("<integration>", "integration slug")
      .option("--set <kind=level>", "rate a kind of change breaking, non-breaking or informational, or ignore it (repeatable)", collect, [])
      .option("--clear", "remove every level first")
      .description("show or set how the integration's drift reports rate kinds of change (approval still refuses real breaks)"),
    execute,
    () => import("./severity.js"),
    ([integration], flags) => ({ integration: integration!, set: (flags.set as string[] | undefined) ?? [], clear: flags.clear === true }),
  );
  verb(
    noun.command("list").alias("ls").option("--integration <slug>", "only this integration's reports").description("list drift reports, newest first"),
    execute,
    () => import("./list.js"),
    (_args, flags) => (typeof flags.integration === "string" ? { integration: flags.integration } : {}),
  );
  verb(
    noun.command("show").argument("<report>", "drift report id").description("show a drift report: changes with severity and fingerprint, affected apps"),
    execute,
    () => import("./show.js"),
    ([report]) => ({ report: report! }),
  );
}
