import type { Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerInvoke(program: Command, execute: Executor): void {
  verb(
    program
      .command("invoke")
      .argument("<integration>", "integration slug")
      .argument("<action>", "action name, e.g. issues.create")
      .option("--input <json>", "input as JSON, @file to read a file, or - for stdin", "{}")
      .option("--connection <id>", "connection id (con_…)")
      .option("--user <id>", "use this end user's connection")
      .option("--app <app>", "act for this app (tenant keys): its pins, connections and settings")
      .option("--paginate", "follow every page and return all items")
      .option("--max-pages <n>", "with --paginate: stop after this many pages", positiveInt)
      .option("--idempotency-key <key>", "makes a POST safe to retry; sent upstream as Idempotency-Key")
      .description("call an action through the gateway and print the upstream's answer"),
    execute,
    () => import("./invoke.js"),
    ([integration, action], flags) => ({
      integration: integration!,
      action: action!,
      input: String(flags.input),
      paginate: flags.paginate === true,
      ...given(flags, ["connection", "user", "app", "maxPages", "idempotencyKey"]),
    }),
  );
}
