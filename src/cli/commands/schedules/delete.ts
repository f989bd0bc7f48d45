import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";
import { describeTiming } from "./render.js";

export async function run(context: Context, options: { id: string }): Promise<{ deleted: string; name: string }> {
  const client = await context.client();
  const schedule = await client.call(routes.getSchedule, { params: { scheduleId: options.id } });
  await confirmDestructive(context, `Delete schedule ${schedule.name} (${schedule.jobType} job ${describeTiming(schedule)})? Its run history goes; the jobs it created stay.`);
  await client.call(routes.deleteSchedule, { params: { scheduleId: schedule.id } });
  return { deleted: schedule.id, name: schedule.name };
}

export function render(result: { deleted: string; name: string }, io: IO): void {
  io.out(`Deleted schedule ${result.name} (${result.deleted}).`);
}
