import { assemble } from "../assemble.js";
import type { Context } from "../context.js";
import { definitionHash } from "../hash.js";
import { findEndpoints } from "../html/heuristics.js";
import type { Page } from "../html/page.js";
import { extractWithLlm } from "../llm.js";
import type { ApiModel, OperationModel } from "../model.js";
import type { RootDocument } from "../pipeline.js";
import { fail } from "../problem.js";
import { NO_DEFS } from "../schema-convert.js";
import type { ImportOutcome } from "../types.js";
import { crawlSite, resolveCrawl } from "./crawler.js";
import type { CrawledPage } from "./crawler.js";
import { mergeEndpoints, siteAuth, siteBaseUrl } from "./merge.js";
import type { PageEndpoint } from "./merge.js";
import { llmOperations, operationKey } from "../html/import-html.js";

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
  if (ctx.options.llm) operations = await withLlm(operations, crawl.pages, base, ctx);
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
    },
  };
}

/**
 * Each page's text to the LLM as well: where it and the heuristics found the same operation,
 * the LLM's reading (richer schemas) wins, keeping the heuristics' provenance and summary.
 */
async function withLlm(operations: OperationModel[], pages: readonly CrawledPage[], base: string, ctx: Context): Promise<OperationModel[]> {
  const byKey = new Map(operations.map((op) => [operationKey(op), op]));
  for (const crawled of pages) {
    ctx.checkAborted();
    const extraction = await extractWithLlm(crawled.page.text, crawled.url, ctx.options.llm!, ctx);
    if (!extraction) continue;
    for (const op of llmOperations(extraction, base, { source: crawled.url }, ctx)) {
      const key = operationKey(op);
      const heuristic = byKey.get(key);
      op.summary ??= heuristic?.summary;
      op.provenance = heuristic?.provenance
        ? { ...heuristic.provenance, doubts: heuristic.provenance.doubts.filter((doubt) => !doubt.startsWith("request body")) }
        : { source: crawled.url, confidence: 0.7, doubts: ["found by the LLM only"], fields: {} };
      byKey.set(key, op);
    }
  }
  return [...byKey.values()];
}
