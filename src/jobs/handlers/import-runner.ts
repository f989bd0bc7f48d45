import { Worker } from "node:worker_threads";
import type { ImportOptions, ImportOutcome, ImportProgress, ImportSource } from "../../importer/index.js";

/** What crosses into the thread: the import's data, without its callbacks. */
export interface ThreadRequest {
  source: ImportSource;
  options: Omit<ImportOptions, "onProgress" | "signal" | "dispatcher">;
}

export type ThreadMessage = { kind: "progress"; progress: ImportProgress } | { kind: "outcome"; outcome: ImportOutcome };

/** A hostile or enormous document exhausts this heap and fails its import, not the server. */
export const IMPORT_HEAP_MB = 2_048;

/** The thread module to run imports on, and its heap limit (default IMPORT_HEAP_MB). */
export interface ImportThread {
  module: URL;
  heapMb?: number;
}

/** The built `import-thread.js` (bundled, this module sits in a chunk beside it at the root of dist/); null from sources. */
function builtThread(): ImportThread | null {
  return import.meta.url.endsWith(".ts") ? null : { module: new URL("./import-thread.js", import.meta.url) };
}

/**
 * Runs an import on a worker thread of its own. Parsing and normalising a large spec is
 * synchronous work (about a second for GitHub's): on the server's thread it would stall
 * every API and gateway call meanwhile. A thread per import also bounds its memory and is
 * simply terminated when the job is cancelled.
 *
 * Running from the TypeScript sources (the test suite), there is no built thread module
 * to start, and the import runs in-process instead; the built package always uses the thread.
 * Tests pass `thread` to run the built one.
 */
export async function runImport(
  request: ThreadRequest,
  hooks: { onProgress: (progress: ImportProgress) => void; signal: AbortSignal },
  thread: ImportThread | null = builtThread(),
): Promise<ImportOutcome> {
  if (!thread) {
    const { importDocument } = await import("../../importer/index.js");
    return importDocument(request.source, { ...request.options, onProgress: hooks.onProgress, signal: hooks.signal });
  }
  const heapMb = thread.heapMb ?? IMPORT_HEAP_MB;
  const worker = new Worker(thread.module, { workerData: request, transferList: transferable(request.source), resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  return new Promise<ImportOutcome>((resolve, reject) => {
    let outcome: ImportOutcome | undefined;
    const abort = () => {
      void worker.terminate();
      reject(hooks.signal.reason instanceof Error ? hooks.signal.reason : new Error(`import aborted: ${String(hooks.signal.reason)}`));
    };
    if (hooks.signal.aborted) return abort();
    hooks.signal.addEventListener("abort", abort, { once: true });
    worker.on("message", (message: ThreadMessage) => {
      if (message.kind === "progress") hooks.onProgress(message.progress);
      else outcome = message.outcome;
    });
    worker.on("error", (error: Error & { code?: string }) => {
      hooks.signal.removeEventListener("abort", abort);
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
        resolve({ kind: "failed", error: { code: "document_limit", message: `importing the document needed more than ${heapMb} MB of memory` }, warnings: [] });
      } else reject(error);
    });
    worker.on("exit", (code) => {
      hooks.signal.removeEventListener("abort", abort);
      if (outcome) resolve(outcome);
      else reject(new Error(`the import thread exited (code ${code}) without an outcome`));
    });
  });
}

/**
 * An uploaded document moves to the thread instead of being copied (structured clone would
 * hold it twice): when it is a view of a whole ArrayBuffer of its own, as the store reads it.
 */
function transferable(source: ImportSource): ArrayBuffer[] {
  if (source.kind !== "content" || typeof source.content === "string") return [];
  const { buffer, byteOffset, byteLength } = source.content;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : [];
}
