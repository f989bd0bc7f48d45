import type { z } from "zod";
import { MIN_API_INTERVAL_MS, ScheduledImportSchema, type FieldError, type Job, type JobType, type Schedule } from "../contract/index.js";
import { cronProblem, nextRunAfter } from "../jobs/index.js";
import { enqueueUrlImport } from "../jobs/import-jobs.js";
import { splitUrlCredentials } from "../lib/url-credentials.js";
import type { DueSchedule, ScheduleTiming, Store } from "../store/index.js";

/**
 * The job types a schedule may run, each with the schema of the payload it stores. A run
 * enqueues a fresh job from the payload, so nothing in it may be bound to one job (sealed
 * per job id) or be a secret (it is stored and shown as it is). A feature that wants
 * periodic runs (drift checks) adds its job type here and an enqueuer in scheduleEnqueuers.
 */
export const SCHEDULABLE_PAYLOADS: Partial<Record<JobType, z.ZodType>> = {
  import: ScheduledImportSchema.refine((payload) => splitUrlCredentials(payload.url).display === payload.url, {
    message: "a scheduled import's URL may not carry credentials (user:password@ or a token parameter): the schedule stores and shows it as it is",
    path: ["url"],
  }),
};

export interface NewScheduleRequest {
  tenantId: string;
  /** Unique in the tenant; a feature names its schedule after what it watches (`drift:github`). */
  name: string;
  jobType: JobType;
  /** Checked against the job type's schema in SCHEDULABLE_PAYLOADS. */
  payload: unknown;
  /** An interval in ms, or a cron expression in a time zone (default UTC). */
  timing: { everyMs: number } | { cron: string; timezone?: string | undefined };
  /** The key that asked; null for a feature acting on its own. */
  createdBy?: string | null;
  /** Refuse intervals (and cron expressions firing more often) under this. Default 1 min; features may ask for less in tests. */
  minIntervalMs?: number;
}

export type ScheduleCreation =
  | { kind: "created"; schedule: Schedule }
  /** The tenant has a schedule of that name already: it is answered as it is (a feature calling again finds its own). */
  | { kind: "name-taken"; schedule: Schedule }
  | { kind: "invalid"; errors: FieldError[] };

/**
 * Creates a schedule: what features call (and `POST /v1/schedules`). Its first run is one
 * interval (or the next cron occurrence) from `now`. Expected refusals are values: a job
 * type that is not schedulable, a payload or timing that does not check.
 */
export async function createSchedule(store: Store, request: NewScheduleRequest, now: Date = new Date()): Promise<ScheduleCreation> {
  const schema = SCHEDULABLE_PAYLOADS[request.jobType];
  if (!schema) return { kind: "invalid", errors: [{ field: "jobType", message: `${request.jobType} jobs cannot be scheduled; schedulable: ${Object.keys(SCHEDULABLE_PAYLOADS).join(", ")}` }] };
  const payload = schema.safeParse(request.payload);
  if (!payload.success) return { kind: "invalid", errors: payload.error.issues.slice(0, 20).map((issue) => ({ field: ["payload", ...issue.path.map(String)].join("."), message: issue.message })) };
  const minIntervalMs = request.minIntervalMs ?? MIN_API_INTERVAL_MS;
  let timing: ScheduleTiming;
  if ("everyMs" in request.timing) {
    const { everyMs } = request.timing;
    if (!Number.isInteger(everyMs) || everyMs < minIntervalMs) return { kind: "invalid", errors: [{ field: "every", message: `must be a whole number of ms, at least ${minIntervalMs}` }] };
    timing = { kind: "interval", intervalMs: everyMs };
  } else {
    const timezone = request.timing.timezone ?? "UTC";
    const problem = cronProblem(request.timing.cron, timezone, minIntervalMs);
    if (problem) return { kind: "invalid", errors: [{ field: "cron", message: `${JSON.stringify(request.timing.cron)} ${problem}` }] };
    timing = { kind: "cron", cron: request.timing.cron, timezone };
  }
  const created = await store.schedules.create({
    tenantId: request.tenantId,
    name: request.name,
    jobType: request.jobType,
    payload: payload.data,
    timing,
    nextRunAt: nextRunAfter(timing, now),
    createdBy: request.createdBy ?? null,
  });
  if (created !== "name-taken") return { kind: "created", schedule: created };
  return { kind: "name-taken", schedule: (await store.schedules.get(request.tenantId, request.name))! };
}

/** Resumes a paused schedule: its next run is computed from `now`, so runs missed while paused do not run. */
export async function resumeSchedule(store: Store, tenantId: string, ref: string, now: Date = new Date()): Promise<Schedule | undefined> {
  const schedule = await store.schedules.get(tenantId, ref);
  if (!schedule) return undefined;
  if (!schedule.paused) return schedule;
  const timing: ScheduleTiming = schedule.cron !== null ? { kind: "cron", cron: schedule.cron, timezone: schedule.timezone } : { kind: "interval", intervalMs: schedule.intervalMs! };
  return store.schedules.resume(tenantId, schedule.id, nextRunAfter(timing, now));
}

export interface ScheduleEnqueueOptions {
  /** This server's setting for URL imports, recorded in each import job (as `POST /v1/imports` does). */
  allowPrivateImports: boolean;
  /** Wakes the job worker once a run is enqueued. */
  notifyWorker: () => void;
}

/**
 * What the Scheduler fires a due schedule with: the job type's ordinary enqueue path (the
 * one its route uses), from the stored payload checked again against its schema.
 */
export function scheduleEnqueuer(store: Store, options: ScheduleEnqueueOptions): (schedule: DueSchedule) => Promise<Job> {
  return async (schedule) => {
    const schema = SCHEDULABLE_PAYLOADS[schedule.jobType];
    if (!schema) throw new Error(`${schedule.jobType} jobs are not schedulable on this server (an older version?)`);
    const checked = schema.safeParse(schedule.payload);
    if (!checked.success) throw new Error(`the schedule's payload no longer checks: ${checked.error.issues[0]?.message ?? "invalid"}`);
    const job = await enqueue(store, schedule.tenantId, schedule.jobType, checked.data, options);
    options.notifyWorker();
    return job;
  };
}

async function enqueue(store: Store, tenantId: string, jobType: JobType, payload: unknown, options: ScheduleEnqueueOptions): Promise<Job> {
  switch (jobType) {
    case "import": {
      const { url, ...settings } = payload as z.infer<typeof ScheduledImportSchema>;
      return enqueueUrlImport(store, tenantId, { url }, { ...settings, draft: false, privateImports: options.allowPrivateImports });
    }
    default:
      throw new Error(`${jobType} jobs are not schedulable`);
  }
}
