import { routes, type Page, type Schedule } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import { describeTiming, nextRun, when } from "./render.js";

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export async function run(context: Context, options: ListOptions): Promise<Page<Schedule>> {
  return (await context.client()).call(routes.listSchedules, { query: { limit: options.limit, cursor: options.cursor } });
}

export function render(result: Page<Schedule>, io: IO): void {
  if (result.data.length === 0) {
    io.out("No schedules.");
    return;
  }
  table(
    io,
    [{ header: "NAME", keep: true }, { header: "ID", keep: true }, "JOB", "WHEN", { header: "NEXT RUN", keep: true }, { header: "LAST RUN", keep: true }],
    result.data.map((schedule) => [schedule.name, schedule.id, schedule.jobType, describeTiming(schedule), nextRun(schedule), when(schedule.lastRunAt, "never")]),
  );
  if (result.nextCursor) io.err(`More results: add --cursor ${result.nextCursor}.`);
}
