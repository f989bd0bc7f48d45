import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { ProblemSchema } from "./problem.js";

/** Most items one batch may hold. */
export const MAX_BATCH_ITEMS = 100_000;

/** A batch ends `completed` (every item succeeded or was skipped), `completed_with_errors` or `cancelled`. */
export const BatchStatusSchema = z.enum(["queued", "running", "completed", "completed_with_errors", "cancelled"]);
export type BatchStatus = z.infer<typeof BatchStatusSchema>;
export const FINISHED_BATCH_STATUSES: readonly BatchStatus[] = ["completed", "completed_with_errors", "cancelled"];

/** Each item ends in exactly one of the final states: succeeded, failed, skipped (stop-on-error) or cancelled. */
export const BatchItemStateSchema = z.enum(["queued", "running", "succeeded", "failed", "skipped", "cancelled"]);
export type BatchItemState = z.infer<typeof BatchItemStateSchema>;
export const FINAL_ITEM_STATES: readonly BatchItemState[] = ["succeeded", "failed", "skipped", "cancelled"];

/** A connection id (`con_…`) or an end user's id, as invoke takes it. */
const ConnectionRefSchema = z.string().min(1).max(200);

/** The same rule as invoke's `Idempotency-Key` header: sent upstream as a header value. */
const IdempotencyKeySchema = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, "must be visible ASCII without spaces");

export const BatchItemRequestSchema = z
  .object({
    /** The action's input, as invoke takes it. */
    input: z.record(z.string(), z.unknown()).default({}),
    /** This item's connection or end user; else the batch's `connection`. */
    connection: ConnectionRefSchema.optional(),
    /** Sent upstream as `Idempotency-Key`; default `batch:<batch id>:<seq>` for non-idempotent methods. */
    idempotencyKey: IdempotencyKeySchema.optional(),
  })
  .strict();

export const BatchOptionsSchema = z
  .object({
    /** Items in flight at once per connection. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Stop once this share of the finished items failed (after at least 20 finished): the rest end `skipped`. */
    stopOnErrorRatio: z.number().gt(0).max(1).optional(),
    /** Validate every item against the action's input schema and answer; nothing is stored or sent. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export const CreateBatchSchema = z
  .object({
    integration: SlugSchema,
    action: z.string().min(1).max(200),
    /** The connection (id or end user) of every item that names none. */
    connection: ConnectionRefSchema.optional(),
    items: z.array(BatchItemRequestSchema).min(1).max(MAX_BATCH_ITEMS),
    options: BatchOptionsSchema.default({ concurrency: 4, dryRun: false }),
  })
  .strict()
  .meta({ id: "CreateBatch" });
export type CreateBatch = z.infer<typeof CreateBatchSchema>;

export const BatchCountsSchema = z
  .object({
    total: z.number().int(),
    queued: z.number().int(),
    running: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    cancelled: z.number().int(),
  })
  .meta({ id: "BatchCounts" });
export type BatchCounts = z.infer<typeof BatchCountsSchema>;

export const BatchSchema = z
  .object({
    id: z.string(),
    integration: SlugSchema,
    action: z.string(),
    /** The app the batch acts for; null for a tenant key acting as the tenant. */
    app: z.string().nullable(),
    connection: z.string().nullable(),
    status: BatchStatusSchema,
    options: z.object({ concurrency: z.number().int(), stopOnErrorRatio: z.number().nullable() }),
    counts: BatchCountsSchema,
    /** Items finished per second since the batch started running; null before it started. */
    ratePerSecond: z.number().nullable(),
    cancelRequested: z.boolean(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    startedAt: TimestampSchema.nullable(),
    finishedAt: TimestampSchema.nullable(),
  })
  .meta({ id: "Batch" });
export type Batch = z.infer<typeof BatchSchema>;

/**
 * The `code` of the problem a dry run answers when items are invalid (a 400 `validation`
 * problem whose `errors` name each field as `items.<index>.<field>`, at most 100 of them):
 * clients tell it from a refused request (a bad option) by this code, not by field names.
 */
export const BATCH_INVALID_ITEMS_CODE = "invalid-items";

/** A dry run that found every item valid (invalid items answer 400 with their index and fields, code BATCH_INVALID_ITEMS_CODE). */
export const BatchDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    integration: SlugSchema,
    action: z.string(),
    /** The integration version the items were checked against (the app's pin, else current). */
    version: z.number().int(),
    items: z.number().int(),
  })
  .meta({ id: "BatchDryRun" });
export type BatchDryRun = z.infer<typeof BatchDryRunSchema>;

export const BatchItemSchema = z
  .object({
    /** The item's index in the request's `items`, from 0. */
    seq: z.number().int(),
    state: BatchItemStateSchema,
    connection: z.string().nullable(),
    idempotencyKey: z.string().nullable(),
    /** Sends of this item (a throttled item goes back to the queue and is sent again). */
    attempts: z.number().int(),
    upstreamStatus: z.number().int().nullable(),
    /** The upstream's answer body, on success and on an upstream error (cut to a marker past 64 KiB). */
    result: z.unknown().nullable(),
    /** Why the item failed, was skipped or cancelled: the problem invoke would have answered. */
    error: ProblemSchema.nullable(),
    startedAt: TimestampSchema.nullable(),
    finishedAt: TimestampSchema.nullable(),
  })
  .meta({ id: "BatchItem" });
export type BatchItem = z.infer<typeof BatchItemSchema>;

/** `state=failed`: only the failed items (for `waygate batch results --failed`). */
export const BatchResultsQuerySchema = z.object({
  state: BatchItemStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional().describe("Opaque cursor from a previous page's nextCursor"),
});

/** Server-sent events of `GET /v1/batches/{id}/events`: `progress` on every change, `end` once the batch finished. */
export const BATCH_EVENT_NAMES = { progress: "progress", end: "end" } as const;
