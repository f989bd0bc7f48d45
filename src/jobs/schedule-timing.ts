import { Cron } from "croner";
import type { ScheduleTiming } from "../store/index.js";

/**
 * The run after `after`. An interval keeps its phase: from `anchor` (the occurrence that was
 * due) it steps whole intervals until it passes `after`, so however many occurrences were
 * missed while no server ran, the next one is in the future and the missed ones collapse
 * into the one run that is firing now. A cron expression answers its next occurrence after
 * `after` in its time zone; null when it has none left (a date in the past).
 */
export function nextRunAfter(timing: ScheduleTiming, after: Date, anchor?: Date): Date | null {
  if (timing.kind === "interval") {
    if (!(timing.intervalMs > 0)) throw new RangeError(`an interval must be a positive number of ms (got ${timing.intervalMs})`);
    const from = anchor ?? after;
    const steps = Math.max(1, Math.floor((after.getTime() - from.getTime()) / timing.intervalMs) + 1);
    return new Date(from.getTime() + steps * timing.intervalMs);
  }
  return cronOf(timing.cron, timing.timezone).nextRun(after);
}

/** Why a cron expression (or its time zone) cannot be scheduled, or undefined when it can. */
export function cronProblem(expression: string, timezone: string, minGapMs: number): string | undefined {
  let cron: Cron;
  try {
    cron = cronOf(expression, timezone);
  } catch (error) {
    return `is not a cron expression croner reads (${error instanceof Error ? error.message : String(error)}); e.g. "0 6 * * *" runs at 06:00 every day`;
  }
  const runs = cron.nextRuns(6);
  if (runs.length === 0) return "has no future occurrence";
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]!.getTime() - runs[i - 1]!.getTime() < minGapMs) return `fires more often than every ${Math.round(minGapMs / 1000)} s`;
  }
  return undefined;
}

/** Paused: croner only computes occurrences here, the Scheduler does the firing. */
function cronOf(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, paused: true });
}
