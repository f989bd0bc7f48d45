import { randomBytes } from "node:crypto";
import { DelayedError, Queue, UnrecoverableError, Worker as BullWorker, type Job as BullJob } from "bullmq";
import type { JobType } from "../contract/index.js";
import type { ClaimOptions, Store } from "../store/index.js";
import { silentLogger } from "../lib/logger.js";
import { heartbeatFor, JOB_DEFAULTS, JobExecutor, retryDelay, tenantCapFor, type JobEnd } from "./executor.js";
import { JobQueueUnavailableError, type JobBackend, type JobQueue, type JobWorker, type JobWorkerOptions } from "./queue.js";

export interface BullJobBackendOptions {
  store: Store;
  /** redis:// or rediss:// URL (WAYGATE_REDIS_URL). */
  url: string;
  /** Namespaces every key BullMQ writes (several Waygates, or tests, may share one Redis). Default "waygate". */
  prefix?: string;
  /** How long an enqueue waits for Redis before it fails (and the job's row is cancelled). Default 10 s. */
  enqueueTimeoutMs?: number;
  /** Gets Redis connection errors (they repeat while Redis is down). Default: ignored. */
  onError?: (error: unknown) => void;
}

/** What a BullMQ job carries: the id of the job's row, which holds the payload and the state. */
interface Delivery {
  jobId: string;
  /** Times this delivery found its tenant at the cap and was put off (its wait doubles each time). */
  deferrals?: number;
}

/** The one queue every Waygate job goes through; the job's type is its BullMQ name. */
export const BULL_QUEUE_NAME = "jobs";
/** A backoff type of our own, so that BullMQ waits the delay the job's row records (see RetryLater). */
const BACKOFF = "waygate";
/** How long an enqueue waits for Redis by default before the request fails (the job's row is then cancelled). */
const ENQUEUE_TIMEOUT_MS = 10_000;
/** Runnable jobs looked at per redelivery sweep. */
const REDELIVER_BATCH = 1_000;
/** Finished deliveries kept for inspection (the job's row is the record), then dropped. */
const KEEP_FAILED_S = 7 * 24 * 3600;
/**
 * A job whose tenant is at its cap waits this long at first, doubling per deferral up to
 * MAX_DEFERRAL_MS. It is a fallback: a worker ending one of the tenant's jobs wakes the
 * tenant's next job at once (see wakeTenant). The doubling keeps a long queue of one
 * tenant's jobs from cycling through Redis and the database every second.
 */
const FIRST_DEFERRAL_MS = 1_000;
const MAX_DEFERRAL_MS = 30_000;

/** Thrown to BullMQ when a job should run again: BullMQ counts the attempt and schedules it `retryInMs` later. */
class RetryLater extends Error {
  constructor(
    readonly retryInMs: number,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Jobs on BullMQ (Redis): BullMQ carries the execution (delivery to one worker in any
 * process, retries with backoff, recovery of a crashed worker's job once its lock expires,
 * concurrency), while the job's record stays in the Waygate database. A worker takes the
 * row it was handed (JobRepository.take) and runs it through the same JobExecutor as the
 * embedded queue, so states, progress, cancel and results are the same on both backends.
 */
export class BullJobBackend implements JobBackend {
  readonly kind = "bullmq";
  readonly queue: JobQueue;
  private readonly producer: Queue<Delivery>;
  private readonly connection: { url: string; maxRetriesPerRequest: null };
  private readonly prefix: string;

  constructor(private readonly options: BullJobBackendOptions) {
    // maxRetriesPerRequest null: BullMQ's blocking commands wait for Redis to come back instead of failing.
    this.connection = { url: options.url, maxRetriesPerRequest: null };
    this.prefix = options.prefix ?? "waygate";
    this.producer = new Queue<Delivery>(BULL_QUEUE_NAME, { connection: this.connection, prefix: this.prefix });
    this.producer.on("error", (error) => options.onError?.(error));
    const store = options.store;
    this.queue = {
      enqueue: async (job) => {
        const recorded = await store.jobs.enqueue(job);
        try {
          // BullMQ waits for Redis to come back rather than failing: an API request must not.
          const timeoutMs = options.enqueueTimeoutMs ?? ENQUEUE_TIMEOUT_MS;
          await withTimeout(this.deliver(recorded), timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
        } catch (error) {
          // No worker will ever see it: the row must not wait forever as `queued`.
          await store.jobs.cancel(job.tenantId, recorded.id).catch(() => undefined);
          throw new JobQueueUnavailableError(`could not queue the job on Redis (${error instanceof Error ? error.message : String(error)}); check WAYGATE_REDIS_URL and that Redis is up, then try again`, { cause: error });
        }
        return recorded;
      },
      cancel: async (tenantId, id) => {
        const job = await store.jobs.cancel(tenantId, id);
        // A job cancelled while waiting leaves its delivery behind; drop it (a running one's worker ends it).
        if (job?.status === "cancelled") await this.producer.remove(id).catch(() => 0);
        return job;
      },
    };
  }

  createWorker(options: JobWorkerOptions): JobWorker {
    return new BullJobWorker(this.options.store, this.connection, this.prefix, options, {
      redeliver: () => this.redeliver(),
      wake: (jobId) => this.wake(jobId),
    });
  }

  /** Runs a job put off on its tenant's cap now rather than at the end of its deferral (no-op unless it is waiting delayed). */
  private async wake(jobId: string): Promise<void> {
    const delivery = await this.producer.getJob(jobId);
    if (delivery && (await delivery.isDelayed())) await delivery.promote().catch(() => undefined); // it may have started meanwhile
  }

  /** Hands a recorded job to BullMQ; the row's id is the delivery's, so delivering twice is a no-op while the first is queued or running. */
  private async deliver(job: { id: string; type: JobType; maxAttempts: number }): Promise<void> {
    await this.producer.add(job.type, { jobId: job.id }, {
      jobId: job.id,
      attempts: job.maxAttempts,
      backoff: { type: BACKOFF },
      removeOnComplete: true,
      removeOnFail: { age: KEEP_FAILED_S },
    });
  }

  /**
   * Delivers again the jobs the database says are runnable: ones recorded while Redis was
   * not in use (before WAYGATE_REDIS_URL was set) or whose delivery Redis lost (a flush, a
   * restart without persistence). BullMQ keeps one delivery per id, so those it still has
   * are left as they are.
   */
  private async redeliver(): Promise<void> {
    for (const job of await this.options.store.jobs.runnable(REDELIVER_BATCH)) await this.deliver(job);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** What a worker asks of its backend. */
interface WorkerHooks {
  redeliver(): Promise<void>;
  /** Runs the named job's delivery now if it waits delayed. */
  wake(jobId: string): Promise<void>;
}

/**
 * Runs deliveries through the JobExecutor. The per-tenant cap (`tenantConcurrency` over every
 * worker, else `concurrency - 1` of this worker's own: `tenantCapFor`) is the embedded queue's
 * rule, counted the same way over the job rows on the database (JobRepository.take): a delivery
 * whose tenant is at its cap is put off (delayed, no attempt spent; another worker may take it
 * then), and whichever worker ends one of the tenant's jobs wakes the tenant's oldest queued
 * job. A killed worker's jobs stop counting when their leases expire.
 */
class BullJobWorker implements JobWorker {
  readonly id = `worker_${randomBytes(6).toString("hex")}`;
  private readonly executor: JobExecutor;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly claimOptions: ClaimOptions;
  private worker: BullWorker<Delivery> | undefined;
  /** The jobs this worker is running (stop() waits for them to be back in the queue). */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly connection: { url: string; maxRetriesPerRequest: null },
    private readonly prefix: string,
    private readonly options: JobWorkerOptions,
    private readonly hooks: WorkerHooks,
  ) {
    this.leaseMs = options.leaseMs ?? JOB_DEFAULTS.leaseMs;
    this.concurrency = options.concurrency ?? JOB_DEFAULTS.concurrency;
    this.claimOptions = tenantCapFor(this.concurrency, options.tenantConcurrency);
    this.executor = new JobExecutor(this.id, {
      store,
      handlers: options.handlers,
      leaseMs: this.leaseMs,
      heartbeatMs: options.heartbeatMs ?? heartbeatFor(this.leaseMs),
      jobTimeoutMs: options.jobTimeoutMs ?? JOB_DEFAULTS.jobTimeoutMs,
      retryBaseMs: options.retryBaseMs ?? JOB_DEFAULTS.retryBaseMs,
      logger: options.logger ?? silentLogger,
      onError: options.onError,
    });
  }

  start(): void {
    if (this.worker) return;
    this.executor.resume();
    const retryBaseMs = this.options.retryBaseMs ?? JOB_DEFAULTS.retryBaseMs;
    this.worker = new BullWorker<Delivery>(BULL_QUEUE_NAME, (job, token) => this.track(this.process(job, token)), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: this.concurrency,
      // BullMQ's lock is the lease: a worker that dies loses it after leaseMs and its job is delivered again.
      lockDuration: this.leaseMs,
      stalledInterval: this.leaseMs,
      // The job's row counts interruptions and gives up after maxAttempts (JobExecutor); BullMQ must not fail it first.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      settings: { backoffStrategy: (attemptsMade, _type, error) => (error instanceof RetryLater ? error.retryInMs : retryDelay(retryBaseMs, attemptsMade)) },
    });
    this.worker.on("error", (error) => this.options.onError?.(error));
    void this.hooks.redeliver().catch((error: unknown) => this.options.onError?.(error));
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    // No more fetching; running jobs go back to the queue (the executor aborts them, and each is
    // delayed to now for the next worker); then the worker closes without waiting for a fetch
    // that may be blocking on Redis. (A job such a fetch still takes is delivered again once
    // its lock expires, like a crashed worker's.)
    const paused = worker.pause(true);
    this.executor.stop();
    await paused;
    while (this.running.size > 0) await Promise.allSettled(this.running);
    await worker.close(true);
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    void work.catch(() => {}).finally(() => this.running.delete(work));
    return work;
  }

  private async process(delivery: BullJob<Delivery>, token: string | undefined): Promise<void> {
    if (!this.worker) return this.putBack(delivery, token); // stopping: leave the row to the next worker
    const taken = await this.store.jobs.take(delivery.data.jobId, this.id, this.leaseMs, this.claimOptions);
    if (taken.kind === "ended") return; // cancelled while queued, or already finished
    if (taken.kind === "tenant-at-cap") return this.defer(delivery, token);
    const claimed = taken.job;
    // It runs: should it be put off again later (a batch's next slice), its wait starts afresh.
    if (delivery.data.deferrals) await delivery.updateData({ jobId: delivery.data.jobId });
    let end: JobEnd;
    try {
      end = await this.executor.execute(claimed);
    } finally {
      // The tenant's slot is free (or this job goes round again and competes for it): its next job need not sit out its deferral.
      void this.wakeTenant(claimed.tenantId, claimed.id);
    }
    switch (end.kind) {
      case "succeeded":
      case "cancelled":
      case "lost":
        return;
      case "failed":
        throw new UnrecoverableError("the job failed; its problem is in the job's record");
      case "retrying":
        throw new RetryLater(end.retryInMs, end.error.detail ?? end.error.title);
      case "continued":
      case "requeued":
        return this.putBack(delivery, token);
    }
  }

  /** The tenant's oldest queued job, woken (other than the one just run, which goes round by itself). */
  private async wakeTenant(tenantId: string, justRan: string): Promise<void> {
    try {
      const next = await this.store.jobs.nextQueued(tenantId);
      if (next !== undefined && next !== justRan) await this.hooks.wake(next);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Its tenant is at the cap: the delivery waits (without spending an attempt) until woken, or its deferral ends. */
  private async defer(delivery: BullJob<Delivery>, token: string | undefined): Promise<never> {
    const deferrals = delivery.data.deferrals ?? 0;
    const wait = Math.min(MAX_DEFERRAL_MS, FIRST_DEFERRAL_MS * 2 ** deferrals);
    await delivery.updateData({ ...delivery.data, deferrals: deferrals + 1 });
    // Jittered, so that deliveries put off together do not all come back together.
    await delivery.moveToDelayed(Date.now() + wait * (0.75 + Math.random() / 2), token);
    throw new DelayedError();
  }

  /** Runs again at once, in any worker, without spending an attempt (a batch's next slice, or a worker stopping). */
  private async putBack(delivery: BullJob<Delivery>, token: string | undefined): Promise<never> {
    await delivery.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }
}

/** `work`, or an Error with `message` once `ms` have passed (the work itself goes on: a late delivery of a cancelled row is a no-op). */
async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
