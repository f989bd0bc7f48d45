import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { EmbeddedJobBackend, type BatchHandlerOptions, type JobBackend, type JobWorker, type WorkerOptions } from "../jobs/index.js";
import { jobHandlers } from "./job-handlers.js";
import { createApp, type AppOptions } from "./app.js";
import { createGateway } from "../services/invoke.js";
import type { NetworkReach } from "../importer/net-guard.js";

export interface ServerOptions extends Omit<AppOptions, "jobs" | "gateway"> {
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
}

export interface RunningServer {
  url: string;
  /** Absent with `runWorker: false`. */
  worker: JobWorker | undefined;
  close(): Promise<void>;
}

/**
 * Serves the API on host:port (port 0 picks a free one), with a job worker in the same
 * process unless `runWorker` is false, and resolves once it is listening.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const maxDocumentBytes = options.maxDocumentBytes ?? 64 * 1024 * 1024;
  const gateway = createGateway(options.store, {
    upstreams: options.upstreams ?? "public",
    ...(options.maxCollectedBytes ? { maxCollectedBytes: options.maxCollectedBytes } : {}),
    ...(options.pageTokenKey ? { pageTokenKey: options.pageTokenKey } : {}),
    ...(options.sharedRateLimits ? { sharedRateLimits: options.sharedRateLimits } : {}),
    ...(options.onUnexpectedError ? { onRateLimitError: (error: unknown) => options.onUnexpectedError?.(error) } : {}),
  });
  const backend = options.jobBackend ?? new EmbeddedJobBackend(options.store);
  const worker =
    options.runWorker === false
      ? undefined
      : backend.createWorker({
          handlers: jobHandlers(options.store, gateway, {
            allowPrivateImports: options.allowPrivateImports,
            maxDocumentBytes,
            env: options.env ?? process.env,
            ...(options.batches ? { batches: options.batches } : {}),
          }),
          ...(options.onUnexpectedError ? { onError: options.onUnexpectedError } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
          ...options.worker,
        });
  const runDueJobs = worker?.runDue?.bind(worker);
  const app = createApp({ ...options, maxDocumentBytes, gateway, jobs: backend.queue, ...(runDueJobs ? { runDueJobs } : {}) });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(listening));
    listening.once("error", reject);
  });
  worker?.start();
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    worker,
    close: async () => {
      // Stop taking work first; running jobs go back to the queue for the next start.
      await worker?.stop();
      await gateway.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      });
    },
  };
}

