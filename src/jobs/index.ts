export { Worker, type WorkerOptions } from "./worker.js";
export { EmbeddedJobBackend, JobQueueUnavailableError, openJobBackend, type JobBackend, type JobQueue, type JobWorker, type JobWorkerOptions, type NewJob } from "./queue.js";
export { importHandler, type ImportHandlerOptions } from "./handlers/import.js";
export type { JobHandler, JobHandlers, JobRun, HandlerOutcome } from "./types.js";
export { batchHandler, cancelledProblem, type BatchHandlerOptions, type BatchPayload } from "./handlers/batch.js";
export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { cronProblem, nextRunAfter } from "./schedule-timing.js";
export { alertDeliveryHandler, type AlertDeliveryOptions } from "./handlers/alert-delivery.js";
export { driftCheckHandler, type DriftCheckHandlerOptions, type DriftCheckPayload } from "./handlers/drift-check.js";
