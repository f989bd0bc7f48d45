import type { Command } from "commander";
import { verb, type Executor } from "../../command.js";

export function registerAlerts(program: Command, execute: Executor): void {
  const noun = program.command("alerts").description("signed webhooks (Standard Webhooks) for drift and proposal events");
  verb(
    noun
      .command("add-webhook")
      .argument("<url>", "where events are POSTed")
      .option("--events <list>", "comma-separated: drift.detected, proposal.created, proposal.approved, proposal.rejected (default: all four)")
      .description("add a webhook; prints its signing secret once"),
    execute,
    () => import("./add-webhook.js"),
    ([url], flags) => ({ url: url!, ...(typeof flags.events === "string" ? { events: flags.events } : {}) }),
  );
  verb(noun.command("list").alias("ls").description("list the tenant's webhooks"), execute, () => import("./list.js"), () => ({}));
  verb(
    noun.command("remove").alias("rm").argument("<webhook>", "webhook id").description("remove a webhook"),
    execute,
    () => import("./remove.js"),
    ([webhook]) => ({ webhook: webhook! }),
  );
  verb(
    noun.command("test").argument("<webhook>", "webhook id").description("send a signed alert.test event and wait for the answer"),
    execute,
    () => import("./test.js"),
    ([webhook]) => ({ webhook: webhook! }),
  );
  verb(
    noun.command("deliveries").argument("<webhook>", "webhook id").description("a webhook's deliveries: status, attempts, last answer"),
    execute,
    () => import("./deliveries.js"),
    ([webhook]) => ({ webhook: webhook! }),
  );
}
