import type { Gateway } from "../gateway/index.js";
import type { NetworkReach } from "../importer/net-guard.js";
import { batchHandler, importHandler, Scheduler, type BatchHandlerOptions, type JobBackend, type JobHandlers, type JobWorker, type SchedulerOptions, type WorkerOptions } from "../jobs/index.js";
import type { Logger } from "../lib/logger.js";
import { createDriftSetup, type DriftSetup } from "../services/drift-setup.js";
import type { DriftScheduler } from "../services/drift.js";
import { createGateway, InvokeService, type InvokeServiceOptions } from "../services/invoke.js";
import { scheduleEnqueuer } from "../services/schedules.js";
import { TrafficDriftMonitor, type ObservedCall, type TrafficDriftOptions } from "../services/traffic-drift.js";
import type { Store } from "../store/index.js";
import type { ServerConfig } from "./config.js";
import type { RunDueJobs } from "./routes/jobs.js";

export interface JobRuntimeOptions {
  store: Store;
  /** The gateway the API's invoke routes use: batches and single invokes then share one rate limiter. */
  gateway: Gateway;
  /** Where jobs go and run (openJobBackend). The caller closes it. */
  backend: JobBackend;
  /** URL imports (and drift re-scrapes) may fetch loopback and private addresses. */
  allowPrivateImports: boolean;
  maxDocumentBytes: number;
  /** Where alert webhooks may go: the gateway's upstream reach. */
  upstreams: NetworkReach;
  /** Environment for job handlers (LLM settings). */
  env: NodeJS.ProcessEnv;
  /**
   * "loop": a worker polls and runs jobs (servers, `server worker`). "tick": jobs run only when
   * runDueJobs is called (`POST /v1/jobs/tick` on serverless hosts, embedded queue only). "none":
   * this process queues jobs and serves the API; others run them (`server start --no-worker`).
   */
  worker: "loop" | "tick" | "none";
  workerOptions?: Partial<Omit<WorkerOptions, "store" | "handlers">>;
  batches?: Omit<BatchHandlerOptions, "invoke">;
  /** Scheduler tuning: its poll interval and clock (tests move the clock). */
  scheduler?: Pick<SchedulerOptions, "pollMs" | "now">;
  /** Backs `PUT …/drift-schedule`; default the job system's schedules (`drift:<slug>`). */
  driftScheduler?: DriftScheduler;
  trafficDrift?: TrafficDriftOptions;
  logger?: Logger;
  onError?: (error: unknown) => void;
}

/**
 * What a process that queues or runs jobs holds besides its API: the drift and alert services,
 * the traffic monitor every invoke reports to, the worker and the scheduler. Servers, `server
 * worker` processes and the serverless fetch handler all assemble it here, so a job handler or a
 * monitor added once runs everywhere.
 */
export interface JobRuntime {
  drift: DriftSetup;
  /** Pass to the API (and it is passed to batch items' invokes): samples responses for traffic drift. */
  invokeObserver: (call: ObservedCall) => void;
  /** Absent with worker "none". */
  worker: JobWorker | undefined;
  scheduler: Scheduler;
  /** Fires the schedules that are due, then runs jobs for at most budgetMs (`POST /v1/jobs/tick`); embedded queue only. */
  runDueJobs: RunDueJobs | undefined;
  /** Starts the worker loop (worker "loop") and the scheduler's (not with "tick"). */
  start(): void;
  /** Stops taking work (running jobs go back to the queue) and flushes what the traffic monitor gathered. */
  stop(): Promise<void>;
}

export function createJobRuntime(options: JobRuntimeOptions): JobRuntime {
  const { store, backend } = options;
  const onError = options.onError ?? ((error: unknown) => options.logger?.error({ err: error }, "job runtime error"));
  const drift = createDriftSetup(store, {
    allowPrivateNetwork: options.allowPrivateImports,
    maxDocumentBytes: options.maxDocumentBytes,
    env: options.env,
    webhookReach: options.upstreams,
    jobs: backend.queue,
    scheduler: options.driftScheduler,
  });
  const traffic = new TrafficDriftMonitor(store, drift.drift, options.trafficDrift, onError);
  const invokeObserver = traffic.observe.bind(traffic);
  const worker =
    options.worker === "none"
      ? undefined
      : backend.createWorker({
          handlers: jobHandlers(store, options.gateway, {
            allowPrivateImports: options.allowPrivateImports,
            maxDocumentBytes: options.maxDocumentBytes,
            env: options.env,
            drift,
            invoke: { observer: invokeObserver },
            ...(options.batches ? { batches: options.batches } : {}),
          }),
          onError,
          ...(options.logger ? { logger: options.logger } : {}),
          ...options.workerOptions,
        });
  // Due schedules enqueue ordinary jobs, which any worker runs; each run is claimed once, whichever process sees it first.
  const scheduler = new Scheduler({
    store,
    fire: scheduleEnqueuer(store, { allowPrivateImports: options.allowPrivateImports, jobs: backend.queue }),
    onError,
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.scheduler,
  });
  // The embedded worker can also run what is due on request (a tick), beside its loop or instead of it.
  const runDue = worker?.runDue?.bind(worker);
  return {
    drift,
    invokeObserver,
    worker,
    scheduler,
    runDueJobs: runDue
      ? async (budgetMs, tenantId) => {
          await scheduler.tick(tenantId);
          return runDue(budgetMs, tenantId);
        }
      : undefined,
    start() {
      if (options.worker === "tick") return;
      worker?.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await worker?.stop();
      await traffic.close();
    },
  };
}

/** The job handlers every process that runs jobs uses; batch items go through the given gateway. */
function jobHandlers(
  store: Store,
  gateway: Gateway,
  options: {
    allowPrivateImports: boolean;
    maxDocumentBytes: number;
    env: NodeJS.ProcessEnv;
    drift: DriftSetup;
    batches?: Omit<BatchHandlerOptions, "invoke">;
    invoke?: InvokeServiceOptions;
  },
): JobHandlers {
  return {
    import: importHandler({ allowPrivateNetwork: options.allowPrivateImports, maxDocumentBytes: options.maxDocumentBytes, env: options.env }),
    batch: batchHandler({ invoke: new InvokeService(store, gateway, options.invoke), ...options.batches }),
    ...options.drift.handlers,
  };
}

/**
 * The gateway of a deployed process (`server worker`, the fetch handler; `server start` passes the
 * same settings to startServer): next-page tokens signed with a key derived from the encryption
 * key, so every process on the database accepts the others' tokens, and with Redis one rate-limit
 * budget for all of them.
 */
export async function createDeployedGateway(store: Store, config: ServerConfig, logger: Logger): Promise<Gateway> {
  return createGateway(store, {
    upstreams: config.upstreams,
    maxCollectedBytes: config.maxCollectedBytes,
    pageTokenKey: (await store.sealer()).derive("page-tokens"),
    ...(config.redisUrl ? { sharedRateLimits: { url: config.redisUrl, prefix: config.redisPrefix } } : {}),
    onRateLimitError: (error) => logger.error({ err: error }, "shared rate limiter error"),
  });
}
