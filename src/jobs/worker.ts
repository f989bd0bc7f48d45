import { randomBytes } from "node:crypto";
import type { TickResult } from "../contract/index.js";
import type { ClaimedJob, ClaimOptions, Store } from "../store/index.js";
import type { JobHandlers } from "./types.js";
import { silentLogger, type Logger } from "../lib/logger.js";
import { heartbeatFor, JOB_DEFAULTS, JobExecutor, tenantCapFor, type JobEnd } from "./executor.js";

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
   * Default: `concurrency - 1` (at least 1) on each worker, counting its own jobs only, so a
   * tenant never fills a server's last slot and another tenant's job starts at once even
   * while the first tenant's queue is long (`tenantCapFor`).
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


/** Uploads older than this that have no job are abandoned (their request failed or their server died). */
const ABANDONED_UPLOAD_MS = 60 * 60_000;

/**
 * Runs queued jobs from the store. One per server process in the embedded setup; several
 * processes can share a Postgres queue safely (claims never overlap, and a per-tenant cap
 * the operator set is counted over all of them; see JobRepository.claim).
 */
export class Worker {
  readonly id = `worker_${randomBytes(6).toString("hex")}`;
  private readonly options: Required<Omit<WorkerOptions, "onError" | "tenantConcurrency">> & Pick<WorkerOptions, "onError">;
  private readonly claimOptions: ClaimOptions;
  private readonly log: Logger;
  private running = false;
  private wake: (() => void) | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly executor: JobExecutor;
  private loop: Promise<void> | undefined;
  private nextSweep = 0;

  constructor(options: WorkerOptions) {
    const leaseMs = options.leaseMs ?? JOB_DEFAULTS.leaseMs;
    const concurrency = options.concurrency ?? JOB_DEFAULTS.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("worker concurrency must be a positive integer");
    this.options = {
      pollMs: 1_000,
      jobTimeoutMs: JOB_DEFAULTS.jobTimeoutMs,
      retryBaseMs: JOB_DEFAULTS.retryBaseMs,
      sweepMs: 10 * 60_000,
      logger: silentLogger,
      ...options,
      concurrency,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? heartbeatFor(leaseMs),
    };
    this.claimOptions = tenantCapFor(concurrency, options.tenantConcurrency);
    this.log = this.options.logger;
    this.executor = new JobExecutor(this.id, this.options);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.executor.resume();
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
    this.executor.stop();
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
        job = await this.options.store.jobs.claim(this.id, this.options.leaseMs, this.claimOptions);
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
   * (serverless: a scheduled `POST /v1/jobs/tick`): every tenant's, or only `tenantId`'s. A job
   * still running when the budget ends is stopped and put back in the queue without counting an attempt.
   */
  async runDue(budgetMs: number, tenantId?: string): Promise<TickResult> {
    const deadline = Date.now() + budgetMs;
    const result: TickResult = { ran: 0, succeeded: 0, failed: 0, requeued: 0, budgetExhausted: false };
    while (Date.now() < deadline) {
      const job = await this.options.store.jobs.claim(this.id, this.options.leaseMs, tenantId === undefined ? this.claimOptions : { ...this.claimOptions, tenantId });
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

  private async execute(job: ClaimedJob, deadline?: number): Promise<JobEnd["kind"]> {
    return (await this.executor.execute(job, deadline)).kind;
  }
}

