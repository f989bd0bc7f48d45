import { ImportRequestSchema, problemTypes, problemTypeUri, type ImportResult, type Problem } from "../../contract/index.js";
import type { ImportProblem } from "../../importer/index.js";
import type { JobHandler } from "../types.js";
import { llmConfigFromEnv } from "../../importer/llm-config.js";
import { runImport } from "./import-runner.js";

export interface ImportHandlerOptions {
  /** Whether URL sources (and $refs) may point at loopback/private addresses. */
  allowPrivateNetwork: boolean;
  /** Largest document accepted, in bytes. */
  maxDocumentBytes: number;
  env: NodeJS.ProcessEnv;
}

/** Import failures that a second attempt may fix: the network, not the document. */
const TRANSIENT = new Set(["fetch_failed", "timeout"]);

/**
 * Runs the importer and stores its definition as the integration's next version, in one
 * transaction: a failed import leaves nothing behind.
 */
export function importHandler(options: ImportHandlerOptions): JobHandler {
  return async ({ job, store, signal, progress }) => {
    const request = ImportRequestSchema.parse(job.payload);
    const source =
      "url" in request.source
        ? ({ kind: "url", url: request.source.url } as const)
        : { kind: "content" as const, content: request.source.content, ...(request.source.filename ? { filename: request.source.filename } : {}) };
    const outcome = await runImport(
      {
        source,
        options: {
          format: request.format,
          ...(request.slug ? { slug: request.slug } : {}),
          ...(request.name ? { name: request.name } : {}),
          allowPrivateNetwork: options.allowPrivateNetwork,
          limits: { maxDocumentBytes: options.maxDocumentBytes },
          llm: llmConfigFromEnv(options.env),
        },
      },
      {
        onProgress: (p) => progress({ stage: p.stage, ...(p.done === undefined ? {} : { done: p.done }), ...(p.total === undefined ? {} : { total: p.total }), ...(p.message ? { message: p.message } : {}) }),
        signal,
      },
    );
    if (outcome.kind === "failed") {
      return { kind: "failed", error: importProblem(outcome.error), retryable: TRANSIENT.has(outcome.error.code) };
    }
    progress({ stage: "saving", total: outcome.definition.actions.length });
    const saved = await store.versions.save(job.tenantId, outcome.definition, {
      contentHash: outcome.contentHash,
      createdBy: `import:${job.id}`,
      draft: request.draft,
    });
    const result: ImportResult = {
      integration: saved.integration.slug,
      version: saved.version,
      created: saved.created,
      status: saved.status,
      actionCount: outcome.definition.actions.length,
      contentHash: outcome.contentHash,
      format: outcome.formatVersion ? `${outcome.format} ${outcome.formatVersion}` : outcome.format,
      ...(outcome.discoveredFrom ? { discoveredFrom: outcome.discoveredFrom } : {}),
      warnings: outcome.warnings,
    };
    return { kind: "succeeded", result };
  };
}

function importProblem(error: ImportProblem): Problem {
  const where = error.location
    ? ` (${error.location.source}${error.location.line ? `:${error.location.line}${error.location.column ? `:${error.location.column}` : ""}` : ""}${error.location.pointer ? ` at ${error.location.pointer}` : ""})`
    : "";
  return {
    type: problemTypeUri("import-failed"),
    title: problemTypes["import-failed"].title,
    status: problemTypes["import-failed"].status,
    detail: error.message + where,
    code: error.code,
    ...(error.location ? { location: error.location } : {}),
  };
}
