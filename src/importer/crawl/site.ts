import { assemble } from "../assemble.js";
import type { Context } from "../context.js";
import { definitionHash } from "../../lib/definition-hash.js";
import { findEndpoints } from "../html/heuristics.js";
import type { Page } from "../html/page.js";
import { createHash } from "node:crypto";
import { LLM_PROMPT_VERSION, LlmClient } from "../llm.js";
import type { LlmExtraction } from "../llm.js";
import type { ApiModel, OperationModel } from "../model.js";
import type { RootDocument } from "../pipeline.js";
import { fail } from "../problem.js";
import { NO_DEFS } from "../schema-convert.js";
import type { ImportOutcome, LlmUsage } from "../types.js";
import { crawlSite, resolveCrawl } from "./crawler.js";
import type { CrawledPage } from "./crawler.js";
import { mergeEndpoints, siteAuth, siteBaseUrl } from "./merge.js";
import type { PageEndpoint } from "./merge.js";
import { llmOperations, operationKey } from "../html/import-html.js";

/** Pages the LLM read before (by pageHash), and those this run used: what the caller keeps for the next run. */
interface LlmCache {
  previous: Record<string, LlmExtraction>;
  used: Record<string, LlmExtraction>;
  usage: (LlmUsage & { pagesCached: number }) | undefined;
}

/**
 * A docs site without a spec: crawl it from the page the user named, extract endpoints from
 * every page (heuristics, then the LLM when configured), merge them into one API, and mark
 * each action with where it came from and how sure we are.
 */
export async function importSite(start: { url: string; page: Page }, root: RootDocument, ctx: Context): Promise<ImportOutcome> {
  const limits = resolveCrawl(ctx.options.crawl ?? {});
  const found: PageEndpoint[] = [];
  const crawl = await crawlSite(start, limits, ctx, (crawled: CrawledPage) => {
    const endpoints = findEndpoints(crawled.page);
    for (const endpoint of endpoints) found.push({ endpoint, page: crawled.url });
    return endpoints.length;
  });
  const location = { source: root.display };
  if (crawl.stoppedBy) {
    const value = { maxPages: limits.maxPages, maxBytes: `${limits.maxBytes} bytes`, maxTimeMs: `${limits.maxTimeMs} ms` }[crawl.stoppedBy];
    ctx.warnings.add("crawl_limit", `the crawl stopped at its ${crawl.stoppedBy} limit (${value}) after ${crawl.pages.length} pages; raise it (--max-pages) or narrow the crawl (--include/--exclude) to read the rest`, location);
  }
  if (crawl.disallowed > 0) ctx.warnings.add("crawl_robots", `${crawl.disallowed} linked pages were not read: robots.txt disallows them`, location);

  const base = (ctx.options.serverUrl ?? siteBaseUrl(crawl.pages, found))?.replace(/\/+$/, "");
  if (base === undefined) {
    fail("no_base_url", `${crawl.pages.length} docs pages were read, but none states the API's base URL and no example uses an absolute URL; pass --server-url URL`, location);
  }
  const merged = mergeEndpoints(found, base);
  if (merged.elsewhere > 0) ctx.warnings.add("skipped_operation", `${merged.elsewhere} endpoints in the docs are on another host than ${base}; skipped`, location);

  let operations = merged.operations;
  const cache: LlmCache = { previous: ctx.options.llmCache ?? {}, used: {}, usage: undefined };
  if (ctx.options.llm) operations = await withLlm(operations, crawl.pages, base, ctx, cache);
  if (operations.length === 0) {
    fail(
      "no_spec_found",
      `${crawl.pages.length} docs pages were read and no endpoints were recognised on them${ctx.options.llm ? ", by the heuristics or the LLM" : "; to extract endpoints from prose, configure an LLM on the Waygate server (WAYGATE_LLM_URL, WAYGATE_LLM_MODEL)"}`,
      location,
    );
  }
  const auth = siteAuth(crawl.pages, found);
  if (auth.source) ctx.warnings.add("auth_from_docs", `auth read from ${auth.source}; check it (waygate versions review)`, { source: auth.source });
  const api: ApiModel = {
    title: start.page.title,
    baseUrl: base,
    authSchemes: auth.schemes,
    authDeclared: false,
    authUnverified: auth.unverified,
    operations,
    skippedOperations: merged.elsewhere,
    defs: NO_DEFS,
  };
  ctx.warnings.add("extracted_from_html", `${operations.length} operations were extracted from ${crawl.pages.length} docs pages, not from a spec; review them (waygate versions review)`, location);
  const assembled = assemble(api, ctx);
  return {
    kind: "imported",
    definition: assembled.definition,
    contentHash: definitionHash(assembled.definition),
    format: "html",
    warnings: ctx.warnings.toArray(),
    stats: {
      operations: operations.length + merged.elsewhere,
      actions: assembled.definition.actions.length,
      documents: crawl.pages.length,
      bytes: root.contentBytes + ctx.fetcher.bytes,
      refs: 0,
      schemas: assembled.schemas,
      ...(cache.usage ? { llm: cache.usage } : {}),
    },
    ...(ctx.options.llm ? { llmCache: cache.used } : {}),
  };
}

/**
 * Each page's text to the LLM as well: where it and the heuristics found the same operation,
 * the LLM's reading (richer schemas) wins, keeping the heuristics' provenance and summary. A
 * page whose text was read before (same model, same text) is answered from the cache and not
 * sent again. Any LLM failure fails the import: half the site read by the model and half not
 * would be a version nobody asked for.
 */
async function withLlm(operations: OperationModel[], pages: readonly CrawledPage[], base: string, ctx: Context, cache: LlmCache): Promise<OperationModel[]> {
  const llm = ctx.options.llm!;
  const client = new LlmClient(llm, ctx);
  const byKey = new Map(operations.map((op) => [operationKey(op), op]));
  let cached = 0;
  for (const crawled of pages) {
    ctx.checkAborted();
    const hash = pageHash(llm.model, crawled.page.text);
    let extraction = cache.previous[hash];
    if (extraction) cached++;
    else extraction = await client.extract(crawled.page.text, crawled.url);
    cache.used[hash] = extraction;
    ctx.progress({ stage: "extracting", done: client.usage.pagesSent + cached, total: pages.length, message: `LLM: ${client.usage.pagesSent} pages sent, ${cached} cached` });
    for (const op of llmOperations(structuredClone(extraction), base, { source: crawled.url }, ctx)) {
      const key = operationKey(op);
      const heuristic = byKey.get(key);
      op.summary ??= heuristic?.summary;
      op.provenance = heuristic?.provenance
        ? { ...heuristic.provenance, doubts: heuristic.provenance.doubts.filter((doubt) => !doubt.startsWith("request body")) }
        : { source: crawled.url, confidence: 0.7, doubts: [`found by the LLM (${llm.model}) only`], fields: {} };
      byKey.set(key, op);
    }
  }
  cache.usage = { ...client.usage, pagesCached: cached };
  return [...byKey.values()];
}

/** The cache key of a page for the LLM: the model and the exact text it would be sent (SHA-256). */
export function pageHash(model: string, text: string): string {
  return createHash("sha256").update(`${LLM_PROMPT_VERSION}\n${model}\n${text}`).digest("hex");
}
