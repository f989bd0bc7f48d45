import type { Kysely } from "kysely";
import { formatEvery, KEPT_SCHEDULE_RUNS, type JobType, type Page, type Schedule, type ScheduleDetail } from "../contract/index.js";
import { decodeSchedulePayload } from "./decode.js";
import { newId } from "./ids.js";
import type { JobRepository } from "./jobs.js";
import { cursorKey, toPage } from "./paging.js";
import type { Database, ScheduleTable } from "./schema.js";

/** When a schedule runs: a cron expression in a time zone, or a fixed interval. */
export type ScheduleTiming = { kind: "cron"; cron: string; timezone: string } | { kind: "interval"; intervalMs: number };

export interface NewSchedule {
  tenantId: string;
  name: string;
  jobType: JobType;
  payload: unknown;
  timing: ScheduleTiming;
  /** The first run. */
  nextRunAt: Date | null;
  createdBy: string | null;
}

/** A schedule whose run is due, as the scheduler fires it. */
export interface DueSchedule {
  id: string;
  tenantId: string;
  name: string;
  jobType: JobType;
  /** Decodes the stored payload; throws StoredDataError for a row that does not (that schedule's run fails, not the others'). */
  readPayload(): unknown;
  timing: ScheduleTiming;
  /** The occurrence that is due (the value the claim is guarded on). */
  nextRunAt: string;
}

/**
 * Schedules and their runs. Firing is two steps the scheduler takes: `claimRun` moves
 * `next_run_at` with an UPDATE guarded on the value the scheduler read, so of several
 * schedulers (servers on one Postgres) exactly one wins each occurrence; the winner enqueues
 * the job and `recordRun` links it. A process dying between the two loses that one run
 * (at most once, never twice); the schedule fires again at its next occurrence.
 */
export class ScheduleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly jobs: JobRepository,
    private readonly now: () => Date,
  ) {}

  /** Names are unique in the tenant (schedules_tenant_name_unique): of two creates racing for one, one gets "name-taken". */
  async create(input: NewSchedule): Promise<Schedule | "name-taken"> {
    const row = newScheduleRow(input, this.now().toISOString());
    const inserted = await this.db
      .insertInto("schedules")
      .values(row)
      .onConflict((oc) => oc.columns(["tenant_id", "name"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted ? toSchedule(row) : "name-taken";
  }

  /**
   * Creates the named schedule, or changes the one of that name in place (one statement, so a
   * concurrent caller sees the old schedule or the new, never none): its timing, job and payload
   * are replaced, it is resumed, and it keeps its id and run history.
   */
  async put(input: NewSchedule): Promise<Schedule> {
    const row = newScheduleRow(input, this.now().toISOString());
    const stored = await this.db
      .insertInto("schedules")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["tenant_id", "name"]).doUpdateSet({
          job_type: row.job_type,
          payload: row.payload,
          cron: row.cron,
          interval_ms: row.interval_ms,
          timezone: row.timezone,
          paused: 0,
          next_run_at: row.next_run_at,
          last_error: null,
          updated_at: row.updated_at,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSchedule(stored);
  }

  /** `ref`: the schedule's id or its name. */
  async get(tenantId: string, ref: string): Promise<Schedule | undefined> {
    const row = await this.byRef(tenantId, ref);
    return row && toSchedule(row);
  }

  /** The schedule with its most recent runs and their jobs, newest first. */
  async detail(tenantId: string, ref: string): Promise<ScheduleDetail | undefined> {
    const row = await this.byRef(tenantId, ref);
    if (!row) return undefined;
    const runs = await this.db
      .selectFrom("schedule_runs")
      .selectAll()
      .where("schedule_id", "=", row.id)
      .orderBy("fired_at", "desc")
      .orderBy("job_id", "desc")
      .limit(KEPT_SCHEDULE_RUNS)
      .execute();
    const jobs = await this.jobs.getMany(tenantId, runs.map((run) => run.job_id));
    return {
      ...toSchedule(row),
      runs: runs.map((run) => ({ jobId: run.job_id, scheduledFor: run.scheduled_for, firedAt: run.fired_at, job: jobs.get(run.job_id) ?? null })),
    };
  }

  /** Sorted by name. */
  async list(tenantId: string, options: { limit: number; cursor?: string | undefined }): Promise<Page<Schedule>> {
    let query = this.db.selectFrom("schedules").selectAll().where("tenant_id", "=", tenantId).orderBy("name").limit(options.limit + 1);
    if (options.cursor) query = query.where("name", ">", cursorKey(options.cursor));
    return toPage(await query.execute(), options.limit, (row) => row.name, toSchedule);
  }

  /** Unpaused schedules whose next run is at or before `now`, earliest first: every tenant's, or `tenantId`'s. */
  async due(now: Date, limit: number, tenantId?: string): Promise<DueSchedule[]> {
    const rows = await this.db
      .selectFrom("schedules")
      .selectAll()
      .where("paused", "=", 0)
      .$if(tenantId !== undefined, (query) => query.where("tenant_id", "=", tenantId!))
      .where("next_run_at", "<=", now.toISOString())
      .orderBy("next_run_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      jobType: row.job_type as JobType,
      readPayload: () => decodeSchedulePayload(row.payload),
      timing: timingOf(row),
      nextRunAt: row.next_run_at!,
    }));
  }

  /**
   * Takes the due occurrence `expected` of a schedule: moves its next run to `next` unless
   * another scheduler moved it first, or it was paused or deleted meanwhile. True: the caller
   * fires this run. On Postgres a concurrent UPDATE waits for the row lock and then re-reads
   * the guard, so it finds the moved value and updates nothing.
   */
  async claimRun(id: string, expected: string, next: Date | null, firedAt: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("schedules")
      .set({ next_run_at: next?.toISOString() ?? null, last_run_at: firedAt.toISOString(), updated_at: this.now().toISOString() })
      .where("id", "=", id)
      .where("paused", "=", 0)
      .where("next_run_at", "=", expected)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Links a claimed run to the job it enqueued, and keeps only the most recent runs. */
  async recordRun(id: string, run: { jobId: string; scheduledFor: string; firedAt: Date }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("schedules")
        .set({ last_job_id: run.jobId, last_error: null, updated_at: this.now().toISOString() })
        .where("id", "=", id)
        .executeTakeFirst();
      // Deleted while its job was being enqueued: the job stays, the history went with the schedule.
      if (updated.numUpdatedRows === 0n) return;
      await trx.insertInto("schedule_runs").values({ schedule_id: id, job_id: run.jobId, scheduled_for: run.scheduledFor, fired_at: run.firedAt.toISOString() }).execute();
      const kept = trx.selectFrom("schedule_runs").select("job_id").where("schedule_id", "=", id).orderBy("fired_at", "desc").orderBy("job_id", "desc").limit(KEPT_SCHEDULE_RUNS);
      await trx.deleteFrom("schedule_runs").where("schedule_id", "=", id).where("job_id", "not in", kept).execute();
    });
  }

  /** A claimed run could not enqueue its job: say why on the schedule (its next occurrence tries again). */
  async recordFailure(id: string, message: string): Promise<void> {
    await this.db.updateTable("schedules").set({ last_error: message, updated_at: this.now().toISOString() }).where("id", "=", id).execute();
  }

  /** Stops firing. Pausing a paused schedule changes nothing. */
  async pause(tenantId: string, ref: string): Promise<Schedule | undefined> {
    const row = await this.byRef(tenantId, ref);
    if (!row) return undefined;
    await this.db
      .updateTable("schedules")
      .set({ paused: 1, next_run_at: null, updated_at: this.now().toISOString() })
      .where("id", "=", row.id)
      .where("paused", "=", 0)
      .execute();
    return this.get(tenantId, row.id);
  }

  /** Fires again from `next` on, if it was paused; a running schedule keeps its next run. */
  async resume(tenantId: string, id: string, next: Date | null): Promise<Schedule | undefined> {
    await this.db
      .updateTable("schedules")
      .set({ paused: 0, next_run_at: next?.toISOString() ?? null, updated_at: this.now().toISOString() })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("paused", "=", 1)
      .execute();
    return this.get(tenantId, id);
  }

  /** Deletes a schedule and its run history; the jobs it created stay. */
  async delete(tenantId: string, ref: string): Promise<boolean> {
    const row = await this.byRef(tenantId, ref);
    if (!row) return false;
    const result = await this.db.deleteFrom("schedules").where("tenant_id", "=", tenantId).where("id", "=", row.id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  private byRef(tenantId: string, ref: string): Promise<ScheduleTable | undefined> {
    return this.db
      .selectFrom("schedules")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where((eb) => eb.or([eb("id", "=", ref), eb("name", "=", ref)]))
      .orderBy("id")
      .executeTakeFirst();
  }
}

export function timingOf(row: Pick<ScheduleTable, "cron" | "interval_ms" | "timezone">): ScheduleTiming {
  if (row.cron !== null) return { kind: "cron", cron: row.cron, timezone: row.timezone };
  return { kind: "interval", intervalMs: Number(row.interval_ms) };
}

function toSchedule(row: ScheduleTable): Schedule {
  const intervalMs = row.interval_ms === null ? null : Number(row.interval_ms);
  return {
    id: row.id,
    name: row.name,
    jobType: row.job_type as JobType,
    payload: decodeSchedulePayload(row.payload),
    cron: row.cron,
    intervalMs,
    every: intervalMs === null ? null : formatEvery(intervalMs),
    timezone: row.timezone,
    paused: row.paused === 1,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastJobId: row.last_job_id,
    lastError: row.last_error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function newScheduleRow(input: NewSchedule, now: string): ScheduleTable {
  return {
    id: newId("sch"),
    tenant_id: input.tenantId,
    name: input.name,
    job_type: input.jobType,
    payload: JSON.stringify(input.payload),
    cron: input.timing.kind === "cron" ? input.timing.cron : null,
    interval_ms: input.timing.kind === "interval" ? input.timing.intervalMs : null,
    timezone: input.timing.kind === "cron" ? input.timing.timezone : "UTC",
    paused: 0,
    next_run_at: input.nextRunAt?.toISOString() ?? null,
    last_run_at: null,
    last_job_id: null,
    last_error: null,
    created_by: input.createdBy,
    created_at: now,
    updated_at: now,
  };
}
