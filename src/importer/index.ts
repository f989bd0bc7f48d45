/**
 * Document importer: API documentation (OpenAPI 3.0/3.1, Swagger 2.0, Postman v2.x, or an
 * HTML docs page) → an IntegrationDefinition. A pure library: no server, job or CLI code.
 */
import { SlugSchema } from "../contract/common.js";
import { Context } from "./context.js";
import type { ResolvedOptions } from "./context.js";
import { Fetcher } from "./fetch.js";
import { resolveLimits } from "./limits.js";
import { MAX_SITEMAPS, resolveCrawl } from "./crawl/crawler.js";
import { importRoot, loadSource } from "./pipeline.js";
import { ImportFailure, Warnings, fail } from "./problem.js";
import type { CrawlOptions, ImportOptions, ImportOutcome, ImportSource } from "./types.js";

export type {
  ImportErrorCode,
  ImportFormat,
  ImportLimits,
  ImportLocation,
  ImportOptions,
  ImportOutcome,
  ImportProblem,
  ImportProgress,
  ImportSource,
  ImportStage,
  ImportStats,
  ImportWarning,
  LlmConfig,
  LlmPageExtraction,
  LlmUsage,
  CrawlOptions,
} from "./types.js";
export { DEFAULT_LIMITS } from "./limits.js";
export { llmConfigFromEnv } from "./llm-config.js";

const FORMATS = new Set(["auto", "openapi", "swagger", "postman", "html"]);
const SERVER_VARIABLE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Imports one API document. Expected failures (unreachable URL, refused address, syntax
 * error, unknown format, limits) come back as `{ kind: "failed" }` with a location; only a
 * bug throws.
 *
 * @example
 * const outcome = await importDocument({ kind: "url", url: "https://example.com/openapi.yaml" }, { llm: llmConfigFromEnv(process.env) });
 * if (outcome.kind === "imported") save(outcome.definition, outcome.contentHash);
 * else report(outcome.error.code, outcome.error.message, outcome.error.location);
 */
export async function importDocument(source: ImportSource, options: ImportOptions = {}): Promise<ImportOutcome> {
  const warnings = new Warnings();
  let fetcher: Fetcher | undefined;
  try {
    const resolved = resolveOptions(options);
    const limits = resolveLimits(options.limits);
    // Every crawled page is a document the fetcher counts (robots.txt and sitemaps too).
    if (resolved.crawl) limits.maxDocuments = Math.max(limits.maxDocuments, resolveCrawl(resolved.crawl).maxPages + 2 * MAX_SITEMAPS + 2);
    fetcher = new Fetcher({ limits, allowPrivateNetwork: resolved.allowPrivateNetwork, dispatcher: options.dispatcher, signal: options.signal, credentials: originHeaders(source) });
    const ctx = new Context({
      limits,
      warnings,
      fetcher,
      options: resolved,
      sourceName: sourceName(source),
      onProgress: options.onProgress,
      signal: options.signal,
    });
    validateSource(source);
    const root = await loadSource(source, ctx);
    const outcome = await importRoot(root, ctx, options.format ?? "auto", true);
    ctx.progress({ stage: "done" });
    return outcome;
  } catch (error) {
    if (error instanceof ImportFailure) return { kind: "failed", error: error.problem, warnings: warnings.toArray() };
    throw error;
  } finally {
    await fetcher?.closeAll();
  }
}

/** A URL source's headers, bound to its origin. */
function originHeaders(source: ImportSource): { origin: string; headers: Record<string, string> } | undefined {
  if (source?.kind !== "url" || !source.headers || Object.keys(source.headers).length === 0) return undefined;
  try {
    return { origin: new URL(source.url).origin, headers: source.headers };
  } catch {
    return undefined; // validateSource reports the URL
  }
}

function sourceName(source: ImportSource): string {
  if (source?.kind === "url") return String(source.url);
  if (source?.kind === "content") return source.filename ?? "(content)";
  return "(source)";
}

function validateSource(source: ImportSource): void {
  if (source?.kind === "url") {
    if (typeof source.url !== "string") fail("invalid_source", "source.url must be a string");
    return;
  }
  if (source?.kind === "content") {
    if (typeof source.content !== "string" && !(source.content instanceof Uint8Array)) fail("invalid_source", "source.content must be a string or Uint8Array");
    return;
  }
  fail("invalid_source", 'source.kind must be "url" or "content"');
}

function resolveOptions(options: ImportOptions): ResolvedOptions {
  if (options.format !== undefined && !FORMATS.has(options.format)) fail("invalid_option", `format must be one of ${[...FORMATS].join(", ")}`);
  if (options.slug !== undefined && !SlugSchema.safeParse(options.slug).success) {
    fail("invalid_option", `slug ${JSON.stringify(options.slug)} must be 1-64 lowercase letters, digits and dashes, starting with a letter or digit`);
  }
  if (options.name !== undefined && (options.name.trim() === "" || options.name.length > 200)) fail("invalid_option", "name must be 1-200 characters");
  for (const key of ["baseUrl", "serverUrl"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    let url: URL | null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) fail("invalid_option", `${key} must be an absolute http(s) URL`);
  }
  if (options.baseUrl !== undefined && options.baseDir !== undefined) fail("invalid_option", "give baseUrl or baseDir, not both");
  const serverVariables: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(options.serverVariables ?? {})) {
    if (!SERVER_VARIABLE_NAME.test(name)) fail("invalid_option", `server variable name ${JSON.stringify(name.slice(0, 100))} must be 1-100 letters, digits, "_", "-" or "."`);
    if (typeof value !== "string" || value.length > 2000) fail("invalid_option", `server variable ${name} must be a string of at most 2000 characters`);
    serverVariables[name] = value;
  }
  if (options.crawl) validateCrawl(options.crawl);
  return {
    slug: options.slug,
    name: options.name?.trim(),
    serverUrl: options.serverUrl,
    serverVariables,
    allowDanglingRefs: options.allowDanglingRefs === true,
    baseUrl: options.baseUrl,
    baseDir: options.baseDir,
    allowPrivateNetwork: options.allowPrivateNetwork === true,
    llm: options.llm ?? null,
    crawl: options.crawl ? options.crawl : null,
    llmCache: options.llmCache,
  };
}

function validateCrawl(crawl: CrawlOptions): void {
  for (const key of ["maxPages", "maxDepth", "maxBytes", "maxTimeMs", "concurrency", "delayMs"] as const) {
    const value = crawl[key];
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 0)) fail("invalid_option", `crawl.${key} must be a non-negative integer, got ${String(value)}`);
  }
  for (const key of ["include", "exclude"] as const) {
    const patterns = crawl[key];
    if (patterns === undefined) continue;
    if (!Array.isArray(patterns) || patterns.length > 50 || patterns.some((pattern) => typeof pattern !== "string" || pattern === "" || pattern.length > 500)) {
      fail("invalid_option", `crawl.${key} must be at most 50 URL patterns of 1-500 characters`);
    }
  }
}
