import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { BaseUrlSchema } from "./integrations.js";
import { ImportFormatSchema, JobSchema, JobTypeSchema, ServerVariablesSchema } from "./jobs.js";

/** `30s`, `15m`, `24h`, `7d`: an interval's unit in ms. */
const EVERY_UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY_PATTERN = /^(\d{1,6})(s|m|h|d)$/;

/** Shortest interval a schedule created through the API may have: a schedule is not a busy loop. */
export const MIN_API_INTERVAL_MS = 60_000;

/** `24h` → 86 400 000; undefined when the text is not a number and one of s, m, h, d. */
export function parseEvery(text: string): number | undefined {
  const match = EVERY_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * EVERY_UNITS[match[2] as keyof typeof EVERY_UNITS];
  return ms > 0 ? ms : undefined;
}

/** 86 400 000 → `1d`, 5 400 000 → `90m`: the largest unit that divides the interval (ms when none does). */
export function formatEvery(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** An IANA time zone this runtime knows (`Europe/Paris`, `UTC`). */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(100)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as UTC or Europe/Paris");

export const ScheduleNameSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9:._-]*$/, "must be letters, digits and : . _ -, starting with a letter or digit");

export const ScheduleSchema = z
  .object({
    id: z.string(),
    /** Unique in the tenant; features name theirs after what they watch (`drift:github`). */
    name: z.string(),
    /** Each run enqueues one job of this type with `payload`. */
    jobType: JobTypeSchema,
    payload: z.unknown(),
    /** A cron expression (5 or 6 fields, read in `timezone`), or null for an interval schedule. */
    cron: z.string().nullable(),
    /** The interval in ms, or null for a cron schedule. */
    intervalMs: z.number().int().nullable(),
    /** The interval as `--every` takes it (`24h`), or null. */
    every: z.string().nullable(),
    timezone: z.string(),
    paused: z.boolean(),
    /** When it fires next; null while paused, or when a cron expression has no occurrence left. */
    nextRunAt: TimestampSchema.nullable(),
    lastRunAt: TimestampSchema.nullable(),
    lastJobId: z.string().nullable(),
    /** Why the last run could not enqueue its job (its integration was deleted, say); null once a run succeeds in enqueuing. */
    lastError: z.string().nullable(),
    /** The key that created it; null when a feature created it on its own. */
    createdBy: z.string().nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: "Schedule" });
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ScheduleRunSchema = z
  .object({
    jobId: z.string(),
    /** The occurrence that was due; after downtime, the first one missed (missed runs run once, not once each). */
    scheduledFor: TimestampSchema,
    firedAt: TimestampSchema,
    /** The job as it is now; null once the job is gone. */
    job: JobSchema.nullable(),
  })
  .meta({ id: "ScheduleRun" });
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

/** How many recent runs a schedule keeps (and `GET /v1/schedules/{id}` shows). */
export const KEPT_SCHEDULE_RUNS = 20;

export const ScheduleDetailSchema = ScheduleSchema.extend({
  /** The most recent runs, newest first. */
  runs: z.array(ScheduleRunSchema),
}).meta({ id: "ScheduleDetail" });
export type ScheduleDetail = z.infer<typeof ScheduleDetailSchema>;

/**
 * A periodic re-import of a docs URL into one integration. A new version that breaks the
 * current one (or looks like another API) is kept as a draft unless `publish` is set, as
 * for any re-scrape. The URL may not carry credentials: a schedule's payload is stored
 * and shown as it is.
 */
export const ScheduledImportSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(4000),
    slug: SlugSchema,
    format: ImportFormatSchema.default("auto"),
    publish: z.boolean().default(false),
    serverUrl: BaseUrlSchema.optional(),
    serverVariables: ServerVariablesSchema.optional(),
    allowDanglingRefs: z.boolean().default(false),
  })
  .strict()
  .meta({ id: "ScheduledImport" });
export type ScheduledImport = z.infer<typeof ScheduledImportSchema>;

/** When a schedule runs: exactly one of `every` and `cron`. */
const timing = {
  /** `15m`, `24h`, `7d`: at least a minute. */
  every: z
    .string()
    .max(20)
    .refine((text) => parseEvery(text) !== undefined, "must be a number and a unit: 30s, 15m, 24h or 7d")
    .refine((text) => (parseEvery(text) ?? 0) >= MIN_API_INTERVAL_MS, "must be at least 1m")
    .optional(),
  /** A cron expression (`0 6 * * *`), read in `timezone`. */
  cron: z.string().min(1).max(200).optional(),
  timezone: TimeZoneSchema.default("UTC"),
};

/**
 * `POST /v1/schedules`: only job types that are safe to run unattended are listed here, each
 * with its payload's schema. Other schedules (drift checks) are created by their features.
 */
export const CreateScheduleSchema = z
  .discriminatedUnion("jobType", [z.object({ name: ScheduleNameSchema, jobType: z.literal("import"), payload: ScheduledImportSchema, ...timing }).strict()])
  .refine((body) => (body.every === undefined) !== (body.cron === undefined), { message: "give exactly one of every and cron", path: ["every"] })
  .meta({ id: "CreateSchedule" });
export type CreateSchedule = z.infer<typeof CreateScheduleSchema>;
