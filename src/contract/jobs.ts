import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { BaseUrlSchema } from "./integrations.js";
import { DiffSummarySchema } from "./versions.js";
import { ProblemSchema } from "./problem.js";

export const JobStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export const JobTypeSchema = z.enum(["import", "batch", "drift_check", "alert_delivery"]);
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

/** Set by the importer itself, or meaningless for one GET: a docs request may not carry them. */
const RESERVED_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "te", "trailer", "upgrade", "keep-alive", "expect", "accept-encoding"]);

/**
 * Headers for fetching a docs URL that needs authentication (`Authorization: Bearer …`).
 * The server keeps them sealed and sends them to the URL's origin only: the document and
 * its same-origin `$ref`s, never another host, not even after a redirect.
 */
export const DocsHeadersSchema = z
  .record(
    // RFC 9110 §5.1 (field names are tokens) and §5.5 (values: no CR, LF or NUL).
    z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "must be an HTTP header name")
      .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), "is set by the importer itself"),
    z.string().max(8192).regex(/^[\t\x20-\x7e\x80-\xff]*$/, "must not contain control characters"),
  )
  .refine((headers) => Object.keys(headers).length <= 20, "at most 20 headers")
  .refine((headers) => new Set(Object.keys(headers).map((name) => name.toLowerCase())).size === Object.keys(headers).length, "names a header twice");

/** Values for the document's server variables (`https://{host}/api`), over its defaults. */
export const ServerVariablesSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be 1-100 letters, digits, _, - or ."), z.string().max(2000))
  .refine((variables) => Object.keys(variables).length <= 50, "at most 50 server variables");

/**
 * Following a docs site from an HTML page that links no spec (URL sources only). On by
 * default; `false` reads the page alone.
 */
export const CrawlSettingsSchema = z
  .object({
    /** Pages read, the start page included. Default 200. */
    maxPages: z.number().int().min(1).max(10_000).optional(),
    /** Links followed from the start page. Default 5. */
    maxDepth: z.number().int().min(0).max(50).optional(),
    /** URL patterns (`*` matches anything, matched anywhere in the URL): only matching pages are read. */
    include: z.array(z.string().min(1).max(500)).max(50).optional(),
    /** URL patterns of pages not to read. */
    exclude: z.array(z.string().min(1).max(500)).max(50).optional(),
  })
  .strict()
  .meta({ id: "CrawlSettings" });
export type CrawlSettings = z.infer<typeof CrawlSettingsSchema>;

/** How the document becomes a version, whatever it came as. */
const importSettings = {
  /** The API's base URL when the document has none or a relative one (`--server-url`); overrides the document's. */
  serverUrl: BaseUrlSchema.optional(),
  serverVariables: ServerVariablesSchema.optional(),
  /** Import even when `$ref`s point to nothing (those schemas then accept any value). Default: refused. */
  allowDanglingRefs: z.boolean().default(false),
  /**
   * Make the new version current even when it breaks the current one or looks like another API
   * (other title, most actions gone). Without it such a re-scrape is kept as a draft.
   */
  publish: z.boolean().default(false),
};

export const ImportRequestSchema = z
  .object({
    source: z.union([
      z
        .object({
          /** Credentials in the URL (`user:pass@`, `?access_token=`) are kept sealed and never shown; prefer `headers`. */
          url: z.url().max(4000),
          headers: DocsHeadersSchema.optional(),
        })
        .strict(),
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
    crawl: z.union([z.literal(false), CrawlSettingsSchema]).optional(),
    ...importSettings,
  })
  .refine((request) => !(request.draft && request.publish), { message: "draft and publish contradict each other: give one", path: ["publish"] })
  .meta({ id: "ImportRequest" });
export type ImportRequest = z.infer<typeof ImportRequestSchema>;

/**
 * The import options when the document itself is the request body (`POST /v1/imports/upload`),
 * which is streamed to the database instead of parsed as JSON.
 */
export const ImportUploadQuerySchema = z.object({
  slug: SlugSchema.optional(),
  name: z.string().min(1).max(200).optional(),
  format: ImportFormatSchema.default("auto"),
  /** `true` or `false` in the query string. */
  draft: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).default(false),
  /** Shown in the job and in import errors; it also hints at the format (`.yaml`, `.json`). */
  filename: z.string().min(1).max(500).optional(),
  serverUrl: BaseUrlSchema.optional(),
  /** A JSON object in the query string: `{"host":"gitlab.example.com"}`. */
  serverVariables: z
    .string()
    .max(20_000)
    .transform((text, ctx) => {
      try {
        const parsed = ServerVariablesSchema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: "custom", message: parsed.error.issues[0]?.message ?? "must be a JSON object of strings" });
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON object of strings" });
      }
      return z.NEVER;
    })
    .optional(),
  allowDanglingRefs: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).default(false),
  publish: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).default(false),
});

/** What an uploaded document may be sent as; the importer detects the format from the content. */
export const IMPORT_UPLOAD_MEDIA_TYPES = ["application/yaml", "application/json", "text/plain", "application/octet-stream"] as const;

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
    /** Present when an LLM read the docs: what it was sent and what that cost. */
    llm: z
      .object({
        model: z.string(),
        /** Pages whose text was sent; `pagesCached` were answered from an earlier import's reading. */
        pagesSent: z.number().int(),
        pagesCached: z.number().int(),
        requests: z.number().int(),
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        /** From the server's WAYGATE_LLM_INPUT_COST and WAYGATE_LLM_OUTPUT_COST, when both are set. */
        costUsd: z.number().optional(),
      })
      .optional(),
    /**
     * Present when the document would have replaced the current version but breaks it or looks
     * like another API: it was kept as a draft instead (publish it, or scrape with `publish`).
     */
    heldAsDraft: z
      .object({
        current: z.number().int(),
        reasons: z.array(z.string()),
        diff: DiffSummarySchema,
      })
      .optional(),
  })
  .meta({ id: "ImportResult" });
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** `POST /v1/jobs/tick`: run due jobs within this request, for hosts without a lasting worker. */
export const TickBodySchema = z.object({
  budgetMs: z.number().int().min(100).max(300_000).default(25_000).describe("Stop starting jobs after this long; a job still running then goes back to the queue. Keep it under the host's function timeout"),
});

export const TickResultSchema = z
  .object({
    ran: z.number().int().describe("Jobs started"),
    succeeded: z.number().int(),
    failed: z.number().int().describe("Failed for good"),
    requeued: z.number().int().describe("Back in the queue: to be retried, or stopped when the budget ran out"),
    budgetExhausted: z.boolean().describe("True when the budget ran out first: call again soon"),
  })
  .meta({ id: "TickResult" });
export type TickResult = z.infer<typeof TickResultSchema>;
