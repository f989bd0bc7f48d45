import type { Schedule } from "../../../contract/index.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

/** `every 24h` or `cron 0 6 * * * (Europe/Paris)`. */
export function describeTiming(schedule: Schedule): string {
  if (schedule.cron !== null) return `cron ${schedule.cron}${schedule.timezone === "UTC" ? "" : ` (${schedule.timezone})`}`;
  return `every ${schedule.every ?? `${schedule.intervalMs}ms`}`;
}

/** `2026-12-01 06:00:00`, or what stands for no time. */
export function when(timestamp: string | null, none: string): string {
  return timestamp === null ? none : timestamp.slice(0, 19).replace("T", " ");
}

/** The next run, or why there is none. */
export function nextRun(schedule: Schedule): string {
  if (schedule.paused) return "paused";
  return when(schedule.nextRunAt, "none (no occurrence left)");
}

export function renderSchedule(schedule: Schedule, io: IO): void {
  details(io, [
    ["Schedule", schedule.name],
    ["Id", schedule.id],
    ["Runs", `${schedule.jobType} job ${describeTiming(schedule)}`],
    ["Next run", nextRun(schedule)],
    ["Last run", when(schedule.lastRunAt, "never")],
    ["Last job", schedule.lastJobId],
    ["Last error", schedule.lastError],
    ["Created", schedule.createdAt],
  ]);
}
