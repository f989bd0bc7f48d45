import { randomBytes } from "node:crypto";
import { problemTypes, problemTypeUri, type JobProgress, type Problem, type TickResult } from "../contract/index.js";
import type { ClaimedJob, Store } from "../store/index.js";
import type { HandlerOutcome, JobHandlers } from "./types.js";
import { silentLogger, type Logger } from "../lib/logger.js";

export interface WorkerOptions {
  store: Store;
  handlers: JobHandlers;
  /**
   * Jobs this worker runs at once. Default 2: imports are CPU-heavy (each runs in a process
   * of its own) and the embedded server shares its machine, but one slot would let any
   * slow import hold up every tenant.
   */
  concurrency?: number;
  /**
   * Running jobs one tenant may have at once, counted over every worker on the database.
   * Default `concurrency - 1` (at least 1): a tenant never fills a server's last slot, so
   * another tenant's job starts at once even while the first tenant's queue is long.
   */
  tenantConcurrency?: number;
  /** How long a claim holds without a heartbeat. A crashed worker's jobs are retaken after this. Default 30 s. */
  leaseMs?: number;
  /** Default leaseMs / 6. */
  heartbeatMs?: number;
  /** Idle polling interval; `notify()` wakes the worker sooner. Default 1 s. */
  pollMs?: number;
  /** A job running longer than this is aborted and failed. Default 10 min. */
  jobTimeoutMs?: number;
  /** Base delay of the exponential backoff between retries. Default 2 s. */
  retryBaseMs?: number;
  /** How often uploads that never became a job (older than an hour) are deleted. Default 10 min. */
  sweepMs?: number;
  onError?: (error: unknown) => void;
  /** Gets a line when a job starts and when it ends (and how). Default: none. */
  logger?: Logger;
}

type StopReason = "cancelled" | "timeout" | "lost" | "shutdown";
/** How one run of a job ended. */
type JobEnd = "succeeded" | "failed" | "retrying" | "continued" | "cancelled" | "lost" | "requeued";


/** Uploads older than this that have no job are abandoned (their request failed or their server died). */
const ABANDONED_UPLOAD_MS = 60 * 60_000;

/**
 * Runs queued jobs from the store. One per server process in the embedded setup; several
 * processes can share a Postgres queue safely (claims never overlap, and the per-tenant
 * cap is counted over all of them; see JobRepository.claim).
 */
export class Worker {
  readonly id = `worker_${randomBytes(6).toString("hex")}`;
  private readonly options: Required<Omit<WorkerOptions, "onError">> & Pick<WorkerOptions, "onError">;
  private readonly log: Logger;
  private running = false;
  private wake: (() => void) | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private loop: Promise<void> | undefined;
  private nextSweep = 0;

  constructor(options: WorkerOptions) {
    const leaseMs = options.leaseMs ?? 30_000;
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("worker concurrency must be a positive integer");
    this.options = {
      pollMs: 1_000,
      jobTimeoutMs: 10 * 60_000,
      retryBaseMs: 2_000,
      sweepMs: 10 * 60_000,
      logger: silentLogger,
      ...options,
      concurrency,
      tenantConcurrency: options.tenantConcurrency ?? Math.max(1, concurrency - 1),
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 6)),
    };
    this.log = this.options.logger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A job was enqueued: look now instead of at the next poll. */
  notify(): void {
    // On the next turn: the enqueuing request answers first, and claiming (which reads the
    // payload, possibly a whole uploaded document) runs as a task of its own.
    const wake = this.wake;
    if (wake) setImmediate(wake);
  }

  /** Stops claiming, aborts running jobs and puts them back in the queue for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    for (const controller of this.controllers) controller.abort("shutdown" satisfies StopReason);
    this.wake?.();
    await this.loop;
    await Promise.all(this.active);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.active.size >= this.options.concurrency) {
        await Promise.race(this.active);
        continue;
      }
      await this.sweep();
      let job: ClaimedJob | undefined;
      try {
        job = await this.options.store.jobs.claim(this.id, this.options.leaseMs, { tenantCap: this.options.tenantConcurrency });
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      if (!this.running) {
        // stop() came while this claim was in flight: hand the job straight back.
        await this.options.store.jobs.requeue(job.id, this.id, { runAfter: new Date(), countAttempt: false }).catch((error) => this.options.onError?.(error));
        break;
      }
      const execution = this.execute(job).then(
        () => {},
        (error: unknown) => this.options.onError?.(error),
      );
      this.active.add(execution);
      void execution.finally(() => {
        this.active.delete(execution);
        // A slot is free, and its tenant may be under its cap again: look now.
        this.wake?.();
      });
    }
  }

  private async sweep(): Promise<void> {
    if (Date.now() < this.nextSweep) return;
    this.nextSweep = Date.now() + this.options.sweepMs;
    await this.options.store.jobs.documents.sweep(new Date(Date.now() - ABANDONED_UPLOAD_MS)).catch((error) => this.options.onError?.(error));
  }

  /**
   * Runs due jobs one after another in this call, for hosts with no lasting process
   * (serverless: a scheduled `POST /v1/jobs/tick`). A job still running when the budget
   * ends is stopped and put back in the queue without counting an attempt.
   */
  async runDue(budgetMs: number): Promise<TickResult> {
    const deadline = Date.now() + budgetMs;
    const result: TickResult = { ran: 0, succeeded: 0, failed: 0, requeued: 0, budgetExhausted: false };
    while (Date.now() < deadline) {
      const job = await this.options.store.jobs.claim(this.id, this.options.leaseMs, { tenantCap: this.options.tenantConcurrency });
      if (!job) return result;
      result.ran++;
      const end = await this.execute(job, deadline);
      if (end === "succeeded") result.succeeded++;
      else if (end === "failed") result.failed++;
      else if (end === "retrying" || end === "requeued" || end === "continued") result.requeued++;
    }
    result.budgetExhausted = true;
    return result;
  }

  private async execute(job: ClaimedJob, deadline?: number): Promise<JobEnd> {
    const { store } = this.options;
    // Ids and the type only: a job's payload and summary may hold the URL a tenant imported from.
    const fields = { jobId: job.id, jobType: job.type, tenantId: job.tenantId, attempt: job.attempts, workerId: this.id };
    if (job.attempts > job.maxAttempts) {
      this.log.error(fields, "job given up after repeated interruptions");
      await store.jobs.fail(job.id, this.id, problem("job-failed", `the job was interrupted ${job.maxAttempts} times (worker crash or restart) and was given up`));
      return "failed";
    }
    this.log.info(fields, "job started");
    const started = performance.now();
    const ended = () => ({ ...fields, durationMs: Math.round(performance.now() - started) });
    const handler = this.options.handlers[job.type];
    const controller = new AbortController();
    this.controllers.add(controller);
    let latest: JobProgress | undefined;
    let flushed: JobProgress | undefined;

    const beat = async () => {
      const progress = latest !== flushed ? latest : undefined;
      flushed = latest;
      const answer = await store.jobs.heartbeat(job.id, this.id, this.options.leaseMs, progress);
      if (answer.lost) controller.abort("lost" satisfies StopReason);
      else if (answer.cancelRequested) controller.abort("cancelled" satisfies StopReason);
    };
    const heartbeat = setInterval(() => void beat().catch((error) => this.options.onError?.(error)), this.options.heartbeatMs);
    const timeout = setTimeout(() => controller.abort("timeout" satisfies StopReason), this.options.jobTimeoutMs);
    const budget = deadline === undefined ? undefined : setTimeout(() => controller.abort("shutdown" satisfies StopReason), Math.max(0, deadline - Date.now()));

    let outcome: HandlerOutcome;
    try {
      outcome = await handler({ job, store, signal: controller.signal, progress: (p) => void (latest = p) });
    } catch (error) {
      outcome = controller.signal.aborted
        ? { kind: "failed", error: problem("job-failed", "aborted") }
        : { kind: "failed", error: problem("job-failed", error instanceof Error ? error.message : String(error)), retryable: true };
      if (!controller.signal.aborted) this.options.onError?.(error);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      clearTimeout(budget);
      this.controllers.delete(controller);
    }

    if (controller.signal.aborted) {
      const reason = controller.signal.reason as StopReason;
      if (reason === "lost") {
        this.log.warn(ended(), "job lost its lease; another worker has it now");
        return "lost";
      }
      if (reason === "cancelled") {
        this.log.info(ended(), "job cancelled");
        await store.jobs.markCancelled(job.id, this.id);
        return "cancelled";
      }
      if (reason === "shutdown") {
        this.log.info(ended(), "job put back in the queue (worker stopping or tick budget spent)");
        await store.jobs.requeue(job.id, this.id, { runAfter: new Date(), countAttempt: false });
        return "requeued";
      }
      this.log.error(ended(), "job timed out");
      await store.jobs.fail(job.id, this.id, problem("job-failed", `the job ran longer than ${Math.round(this.options.jobTimeoutMs / 1000)} s and was stopped`));
      return "failed";
    }
    if (latest !== flushed) await beat();
    if (outcome.kind === "succeeded") {
      this.log.info(ended(), "job succeeded");
      await store.jobs.succeed(job.id, this.id, outcome.result);
      return "succeeded";
    }
    if (outcome.kind === "continue") {
      // A step of a longer job (a batch's next chunk): debug, or a batch would fill the log.
      this.log.debug(ended(), "job continues");
      await store.jobs.requeue(job.id, this.id, { runAfter: new Date(), countAttempt: false });
      return "continued";
    }
    if (outcome.retryable && job.attempts < job.maxAttempts) {
      // Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
      const delay = Math.random() * this.options.retryBaseMs * 2 ** (job.attempts - 1);
      this.log.warn({ ...ended(), error: outcome.error.detail, retryInMs: Math.round(delay) }, "job failed; it will be retried");
      await store.jobs.requeue(job.id, this.id, { runAfter: new Date(Date.now() + delay), countAttempt: true, error: outcome.error });
      return "retrying";
    }
    this.log.error({ ...ended(), error: outcome.error.detail }, "job failed");
    await store.jobs.fail(job.id, this.id, outcome.error);
    return "failed";
  }
}

function problem(kind: "job-failed", detail: string): Problem {
  return { type: problemTypeUri(kind), title: problemTypes[kind].title, status: problemTypes[kind].status, detail };
}
