import type { Gateway } from "../gateway/index.js";
import { batchHandler, importHandler, type BatchHandlerOptions, type JobHandlers } from "../jobs/index.js";
import type { DriftSetup } from "../services/drift-setup.js";
import { InvokeService, type InvokeServiceOptions } from "../services/invoke.js";
import type { Store } from "../store/index.js";

/**
 * The job handlers every process that runs jobs uses. Batches go through the given gateway,
 * so that in one process batches and single invokes share one rate limiter.
 */
export function jobHandlers(
  store: Store,
  gateway: Gateway,
  options: {
    allowPrivateImports: boolean;
    maxDocumentBytes: number;
    env: NodeJS.ProcessEnv;
    /** Drift checks and alert deliveries run with this process's drift and alert services. */
    drift: DriftSetup;
    batches?: Omit<BatchHandlerOptions, "invoke">;
    /** What batch items' invokes report to (traffic drift). */
    invoke?: InvokeServiceOptions;
  },
): JobHandlers {
  return {
    import: importHandler({ allowPrivateNetwork: options.allowPrivateImports, maxDocumentBytes: options.maxDocumentBytes, env: options.env }),
    batch: batchHandler({ invoke: new InvokeService(store, gateway, options.invoke), ...options.batches }),
    ...options.drift.handlers,
  };
}
