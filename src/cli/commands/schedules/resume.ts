import { routes, type Schedule } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { nextRun } from "./render.js";

export async function run(context: Context, options: { id: string }): Promise<Schedule> {
  return (await context.client()).call(routes.resumeSchedule, { params: { scheduleId: options.id } });
}

export function render(schedule: Schedule, io: IO): void {
  io.out(`Resumed ${schedule.name}: next run ${nextRun(schedule)}.`);
}
