import { FINISHED_BATCH_STATUSES, FINISHED_JOB_STATUSES, InvokeProblemTypes, type Batch, type BatchDryRun, type CreateBatch, type FieldError, type Problem } from "../contract/index.js";
import { cancelledProblem, type BatchPayload, type JobQueue } from "../jobs/index.js";
import { newJobId, type BatchScope, type NewBatchItem, type Store } from "../store/index.js";
import type { Caller, InvokeService } from "./invoke.js";

export type BatchCreation =
  | { kind: "created"; batch: Batch }
  | { kind: "dry-run"; result: BatchDryRun }
  /** A dry run found invalid items: each one's index and fields (`items.3.input.email`). */
  | { kind: "invalid"; invalidItems: number; errors: FieldError[] };

export type BatchReopening = { kind: "reopened"; batch: Batch } | { kind: "nothing-to-run"; batch: Batch } | { kind: "not-found" };

/** Field errors listed in a dry run's answer, at most. */
const MAX_LISTED_ERRORS = 100;
/** A batch job survives this many interruptions (worker crash or restart) before it is failed; `resume` starts a new one. */
const BATCH_JOB_MAX_ATTEMPTS = 10;

/**
 * The rules of batches: what a batch may hold and how it starts, stops and runs again.
 * Every item is checked against the action's input schema up front, as invoke checks it:
 * a dry run answers the invalid ones; a real batch stores them `failed` with their fields
 * and runs the others. The items themselves run in a job (see jobs/handlers/batch.ts).
 */
export class BatchService {
  /**
   * @param shares Jobs each batch is shared into (WAYGATE_BATCH_SHARES, default 1): on BullMQ
   * with several workers, that many workers can run one batch together (items are leased one
   * by one, see jobs/handlers/batch.ts); the batch's concurrency is split between them. Each
   * share is a job of the tenant's, so the tenant's cap (WAYGATE_TENANT_CONCURRENCY) bounds how
   * many run at once; the others wait their turn.
   */
  constructor(
    private readonly store: Store,
    private readonly invoke: InvokeService,
    private readonly queue: JobQueue,
    private readonly shares = 1,
  ) {}

  /** Throws InvokeError when the integration or the action is not there for this caller. */
  async create(caller: Caller, request: CreateBatch): Promise<BatchCreation> {
    const prepared = await this.invoke.prepare(caller, request.integration, request.action);
    const items: NewBatchItem[] = [];
    const errors: FieldError[] = [];
    let invalidItems = 0;
    request.items.forEach((item, index) => {
      const invalid = prepared.check(item.input);
      if (invalid) {
        invalidItems++;
        const fields = invalid.errors.length > 0 ? invalid.errors : [{ field: "input", message: invalid.detail }];
        for (const error of fields) if (errors.length < MAX_LISTED_ERRORS) errors.push({ field: `items.${index}.${error.field}`, message: error.message });
      }
      items.push({ input: item.input, connection: item.connection, idempotencyKey: item.idempotencyKey, invalid: invalid && invalidInputProblem(invalid) });
    });
    if (request.options.dryRun) {
      if (invalidItems > 0) return { kind: "invalid", invalidItems, errors };
      return { kind: "dry-run", result: { dryRun: true, integration: request.integration, action: request.action, version: prepared.version, items: items.length } };
    }
    const jobId = newJobId();
    const id = await this.store.batches.create({
      tenantId: caller.tenantId,
      appId: caller.appId,
      integration: request.integration,
      action: request.action,
      connection: request.connection ?? null,
      options: { concurrency: request.options.concurrency, stopOnErrorRatio: request.options.stopOnErrorRatio ?? null },
      items,
      jobId,
    });
    await this.enqueue(caller.tenantId, id, jobId, `batch ${request.integration} ${request.action} (${items.length} items)`);
    const batch = await this.store.batches.get({ tenantId: caller.tenantId, appId: null }, id);
    return { kind: "created", batch: batch! };
  }

  cancel(scope: BatchScope, id: string): Promise<Batch | undefined> {
    return this.store.batches.cancel(scope, id, cancelledProblem());
  }

  /** Runs again what did not finish: the cancelled items, and the open items of a batch whose job stopped. */
  resume(scope: BatchScope, id: string): Promise<BatchReopening> {
    return this.reopen(scope, id, "cancelled");
  }

  /** Queues the failed items again (same idempotency keys: an upstream that saw one already answers it again). */
  retryFailed(scope: BatchScope, id: string): Promise<BatchReopening> {
    return this.reopen(scope, id, "failed");
  }

  /**
   * A batch whose run is still going takes the reopened items in that run (it only ends
   * once nothing is open); a finished batch, or one whose job ended, gets a new job.
   */
  private async reopen(scope: BatchScope, id: string, which: "cancelled" | "failed"): Promise<BatchReopening> {
    const before = await this.store.batches.get(scope, id);
    const record = before && (await this.store.batches.record(id));
    if (!before || !record) return { kind: "not-found" };
    const job = record.jobId ? await this.store.jobs.get(record.tenantId, record.jobId) : undefined;
    const runGoesOn = !FINISHED_BATCH_STATUSES.includes(before.status) && job !== undefined && !FINISHED_JOB_STATUSES.includes(job.status);
    const jobId = runGoesOn ? record.jobId! : newJobId();
    const reopened = await this.store.batches.reopen(scope, id, which, jobId);
    if (reopened === undefined) return { kind: "not-found" };
    if (reopened === "nothing-to-run") return { kind: "nothing-to-run", batch: before };
    if (!runGoesOn) await this.enqueue(record.tenantId, id, jobId, `batch ${record.integration} ${record.action} (${which === "failed" ? "retry failed items" : "resume"})`);
    return { kind: "reopened", batch: reopened };
  }

  /** The batch's own job (`jobId`, the one the batch names), then the jobs that help it when the batch is shared. */
  private async enqueue(tenantId: string, batchId: string, jobId: string, summary: string): Promise<void> {
    for (let share = 0; share < this.shares; share++) {
      const payload: BatchPayload = this.shares === 1 ? { batchId } : { batchId, share, shares: this.shares };
      await this.queue.enqueue({
        ...(share === 0 ? { id: jobId } : {}),
        tenantId,
        type: "batch",
        summary: this.shares === 1 ? summary : `${summary} [share ${share + 1} of ${this.shares}]`,
        payload,
        maxAttempts: BATCH_JOB_MAX_ATTEMPTS,
      });
    }
  }
}

function invalidInputProblem(invalid: { detail: string; errors: FieldError[] }): Problem {
  return { type: InvokeProblemTypes.invalidInput, title: "Invalid input", status: 400, detail: invalid.detail, ...(invalid.errors.length > 0 ? { errors: invalid.errors } : {}) };
}
