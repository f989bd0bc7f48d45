import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { ProblemSchema } from "./problem.js";

export const JobStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export const JobTypeSchema = z.enum(["import"]);
export type JobType = z.infer<typeof JobTypeSchema>;

export const JobProgressSchema = z
  .object({
    stage: z.string(),
    done: z.number().int().optional(),
    total: z.number().int().optional(),
    message: z.string().optional(),
  })
  .meta({ id: "JobProgress" });
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobSchema = z
  .object({
    id: z.string(),
    type: JobTypeSchema,
    status: JobStatusSchema,
    /** What the job is about, for lists: "import https://…/openapi.json". */
    summary: z.string(),
    progress: JobProgressSchema.nullable(),
    result: z.unknown().nullable(),
    error: ProblemSchema.nullable(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    cancelRequested: z.boolean(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    startedAt: TimestampSchema.nullable(),
    finishedAt: TimestampSchema.nullable(),
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof JobSchema>;

export const ImportFormatSchema = z.enum(["auto", "openapi", "swagger", "postman", "html"]);

export const ImportRequestSchema = z
  .object({
    source: z.union([
      z.object({ url: z.url().max(4000) }).strict(),
      z
        .object({
          /** The document itself, as text (the CLI uploads local files this way). */
          content: z.string().min(1),
          filename: z.string().max(500).optional(),
        })
        .strict(),
    ]),
    slug: SlugSchema.optional(),
    name: z.string().min(1).max(200).optional(),
    format: ImportFormatSchema.default("auto"),
    /** Store the new version as a draft: not current, not pinnable, until published. */
    draft: z.boolean().default(false),
  })
  .meta({ id: "ImportRequest" });
export type ImportRequest = z.infer<typeof ImportRequestSchema>;

export const ImportWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  location: z
    .object({ source: z.string(), pointer: z.string().optional(), line: z.number().optional(), column: z.number().optional() })
    .optional(),
});

/** The `result` of a finished import job. */
export const ImportResultSchema = z
  .object({
    integration: SlugSchema,
    version: z.number().int(),
    /** False when the document's content equals the latest version: no new version was made. */
    created: z.boolean(),
    status: z.enum(["draft", "published"]),
    actionCount: z.number().int(),
    contentHash: z.string(),
    format: z.string(),
    discoveredFrom: z.string().optional(),
    warnings: z.array(ImportWarningSchema),
  })
  .meta({ id: "ImportResult" });
export type ImportResult = z.infer<typeof ImportResultSchema>;
