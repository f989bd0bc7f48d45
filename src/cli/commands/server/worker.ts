import { once } from "node:events";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import type { ServerFlags } from "../../../server/config.js";
import { describeStore, openStore } from "./database.js";
import { refuseOutdatedSchema } from "./start.js";
import { loadServerConfig, serverLogger } from "./settings.js";

export type WorkerCommandOptions = ServerFlags;

export interface WorkerResult {
  stoppedBy: string;
}

/**
 * Runs queued jobs without serving HTTP (also `server start --worker-only`): beside serverless
 * deployments of the API (whose functions cannot run a loop), beside `server start --no-worker`
 * API servers, or to give imports and batches machines of their own. Several may run on one
 * database or one Redis; a job never runs in two at once.
 */
export async function run(context: Context, options: WorkerCommandOptions): Promise<WorkerResult> {
  const { config } = await loadServerConfig(context, options);
  const database = { ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) };
  const { store, location } = await openStore(context, database, { migrate: config.migrate });
  if (!config.migrate) await refuseOutdatedSchema(store, describeStore(location));
  const { openJobBackend } = await import("../../../jobs/index.js");
  const { createDeployedGateway, createJobRuntime } = await import("../../../server/job-runtime.js");
  const logger = await serverLogger(context, config);
  // Batches invoke upstreams: the same gateway settings as the API servers', and with Redis the same rate limits.
  const gateway = await createDeployedGateway(store, config, logger);
  const backend = await openJobBackend(store, { url: config.redisUrl, prefix: config.redisPrefix, onError: (error) => logger.error({ err: error }, "job queue (Redis) error") });
  const jobs = createJobRuntime({
    store,
    gateway,
    backend,
    allowPrivateImports: config.allowPrivateImports ?? false,
    maxDocumentBytes: config.maxDocumentBytes,
    upstreams: config.upstreams,
    env: context.env,
    worker: "loop",
    workerOptions: {
      concurrency: config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
      ...(config.tenantConcurrency === undefined ? {} : { tenantConcurrency: config.tenantConcurrency }),
    },
    batches: { itemLeaseMs: config.jobLeaseMs },
    logger,
    onError: (error) => logger.error({ err: error }, "job worker error"),
  });
  jobs.start();
  logger.info({ workerId: jobs.worker?.id, database: describeStore(location), queue: backend.kind }, "worker started");
  const stoppedBy = await Promise.race([once(process, "SIGINT").then(() => "SIGINT"), once(process, "SIGTERM").then(() => "SIGTERM")]);
  // Running jobs go back to the queue for another worker.
  await jobs.stop();
  await backend.close();
  await gateway.close();
  await store.close();
  return { stoppedBy };
}

export function render(result: WorkerResult, io: IO): void {
  io.err(`Worker stopped (${result.stoppedBy}).`);
}
