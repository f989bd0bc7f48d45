import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ImportResultSchema, routes, type ImportRequest, type ImportResult, type Job } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { followJob } from "../jobs/follow.js";

export interface ScrapeOptions {
  source: string;
  slug?: string;
  name?: string;
  format: string;
  draft: boolean;
  /** `--publish`: current even when breaking. */
  publish?: boolean;
  serverUrl?: string;
  /** `--server-var name=value`, as given. */
  serverVars?: string[];
  allowDanglingRefs?: boolean;
  wait: boolean;
  /** `--header "Name: value"`, as given. */
  headers: string[];
  /** False with `--no-crawl`: an HTML page without a spec is read alone. */
  crawl?: boolean;
  maxPages?: number;
  maxDepth?: number;
  include?: string[];
  exclude?: string[];
}

export type ScrapeResult = { kind: "queued"; job: Job } | ({ kind: "imported"; jobId: string } & ImportResult);

export async function run(context: Context, options: ScrapeOptions): Promise<ScrapeResult> {
  if (options.draft && options.publish) throw new UsageError("--draft and --publish contradict each other: give one");
  const serverVariables = parseServerVars(options.serverVars ?? []);
  const settings = {
    format: options.format as ImportRequest["format"],
    draft: options.draft,
    publish: options.publish === true,
    allowDanglingRefs: options.allowDanglingRefs === true,
    ...(options.slug ? { slug: options.slug } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
  };
  let start: () => Promise<Job>;
  const crawl = crawlSettings(options);
  if (/^https?:\/\//i.test(options.source)) {
    const headers = parseHeaders(options.headers);
    const body: ImportRequest = {
      source: { url: options.source, ...(headers ? { headers } : {}) },
      ...settings,
      ...(serverVariables ? { serverVariables } : {}),
      ...(crawl === undefined ? {} : { crawl }),
    };
    start = async () => (await context.client()).call(routes.startImport, { body });
  } else {
    if (options.headers.length > 0) throw new UsageError("--header is for docs URLs: a local file is uploaded as it is");
    if (crawl !== undefined) throw new UsageError("--max-pages, --max-depth, --include, --exclude and --no-crawl are for docs URLs: a local file is one document");
    const file = await localFile(options.source);
    // Streamed as the request body: never read whole into this process, never escaped into JSON.
    start = async () =>
      (await context.client()).upload(
        routes.uploadImport,
        { query: { ...settings, filename: path.basename(file.path), ...(serverVariables ? { serverVariables: JSON.stringify(serverVariables) } : {}) } },
        { body: createReadStream(file.path), length: file.size, contentType: mediaType(file.path) },
      );
  }
  const job = await start();
  if (!options.wait) return { kind: "queued", job };
  const finished = await followJob(context, await context.client(), job);
  return { kind: "imported", jobId: finished.id, ...ImportResultSchema.parse(finished.result) };
}

/** The crawl flags as the request's `crawl`; undefined when none was given (the server's defaults). */
function crawlSettings(options: ScrapeOptions): ImportRequest["crawl"] {
  const limits = {
    ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.include?.length ? { include: options.include } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
  };
  if (options.crawl === false) {
    if (Object.keys(limits).length > 0) throw new UsageError("--no-crawl reads the page alone: --max-pages, --max-depth, --include and --exclude do not apply");
    return false;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** `Name: value` → { Name: value }; the server checks names and values further. */
export function parseHeaders(given: readonly string[]): Record<string, string> | undefined {
  if (given.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const header of given) {
    const colon = header.indexOf(":");
    const name = colon > 0 ? header.slice(0, colon).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`--header takes "Name: value" (got ${JSON.stringify(header.length > 40 ? `${header.slice(0, 40)}…` : header)})`);
    if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase())) throw new UsageError(`--header ${name} is given twice`);
    headers[name] = header.slice(colon + 1).trim();
  }
  return headers;
}

/** `name=value` → { name: value }; the server checks names and values further. */
export function parseServerVars(given: readonly string[]): Record<string, string> | undefined {
  if (given.length === 0) return undefined;
  const variables: Record<string, string> = {};
  for (const pair of given) {
    const equals = pair.indexOf("=");
    const name = equals > 0 ? pair.slice(0, equals).trim() : "";
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new UsageError(`--server-var takes name=value (got ${JSON.stringify(pair.length > 40 ? `${pair.slice(0, 40)}…` : pair)})`);
    if (Object.hasOwn(variables, name)) throw new UsageError(`--server-var ${name} is given twice`);
    variables[name] = pair.slice(equals + 1);
  }
  return variables;
}

/** Small enough to check for blank content without reading a large file. */
const BLANK_CHECK_BYTES = 64 * 1024;

export async function localFile(source: string): Promise<{ path: string; size: number }> {
  let size: number;
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new UsageError(`${source} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${source}: ${code === "ENOENT" ? "no such file (URLs must start with http:// or https://)" : (error as Error).message}`);
  }
  if (size === 0 || (size <= BLANK_CHECK_BYTES && (await readFile(source, "utf8")).trim() === "")) throw new UsageError(`${source} is empty`);
  return { path: source, size };
}

/** The upload's media type, from the file's extension; the server detects the format from the content anyway. */
function mediaType(file: string): string {
  const extension = path.extname(file).toLowerCase();
  if (extension === ".json") return "application/json";
  if (extension === ".yaml" || extension === ".yml") return "application/yaml";
  return "application/octet-stream";
}

export function render(result: ScrapeResult, io: IO): void {
  if (result.kind === "queued") {
    io.out(result.job.id);
    io.err(`Queued. Follow it with \`waygate jobs watch ${result.job.id}\`.`);
    return;
  }
  io.out(
    result.created
      ? `Imported ${result.integration} version ${result.version}${result.status === "draft" ? " as a draft" : ""}: ${result.actionCount} action${result.actionCount === 1 ? "" : "s"} (${result.format}).`
      : `${result.integration} is unchanged: version ${result.version} already has this content (${result.actionCount} actions).`,
  );
  if (result.discoveredFrom) io.out(`Spec found on the page: ${result.discoveredFrom}`);
  if (result.llm) {
    const { model, pagesSent, pagesCached, inputTokens, outputTokens, costUsd } = result.llm;
    io.err(`LLM (${model}): ${pagesSent} pages sent, ${pagesCached} answered from the last import's reading; ${inputTokens} tokens in, ${outputTokens} out${costUsd === undefined ? "" : ` (about $${costUsd})`}.`);
  }
  if (result.format === "html" && result.created) io.err(`Read from documentation prose: list what to check with \`waygate versions review ${result.integration} ${result.version}\`.`);
  if (result.heldAsDraft) {
    const held = result.heldAsDraft;
    io.err(`Not published: version ${result.version} would replace version ${held.current}, which unpinned apps use, and`);
    for (const reason of held.reasons) io.err(`  - ${reason}`);
    const { added, removed, changed, breaking } = held.diff;
    io.err(`Changes against version ${held.current}: ${added} added, ${removed} removed, ${changed} changed (${breaking} breaking).`);
    io.err(`Review it with \`waygate versions diff ${result.integration} ${held.current} ${result.version}\`, then \`waygate versions publish ${result.integration} ${result.version}\` (or scrape again with --publish).`);
  } else if (result.created && result.status === "draft") io.err(`Publish it with \`waygate versions publish ${result.integration} ${result.version}\`.`);
  for (const warning of result.warnings.slice(0, 20)) io.err(`warning: ${warning.message}${warning.location?.pointer ? ` (${warning.location.pointer})` : ""}`);
  if (result.warnings.length > 20) io.err(`… and ${result.warnings.length - 20} more warnings (see --json).`);
}
