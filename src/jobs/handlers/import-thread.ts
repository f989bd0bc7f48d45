/**
 * The import thread's entry point (built as `dist/import-thread.js`): runs one import and
 * posts its progress and outcome to the job worker on the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importDocument } from "../../importer/index.js";
import type { ThreadRequest, ThreadMessage } from "./import-runner.js";

const port = parentPort!;
const { source, options } = workerData as ThreadRequest;
const post = (message: ThreadMessage) => port.postMessage(message);
const outcome = await importDocument(source, { ...options, onProgress: (progress) => post({ kind: "progress", progress }) });
post({ kind: "outcome", outcome });
