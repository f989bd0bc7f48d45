import { routes, type Schedule } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { id: string }): Promise<Schedule> {
  return (await context.client()).call(routes.pauseSchedule, { params: { scheduleId: options.id } });
}

export function render(schedule: Schedule, io: IO): void {
  io.out(`Paused ${schedule.name}: it fires no more until resumed.`);
}
