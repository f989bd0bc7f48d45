import { sql, type Kysely, type Transaction } from "kysely";
import { z } from "zod";
import { ProblemSchema, type Batch, type BatchCounts, type BatchItem, type BatchItemState, type BatchStatus, type Page, type Problem } from "../contract/index.js";
import type { Dialect } from "./database.js";
import { StoredDataError } from "./decode.js";
import { newId } from "./ids.js";
import { cursorKey, toPage } from "./paging.js";
import type { BatchItemTable, BatchTable, Database } from "./schema.js";

/** Who may see a batch: a tenant key sees every batch of its tenant, an app key only its app's. */
export interface BatchScope {
  tenantId: string;
  /** Set for an app key: only this app's batches exist for it. */
  appId: string | null;
}

export interface NewBatchItem {
  input: unknown;
  connection?: string | undefined;
  idempotencyKey?: string | undefined;
  /** The item is invalid: it is stored `failed` with this problem and never sent. */
  invalid?: Problem | undefined;
}

export interface NewBatch {
  tenantId: string;
  appId: string | null;
  integration: string;
  action: string;
  connection: string | null;
  options: BatchRunOptions;
  items: readonly NewBatchItem[];
  /** The job that will run the batch (enqueued by the caller once the batch is stored). */
  jobId: string;
}

export interface BatchRunOptions {
  concurrency: number;
  stopOnErrorRatio: number | null;
}

/** A batch as its runner sees it. */
export interface BatchRecord {
  id: string;
  tenantId: string;
  appId: string | null;
  integration: string;
  action: string;
  connection: string | null;
  options: BatchRunOptions;
  status: BatchStatus;
  cancelRequested: boolean;
  jobId: string | null;
}

/** An item claimed by a batch run. */
export interface ClaimedItem {
  seq: number;
  input: unknown;
  connection: string | null;
  idempotencyKey: string | null;
  attempts: number;
  throttled: number;
}

export type ItemOutcome =
  | { state: "succeeded"; upstreamStatus: number; result: unknown }
  /** `body`: what the upstream answered, when it answered. */
  | { state: "failed"; upstreamStatus: number | null; error: Problem; body?: unknown };

/** Rows per INSERT: well under SQLite's 32 766 bound parameters (12 columns a row). */
const INSERT_CHUNK = 500;
/** A success body kept per item, at most; a larger one is replaced by a marker saying so. */
export const MAX_STORED_RESULT_BYTES = 64 * 1024;

const OptionsSchema = z.object({ concurrency: z.number().int(), stopOnErrorRatio: z.number().nullable() });

/**
 * Batches and their items. The store keeps each item's state transitions atomic and
 * guarded by the run that claimed it (`claimed_by`): a run that lost the batch (its job's
 * lease expired and another run took over) can no longer write the items it held.
 * Counts are read from the items (one grouped query on an index), so they always add up.
 */
export class BatchRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly now: () => Date,
  ) {}

  /** Stores the batch and all its items in one transaction: a batch is there whole or not at all. */
  async create(input: NewBatch): Promise<string> {
    const id = newId("bat");
    const now = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("batches")
        .values({
          id,
          tenant_id: input.tenantId,
          app_id: input.appId,
          integration: input.integration,
          action: input.action,
          connection: input.connection,
          options: JSON.stringify(input.options),
          status: "queued",
          total: input.items.length,
          cancel_requested: 0,
          job_id: input.jobId,
          created_at: now,
          updated_at: now,
          started_at: null,
          finished_at: null,
        })
        .execute();
      for (let start = 0; start < input.items.length; start += INSERT_CHUNK) {
        const rows: BatchItemTable[] = input.items.slice(start, start + INSERT_CHUNK).map((item, offset) => ({
          batch_id: id,
          seq: start + offset,
          input: JSON.stringify(item.input ?? {}),
          connection: item.connection ?? null,
          idempotency_key: item.idempotencyKey ?? null,
          state: item.invalid ? "failed" : "queued",
          attempts: 0,
          throttled: 0,
          upstream_status: null,
          result: null,
          error: item.invalid ? JSON.stringify(item.invalid) : null,
          run_after: now,
          claimed_by: null,
          updated_at: now,
          started_at: null,
          finished_at: item.invalid ? now : null,
        }));
        await trx.insertInto("batch_items").values(rows).execute();
      }
    });
    return id;
  }

  async get(scope: BatchScope, id: string): Promise<Batch | undefined> {
    const row = await this.visible(this.db, scope).selectAll().where("id", "=", id).executeTakeFirst();
    return row && this.toBatch(row, await this.counts(row.id, row.total));
  }

  /** The batch for its runner (no scope: the job names it). */
  async record(id: string): Promise<BatchRecord | undefined> {
    const row = await this.db.selectFrom("batches").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Newest first. */
  async list(scope: BatchScope, options: { limit: number; cursor?: string | undefined }): Promise<Page<Batch>> {
    let query = this.visible(this.db, scope).selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(options.limit + 1);
    if (options.cursor) {
      const [createdAt = "", id = ""] = cursorKey(options.cursor).split("|");
      query = query.where((eb) => eb.or([eb("created_at", "<", createdAt), eb.and([eb("created_at", "=", createdAt), eb("id", "<", id)])]));
    }
    const rows = await query.execute();
    const page = toPage(rows, options.limit, (row) => `${row.created_at}|${row.id}`, (row) => row);
    const data = await Promise.all(page.data.map(async (row) => this.toBatch(row, await this.counts(row.id, row.total))));
    return { data, nextCursor: page.nextCursor };
  }

  /** The items in order, from after the cursor's seq; `state` keeps only items in that state. */
  async items(scope: BatchScope, id: string, options: { state?: BatchItemState | undefined; limit: number; cursor?: string | undefined }): Promise<Page<BatchItem> | undefined> {
    const batch = await this.visible(this.db, scope).select("id").where("id", "=", id).executeTakeFirst();
    if (!batch) return undefined;
    let query = this.db.selectFrom("batch_items").selectAll().where("batch_id", "=", id).orderBy("seq").limit(options.limit + 1);
    if (options.state) query = query.where("state", "=", options.state);
    if (options.cursor) {
      const after = Number(cursorKey(options.cursor));
      if (!Number.isInteger(after)) return { data: [], nextCursor: null };
      query = query.where("seq", ">", after);
    }
    return toPage(await query.execute(), options.limit, (row) => String(row.seq), toItem);
  }

  async counts(id: string, total?: number): Promise<BatchCounts> {
    const rows = await this.db.selectFrom("batch_items").select((eb) => ["state", eb.fn.countAll<string | number>().as("n")]).where("batch_id", "=", id).groupBy("state").execute();
    const counts: BatchCounts = { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
    for (const row of rows) counts[row.state] = Number(row.n);
    counts.total = total ?? counts.queued + counts.running + counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
    return counts;
  }

  /** A run starts: the batch is running (under this job, unless the run only helps the batch's own job: `jobId` null). */
  async markRunning(id: string, jobId: string | null): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .updateTable("batches")
      .set({ status: "running", ...(jobId === null ? {} : { job_id: jobId }), updated_at: now, started_at: sql<string>`coalesce(started_at, ${now})`, finished_at: null })
      .where("id", "=", id)
      .where("status", "in", ["queued", "running"])
      .execute();
  }

  /**
   * Puts back in the queue the items an earlier run claimed and never finished (its process
   * died, or it stopped), for a batch that is not shared: only one run works on it at a time
   * (its job's lease), so every claim that is not this run's is an orphan, taken back now
   * rather than when its lease expires. Answers how many were taken back.
   */
  async releaseOrphans(id: string, runId: string): Promise<number> {
    const now = this.now().toISOString();
    const result = await this.db
      .updateTable("batch_items")
      // Due now: a running item's run_after is its lease's expiry, not when it may run.
      .set({ state: "queued", claimed_by: null, run_after: now, updated_at: now })
      .where("batch_id", "=", id)
      .where("state", "=", "running")
      .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_by", "!=", runId)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Claims up to `limit` due items, lowest seq first, each with a lease of `leaseMs`: the
   * queued ones whose time came, and running ones whose lease expired (the run holding them
   * died). While an item runs, `run_after` is its lease's expiry (renewLeases extends it), so
   * several runs of one batch can claim side by side and none takes an item another holds.
   */
  async claim(id: string, runId: string, limit: number, leaseMs: number): Promise<ClaimedItem[]> {
    const at = this.now();
    const now = at.toISOString();
    const leaseEnd = new Date(at.getTime() + leaseMs).toISOString();
    // A CTE, so that Postgres runs the limited, locking select once (an `IN (subquery)`
    // may be rescanned per row and claim more than `limit`).
    const rows = await this.db
      .with("due", (db) =>
        db
          .selectFrom("batch_items")
          .select("seq")
          .where("batch_id", "=", id)
          .where("state", "in", ["queued", "running"])
          .where("run_after", "<=", now)
          .orderBy("seq")
          .limit(limit)
          .$if(this.dialect === "postgres", (query) => query.forUpdate().skipLocked()),
      )
      .updateTable("batch_items")
      .set((eb) => ({ state: "running", claimed_by: runId, run_after: leaseEnd, attempts: eb("attempts", "+", 1), updated_at: now, started_at: sql<string>`coalesce(started_at, ${now})` }))
      .where("batch_id", "=", id)
      .where("state", "in", ["queued", "running"])
      .where("run_after", "<=", now)
      .where("seq", "in", (eb) => eb.selectFrom("due").select("due.seq"))
      .returning(["seq", "input", "connection", "idempotency_key", "attempts", "throttled"])
      .execute();
    return rows
      .sort((a, b) => a.seq - b.seq)
      .map((row) => ({ seq: row.seq, input: decodeJson(row.input, "batch_items.input"), connection: row.connection, idempotencyKey: row.idempotency_key, attempts: row.attempts, throttled: row.throttled }));
  }

  /** Extends the leases of the items this run holds (a live run renews well before they expire). */
  async renewLeases(id: string, runId: string, leaseMs: number): Promise<void> {
    const at = this.now();
    await this.db
      .updateTable("batch_items")
      .set({ run_after: new Date(at.getTime() + leaseMs).toISOString() })
      .where("batch_id", "=", id)
      .where("state", "=", "running")
      .where("claimed_by", "=", runId)
      .execute();
  }

  /**
   * Puts back in the queue, due now, every item this run still holds: it stops, and the items
   * go to the next claim at once rather than after their lease. (Their attempts stay counted:
   * an aborted send may have reached the upstream; the idempotency key covers a second one.)
   */
  async releaseClaims(id: string, runId: string): Promise<number> {
    const now = this.now().toISOString();
    const result = await this.db
      .updateTable("batch_items")
      .set({ state: "queued", claimed_by: null, run_after: now, updated_at: now })
      .where("batch_id", "=", id)
      .where("state", "=", "running")
      .where("claimed_by", "=", runId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Records an item's final state, if this run still holds it. */
  async finish(id: string, seq: number, runId: string, outcome: ItemOutcome): Promise<boolean> {
    const now = this.now().toISOString();
    const result = await this.db
      .updateTable("batch_items")
      .set({
        state: outcome.state,
        upstream_status: outcome.upstreamStatus,
        result: storedResult(outcome.state === "succeeded" ? outcome.result : outcome.body),
        error: outcome.state === "failed" ? JSON.stringify(outcome.error) : null,
        claimed_by: null,
        updated_at: now,
        finished_at: now,
      })
      .where("batch_id", "=", id)
      .where("seq", "=", seq)
      .where("state", "=", "running")
      .where("claimed_by", "=", runId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Sends the item back to the queue, not before `runAfter`: the upstream (or the rate limiter) said to wait. */
  async requeue(id: string, seq: number, runId: string, runAfter: Date, reason: "throttled" | "stopped"): Promise<void> {
    await this.db
      .updateTable("batch_items")
      .set((eb) => ({
        state: "queued",
        claimed_by: null,
        run_after: runAfter.toISOString(),
        updated_at: this.now().toISOString(),
        ...(reason === "throttled" ? { throttled: eb("throttled", "+", 1) } : { attempts: eb("attempts", "-", 1) }),
      }))
      .where("batch_id", "=", id)
      .where("seq", "=", seq)
      .where("state", "=", "running")
      .where("claimed_by", "=", runId)
      .execute();
  }

  /**
   * When the next item may be claimed (null: nothing is open): a queued item's due time, or
   * the lease expiry of an item another run holds (it may die; then its items come back).
   */
  async nextDue(id: string): Promise<Date | null> {
    const row = await this.db.selectFrom("batch_items").select((eb) => eb.fn.min("run_after").as("next")).where("batch_id", "=", id).where("state", "in", ["queued", "running"]).executeTakeFirst();
    return row?.next ? new Date(row.next) : null;
  }

  /** Ends every queued item as `state` with `problem` (stop-on-error skips them, a cancel cancels them, an action that is gone fails them). */
  async closeQueued(id: string, state: "skipped" | "cancelled" | "failed", problem: Problem, db: Kysely<Database> | Transaction<Database> = this.db): Promise<number> {
    const now = this.now().toISOString();
    const result = await db
      .updateTable("batch_items")
      .set({ state, error: JSON.stringify(problem), claimed_by: null, updated_at: now, finished_at: now })
      .where("batch_id", "=", id)
      .where("state", "=", "queued")
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Ends the batch once no item is queued or running: `cancelled` when a cancel was asked,
   * else completed (with errors when an item failed). False when items are still open
   * (a resume or retry queued some meanwhile): the run goes on.
   */
  async finalize(id: string): Promise<boolean> {
    const now = this.now().toISOString();
    const open = this.db.selectFrom("batch_items").select("seq").where("batch_id", "=", id).where("state", "in", ["queued", "running"]);
    const failed = this.db.selectFrom("batch_items").select("seq").where("batch_id", "=", id).where("state", "in", ["failed", "skipped"]);
    const result = await this.db
      .updateTable("batches")
      .set({
        status: sql<BatchTable["status"]>`case when cancel_requested = 1 then 'cancelled' when exists ${failed} then 'completed_with_errors' else 'completed' end`,
        updated_at: now,
        finished_at: now,
      })
      .where("id", "=", id)
      .where("status", "in", ["queued", "running"])
      .where((eb) => eb.not(eb.exists(open)))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Whether someone asked to cancel the batch. */
  async cancelRequested(id: string): Promise<boolean> {
    const row = await this.db.selectFrom("batches").select("cancel_requested").where("id", "=", id).executeTakeFirst();
    return row?.cancel_requested === 1;
  }

  /**
   * Cancels a batch: queued items end `cancelled` at once and a batch that is not running
   * ends now; a running one ends when its items in flight have finished. Finished batches
   * are left as they are.
   */
  async cancel(scope: BatchScope, id: string, problem: Problem): Promise<Batch | undefined> {
    const found = await this.visible(this.db, scope).select(["id", "status"]).where("id", "=", id).executeTakeFirst();
    if (!found) return undefined;
    if (found.status === "queued" || found.status === "running") {
      const now = this.now().toISOString();
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable("batches").set({ cancel_requested: 1, updated_at: now }).where("id", "=", id).execute();
        await this.closeQueued(id, "cancelled", problem, trx);
      });
      await this.finalize(id);
    }
    return this.get(scope, id);
  }

  /**
   * Queues again the items `which` names (resume: the cancelled ones; retry: the failed
   * ones) and reopens the batch under `jobId`. Answers the batch, or "finished-nothing"
   * when there was nothing to run again.
   */
  async reopen(scope: BatchScope, id: string, which: "cancelled" | "failed", jobId: string): Promise<Batch | "nothing-to-run" | undefined> {
    const found = await this.visible(this.db, scope).select(["id", "status"]).where("id", "=", id).executeTakeFirst();
    if (!found) return undefined;
    const now = this.now().toISOString();
    const reopened = await this.db.transaction().execute(async (trx) => {
      const items = await trx
        .updateTable("batch_items")
        .set({ state: "queued", claimed_by: null, run_after: now, upstream_status: null, result: null, error: null, updated_at: now, finished_at: null })
        .where("batch_id", "=", id)
        .where("state", "=", which)
        .executeTakeFirst();
      const open = await trx.selectFrom("batch_items").select("seq").where("batch_id", "=", id).where("state", "in", ["queued", "running"]).limit(1).executeTakeFirst();
      if (items.numUpdatedRows === 0n && !open) return false;
      await trx.updateTable("batches").set({ status: "queued", cancel_requested: 0, job_id: jobId, updated_at: now, finished_at: null }).where("id", "=", id).execute();
      return true;
    });
    if (!reopened) return "nothing-to-run";
    return this.get(scope, id);
  }

  private visible(db: Kysely<Database>, scope: BatchScope) {
    return db
      .selectFrom("batches")
      .where("tenant_id", "=", scope.tenantId)
      .$if(scope.appId !== null, (query) => query.where("app_id", "=", scope.appId!));
  }

  private toBatch(row: BatchTable, counts: BatchCounts): Batch {
    const options = decodeOptions(row.options);
    const finished = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
    const end = row.finished_at ? Date.parse(row.finished_at) : this.now().getTime();
    const seconds = row.started_at ? Math.max(0.001, (end - Date.parse(row.started_at)) / 1000) : null;
    return {
      id: row.id,
      integration: row.integration,
      action: row.action,
      app: row.app_id,
      connection: row.connection,
      status: row.status,
      options,
      counts,
      ratePerSecond: seconds === null ? null : Math.round((finished / seconds) * 100) / 100,
      cancelRequested: row.cancel_requested === 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}

function toRecord(row: BatchTable): BatchRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    appId: row.app_id,
    integration: row.integration,
    action: row.action,
    connection: row.connection,
    options: decodeOptions(row.options),
    status: row.status,
    cancelRequested: row.cancel_requested === 1,
    jobId: row.job_id,
  };
}

function toItem(row: BatchItemTable): BatchItem {
  return {
    seq: row.seq,
    state: row.state,
    connection: row.connection,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    upstreamStatus: row.upstream_status,
    result: row.result === null ? null : decodeJson(row.result, "batch_items.result"),
    error: row.error === null ? null : decodeProblem(row.error),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function storedResult(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text, "utf8") <= MAX_STORED_RESULT_BYTES) return text;
  return JSON.stringify({ truncated: true, bytes: Buffer.byteLength(text, "utf8"), note: `the upstream's body was larger than ${MAX_STORED_RESULT_BYTES} bytes and was not kept` });
}

function decodeJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StoredDataError(`${what}: stored JSON does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
}

function decodeProblem(text: string): Problem {
  const parsed = ProblemSchema.safeParse(decodeJson(text, "batch_items.error"));
  if (!parsed.success) throw new StoredDataError("batch_items.error: stored JSON is not a problem body");
  return parsed.data;
}

function decodeOptions(text: string): BatchRunOptions {
  const parsed = OptionsSchema.safeParse(decodeJson(text, "batches.options"));
  if (!parsed.success) throw new StoredDataError("batches.options: stored JSON has an unexpected shape");
  return parsed.data;
}
