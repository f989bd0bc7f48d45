export { Worker, type WorkerOptions } from "./worker.js";
export { EmbeddedJobBackend, JobQueueUnavailableError, openJobBackend, type JobBackend, type JobQueue, type JobWorker, type JobWorkerOptions, type NewJob } from "./queue.js";
export { importHandler, type ImportHandlerOptions } from "./handlers/import.js";
export type { JobHandler, JobHandlers, JobRun, HandlerOutcome } from "./types.js";
export { batchHandler, cancelledProblem, type BatchHandlerOptions, type BatchPayload } from "./handlers/batch.js";
