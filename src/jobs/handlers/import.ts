import { createHash } from "node:crypto";
import { problemTypes, problemTypeUri, type ImportResult, type Problem } from "../../contract/index.js";
import type { ImportOutcome, ImportProblem, ImportSource } from "../../importer/index.js";
import { SealError } from "../../lib/sealer.js";
import { splitUrlCredentials } from "../../lib/url-credentials.js";
import { sourceSealContext, type ClaimedJob, type Store } from "../../store/index.js";
import type { HandlerOutcome, JobHandler } from "../types.js";
import { checkReplacement } from "../../services/rescrape.js";
import { DefinitionHashes, VersionService } from "../../services/versions.js";
import { decodeImportPayload, sealContext, SealedUrlSourceSchema, type ImportSettings } from "./import-payload.js";
import { headerSecrets, ImportRedaction } from "./import-redaction.js";
import { runImport, type ImportProcess } from "./import-runner.js";
import { openScrapeLlm } from "./llm-page-cache.js";

export interface ImportHandlerOptions {
  /** Whether URL sources (and $refs) may point at loopback/private addresses. */
  allowPrivateNetwork: boolean;
  /** Largest document accepted, in bytes. */
  maxDocumentBytes: number;
  /** Where the LLM settings come from; they reach the import process in its options, not its environment. */
  env: NodeJS.ProcessEnv;
  /** The child process imports run in; default the built one (tests of the sources run in-process). */
  importProcess?: ImportProcess | null;
}

/** Import failures that a second attempt may fix: the network, not the document. */
const TRANSIENT = new Set(["fetch_failed", "timeout"]);

/**
 * Runs the importer and stores its definition as the integration's next version, in one
 * transaction: a failed import leaves nothing behind. Everything it reports goes through
 * the job's redaction: no secret of the request is kept in the job row.
 */
export function importHandler(options: ImportHandlerOptions): JobHandler {
  return async ({ job, store, signal, progress }) => {
    const prepared = await prepareSource(job, store);
    if (prepared.kind === "failed") return prepared;
    const { request, source, redaction, shownUrl } = prepared;
    const llm = await openScrapeLlm(store, job.tenantId, source, options.env);
    let outcome: ImportOutcome;
    try {
      outcome = await runImport(
        {
          source,
          options: {
            format: request.format,
            ...(request.slug ? { slug: request.slug } : {}),
            ...(request.name ? { name: request.name } : {}),
            ...(request.serverUrl ? { serverUrl: request.serverUrl } : {}),
            ...(request.serverVariables ? { serverVariables: request.serverVariables } : {}),
            allowDanglingRefs: request.allowDanglingRefs === true,
            allowPrivateNetwork: options.allowPrivateNetwork && request.privateImports !== false,
            limits: { maxDocumentBytes: options.maxDocumentBytes },
            llm: llm.config,
            ...(llm.previous ? { llmCache: llm.previous } : {}),
            // A docs URL whose page links no spec is crawled unless the request said not to.
            ...(source.kind === "url" ? { crawl: request.crawl ?? {} } : {}),
          },
        },
        {
          onProgress: (p) =>
            progress({ stage: p.stage, ...(p.done === undefined ? {} : { done: p.done }), ...(p.total === undefined ? {} : { total: p.total }), ...(p.message ? { message: redaction.text(p.message) } : {}) }),
          signal,
        },
        ...(options.importProcess === undefined ? [] : [options.importProcess]),
      );
    } catch (error) {
      throw redaction.error(error);
    }
    if (outcome.kind === "failed") {
      return { kind: "failed", error: redaction.json(importProblem(outcome.error)), retryable: TRANSIENT.has(outcome.error.code) };
    }
    progress({ stage: "saving", total: outcome.definition.actions.length });
    // A re-scrape that breaks the current version or looks like another API waits as a draft for a person.
    const hashes = new DefinitionHashes(outcome.definition, outcome.contentHash);
    const check = request.draft || request.publish ? ({ kind: "safe" } as const) : await checkReplacement(store, job.tenantId, outcome.definition, hashes);
    // Read from prose rather than a spec: a person reviews it (waygate versions review) before it goes live, unless --publish.
    const fromProse = outcome.format === "html" && !request.publish;
    // Keyed by the job: run again after a crash between saving and completing, it finds what it saved.
    const saved = await new VersionService(store).create(job.tenantId, {
      definition: outcome.definition,
      hashes,
      actor: `import:${job.id}`,
      requestKey: `import:${job.id}`,
      draft: request.draft || check.kind === "risky" || fromProse,
    });
    if (saved.kind !== "saved") {
      const kind = saved.kind === "contended" ? "conflict" : "import-failed";
      const problem = { type: problemTypeUri(kind), title: problemTypes[kind].title, status: problemTypes[kind].status, detail: saved.message };
      return { kind: "failed", error: redaction.json(problem), retryable: saved.kind === "contended" };
    }
    await llm.keep(outcome);
    if (source.kind === "url") await rememberSource(store, job.tenantId, saved.integration.slug, request, source, shownUrl ?? splitUrlCredentials(source.url).display);
    const result: ImportResult = {
      integration: saved.integration.slug,
      version: saved.version,
      created: saved.created,
      status: saved.status,
      actionCount: outcome.definition.actions.length,
      contentHash: saved.contentHash,
      format: outcome.formatVersion ? `${outcome.format} ${outcome.formatVersion}` : outcome.format,
      ...(outcome.discoveredFrom ? { discoveredFrom: outcome.discoveredFrom } : {}),
      warnings: outcome.warnings,
      ...(outcome.stats.llm ? { llm: { ...outcome.stats.llm, ...llmCost(outcome.stats.llm, options.env) } } : {}),
      ...(check.kind === "risky" && saved.created && saved.status === "draft" ? { heldAsDraft: { current: check.current, reasons: check.reasons, diff: check.diff } } : {}),
    };
    return { kind: "succeeded", result: redaction.json(result) };
  };
}

type Prepared =
  | { kind: "ready"; request: ImportSettings; source: ImportSource; redaction: ImportRedaction; shownUrl?: string }
  | Extract<HandlerOutcome, { kind: "failed" }>;

/** The import's source as the importer takes it: the sealed URL opened, the uploaded document read back and checked. */
async function prepareSource(job: ClaimedJob, store: Store): Promise<Prepared> {
  const payload = decodeImportPayload(job.payload);
  if ("legacy" in payload) {
    const { source, ...request } = payload.legacy;
    const legacySource: ImportSource = "url" in source ? { kind: "url", url: source.url } : { kind: "content", content: source.content, ...(source.filename ? { filename: source.filename } : {}) };
    return { kind: "ready", request, source: legacySource, redaction: new ImportRedaction("url" in source ? splitUrlCredentials(source.url).secrets : []) };
  }
  const { source, ...request } = payload;
  if (source.kind === "url") {
    if (!source.sealed) return { kind: "ready", request, source: { kind: "url", url: source.url }, redaction: new ImportRedaction([]), shownUrl: source.url };
    let opened;
    try {
      opened = SealedUrlSourceSchema.parse(JSON.parse((await store.sealer()).open(source.sealed, sealContext(job.id))));
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      return { kind: "failed", error: jobProblem(`the import's sealed URL cannot be opened: ${error.message}`) };
    }
    // The URL's user info went into a header already; its secret query values stay in it.
    const secrets = [...headerSecrets(opened.headers), ...splitUrlCredentials(opened.url).secrets];
    return { kind: "ready", request, source: { kind: "url", url: opened.url, headers: opened.headers }, redaction: new ImportRedaction(secrets), shownUrl: source.url };
  }
  const document = await store.jobs.documents.read(job.id, source.bytes);
  if (!document) return { kind: "failed", error: jobProblem("the uploaded document is no longer stored") };
  const digest = createHash("sha256").update(document).digest("hex");
  if (digest !== source.sha256) return { kind: "failed", error: jobProblem("the stored document differs from the one uploaded (SHA-256 mismatch)") };
  return { kind: "ready", request, source: { kind: "content", content: document, ...(source.filename ? { filename: source.filename } : {}) }, redaction: new ImportRedaction([]) };
}

/**
 * Remembers where the integration came from, so that a drift check can scrape it again with
 * the same settings. The URL's secrets (user info, secret query values, headers) stay sealed,
 * now bound to the integration instead of the job.
 */
async function rememberSource(store: Store, tenantId: string, slug: string, request: ImportSettings, source: Extract<ImportSource, { kind: "url" }>, shownUrl: string): Promise<void> {
  const integration = await store.integrations.find(tenantId, slug);
  if (!integration) return;
  const hasSecrets = shownUrl !== source.url || Object.keys(source.headers ?? {}).length > 0;
  const sealed = hasSecrets ? (await store.sealer()).seal(JSON.stringify({ url: source.url, headers: source.headers ?? {} }), sourceSealContext(integration.id)) : null;
  await store.drift.saveSource(integration.id, {
    url: shownUrl,
    sealed,
    format: request.format,
    serverUrl: request.serverUrl ?? null,
    serverVariables: request.serverVariables ?? null,
    crawl: request.crawl ?? null,
  });
}

function jobProblem(detail: string): Problem {
  return { type: problemTypeUri("job-failed"), title: problemTypes["job-failed"].title, status: problemTypes["job-failed"].status, detail };
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

/** USD, from the operator's prices per million tokens, when both are configured. */
function llmCost(usage: { inputTokens: number; outputTokens: number }, env: NodeJS.ProcessEnv): { costUsd: number } | Record<string, never> {
  const input = Number(env["WAYGATE_LLM_INPUT_COST"]);
  const output = Number(env["WAYGATE_LLM_OUTPUT_COST"]);
  if (!env["WAYGATE_LLM_INPUT_COST"] || !env["WAYGATE_LLM_OUTPUT_COST"] || !Number.isFinite(input) || !Number.isFinite(output)) return {};
  return { costUsd: Math.round((usage.inputTokens * input + usage.outputTokens * output) / 100) / 10_000 };
}
