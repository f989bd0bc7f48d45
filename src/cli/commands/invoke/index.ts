import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 10) throw new InvalidArgumentError("must be a whole number from 0 to 10");
  return Number(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
      .option("--paginate", "follow the next-page tokens, one page per call, and return all items")
      .option("--max-pages <n>", "with --paginate: stop after this many pages (default 50)", positiveInt)
      .option("--max-items <n>", "with --paginate: stop after this many items", positiveInt)
      .option("--page <token>", "continue from a next-page token an earlier call printed")
      .option("--idempotency-key <key>", "makes a POST safe to retry; sent upstream as Idempotency-Key")
      .option("--retries <n>", "retries per upstream request after the first attempt (default 2)", nonNegativeInt)
      .option("--header <header>", '"Name: value" to send upstream (Accept, If-None-Match, *-Version…); repeatable', collect, [])
      .description("call an action through the gateway and print the upstream's answer"),
    execute,
    () => import("./invoke.js"),
    ([integration, action], flags) => ({
      integration: integration!,
      action: action!,
      input: String(flags.input),
      paginate: flags.paginate === true,
      ...given(flags, ["connection", "user", "app", "maxPages", "maxItems", "page", "idempotencyKey", "retries"]),
      ...((flags.header as string[]).length > 0 ? { header: flags.header as string[] } : {}),
    }),
  );
}
