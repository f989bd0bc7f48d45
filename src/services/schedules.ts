import { z } from "zod";
import { MIN_API_INTERVAL_MS, parseEvery, ScheduledImportSchema, SlugSchema, type DriftSchedule, type FieldError, type Job, type JobType, type Schedule } from "../contract/index.js";
import { cronProblem, nextRunAfter } from "../jobs/index.js";
import { enqueueUrlImport } from "../jobs/import-jobs.js";
import type { JobQueue } from "../jobs/queue.js";
import { splitUrlCredentials } from "../lib/url-credentials.js";
import type { DueSchedule, NewSchedule, ScheduleTiming, Store } from "../store/index.js";
import type { DriftScheduler } from "./drift.js";

export interface ScheduleEnqueueOptions {
  /** This server's setting for URL imports, recorded in each import job (as `POST /v1/imports` does). */
  allowPrivateImports: boolean;
  /** Where runs' jobs go: the embedded queue or BullMQ, as every other job. */
  jobs: JobQueue;
}

/** A job type a schedule may run: the payload it stores, and how a run enqueues its job (the type's ordinary enqueue path). */
interface SchedulableJob<S extends z.ZodType = z.ZodType> {
  payload: S;
  /** Why the payload cannot run now (its target is gone), checked at creation (a field error) and before each run (the run's error). */
  unmet?(store: Store, tenantId: string, payload: z.infer<S>): Promise<FieldError | undefined>;
  enqueue(store: Store, tenantId: string, payload: z.infer<S>, options: ScheduleEnqueueOptions): Promise<Job>;
}

function schedulable<S extends z.ZodType>(job: SchedulableJob<S>): SchedulableJob {
  return job as unknown as SchedulableJob;
}

/**
 * The job types a schedule may run. A run enqueues a fresh job from the stored payload, so
 * nothing in it may be bound to one job (sealed per job id) or be a secret (it is stored and
 * shown as it is). A feature that wants periodic runs (drift checks) adds its job type here.
 */
export const SCHEDULABLE_JOBS: Partial<Record<JobType, SchedulableJob>> = {
  import: schedulable({
    payload: ScheduledImportSchema.refine((payload) => hasNoCredentials(payload.url), {
      message: "a scheduled import's URL may not carry credentials (user:password@ or a token parameter): the schedule stores and shows it as it is",
      path: ["url"],
    }),
    // A re-import, not an import: a deleted integration is not brought back every night.
    unmet: async (store, tenantId, { slug }) =>
      (await store.integrations.find(tenantId, slug))
        ? undefined
        : { field: "payload.slug", message: `there is no integration ${slug} to re-import (never imported, or deleted): import it once (waygate scrape <url> --slug ${slug}) and its scheduled re-imports run` },
    enqueue: (store, tenantId, { url, ...settings }, options) => enqueueUrlImport(store, options.jobs, tenantId, { url }, { ...settings, draft: false, privateImports: options.allowPrivateImports }),
  }),
  // A periodic drift check re-scrapes the integration's recorded source (`waygate drift schedule`).
  drift_check: schedulable({
    payload: z.object({ integration: SlugSchema }),
    unmet: async (store, tenantId, { integration }) =>
      (await store.integrations.find(tenantId, integration))
        ? undefined
        : { field: "payload.integration", message: `there is no integration ${integration} to check for drift (deleted?): delete this schedule, or import it again` },
    enqueue: (_store, tenantId, payload, options) => options.jobs.enqueue({ tenantId, type: "drift_check", summary: `drift check ${payload.integration}`, payload }),
  }),
};

/** Neither user info nor a secret-looking query parameter (both URLs compared are normalised the same way). */
function hasNoCredentials(url: string): boolean {
  const split = splitUrlCredentials(url);
  return split.basic === null && split.display === split.url;
}

export interface NewScheduleRequest {
  tenantId: string;
  /** Unique in the tenant; a feature names its schedule after what it watches (`drift:github`). */
  name: string;
  jobType: JobType;
  /** Checked against the job type's payload schema in SCHEDULABLE_JOBS. */
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
 *
 * @example
 * // A feature's daily job for one integration; calling again finds the same schedule ("name-taken").
 * await createSchedule(store, { tenantId, name: `drift:${slug}`, jobType: "drift", payload: { integration: slug }, timing: { everyMs: 24 * 3_600_000 } });
 */
export async function createSchedule(store: Store, request: NewScheduleRequest, now: Date = new Date()): Promise<ScheduleCreation> {
  const checked = await checkSchedule(store, request, now);
  if (checked.kind === "invalid") return checked;
  const created = await store.schedules.create(checked.schedule);
  if (created !== "name-taken") return { kind: "created", schedule: created };
  return { kind: "name-taken", schedule: (await store.schedules.get(request.tenantId, request.name))! };
}

/**
 * Creates the named schedule or replaces the one of that name, in one step: what a feature calls
 * when its user changes how often it runs (`waygate drift schedule`). A request that does not
 * check changes nothing.
 */
export async function putSchedule(store: Store, request: NewScheduleRequest, now: Date = new Date()): Promise<{ kind: "put"; schedule: Schedule } | { kind: "invalid"; errors: FieldError[] }> {
  const checked = await checkSchedule(store, request, now);
  if (checked.kind === "invalid") return checked;
  return { kind: "put", schedule: await store.schedules.put(checked.schedule) };
}

/** The schedule a request describes, its first run one interval (or the next cron occurrence) from `now`; or why it cannot be. */
async function checkSchedule(store: Store, request: NewScheduleRequest, now: Date): Promise<{ kind: "valid"; schedule: NewSchedule } | { kind: "invalid"; errors: FieldError[] }> {
  const job = SCHEDULABLE_JOBS[request.jobType];
  if (!job) return { kind: "invalid", errors: [{ field: "jobType", message: `${request.jobType} jobs cannot be scheduled; schedulable: ${Object.keys(SCHEDULABLE_JOBS).join(", ")}` }] };
  const payload = job.payload.safeParse(request.payload);
  if (!payload.success) return { kind: "invalid", errors: payload.error.issues.slice(0, 20).map((issue) => ({ field: ["payload", ...issue.path.map(String)].join("."), message: issue.message })) };
  const unmet = await job.unmet?.(store, request.tenantId, payload.data);
  if (unmet) return { kind: "invalid", errors: [unmet] };
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
  return {
    kind: "valid",
    schedule: { tenantId: request.tenantId, name: request.name, jobType: request.jobType, payload: payload.data, timing, nextRunAt: nextRunAfter(timing, now), createdBy: request.createdBy ?? null },
  };
}

/** Resumes a paused schedule: its next run is computed from `now`, so runs missed while paused do not run. */
export async function resumeSchedule(store: Store, tenantId: string, ref: string, now: Date = new Date()): Promise<Schedule | undefined> {
  const schedule = await store.schedules.get(tenantId, ref);
  if (!schedule) return undefined;
  if (!schedule.paused) return schedule;
  const timing: ScheduleTiming = schedule.cron !== null ? { kind: "cron", cron: schedule.cron, timezone: schedule.timezone } : { kind: "interval", intervalMs: schedule.intervalMs! };
  return store.schedules.resume(tenantId, schedule.id, nextRunAfter(timing, now));
}

/**
 * What the Scheduler fires a due schedule with: the job type's ordinary enqueue path, from
 * the stored payload checked again against its schema.
 */
export function scheduleEnqueuer(store: Store, options: ScheduleEnqueueOptions): (schedule: DueSchedule) => Promise<Job> {
  return async (schedule) => {
    const job = SCHEDULABLE_JOBS[schedule.jobType];
    if (!job) throw new Error(`${schedule.jobType} jobs are not schedulable on this server`);
    const checked = job.payload.safeParse(schedule.readPayload());
    if (!checked.success) throw new Error(`the schedule's payload no longer checks: ${checked.error.issues[0]?.message ?? "invalid"}`);
    const unmet = await job.unmet?.(store, schedule.tenantId, checked.data);
    if (unmet) throw new Error(unmet.message);
    return job.enqueue(store, schedule.tenantId, checked.data, options);
  };
}

/**
 * Drift checks on the job system's schedules: one schedule per integration, named
 * `drift:<slug>`, firing a `drift_check` job. Setting it again replaces the timing.
 */
export function driftSchedules(store: Store, now: () => Date = () => new Date()): DriftScheduler {
  return {
    async schedule(tenantId, integration, spec) {
      const name = `drift:${integration.slug}`;
      const timing = spec.every !== undefined ? { everyMs: parseEvery(spec.every)! } : { cron: spec.cron! };
      // Replaced in place: a schedule that does not check leaves the old one running.
      const put = await putSchedule(store, { tenantId, name, jobType: "drift_check", payload: { integration: integration.slug }, timing }, now());
      if (put.kind === "invalid") throw new DriftScheduleError(put.errors);
      return driftScheduleOf(integration.slug, put.schedule);
    },
  };
}

/** A drift schedule the schedules service refused (a cron expression it cannot read, or one firing too often). */
export class DriftScheduleError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.field}: ${error.message}`).join("; "));
  }
}

function driftScheduleOf(slug: string, schedule: Schedule): DriftSchedule {
  return { integration: slug, every: schedule.every, cron: schedule.cron, nextRunAt: schedule.nextRunAt };
}
