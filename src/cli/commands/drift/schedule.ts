import { routes, type DriftSchedule } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface DriftScheduleOptions {
  integration: string;
  every?: string;
  cron?: string;
}

export async function run(context: Context, options: DriftScheduleOptions): Promise<DriftSchedule> {
  if ((options.every === undefined) === (options.cron === undefined)) throw new UsageError("give one of --every (24h, 30m, 7d) and --cron (\"0 6 * * *\")");
  return (await context.client()).call(routes.scheduleDrift, {
    params: { slug: options.integration },
    body: options.every !== undefined ? { every: options.every } : { cron: options.cron! },
  });
}

export function render(schedule: DriftSchedule, io: IO): void {
  io.out(`${schedule.integration} is checked for drift ${schedule.every ? `every ${schedule.every}` : `on cron "${schedule.cron}"`}${schedule.nextRunAt ? `; next at ${schedule.nextRunAt}` : ""}.`);
}
