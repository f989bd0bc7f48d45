import type { Job } from "../contract/index.js";
import type { DueSchedule, Store } from "../store/index.js";
import { silentLogger, type Logger } from "../lib/logger.js";
import { nextRunAfter } from "./schedule-timing.js";

export interface SchedulerOptions {
  store: Store;
  /** Enqueues the job of a due schedule (services/schedules.ts knows each schedulable job type's). Throws when it cannot. */
  fire: (schedule: DueSchedule) => Promise<Job>;
  /** Injected clock, for tests. */
  now?: () => Date;
  /** How often due schedules are looked for. Default 5 s: schedules run every minute at most often. */
  pollMs?: number;
  /** Schedules fired per database read. Default 50. */
  batchSize?: number;
  onError?: (error: unknown) => void;
  logger?: Logger;
}

/**
 * Fires due schedules by enqueuing ordinary jobs, so a scheduled run is a job like any other
 * (whatever backend runs jobs). One per server and worker process: each occurrence is claimed
 * with a guarded UPDATE (ScheduleRepository.claimRun), so several schedulers on one database
 * fire it once. An occurrence missed while no scheduler ran fires once, however many passed.
 */
export class Scheduler {
  private readonly now: () => Date;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.pollMs = options.pollMs ?? 5_000;
    this.batchSize = options.batchSize ?? 50;
    this.log = options.logger ?? silentLogger;
  }

  /** Fires what is due now (runs missed while down included), then every pollMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      this.current = this.tick()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (this.running) this.timer = setTimeout(loop, this.pollMs);
        });
    };
    loop();
  }

  /** Stops looking; a tick under way finishes first. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /**
   * Fires every schedule due now (every tenant's, or `tenantId`'s); answers how many runs this
   * scheduler claimed (whether or not their job could be enqueued); the others were another scheduler's.
   */
  async tick(tenantId?: string): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.now();
      const due = await this.options.store.schedules.due(now, this.batchSize, tenantId);
      for (const schedule of due) if (await this.fireOne(schedule, now)) fired++;
      if (due.length < this.batchSize) return fired;
    }
  }

  private async fireOne(schedule: DueSchedule, now: Date): Promise<boolean> {
    const { store } = this.options;
    const fields = { scheduleId: schedule.id, tenantId: schedule.tenantId, jobType: schedule.jobType };
    let next: Date | null;
    let timingError: string | undefined;
    try {
      next = nextRunAfter(schedule.timing, now, new Date(schedule.nextRunAt));
    } catch (error) {
      // Stored timing no longer reads (a row edited by hand): stop it rather than fire it on every poll.
      next = null;
      timingError = `the schedule's timing cannot be computed (${error instanceof Error ? error.message : String(error)}); it will not fire again until recreated`;
    }
    if (!(await store.schedules.claimRun(schedule.id, schedule.nextRunAt, next, now))) return false;
    if (timingError) {
      this.log.error(fields, "schedule stopped: its timing cannot be computed");
      await store.schedules.recordFailure(schedule.id, timingError);
      return false;
    }
    try {
      const job = await this.options.fire(schedule);
      await store.schedules.recordRun(schedule.id, { jobId: job.id, scheduledFor: schedule.nextRunAt, firedAt: now });
      this.log.info({ ...fields, jobId: job.id, nextRunAt: next?.toISOString() ?? null }, "schedule fired");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn({ ...fields, error: message }, "schedule could not enqueue its job; it tries again at its next run");
      await store.schedules.recordFailure(schedule.id, message);
    }
    return true;
  }
}
