import type { Job, JobType, TickResult } from "../contract/index.js";
import type { Store } from "../store/index.js";
import type { JobHandlers } from "./types.js";
import { Worker, type WorkerOptions } from "./worker.js";

export interface NewJob {
  /** One from newJobId() when something (an uploaded document) was stored under it first. */
  id?: string;
  tenantId: string;
  type: JobType;
  summary: string;
  payload: unknown;
  maxAttempts?: number;
}

/**
 * Where the API hands jobs over. A job's record (status, progress, result, problem) is
 * always in the Waygate database, whichever backend delivers it to a worker, so
 * `/v1/jobs*` and batches read the same rows on both.
 */
export interface JobQueue {
  /** Records the job and hands it to a worker. */
  enqueue(job: NewJob): Promise<Job>;
  /** Cancels a queued job at once; asks a running one to stop (its worker sees it at the next heartbeat). */
  cancel(tenantId: string, id: string): Promise<Job | undefined>;
}

/** The queue could not take the job (its Redis did not answer); the job was not recorded as queued. */
export class JobQueueUnavailableError extends Error {
  override name = "JobQueueUnavailableError";
}

/** Runs jobs in this process. */
export interface JobWorker {
  readonly id: string;
  start(): void;
  /** Stops taking jobs, aborts running ones and puts them back in the queue. */
  stop(): Promise<void>;
  /**
   * Runs due jobs one after another within a budget (`POST /v1/jobs/tick`, for hosts with no
   * lasting process): every tenant's, or only `tenantId`'s. Absent where a queue delivers jobs
   * to long-running workers (BullMQ).
   */
  runDue?(budgetMs: number, tenantId?: string): Promise<TickResult>;
}

export type JobWorkerOptions = Omit<WorkerOptions, "store" | "handlers"> & { handlers: JobHandlers };

/** One way of delivering jobs: the embedded queue in the database, or BullMQ on Redis. */
export interface JobBackend {
  readonly kind: "embedded" | "bullmq";
  readonly queue: JobQueue;
  createWorker(options: JobWorkerOptions): JobWorker;
  /** Releases connections; stop the workers first. */
  close(): Promise<void>;
}

/**
 * The default: jobs wait in the Waygate database and workers poll it (claims with a lease;
 * see JobRepository). Workers created here are woken at once when this process enqueues.
 */
export class EmbeddedJobBackend implements JobBackend {
  readonly kind = "embedded";
  readonly queue: JobQueue;
  private readonly workers = new Set<Worker>();

  constructor(private readonly store: Store) {
    this.queue = {
      enqueue: async (job) => {
        const recorded = await store.jobs.enqueue(job);
        for (const worker of this.workers) worker.notify();
        return recorded;
      },
      cancel: (tenantId, id) => store.jobs.cancel(tenantId, id),
    };
  }

  createWorker(options: JobWorkerOptions): Worker {
    const worker = new Worker({ ...options, store: this.store });
    this.workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    this.workers.clear();
  }
}

/**
 * The backend a process runs with: BullMQ when a Redis URL is configured (WAYGATE_REDIS_URL),
 * else the embedded queue. BullMQ is loaded only then, so the embedded path never pays for it.
 */
export async function openJobBackend(
  store: Store,
  redis: { url?: string | undefined; prefix?: string | undefined; onError?: (error: unknown) => void } = {},
): Promise<JobBackend> {
  if (!redis.url) return new EmbeddedJobBackend(store);
  const { BullJobBackend } = await import("./bullmq-queue.js");
  return new BullJobBackend({ store, url: redis.url, ...(redis.prefix ? { prefix: redis.prefix } : {}), ...(redis.onError ? { onError: redis.onError } : {}) });
}
