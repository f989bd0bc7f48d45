import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { FINISHED_BATCH_STATUSES, problemTypes, problemTypeUri, type Problem } from "../../contract/index.js";
import { isRetrySafe } from "../../gateway/retry.js";
import { InvokeError, type Caller, type InvokeService } from "../../services/invoke.js";
import type { BatchRecord, ClaimedItem, Store } from "../../store/index.js";
import type { HandlerOutcome, JobHandler, JobRun } from "../types.js";

export interface BatchHandlerOptions {
  /** Every item is an invoke through this service (with the server's gateway, so its rate limiter and what it learned). */
  invoke: InvokeService;
  /** How long one run works before handing the job back to the queue, so that no run outlasts the worker's job timeout. Default 5 min. */
  sliceMs?: number;
  /** Items in flight at once over all of a batch's connections. Default 64. */
  maxInFlight?: number;
  /**
   * How long a claimed item stays with its run without a renewal (the run renews it every
   * third of this): a run that died gives its items back after this long. Default 30 s (the
   * job lease, WAYGATE_JOB_LEASE_MS, is a good value: a crashed worker's job waits as long).
   */
  itemLeaseMs?: number;
}

/**
 * What a batch job carries: which batch, and into how many jobs the batch was shared
 * (`shares`, default 1; see BatchService). A share other than the first (`share` > 0) helps
 * the batch's own job: it does not take the batch's job id over.
 */
export const BatchPayloadSchema = z.object({ batchId: z.string(), share: z.number().int().min(0).optional(), shares: z.number().int().min(1).optional() });
export type BatchPayload = z.infer<typeof BatchPayloadSchema>;

/** A throttled item goes back to the queue at most this often before it fails with the upstream's 429. */
const MAX_THROTTLES = 50;
/** Stop-on-error judges the ratio only after this many items finished. */
const MIN_FINISHED_FOR_RATIO = 20;
/** How often a run looks at cancel requests, stop-on-error and progress. */
const CHECK_MS = 250;
/** How often a run counts its items (progress, stop-on-error). */
const PROGRESS_MS = 1_000;
/** Items claimed per query. */
const CLAIM_CHUNK = 100;

/**
 * Runs a batch: claims its items in chunks and invokes each through the InvokeService, at
 * most `concurrency` at once per connection. The gateway's rate limiter paces the sends
 * (what the upstream's Retry-After and rate-limit headers taught it), so a 429 slows the
 * batch: a throttled item goes back to the queue until its Retry-After, it does not fail.
 *
 * Several runs may work on one batch at once: a batch can be shared into several jobs (the
 * same batch id in each payload; BatchService enqueues them), which workers anywhere take
 * like any job. The items are the unit of exclusion, not the job: each claimed item carries
 * a lease (its run and an expiry the run keeps renewing), so no two runs hold an item at
 * once, and the items of a run that died come back when their lease expires. That is the
 * whole design: no coordinator, and a share that crashes costs nothing but the wait for its
 * leases. The shares split the batch's concurrency between them, and whichever run sees
 * nothing open any more finalizes the batch (once: finalize is guarded by the status).
 *
 * An item sent twice is therefore at most one that was in flight at a crash, and it
 * carries the same idempotency key both times (`batch:<id>:<seq>` for non-idempotent methods).
 */
export function batchHandler(options: BatchHandlerOptions): JobHandler {
  return async (run) => {
    const payload = BatchPayloadSchema.safeParse(run.job.payload);
    if (!payload.success) return { kind: "failed", error: jobProblem("the batch job's payload is not a batch reference") };
    const batch = await run.store.batches.record(payload.data.batchId);
    if (!batch) return { kind: "failed", error: jobProblem(`batch ${payload.data.batchId} no longer exists`) };
    if (FINISHED_BATCH_STATUSES.includes(batch.status)) return { kind: "succeeded", result: { batch: batch.id, items: 0 } };
    return new BatchRun(run, batch, options, payload.data).execute();
  };
}

type Stop = "cancelled" | "stop-on-error" | "slice";

class BatchRun {
  private readonly id = `run_${randomBytes(6).toString("hex")}`;
  private readonly store: Store;
  private readonly caller: Caller;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perConnection = new Map<string, number>();
  private readonly maxInFlight: number;
  private readonly deadline: number;
  private readonly itemLeaseMs: number;
  /** Items in flight at once per connection in this run: its share of the batch's concurrency. */
  private readonly concurrency: number;
  /**
   * Items claimed per query, and the buffer below which the run claims more: a shared batch's
   * run holds only what it can start soon, so the other runs find work too (and a run that
   * dies leaves few items waiting for their lease).
   */
  private readonly claimChunk: number;
  private readonly claimBelow: number;
  private nextProgressAt = 0;
  private nextRenewalAt = 0;
  /** Items this run brought to a final state: a shared batch's jobs each say how much of it they ran. */
  private finishedHere = 0;
  /** What stop-on-error saw when it stopped the batch. */
  private failures = { failed: 0, finished: 0, ratio: 1 };

  constructor(
    private readonly run: JobRun,
    private readonly batch: BatchRecord,
    private readonly options: BatchHandlerOptions,
    private readonly payload: BatchPayload,
  ) {
    this.store = run.store;
    this.caller = { tenantId: batch.tenantId, appId: batch.appId };
    this.maxInFlight = options.maxInFlight ?? 64;
    this.deadline = Date.now() + (options.sliceMs ?? 5 * 60_000);
    this.itemLeaseMs = options.itemLeaseMs ?? 30_000;
    this.concurrency = Math.max(1, Math.floor(batch.options.concurrency / (payload.shares ?? 1)));
    const shared = (payload.shares ?? 1) > 1;
    this.claimChunk = shared ? 2 * this.concurrency : CLAIM_CHUNK;
    this.claimBelow = shared ? this.concurrency : this.maxInFlight;
  }

  async execute(): Promise<HandlerOutcome> {
    const { store, batch } = this;
    const helper = (this.payload.share ?? 0) > 0;
    await store.batches.markRunning(batch.id, helper ? null : this.run.job.id);
    // Alone on the batch, every claim but this run's is an orphan: take them back at once
    // rather than after their lease. Shared, the other claims may be live runs' (leases decide).
    if ((this.payload.shares ?? 1) === 1) await store.batches.releaseOrphans(batch.id, this.id);
    let needsKey: boolean;
    try {
      const prepared = await this.options.invoke.prepare(this.caller, batch.integration, batch.action);
      needsKey = !isRetrySafe(prepared.action.method, undefined);
    } catch (error) {
      if (!(error instanceof InvokeError)) throw error;
      // The integration or action is gone (or the app lost access): no item can run.
      await store.batches.closeQueued(batch.id, "failed", withoutInternals(error.problem));
      await store.batches.finalize(batch.id);
      return { kind: "succeeded", result: { batch: batch.id, items: 0 } };
    }

    const { signal } = this.run;
    let buffer: ClaimedItem[] = [];
    let nextClaimAt = 0;
    let nextCheckAt = 0;
    let stop: Stop | undefined;
    while (!signal.aborted) {
      const now = Date.now();
      if (now >= nextCheckAt) {
        nextCheckAt = now + CHECK_MS;
        stop ??= await this.shouldStop(now);
      }
      if (now >= this.nextRenewalAt) {
        this.nextRenewalAt = now + this.itemLeaseMs / 3;
        await store.batches.renewLeases(batch.id, this.id, this.itemLeaseMs);
      }
      if (stop) {
        if (buffer.length > 0) {
          // Claimed but not started: back to the queue (and closed there, unless the run only hands over).
          for (const item of buffer) await store.batches.requeue(batch.id, item.seq, this.id, new Date(), "stopped");
          buffer = [];
          if (stop === "cancelled") await store.batches.closeQueued(batch.id, "cancelled", cancelledProblem());
          if (stop === "stop-on-error") await store.batches.closeQueued(batch.id, "skipped", skippedProblem(this.failures));
        }
        if (this.inFlight.size === 0) break;
      } else if (buffer.length < this.claimBelow && now >= nextClaimAt) {
        const claimed = await store.batches.claim(batch.id, this.id, this.claimChunk, this.itemLeaseMs);
        buffer.push(...claimed);
        if (claimed.length < this.claimChunk) nextClaimAt = now + CHECK_MS;
      }
      buffer = this.startWhatFits(buffer, needsKey);
      if (!stop && this.inFlight.size === 0 && buffer.length === 0) {
        const due = await store.batches.nextDue(batch.id);
        if (due === null) {
          // Nothing open: done, unless a resume or retry queued items meanwhile. Another run
          // of the batch may have finalized it first: then this one is done too.
          if (await store.batches.finalize(batch.id)) break;
          const current = await store.batches.record(batch.id);
          if (!current || FINISHED_BATCH_STATUSES.includes(current.status)) break;
          nextClaimAt = 0;
          continue;
        }
        await pause(Math.min(Math.max(0, due.getTime() - Date.now()), CHECK_MS), signal);
        nextClaimAt = 0;
        continue;
      }
      await Promise.race([...this.inFlight, pause(CHECK_MS, signal)]);
    }
    await Promise.all(this.inFlight);
    // What this run still holds (aborted sends) goes to the next claim now, not after its lease.
    await store.batches.releaseClaims(batch.id, this.id);
    await this.reportProgress();
    if (signal.aborted) return { kind: "failed", error: jobProblem("aborted") }; // the worker decides what an abort means
    if (stop === "slice") return { kind: "continue" };
    if (stop) await store.batches.finalize(batch.id);
    return { kind: "succeeded", result: { batch: batch.id, items: this.finishedHere } };
  }

  /** Cancel asked, too many failures, or this run's time slice is over. Counts are read (and progress reported) every PROGRESS_MS. */
  private async shouldStop(now: number): Promise<Stop | undefined> {
    const { store, batch } = this;
    if (await store.batches.cancelRequested(batch.id)) return "cancelled";
    if (now >= this.nextProgressAt) {
      this.nextProgressAt = now + PROGRESS_MS;
      const counts = await this.reportProgress();
      const ratio = batch.options.stopOnErrorRatio;
      const finished = counts.succeeded + counts.failed;
      if (ratio !== null && finished >= MIN_FINISHED_FOR_RATIO && counts.failed / finished >= ratio) {
        this.failures = { failed: counts.failed, finished, ratio };
        await store.batches.closeQueued(batch.id, "skipped", skippedProblem(this.failures));
        return "stop-on-error";
      }
    }
    if (now >= this.deadline) return "slice";
    return undefined;
  }

  private async reportProgress() {
    const counts = await this.store.batches.counts(this.batch.id);
    const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
    this.run.progress({ stage: "running", done, total: counts.total, message: `${counts.failed} failed` });
    return counts;
  }

  /** Starts every buffered item whose connection has a free slot; answers the ones still waiting. */
  private startWhatFits(buffer: ClaimedItem[], needsKey: boolean): ClaimedItem[] {
    const waiting: ClaimedItem[] = [];
    for (const item of buffer) {
      const connection = item.connection ?? this.batch.connection ?? "";
      const busy = this.perConnection.get(connection) ?? 0;
      if (this.inFlight.size >= this.maxInFlight || busy >= this.concurrency) {
        waiting.push(item);
        continue;
      }
      this.perConnection.set(connection, busy + 1);
      const task: Promise<void> = this.send(item, needsKey).finally(() => {
        this.inFlight.delete(task);
        this.perConnection.set(connection, (this.perConnection.get(connection) ?? 1) - 1);
      });
      this.inFlight.add(task);
    }
    return waiting;
  }

  private async send(item: ClaimedItem, needsKey: boolean): Promise<void> {
    const { store, batch } = this;
    const idempotencyKey = item.idempotencyKey ?? (needsKey ? `batch:${batch.id}:${item.seq}` : undefined);
    try {
      const result = await this.options.invoke.invoke(this.caller, {
        integration: batch.integration,
        action: batch.action,
        input: item.input,
        connection: item.connection ?? batch.connection ?? undefined,
        idempotencyKey,
        signal: this.run.signal,
      });
      const body = result.raw ? { contentType: result.raw.contentType, base64: Buffer.from(result.raw.bytes).toString("base64") } : result.body;
      if (await store.batches.finish(batch.id, item.seq, this.id, { state: "succeeded", upstreamStatus: result.status, result: body })) this.finishedHere++;
    } catch (error) {
      // Stopped with the run: the item stays claimed until the run releases its claims as it ends.
      if (this.run.signal.aborted) return;
      if (!(error instanceof InvokeError)) throw error;
      const { problem } = error;
      const throttled = problem.status === 429 || (problem.status === 503 && error.retryAfterMs !== undefined);
      if (throttled && item.throttled < MAX_THROTTLES) {
        // The limiter has learned the wait; the item runs again once it is over.
        await store.batches.requeue(batch.id, item.seq, this.id, new Date(Date.now() + Math.max(100, error.retryAfterMs ?? 1_000)), "throttled");
        return;
      }
      const failed = await store.batches.finish(batch.id, item.seq, this.id, {
        state: "failed",
        upstreamStatus: problem.upstream?.status ?? null,
        error: withoutInternals(problem),
        ...(problem.upstream ? { body: problem.upstream.body } : {}),
      });
      if (failed) this.finishedHere++;
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** The problem as the item shows it: the upstream's body is kept beside it, Waygate's own wait estimate is not shown. */
function withoutInternals(problem: InvokeError["problem"]): Problem {
  const { retryAfterMs: _wait, upstream: _upstream, ...rest } = problem;
  return rest as Problem;
}

/** What a cancelled item shows. */
export function cancelledProblem(): Problem {
  return { type: problemTypeUri("conflict"), title: "Cancelled", status: 409, detail: "the batch was cancelled before this item was sent" };
}

function skippedProblem({ failed, finished, ratio }: { failed: number; finished: number; ratio: number }): Problem {
  return {
    type: problemTypeUri("conflict"),
    title: "Skipped",
    status: 409,
    detail: `not sent: ${failed} of ${finished} finished items had failed, at or above the batch's stopOnErrorRatio ${ratio}`,
  };
}

function jobProblem(detail: string): Problem {
  return { type: problemTypeUri("job-failed"), title: problemTypes["job-failed"].title, status: problemTypes["job-failed"].status, detail };
}
