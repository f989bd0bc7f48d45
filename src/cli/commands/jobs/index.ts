import { Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerJobs(program: Command, execute: Executor): void {
  const noun = program.command("jobs").description("follow and manage background jobs (imports)");
  verb(
    noun
      .command("list")
      .alias("ls")
      .description("list jobs, newest first")
      .addOption(new Option("--status <status>", "only jobs in this state").choices(["queued", "running", "succeeded", "failed", "cancelled"]))
      .option("--limit <n>", "page size (1-200)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page"),
    execute,
    () => import("./list.js"),
    (_args, flags) => given(flags, ["status", "limit", "cursor"]),
  );
  verb(noun.command("show").argument("<id>", "job id (job_…)").description("show a job's state, progress, result or error"), execute, () => import("./show.js"), ([id]) => ({ id: id! }));
  verb(noun.command("watch").argument("<id>", "job id").description("follow a job until it finishes"), execute, () => import("./watch.js"), ([id]) => ({ id: id! }));
  verb(noun.command("cancel").argument("<id>", "job id").description("cancel a queued or running job"), execute, () => import("./cancel.js"), ([id]) => ({ id: id! }));
}
