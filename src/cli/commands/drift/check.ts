import { readFile } from "node:fs/promises";
import path from "node:path";
import { routes, type DriftCheckRequest, type DriftCheckResult } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { ConflictError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { localFile, parseHeaders } from "../scrape/scrape.js";
import { renderReport } from "./render.js";

export interface DriftCheckOptions {
  integration: string;
  /** A file or URL to check against instead of the recorded source. */
  source?: string;
  format?: string;
  headers: string[];
  /** Exit 5 when the check reports breaking changes (CI). */
  failOnBreaking: boolean;
}

export async function run(context: Context, options: DriftCheckOptions): Promise<DriftCheckResult> {
  const body: DriftCheckRequest = { ...(options.format ? { format: options.format as NonNullable<DriftCheckRequest["format"]> } : {}) };
  if (options.source !== undefined) {
    if (/^https?:\/\//i.test(options.source)) {
      const headers = parseHeaders(options.headers);
      body.source = { url: options.source, ...(headers ? { headers } : {}) };
    } else {
      if (options.headers.length > 0) throw new UsageError("--header is for docs URLs: a local file is sent as it is");
      const file = await localFile(options.source);
      body.source = { content: await readFile(file.path, "utf8"), filename: path.basename(file.path) };
    }
  } else if (options.headers.length > 0) throw new UsageError("--header goes with --source <URL>; the recorded source keeps its own headers");
  const result = await (await context.client()).call(routes.checkDrift, { params: { slug: options.integration }, body });
  if (options.failOnBreaking && result.report && result.report.summary.breaking > 0) {
    // Show the evidence before failing: it is what the CI log needs.
    if (context.globals.json) context.io.out(JSON.stringify(result, null, 2));
    else render(result, context.io);
    throw new ConflictError(`${result.report.summary.breaking} breaking change(s) in ${options.integration}'s source against its current version`);
  }
  return result;
}

export function render(result: DriftCheckResult, io: IO): void {
  if (!result.report) {
    const { reported, suppressed } = result.known;
    io.out(
      result.check.outcome === "no-change"
        ? "No drift: the source matches the current version."
        : `No new drift: ${reported} change(s) reported before${suppressed ? `, ${suppressed} suppressed by a rejected proposal` : ""}.`,
    );
    return;
  }
  renderReport(result.report, io);
  if (result.proposal) {
    const { id, version } = result.proposal;
    io.err(`Proposal ${id}: version ${version} (a draft). Approve with \`waygate proposals approve ${id}\`${result.proposal.breaking ? " --allow-breaking" : ""}, or reject with \`waygate proposals reject ${id} --note "why"\`.`);
  }
}
