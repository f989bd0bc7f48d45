import { z } from "zod";
import { DriftCheckRequestSchema, problemTypes, problemTypeUri, SlugSchema } from "../../contract/index.js";
import type { DriftService } from "../../services/drift.js";
import type { JobHandler } from "../types.js";

/** What a `drift_check` job carries: the integration, and optionally a source other than the recorded one. */
export const DriftCheckPayloadSchema = z.object({
  integration: SlugSchema,
  source: DriftCheckRequestSchema.shape.source,
  format: DriftCheckRequestSchema.shape.format,
});
export type DriftCheckPayload = z.infer<typeof DriftCheckPayloadSchema>;

export interface DriftCheckHandlerOptions {
  drift: DriftService;
}

/**
 * Runs one drift check (what a schedule fires, and what `drift check` runs synchronously
 * through the same service). Its result is the check's: the report and proposal, if any.
 */
export function driftCheckHandler(options: DriftCheckHandlerOptions): JobHandler {
  return async ({ job, signal, progress }) => {
    const parsed = DriftCheckPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return { kind: "failed", error: jobProblem(`the drift check's payload is not valid: ${parsed.error.issues[0]?.message ?? "unknown shape"}`) };
    const { integration, source, format } = parsed.data;
    progress({ stage: "scraping" });
    const outcome = await options.drift.check(job.tenantId, integration, { actor: `job:${job.id}`, signal, ...(source ? { source } : {}), ...(format ? { format } : {}) });
    switch (outcome.kind) {
      case "checked":
        return { kind: "succeeded", result: outcome.result };
      case "missing":
        return { kind: "failed", error: jobProblem(`the ${outcome.what} of "${integration}" is gone; remove its drift schedule or import it again`) };
      case "no-source":
        return { kind: "failed", error: jobProblem(outcome.message) };
      case "failed":
        return { kind: "failed", error: outcome.problem, retryable: outcome.retryable };
    }
  };
}

function jobProblem(detail: string) {
  return { type: problemTypeUri("job-failed"), title: problemTypes["job-failed"].title, status: problemTypes["job-failed"].status, detail };
}
