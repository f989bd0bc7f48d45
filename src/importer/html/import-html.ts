import type { ActionDefinition } from "../../contract/integrations.js";
import { authByMajority } from "../auth.js";
import { definitionHash } from "../../lib/definition-hash.js";
import { assemble } from "../assemble.js";
import type { Context } from "../context.js";
import { extractWithLlm } from "../llm.js";
import type { LlmExtraction } from "../llm.js";
import type { ApiModel, OperationModel, ParamIn, ParamModel } from "../model.js";
import { importRoot } from "../pipeline.js";
import type { RootDocument } from "../pipeline.js";
import { ImportFailure, fail } from "../problem.js";
import { NO_DEFS } from "../schema-convert.js";
import type { ImportLocation, ImportOutcome, ImportProblem } from "../types.js";
import { isRecord } from "../util.js";
import type { JsonObject } from "../util.js";
import { configScripts, discoverSpecs, swaggerUiUrls } from "./discover.js";
import type { SpecCandidate } from "./discover.js";
import { commonOrigin, findEndpoints, statedBaseUrl, toOperations } from "./heuristics.js";
import { readPage } from "./page.js";
import { importSite } from "../crawl/site.js";
import type { Page } from "./page.js";

/** Spec links tried per page before falling back to the page text. */
const MAX_CANDIDATES = 5;

/**
 * An HTML documentation page: import the spec its renderer loads when one can be found;
 * otherwise extract endpoints from the page (heuristics, plus the LLM when configured).
 */
export async function importHtml(root: RootDocument, ctx: Context): Promise<ImportOutcome> {
  ctx.progress({ stage: "parsing", message: "HTML page" });
  const page = readPage(root.text);
  const pageUrl = httpUrl(root.id);
  const base = pageUrl && page.baseHref ? (resolveUrl(page.baseHref, pageUrl) ?? pageUrl) : pageUrl;
  const { candidates, inline } = discoverSpecs(page);
  const failures: ImportProblem[] = [];
  if (candidates.length === 0 && inline.length === 0) candidates.push(...(await specsInConfigScripts(page, base, ctx)));

  const attempt = async (spec: RootDocument, discoveredFrom: string): Promise<ImportOutcome | null> => {
    try {
      const outcome = await importRoot(spec, ctx, "auto", false);
      if (outcome.kind !== "imported") return null;
      return {
        ...outcome,
        discoveredFrom,
        stats: { ...outcome.stats, documents: outcome.stats.documents + 1, bytes: outcome.stats.bytes + root.contentBytes },
      };
    } catch (error) {
      if (!(error instanceof ImportFailure) || error.problem.code === "aborted") throw error;
      failures.push(error.problem);
      ctx.warnings.add("spec_candidate_failed", `spec at ${discoveredFrom} could not be imported: ${error.problem.message}`, error.problem.location);
      return null;
    } finally {
      ctx.sourceName = root.display;
    }
  };

  for (const spec of inline) {
    const id = base ?? root.id;
    const outcome = await attempt({ id, display: `${root.display} (inline spec, ${spec.via})`, text: JSON.stringify(spec.value), contentBytes: 0 }, `${root.display}#inline`);
    if (outcome) return outcome;
  }
  const tried = candidates.slice(0, MAX_CANDIDATES);
  for (let index = 0; index < tried.length; index++) {
    const candidate = tried[index]!;
    const url = base ? resolveUrl(candidate.url, base) : httpUrl(candidate.url);
    if (!url) {
      ctx.warnings.add("spec_link_unresolved", `the page links a spec at ${JSON.stringify(candidate.url)} (${candidate.via}), but the page has no URL to resolve it against; scrape the page by its URL rather than a saved copy (library option: baseUrl)`, { source: root.display });
      continue;
    }
    ctx.progress({ stage: "fetching", message: url });
    let fetched;
    try {
      fetched = await ctx.fetcher.get(url, `spec linked from the page (${candidate.via})`);
    } catch (error) {
      if (!(error instanceof ImportFailure) || error.problem.code === "aborted") throw error;
      failures.push(error.problem);
      ctx.warnings.add("spec_candidate_failed", `spec at ${url} could not be fetched: ${error.problem.message}`, error.problem.location);
      continue;
    }
    const text = new TextDecoder().decode(fetched.bytes);
    // Swagger UI's `configUrl` names a config document (`swagger-config.json`), not a spec: follow the spec URLs in it.
    const named = candidate.via === "swagger-ui" ? swaggerConfigUrls(text) : [];
    if (named.length > 0) {
      for (const spec of named) if (tried.length < MAX_CANDIDATES + 2 && !tried.some((known) => known.url === spec)) tried.push({ url: spec, via: "swagger-ui" });
      continue;
    }
    const outcome = await attempt({ id: fetched.url, display: fetched.url, text, contentBytes: 0, contentType: fetched.contentType }, url);
    if (outcome) return outcome;
  }
  return importFromPage(page, root, pageUrl, ctx, failures);
}

/** Spec URLs of a Swagger UI config document (`{ url }` or `{ urls: [{ url, name }] }`, no `openapi`/`swagger` key); empty for anything else. */
function swaggerConfigUrls(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(value) || "openapi" in value || "swagger" in value || "paths" in value) return [];
  const urls = Array.isArray(value["urls"]) ? value["urls"].flatMap((entry) => (isRecord(entry) && typeof entry["url"] === "string" ? [entry["url"]] : [])) : [];
  return typeof value["url"] === "string" ? [value["url"], ...urls] : urls;
}

/**
 * Stock Swagger UI (swagger-ui-dist ≥ 4.9) keeps its configuration out of index.html, in
 * `swagger-initializer.js`: fetched (as text, never run) and read for `url`/`urls`. Relative
 * URLs in it resolve against the page, as the browser's fetch would.
 */
async function specsInConfigScripts(page: Page, base: string | undefined, ctx: Context): Promise<SpecCandidate[]> {
  const found: SpecCandidate[] = [];
  for (const src of configScripts(page)) {
    const url = base ? resolveUrl(src, base) : httpUrl(src);
    if (!url) continue;
    ctx.progress({ stage: "fetching", message: url });
    let script: string;
    try {
      script = new TextDecoder().decode((await ctx.fetcher.get(url, "the docs page's Swagger UI configuration script", "application/javascript, text/javascript, */*;q=0.5")).bytes);
    } catch (error) {
      if (!(error instanceof ImportFailure) || error.problem.code === "aborted") throw error;
      ctx.warnings.add("spec_candidate_failed", `configuration script ${url} could not be fetched: ${error.problem.message}`, error.problem.location);
      continue;
    }
    for (const spec of swaggerUiUrls(script)) if (!found.some((known) => known.url === spec)) found.push({ url: spec, via: "swagger-ui" });
  }
  return found;
}

async function importFromPage(page: Page, root: RootDocument, pageUrl: string | undefined, ctx: Context, failures: ImportProblem[]): Promise<ImportOutcome> {
  if (ctx.options.crawl && pageUrl) return importSite({ url: pageUrl, page }, root, ctx);
  ctx.progress({ stage: "normalising", message: "extracting endpoints from the page" });
  const location: ImportLocation = { source: root.display };
  const endpoints = findEndpoints(page);
  const llm = ctx.options.llm ? await extractWithLlm(page.text, pageUrl, ctx.options.llm, ctx) : null;
  let base = ctx.options.serverUrl ?? statedBaseUrl(page) ?? commonOrigin(endpoints);
  if (base === undefined && llm?.baseUrl && httpUrl(llm.baseUrl)) base = llm.baseUrl;
  base = base?.replace(/\/+$/, "");
  const { operations: found, elsewhere } = toOperations(endpoints, base, location);
  if (elsewhere > 0) ctx.warnings.add("skipped_operation", `${elsewhere} endpoints on the page are on another host than ${base ?? "(none)"} or have no base URL; skipped`, location);

  // The LLM's reading wins where both found the same operation: it carries richer schemas.
  const byKey = new Map<string, OperationModel>();
  for (const op of found) byKey.set(operationKey(op), op);
  for (const op of llm ? llmOperations(llm, base ?? "", location, ctx) : []) {
    const key = operationKey(op);
    const heuristic = byKey.get(key);
    if (heuristic && op.summary === undefined && heuristic.summary !== undefined) op.summary = heuristic.summary;
    byKey.set(key, op);
  }
  const operations = [...byKey.values()];
  if (operations.length === 0) {
    const first = failures[0];
    if (first) throw new ImportFailure(first);
    fail(
      "no_spec_found",
      ctx.options.llm
        ? "the page links no spec, and neither the heuristics nor the LLM found endpoints on it"
        : "the page links no spec and no endpoints were recognised on it; to extract endpoints from prose, set WAYGATE_LLM_URL and WAYGATE_LLM_MODEL (and WAYGATE_LLM_API_KEY if needed) in the environment of the Waygate server that runs the import (not the CLI's), or scrape the spec's URL directly",
      location,
    );
  }
  // The page's curl examples show how it authenticates: a guess, so always marked unverified.
  const auth = authByMajority(endpoints.flatMap((endpoint) => (endpoint.auth ? [{ scheme: endpoint.auth, inferred: true }] : [])));
  const api: ApiModel = {
    title: page.title,
    baseUrl: base ?? null,
    authSchemes: auth.schemes,
    authDeclared: false,
    authUnverified: true,
    operations,
    skippedOperations: elsewhere,
    defs: NO_DEFS,
  };
  ctx.warnings.add("extracted_from_html", `${operations.length} operations were extracted from the page text, not from a spec; review them`, location);
  const assembled = assemble(api, ctx);
  return {
    kind: "imported",
    definition: assembled.definition,
    contentHash: definitionHash(assembled.definition),
    format: "html",
    warnings: ctx.warnings.toArray(),
    stats: {
      operations: operations.length + elsewhere,
      actions: assembled.definition.actions.length,
      documents: 1,
      bytes: root.contentBytes + ctx.fetcher.bytes,
      refs: 0,
      schemas: assembled.schemas,
    },
  };
}

/**
 * LLM actions as operations under `base`: their paths are relative to the LLM's base URL, so
 * they are rebased onto ours, or dropped (with a warning) when that is another host.
 */
export function llmOperations(llm: LlmExtraction, base: string, location: ImportLocation, ctx: Context): OperationModel[] {
  const llmBase = llm.baseUrl?.replace(/\/+$/, "");
  let prefix = "";
  if (llmBase && llmBase !== base) {
    if (llmBase.startsWith(base + "/")) prefix = llmBase.slice(base.length);
    else {
      ctx.warnings.add("skipped_operation", `${llm.actions.length} LLM actions are relative to ${llmBase}, not ${base}; skipped`, location);
      return [];
    }
  }
  return llm.actions.map((action) => actionToOperation({ ...action, path: prefix + action.path }, location));
}

/** One operation whatever its path placeholders are called. */
export function operationKey(op: OperationModel): string {
  return `${op.method} ${op.path.replace(/\{[^}]*\}/g, "{}")}`;
}

/** An LLM action back into the format-neutral model, so it is assembled like every other source. */
function actionToOperation(action: ActionDefinition, location: ImportLocation): OperationModel {
  const input = action.inputSchema;
  const properties = isRecord(input["properties"]) ? input["properties"] : {};
  const required = new Set(Array.isArray(input["required"]) ? input["required"].filter((n): n is string => typeof n === "string") : []);
  const params: ParamModel[] = [];
  const bodyProperties: JsonObject = {};
  let wholeBody: OperationModel["body"] = null;
  for (const [name, raw] of Object.entries(properties)) {
    if (!isRecord(raw)) continue;
    const { "x-waygate-in": where, "x-waygate-content-type": contentType, ...schema } = raw;
    if (where === "body") {
      if (typeof contentType === "string") wholeBody = { contentType, schema, required: required.has(name) };
      else bodyProperties[name] = schema;
    } else params.push({ name, in: where as ParamIn, required: where === "path" || required.has(name), schema });
  }
  const bodyNames = Object.keys(bodyProperties);
  const body =
    wholeBody ??
    (bodyNames.length > 0
      ? { contentType: "application/json", schema: { type: "object", properties: bodyProperties, ...(bodyNames.some((n) => required.has(n)) ? { required: bodyNames.filter((n) => required.has(n)) } : {}) }, required: true }
      : null);
  return {
    method: action.method,
    path: action.path,
    tags: action.tags,
    summary: action.summary,
    description: action.description,
    deprecated: action.deprecated,
    params,
    body,
    responses: action.outputSchema ? [{ status: "200", contentType: "application/json", schema: action.outputSchema, headers: [] }] : [],
    location,
    nameHint: action.name.split("."),
  };
}

function httpUrl(id: string): string | undefined {
  try {
    const url = new URL(id);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function resolveUrl(reference: string, base: string): string | undefined {
  try {
    return httpUrl(new URL(reference, base).href);
  } catch {
    return undefined;
  }
}
