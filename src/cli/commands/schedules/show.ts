import { routes, type ScheduleDetail } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import { renderSchedule, when } from "./render.js";

export async function run(context: Context, options: { id: string }): Promise<ScheduleDetail> {
  return (await context.client()).call(routes.getSchedule, { params: { scheduleId: options.id } });
}

export function render(schedule: ScheduleDetail, io: IO): void {
  renderSchedule(schedule, io);
  io.out("");
  if (schedule.runs.length === 0) {
    io.out("No runs yet.");
    return;
  }
  io.out("Recent runs:");
  table(
    io,
    [{ header: "JOB", keep: true }, { header: "STATUS", keep: true }, { header: "DUE", keep: true }, { header: "FIRED", keep: true }, "SUMMARY"],
    schedule.runs.map((run) => [run.jobId, run.job?.status ?? "(deleted)", when(run.scheduledFor, ""), when(run.firedAt, ""), run.job?.summary]),
  );
}
