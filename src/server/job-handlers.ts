import type { Gateway } from "../gateway/index.js";
import { batchHandler, importHandler, type BatchHandlerOptions, type JobHandlers } from "../jobs/index.js";
import { InvokeService } from "../services/invoke.js";
import type { Store } from "../store/index.js";

/**
 * The job handlers every process that runs jobs uses. Batches go through the given gateway,
 * so that in one process batches and single invokes share one rate limiter.
 */
export function jobHandlers(
  store: Store,
  gateway: Gateway,
  options: { allowPrivateImports: boolean; maxDocumentBytes: number; env: NodeJS.ProcessEnv; batches?: Omit<BatchHandlerOptions, "invoke"> },
): JobHandlers {
  return {
    import: importHandler({ allowPrivateNetwork: options.allowPrivateImports, maxDocumentBytes: options.maxDocumentBytes, env: options.env }),
    batch: batchHandler({ invoke: new InvokeService(store, gateway), ...options.batches }),
  };
}
