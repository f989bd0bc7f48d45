import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { EmbeddedJobBackend, type BatchHandlerOptions, type JobBackend, type JobWorker, type Scheduler, type SchedulerOptions, type WorkerOptions } from "../jobs/index.js";
import { createApp, type AppOptions } from "./app.js";
import { createJobRuntime } from "./job-runtime.js";
import { createGateway } from "../services/invoke.js";
import { driftSchedules } from "../services/schedules.js";
import type { NetworkReach } from "../importer/net-guard.js";
import type { DriftScheduler } from "../services/drift.js";
import type { TrafficDriftOptions } from "../services/traffic-drift.js";

export interface ServerOptions extends Omit<AppOptions, "jobs" | "gateway" | "drift" | "invokeObserver"> {
  host: string;
  port: number;
  /** URL imports (and their $refs) may fetch loopback and private addresses. */
  allowPrivateImports: boolean;
  /** Addresses the gateway's upstream calls and token refreshes may reach. Default "public", whatever the listen address. */
  upstreams?: NetworkReach;
  /** Bytes of upstream pages one collecting invoke may hold. Default 32 MiB. */
  maxCollectedBytes?: number;
  /** Batch runner tuning (tests shorten the time slice). */
  batches?: Omit<BatchHandlerOptions, "invoke">;
  /** Worker tuning (tests shorten the lease). */
  worker?: Partial<Omit<WorkerOptions, "store" | "handlers">>;
  /** Scheduler tuning: its poll interval and clock (tests move the clock; the schedule routes use it too). */
  scheduler?: Pick<SchedulerOptions, "pollMs" | "now">;
  /** Where jobs go and run: the embedded queue (default) or BullMQ (see openJobBackend). The caller closes it. */
  jobBackend?: JobBackend;
  /** Run jobs in this process too. Default true; false serves the API only (`server start --no-worker`). */
  runWorker?: boolean;
  /** Environment for job handlers (LLM settings). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Keep rate limits in Redis, shared with every process on it (WAYGATE_REDIS_URL). Default: in this process. */
  sharedRateLimits?: { url: string; prefix: string };
  /** Signs the gateway's next-page tokens; share it between servers behind one URL. Default: random per process. */
  pageTokenKey?: string | Uint8Array;
  /** Sampling of responses for traffic drift (tests shorten the window). */
  trafficDrift?: TrafficDriftOptions;
  /** Backs `PUT …/drift-schedule`; default the job system's schedules (`drift:<slug>`). */
  driftScheduler?: DriftScheduler;
}

export interface RunningServer {
  url: string;
  /** Absent with `runWorker: false`. */
  worker: JobWorker | undefined;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/**
 * Serves the API on host:port (port 0 picks a free one), with a job worker in the same
 * process unless `runWorker` is false, and resolves once it is listening. Schedules fire
 * from every server (each run is claimed once, whichever process sees it first).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const maxDocumentBytes = options.maxDocumentBytes ?? 64 * 1024 * 1024;
  const env = options.env ?? process.env;
  const gateway = createGateway(options.store, {
    upstreams: options.upstreams ?? "public",
    ...(options.maxCollectedBytes ? { maxCollectedBytes: options.maxCollectedBytes } : {}),
    ...(options.pageTokenKey ? { pageTokenKey: options.pageTokenKey } : {}),
    ...(options.sharedRateLimits ? { sharedRateLimits: options.sharedRateLimits } : {}),
    ...(options.onUnexpectedError ? { onRateLimitError: (error: unknown) => options.onUnexpectedError?.(error) } : {}),
  });
  const backend = options.jobBackend ?? new EmbeddedJobBackend(options.store);
  const jobs = createJobRuntime({
    store: options.store,
    // The same gateway as the invoke routes: batches and single invokes share one rate limiter.
    gateway,
    backend,
    allowPrivateImports: options.allowPrivateImports,
    maxDocumentBytes,
    upstreams: options.upstreams ?? "public",
    env,
    worker: options.runWorker === false ? "none" : "loop",
    ...(options.worker ? { workerOptions: options.worker } : {}),
    ...(options.batches ? { batches: options.batches } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    driftScheduler: options.driftScheduler ?? driftSchedules(options.store, options.scheduler?.now),
    ...(options.trafficDrift ? { trafficDrift: options.trafficDrift } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onUnexpectedError ? { onError: options.onUnexpectedError } : {}),
  });
  const app = createApp({
    ...options,
    maxDocumentBytes,
    gateway,
    drift: jobs.drift,
    invokeObserver: jobs.invokeObserver,
    jobs: backend.queue,
    ...(jobs.runDueJobs ? { runDueJobs: jobs.runDueJobs } : {}),
    ...(options.scheduler?.now ? { scheduleClock: options.scheduler.now } : {}),
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(listening));
    listening.once("error", reject);
  });
  jobs.start();
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    worker: jobs.worker,
    scheduler: jobs.scheduler,
    close: async () => {
      // Stop taking work first; running jobs go back to the queue for the next start.
      await jobs.stop();
      await gateway.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      });
    },
  };
}
