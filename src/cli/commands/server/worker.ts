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
 * Runs queued jobs without serving HTTP: beside serverless deployments of the API (whose
 * functions cannot run a loop), or to give imports machines of their own. Several may run
 * on one database; claims never overlap.
 */
export async function run(context: Context, options: WorkerCommandOptions): Promise<WorkerResult> {
  const { config } = await loadServerConfig(context, options);
  const database = { ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) };
  const { store, location } = await openStore(context, database, { migrate: config.migrate });
  if (!config.migrate) await refuseOutdatedSchema(store, describeStore(location));
  const { Worker, Scheduler, importHandler, batchHandler } = await import("../../../jobs/index.js");
  const { createGateway, InvokeService } = await import("../../../services/invoke.js");
  const { scheduleEnqueuer } = await import("../../../services/schedules.js");
  // Batches invoke upstreams: the same gateway settings as the API servers'.
  const gateway = createGateway(store, {
    upstreams: config.upstreams,
    maxCollectedBytes: config.maxCollectedBytes,
    pageTokenKey: (await store.sealer()).derive("page-tokens"),
  });
  const logger = await serverLogger(context, config);
  const { createDriftSetup } = await import("../../../services/drift-setup.js");
  // eslint-disable-next-line prefer-const -- the drift setup wakes the worker made after it
  let worker: InstanceType<typeof Worker> | undefined;
  const drift = createDriftSetup(store, {
    allowPrivateNetwork: config.allowPrivateImports ?? false,
    maxDocumentBytes: config.maxDocumentBytes,
    env: context.env,
    webhookReach: config.upstreams,
    notifyWorker: () => worker?.notify(),
  });
  worker = new Worker({
    store,
    handlers: {
      import: importHandler({ allowPrivateNetwork: config.allowPrivateImports ?? false, maxDocumentBytes: config.maxDocumentBytes, env: context.env }),
      batch: batchHandler({ invoke: new InvokeService(store, gateway) }),
      ...drift.handlers,
    },
    concurrency: config.workerConcurrency,
    ...(config.tenantConcurrency === undefined ? {} : { tenantConcurrency: config.tenantConcurrency }),
    logger,
    onError: (error) => logger.error({ err: error }, "job worker error"),
  });
  // Schedules fire here too: each run is claimed once, whichever process sees it first.
  const scheduler = new Scheduler({
    store,
    fire: scheduleEnqueuer(store, { allowPrivateImports: config.allowPrivateImports ?? false, notifyWorker: () => worker.notify() }),
    logger,
    onError: (error) => logger.error({ err: error }, "scheduler error"),
  });
  worker.start();
  scheduler.start();
  logger.info({ workerId: worker.id, database: describeStore(location) }, "worker started");
  const stoppedBy = await Promise.race([once(process, "SIGINT").then(() => "SIGINT"), once(process, "SIGTERM").then(() => "SIGTERM")]);
  // Running jobs go back to the queue for another worker.
  await scheduler.stop();
  await worker.stop();
  await gateway.close();
  await store.close();
  return { stoppedBy };
}

export function render(result: WorkerResult, io: IO): void {
  io.err(`Worker stopped (${result.stoppedBy}).`);
}
