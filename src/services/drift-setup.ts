import type { NetworkReach } from "../importer/net-guard.js";
import { alertDeliveryHandler } from "../jobs/handlers/alert-delivery.js";
import { driftCheckHandler } from "../jobs/handlers/drift-check.js";
import type { ImportProcess } from "../jobs/handlers/import-runner.js";
import type { JobQueue } from "../jobs/queue.js";
import type { JobHandler } from "../jobs/types.js";
import type { Store } from "../store/index.js";
import { AlertService } from "./alerts.js";
import { DriftService, type DriftScheduler } from "./drift.js";
import { driftSchedules } from "./schedules.js";

export interface DriftSetupOptions {
  allowPrivateNetwork: boolean;
  maxDocumentBytes: number;
  env: NodeJS.ProcessEnv;
  /** Which addresses alert webhooks may resolve to (the gateway's upstream setting). */
  webhookReach: NetworkReach;
  /** Where alert deliveries (and nothing else here) are queued. */
  jobs: JobQueue;
  scheduler?: DriftScheduler | undefined;
  importProcess?: ImportProcess | null;
}

export interface DriftSetup {
  alerts: AlertService;
  drift: DriftService;
  handlers: { drift_check: JobHandler; alert_delivery: JobHandler };
}

/** The drift and alert services and their job handlers, built the same way by every process that runs jobs or serves the API. */
export function createDriftSetup(store: Store, options: DriftSetupOptions): DriftSetup {
  const alerts = new AlertService(store, options.jobs);
  const drift = new DriftService(store, {
    allowPrivateNetwork: options.allowPrivateNetwork,
    maxDocumentBytes: options.maxDocumentBytes,
    env: options.env,
    alerts,
    // Every server has the job system's schedules; a caller may bring its own (tests).
    scheduler: options.scheduler ?? driftSchedules(store),
    ...(options.importProcess === undefined ? {} : { importProcess: options.importProcess }),
  });
  return { alerts, drift, handlers: { drift_check: driftCheckHandler({ drift }), alert_delivery: alertDeliveryHandler({ reach: options.webhookReach }) } };
}
