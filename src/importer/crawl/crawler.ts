import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "../context.js";
import { decodeText } from "../parse.js";
import { ImportFailure } from "../problem.js";
import type { CrawlOptions } from "../types.js";
import { readPage } from "../html/page.js";
import type { Page } from "../html/page.js";
import { ALLOW_ALL, DISALLOW_ALL, parseRobots } from "./robots.js";
import type { RobotsRules } from "./robots.js";

/** The limits of one crawl, every one of them set. */
export type CrawlLimits = { [K in Exclude<keyof CrawlOptions, "include" | "exclude">]-?: number } & { include: string[]; exclude: string[] };

export const DEFAULT_CRAWL: Readonly<CrawlLimits> = Object.freeze({
  maxPages: 200,
  maxDepth: 5,
  maxBytes: 50 * 1024 * 1024,
  maxTimeMs: 5 * 60_000,
  concurrency: 4,
  delayMs: 100,
  include: [],
  exclude: [],
});

/** Hard ceilings whatever is asked: a crawl is background work on someone else's site. */
const CEILINGS = { maxPages: 10_000, maxDepth: 50, concurrency: 8 };
/** A robots.txt `Crawl-delay` above this is capped (the crawl's time limit bounds it anyway). */
const MAX_ROBOTS_DELAY_MS = 10_000;
export const MAX_SITEMAPS = 5;
const HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";

export interface CrawledPage {
  url: string;
  page: Page;
  depth: number;
}

export interface CrawlResult {
  pages: CrawledPage[];
  /** Why the crawl stopped before it ran out of links, if it did ("maxPages", "maxBytes", "maxTimeMs"). */
  stoppedBy: "maxPages" | "maxBytes" | "maxTimeMs" | undefined;
  /** Links not followed because robots.txt disallows them. */
  disallowed: number;
  failed: number;
}

export function resolveCrawl(options: CrawlOptions): CrawlLimits {
  const limits: CrawlLimits = { ...DEFAULT_CRAWL, include: options.include ?? [], exclude: options.exclude ?? [] };
  for (const key of ["maxPages", "maxDepth", "maxBytes", "maxTimeMs", "concurrency", "delayMs"] as const) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  limits.maxPages = Math.min(Math.max(1, limits.maxPages), CEILINGS.maxPages);
  limits.maxDepth = Math.min(limits.maxDepth, CEILINGS.maxDepth);
  limits.concurrency = Math.min(Math.max(1, limits.concurrency), CEILINGS.concurrency);
  return limits;
}

/**
 * Follows the docs from the page the user named: links on the same origin under its folder
 * (`/docs/api/…` from `/docs/api/`), plus the site's sitemap entries there, breadth first.
 * robots.txt is honoured for every page after the first (the user asked for that one), every
 * fetch goes through the import's fetcher (its address checks, redirects re-checked, byte
 * caps, origin-bound headers), a few at a time, spaced per host. Pages that fail are skipped
 * with a warning; the crawl ends when the links run out or a limit is reached.
 */
export async function crawlSite(start: { url: string; page: Page }, limits: CrawlLimits, ctx: Context, onPage: (page: CrawledPage) => number): Promise<CrawlResult> {
  const startUrl = new URL(start.url);
  const scope = crawlScope(startUrl);
  const include = limits.include.map(globRegex);
  const exclude = limits.exclude.map(globRegex);
  const deadline = Date.now() + limits.maxTimeMs;
  const result: CrawlResult = { pages: [], stoppedBy: undefined, disallowed: 0, failed: 0 };
  let bytes = 0;
  let endpoints = 0;

  const robots = await loadRobots(startUrl, ctx);
  const delayMs = Math.max(limits.delayMs, Math.min((robots.crawlDelaySeconds ?? 0) * 1000, MAX_ROBOTS_DELAY_MS));
  const seen = new Set<string>([key(startUrl)]);
  const queue: { url: URL; depth: number }[] = [];
  const offer = (raw: string, base: URL, depth: number) => {
    if (depth > limits.maxDepth) return;
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      return;
    }
    url.hash = "";
    if (!scope(url)) return;
    const id = key(url);
    if (seen.has(id)) return;
    seen.add(id);
    if (include.length > 0 && !include.some((pattern) => pattern.test(url.href))) return;
    if (exclude.some((pattern) => pattern.test(url.href))) return;
    if (!robots.allows(url)) {
      result.disallowed++;
      return;
    }
    queue.push({ url, depth });
  };

  const accept = (crawled: CrawledPage) => {
    result.pages.push(crawled);
    endpoints += onPage(crawled);
    ctx.progress({ stage: "crawling", done: result.pages.length, total: limits.maxPages, message: `${result.pages.length} pages, ${endpoints} endpoints` });
    for (const link of links(crawled.page)) offer(link, new URL(crawled.url), crawled.depth + 1);
  };
  accept({ url: start.url, page: start.page, depth: 0 });
  for (const url of await sitemapUrls(startUrl, robots, ctx)) offer(url, startUrl, 1);

  // Per-host pacing: the next request to the host starts no sooner than this.
  let nextSlot = Date.now();
  let inFlight = 0;
  const stop = (): boolean => {
    if (result.stoppedBy) return true;
    if (result.pages.length + inFlight >= limits.maxPages) return true;
    if (bytes >= limits.maxBytes) result.stoppedBy = "maxBytes";
    else if (Date.now() >= deadline) result.stoppedBy = "maxTimeMs";
    return result.stoppedBy !== undefined;
  };

  const worker = async () => {
    for (;;) {
      ctx.checkAborted();
      if (stop()) return;
      // Breadth first: shallow pages (overview, auth, index) before deep ones.
      const next = queue.shift();
      if (!next) {
        if (inFlight === 0) return;
        await sleep(5);
        continue;
      }
      inFlight++;
      try {
        const wait = nextSlot - Date.now();
        nextSlot = Math.max(nextSlot, Date.now()) + delayMs;
        if (wait > 0) await sleep(wait);
        const fetched = await fetchPage(next.url, ctx);
        if (fetched === "failed") result.failed++;
        else if (fetched) {
          bytes += fetched.bytes;
          // A redirect may lead out of the docs: such a page is not read.
          if (result.pages.length < limits.maxPages && scope(new URL(fetched.url))) accept({ url: fetched.url, page: fetched.page, depth: next.depth });
        }
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  if (!result.stoppedBy && queue.length > 0 && result.pages.length >= limits.maxPages) result.stoppedBy = "maxPages";
  return result;
}

/**
 * Same origin, under the start page's folder: `/docs/api/intro` and `/docs/api/` → `/docs/api/…`;
 * a one-segment start (`/api`, `/docs`) → itself and what is under it, not the whole site.
 */
function crawlScope(start: URL): (url: URL) => boolean {
  const path = start.pathname;
  const segments = path.split("/").filter(Boolean);
  const folder = !path.endsWith("/") && segments.length === 1 && !segments[0]!.includes(".") ? path : path.slice(0, path.lastIndexOf("/") + 1);
  return (url) => {
    if (url.origin !== start.origin || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
    if (!url.pathname.startsWith(folder)) return false;
    const rest = url.pathname.slice(folder.length);
    return folder.endsWith("/") || rest === "" || rest.startsWith("/");
  };
}

/** One URL, one page: no fragment, query kept (some docs sites route by it). */
function key(url: URL): string {
  return url.origin + url.pathname + url.search;
}

/** `*` matches anything; the pattern matches anywhere in the URL (`--exclude /changelog`, `--include /api/v2/`). */
function globRegex(glob: string): RegExp {
  return new RegExp(glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*"));
}

function links(page: Page): string[] {
  const found: string[] = [];
  for (const element of page.elements) {
    if (element.tag !== "a") continue;
    const href = element.attrs.get("href");
    if (href && !/^(mailto|javascript|tel|data):/i.test(href)) found.push(href);
  }
  return found;
}

/** robots.txt of the start page's origin (RFC 9309 §2.3.1.3-4): missing or 4xx allows all, unreachable disallows all. */
async function loadRobots(start: URL, ctx: Context): Promise<RobotsRules> {
  try {
    const fetched = await ctx.fetcher.get(new URL("/robots.txt", start).href, "robots.txt", "text/plain, */*;q=0.5");
    return parseRobots(decodeText(fetched.bytes));
  } catch (error) {
    if (!(error instanceof ImportFailure) || error.problem.code === "aborted") throw error;
    if (error.problem.code === "fetch_refused") return ALLOW_ALL;
    ctx.warnings.add("robots_unavailable", `robots.txt could not be read (${error.problem.message}); as RFC 9309 says, nothing beyond the start page is crawled`, { source: start.origin });
    return DISALLOW_ALL;
  }
}

/** `<loc>` entries of the sitemaps robots.txt names (else /sitemap.xml), one level of sitemap index followed. */
async function sitemapUrls(start: URL, robots: RobotsRules, ctx: Context): Promise<string[]> {
  const pending = robots.sitemaps.length > 0 ? robots.sitemaps.slice(0, MAX_SITEMAPS) : [new URL("/sitemap.xml", start).href];
  const urls: string[] = [];
  for (let index = 0; index < pending.length && index < MAX_SITEMAPS * 2; index++) {
    const sitemap = pending[index]!;
    let text: string;
    try {
      const target = new URL(sitemap);
      if (target.origin !== start.origin || !robots.allows(target)) continue;
      text = decodeText((await ctx.fetcher.get(target.href, "sitemap", "application/xml, text/xml, */*;q=0.5")).bytes);
    } catch (error) {
      if (error instanceof ImportFailure && error.problem.code === "aborted") throw error;
      continue; // most docs sites have none
    }
    const locations = [...text.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/gi)].map((match) => decodeXml(match[1]!));
    if (/<sitemapindex[\s>]/i.test(text)) pending.push(...locations.slice(0, MAX_SITEMAPS));
    else urls.push(...locations);
  }
  return urls;
}

function decodeXml(text: string): string {
  return text.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'");
}

/** A page fetched and read; undefined when it is not HTML (a PDF, an image); "failed" when it could not be fetched. */
async function fetchPage(url: URL, ctx: Context): Promise<{ url: string; page: Page; bytes: number } | "failed" | undefined> {
  try {
    const fetched = await ctx.fetcher.get(url.href, "docs page", HTML_ACCEPT);
    const type = (fetched.contentType ?? "").toLowerCase();
    if (type !== "" && !type.includes("html")) return undefined;
    return { url: fetched.url, page: readPage(decodeText(fetched.bytes)), bytes: fetched.bytes.byteLength };
  } catch (error) {
    if (!(error instanceof ImportFailure) || error.problem.code === "aborted") throw error;
    ctx.warnings.add("crawl_page_failed", `docs page ${url.href} skipped: ${error.problem.message}`, { source: url.href });
    return "failed";
  }
}
