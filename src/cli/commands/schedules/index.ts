import type { Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerSchedules(program: Command, execute: Executor): void {
  const noun = program.command("schedules").description("jobs that run on a schedule (cron or interval), such as periodic re-imports");
  verb(
    noun
      .command("list")
      .alias("ls")
      .description("list schedules, sorted by name")
      .option("--limit <n>", "page size (1-200)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page"),
    execute,
    () => import("./list.js"),
    (_args, flags) => given(flags, ["limit", "cursor"]),
  );
  const ref = (command: Command) => command.argument("<schedule>", "schedule id (sch_…) or name");
  verb(ref(noun.command("show")).description("show a schedule and its recent runs (the jobs it created)"), execute, () => import("./show.js"), ([id]) => ({ id: id! }));
  verb(ref(noun.command("pause")).description("stop a schedule from firing (jobs it created run on)"), execute, () => import("./pause.js"), ([id]) => ({ id: id! }));
  verb(ref(noun.command("resume")).description("fire a paused schedule again; its next run is computed from now"), execute, () => import("./resume.js"), ([id]) => ({ id: id! }));
  verb(ref(noun.command("delete")).description("delete a schedule and its run history (its jobs stay)"), execute, () => import("./delete.js"), ([id]) => ({ id: id! }));
}
