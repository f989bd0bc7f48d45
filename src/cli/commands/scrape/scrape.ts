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
  wait: boolean;
}

export type ScrapeResult = { kind: "queued"; job: Job } | ({ kind: "imported"; jobId: string } & ImportResult);

export async function run(context: Context, options: ScrapeOptions): Promise<ScrapeResult> {
  const body: ImportRequest = {
    source: await readSource(options.source),
    format: options.format as ImportRequest["format"],
    draft: options.draft,
    ...(options.slug ? { slug: options.slug } : {}),
    ...(options.name ? { name: options.name } : {}),
  };
  const client = await context.client();
  const job = await client.call(routes.startImport, { body });
  if (!options.wait) return { kind: "queued", job };
  const finished = await followJob(context, client, job);
  return { kind: "imported", jobId: finished.id, ...ImportResultSchema.parse(finished.result) };
}

async function readSource(source: string): Promise<ImportRequest["source"]> {
  if (/^https?:\/\//i.test(source)) return { url: source };
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
  const content = await readFile(source, "utf8");
  if (size === 0 || content.trim() === "") throw new UsageError(`${source} is empty`);
  return { content, filename: path.basename(source) };
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
  if (result.created && result.status === "draft") io.err(`Publish it with \`waygate versions publish ${result.integration} ${result.version}\`.`);
  for (const warning of result.warnings.slice(0, 20)) io.err(`warning: ${warning.message}${warning.location?.pointer ? ` (${warning.location.pointer})` : ""}`);
  if (result.warnings.length > 20) io.err(`… and ${result.warnings.length - 20} more warnings (see --json).`);
}
