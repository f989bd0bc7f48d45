import { problemTypes, problemTypeUri, type JobProgress, type Problem } from "../contract/index.js";
import type { ClaimedJob, ClaimOptions, Store } from "../store/index.js";
import { silentLogger, type Logger } from "../lib/logger.js";
import type { HandlerOutcome, JobHandlers } from "./types.js";

export interface ExecutorOptions {
  store: Store;
  handlers: JobHandlers;
  /** How long a claim holds without a heartbeat. */
  leaseMs: number;
  heartbeatMs: number;
  /** A job running longer than this is aborted and failed. */
  jobTimeoutMs: number;
  /** Base delay of the exponential backoff between retries. */
  retryBaseMs: number;
  logger?: Logger;
  onError?: ((error: unknown) => void) | undefined;
}

/** Worker defaults shared by both backends (WorkerOptions documents each). */
export const JOB_DEFAULTS = { concurrency: 2, leaseMs: 30_000, jobTimeoutMs: 10 * 60_000, retryBaseMs: 2_000 } as const;

/**
 * The cap a worker claims under. The operator's `tenantConcurrency` is a quota over every worker
 * on the database. Without one, each worker keeps one of its slots for other tenants
 * (`concurrency - 1`, at least 1) and counts only its own jobs against it: a fleet runs as many
 * of one tenant's jobs at once as it has workers, and another tenant's job still starts at once.
 */
export function tenantCapFor(concurrency: number, tenantConcurrency: number | undefined): ClaimOptions {
  return tenantConcurrency === undefined ? { tenantCap: Math.max(1, concurrency - 1), capPerWorker: true } : { tenantCap: tenantConcurrency };
}

/** The heartbeat that keeps a lease: six a lease, so a few lost beats do not lose it. */
export function heartbeatFor(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 6));
}

type StopReason = "cancelled" | "timeout" | "lost" | "shutdown";

/**
 * How one run of a job ended; the job's record already says so. A queue that delivers jobs
 * itself (BullMQ) reads it to settle its own copy: `retrying` after `retryInMs`, `continued`
 * and `requeued` at once without spending an attempt.
 */
export type JobEnd =
  | { kind: "succeeded" | "failed" | "cancelled" | "lost" | "continued" | "requeued" }
  | { kind: "retrying"; retryInMs: number; error: Problem };

/**
 * Runs one claimed job through its handler and records how it went in the job's row: the
 * heartbeat that keeps the lease and carries progress and cancel requests, the timeout, and
 * the outcome (result, problem, retry with backoff). Every queue backend runs jobs through
 * this, so a job behaves the same whoever delivered it.
 */
export class JobExecutor {
  private readonly controllers = new Set<AbortController>();
  private readonly log: Logger;

  constructor(
    private readonly owner: string,
    private readonly options: ExecutorOptions,
  ) {
    this.log = options.logger ?? silentLogger;
  }

  private stopping = false;

  /**
   * Aborts every running job, and any that starts until `resume()`: each goes back to its
   * queue without spending an attempt. (A job whose claim was in flight when the worker
   * stopped would otherwise run on unseen.)
   */
  stop(): void {
    this.stopping = true;
    for (const controller of this.controllers) controller.abort("shutdown" satisfies StopReason);
  }

  resume(): void {
    this.stopping = false;
  }

  /** `deadline`: the job is stopped and requeued then (a tick's budget). */
  async execute(job: ClaimedJob, deadline?: number): Promise<JobEnd> {
    const { store } = this.options;
    const owner = this.owner;
    // Ids and the type only: a job's payload and summary may hold the URL a tenant imported from.
    const fields = { jobId: job.id, jobType: job.type, tenantId: job.tenantId, attempt: job.attempts, workerId: owner };
    if (job.attempts > job.maxAttempts) {
      this.log.error(fields, "job given up after repeated interruptions");
      await store.jobs.fail(job.id, owner, problem("job-failed", `the job was interrupted ${job.maxAttempts} times (worker crash or restart) and was given up`));
      return { kind: "failed" };
    }
    this.log.info(fields, "job started");
    const started = performance.now();
    const ended = () => ({ ...fields, durationMs: Math.round(performance.now() - started) });
    const handler = this.options.handlers[job.type];
    const controller = new AbortController();
    this.controllers.add(controller);
    if (this.stopping) controller.abort("shutdown" satisfies StopReason);
    let latest: JobProgress | undefined;
    let flushed: JobProgress | undefined;

    const beat = async () => {
      const progress = latest !== flushed ? latest : undefined;
      flushed = latest;
      const answer = await store.jobs.heartbeat(job.id, owner, this.options.leaseMs, progress);
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
        return { kind: "lost" };
      }
      if (reason === "cancelled") {
        this.log.info(ended(), "job cancelled");
        await store.jobs.markCancelled(job.id, owner);
        return { kind: "cancelled" };
      }
      if (reason === "shutdown") {
        this.log.info(ended(), "job put back in the queue (worker stopping or tick budget spent)");
        await store.jobs.requeue(job.id, owner, { runAfter: new Date(), countAttempt: false });
        return { kind: "requeued" };
      }
      this.log.error(ended(), "job timed out");
      await store.jobs.fail(job.id, owner, problem("job-failed", `the job ran longer than ${Math.round(this.options.jobTimeoutMs / 1000)} s and was stopped`));
      return { kind: "failed" };
    }
    if (latest !== flushed) await beat();
    if (outcome.kind === "succeeded") {
      this.log.info(ended(), "job succeeded");
      await store.jobs.succeed(job.id, owner, outcome.result);
      return { kind: "succeeded" };
    }
    if (outcome.kind === "continue") {
      // A step of a longer job (a batch's next chunk): debug, or a batch would fill the log.
      this.log.debug(ended(), "job continues");
      await store.jobs.requeue(job.id, owner, { runAfter: new Date(), countAttempt: false });
      return { kind: "continued" };
    }
    if (outcome.retryable && job.attempts < job.maxAttempts) {
      const delay = retryDelay(this.options.retryBaseMs, job.attempts);
      this.log.warn({ ...ended(), error: outcome.error.detail, retryInMs: Math.round(delay) }, "job failed; it will be retried");
      await store.jobs.requeue(job.id, owner, { runAfter: new Date(Date.now() + delay), countAttempt: true, error: outcome.error });
      return { kind: "retrying", retryInMs: delay, error: outcome.error };
    }
    this.log.error({ ...ended(), error: outcome.error.detail }, "job failed");
    await store.jobs.fail(job.id, owner, outcome.error);
    return { kind: "failed" };
  }
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"); `attempt` counts from 1. */
export function retryDelay(baseMs: number, attempt: number): number {
  return Math.random() * baseMs * 2 ** (attempt - 1);
}

export function jobProblem(detail: string): Problem {
  return problem("job-failed", detail);
}

function problem(kind: "job-failed", detail: string): Problem {
  return { type: problemTypeUri(kind), title: problemTypes[kind].title, status: problemTypes[kind].status, detail };
}
