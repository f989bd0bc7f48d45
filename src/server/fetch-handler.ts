import { problemTypes, problemTypeUri } from "../contract/index.js";
import { openJobBackend } from "../jobs/index.js";
import type { Logger } from "../lib/logger.js";
import { loadSealer, resolveStoreLocation, Store } from "../store/index.js";
import { VERSION } from "../version.js";
import { createApp } from "./app.js";
import { createDeployedGateway, createJobRuntime } from "./job-runtime.js";
import { ConfigError, resolveServerConfig } from "./config.js";
import { createLogger } from "./logging.js";

export { ConfigError } from "./config.js";
export type { Logger } from "../lib/logger.js";

export interface FetchHandlerOptions {
  /**
   * The settings, as `waygate server start` reads them (`waygate server config` lists them):
   * WAYGATE_DATABASE_URL (Postgres) and WAYGATE_ENCRYPTION_KEY are required. Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Where log lines go; default JSON lines on stdout at WAYGATE_LOG_LEVEL. */
  logger?: Logger;
}

export interface FetchHandler {
  /** The Waygate API: a standard Request in, a Response out. */
  fetch(request: Request): Promise<Response>;
  /** Closes the database pool (tests, graceful shutdowns). */
  close(): Promise<void>;
}

/**
 * The Waygate API as a standard fetch handler, for serverless and edge-style Node hosts
 * (Vercel, Netlify, AWS Lambda adapters, Deno's Node compatibility). It runs on Postgres:
 * such hosts keep no disk between calls. Nothing runs in the background: queued imports
 * run when something calls `POST /v1/jobs/tick` (a scheduled function) or in a
 * `waygate server worker` process on the same database.
 *
 * The settings are checked at once (a wrong one throws ConfigError naming it); the
 * database is opened on the first request and reused while the instance stays warm.
 *
 * @example
 * // api/[...path].ts on a host that routes every path to one function
 * import { createFetchHandler } from "waygate/server";
 * const waygate = createFetchHandler();
 * export default (request: Request) => waygate.fetch(request);
 */
export function createFetchHandler(options: FetchHandlerOptions = {}): FetchHandler {
  const env = options.env ?? process.env;
  const { config } = resolveServerConfig(env);
  if (!config.databaseUrl) throw new ConfigError("WAYGATE_DATABASE_URL: the fetch handler needs Postgres (serverless hosts keep no disk between calls)");
  if (!config.encryptionKey) throw new ConfigError("WAYGATE_ENCRYPTION_KEY: the fetch handler takes its encryption key from the environment (there is no data directory)");
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, format: config.logFormat ?? "json", writeLine: (line) => void process.stdout.write(line + "\n") });
  const location = resolveStoreLocation({ databaseUrl: config.databaseUrl, dataDir: "." });
  const allowPrivateImports = config.allowPrivateImports ?? false;

  const open = async () => {
    const store = await Store.open(location, { migrate: config.migrate, sealer: () => loadSealer({ env, dataDir: "." }) });
    const gateway = await createDeployedGateway(store, config, logger);
    // With Redis, jobs go to BullMQ and `server worker` processes run them; else they wait in the
    // database for POST /v1/jobs/tick (or a worker). Nothing runs between requests: no loops here.
    const backend = await openJobBackend(store, { url: config.redisUrl, prefix: config.redisPrefix, onError: (error) => logger.error({ err: error }, "job queue (Redis) error") });
    const jobs = createJobRuntime({
      store,
      gateway,
      backend,
      allowPrivateImports,
      maxDocumentBytes: config.maxDocumentBytes,
      upstreams: config.upstreams,
      env,
      worker: backend.kind === "embedded" ? "tick" : "none",
      workerOptions: { ...(config.tenantConcurrency === undefined ? {} : { tenantConcurrency: config.tenantConcurrency }) },
      // Short slices: a batch hands itself back to the queue well within a tick's budget.
      batches: { sliceMs: 10_000, itemLeaseMs: config.jobLeaseMs },
      logger,
    });
    const app = createApp({
      store,
      version: VERSION,
      gateway,
      drift: jobs.drift,
      invokeObserver: jobs.invokeObserver,
      logger,
      allowPrivateImports,
      maxDocumentBytes: config.maxDocumentBytes,
      maxUploadBytesInFlight: config.maxUploadBytesInFlight,
      batchShares: config.batchShares,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(config.tickSecret ? { tickSecret: config.tickSecret } : {}),
      jobs: backend.queue,
      ...(jobs.runDueJobs ? { runDueJobs: jobs.runDueJobs } : {}),
      onUnexpectedError: (error, requestId) => logger.error({ err: error, requestId }, "unexpected error"),
    });
    return { app, store, gateway, backend, jobs };
  };

  let opened: ReturnType<typeof open> | undefined;
  return {
    fetch: async (request) => {
      let app;
      try {
        ({ app } = await (opened ??= open()));
      } catch (error) {
        // Not cached: the next request tries again (the database may be starting).
        opened = undefined;
        logger.error({ err: error }, "could not open the database");
        return unavailable();
      }
      return app.fetch(request);
    },
    close: async () => {
      const current = opened;
      opened = undefined;
      if (!current) return;
      const { store, gateway, backend, jobs } = await current.catch(() => ({ store: undefined, gateway: undefined, backend: undefined, jobs: undefined }));
      await jobs?.stop();
      await backend?.close();
      await gateway?.close();
      await store?.close();
    },
  };
}

function unavailable(): Response {
  const kind = "server-busy";
  const body = { type: problemTypeUri(kind), title: problemTypes[kind].title, status: 503, detail: "the database is not reachable; try again shortly" };
  return new Response(JSON.stringify(body), { status: 503, headers: { "content-type": "application/problem+json", "retry-after": "5" } });
}
