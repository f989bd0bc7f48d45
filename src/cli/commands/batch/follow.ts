import { FINISHED_BATCH_STATUSES, routes, type Batch } from "../../../contract/index.js";
import type { WaygateClient } from "../../../client/index.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";

const POLL_MS = 500;
const BAR_WIDTH = 24;

/**
 * Follows a batch until it finishes: a progress bar on a terminal (done/total, rate, ETA,
 * failures), one plain line per change otherwise. A batch that ended with failed items or
 * cancelled is an error (exit 1) after its summary; the items' results stay on the server.
 */
export async function followBatch(context: Context, client: WaygateClient, initial: Batch): Promise<Batch> {
  const { io } = context;
  const quiet = context.globals.json;
  // The TTY decision is made here, through the IO seam; ora must not make its own.
  const spinner = io.stderrIsTTY && !quiet ? (await import("ora")).default({ stream: io.stderrStream, text: bar(initial), isEnabled: true, discardStdin: false, color: false }).start() : undefined;
  let lastLine = "";
  const report = (batch: Batch) => {
    if (spinner) spinner.text = bar(batch);
    else if (!quiet) {
      const line = progressLine(batch);
      if (line !== lastLine) io.err(line);
      lastLine = line;
    }
  };
  let batch = initial;
  report(batch);
  try {
    while (!FINISHED_BATCH_STATUSES.includes(batch.status)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      batch = await client.call(routes.getBatch, { params: { batchId: batch.id } });
      report(batch);
    }
  } catch (error) {
    spinner?.stop();
    if (!quiet) io.err(`Stopped following batch ${batch.id}; it goes on. Follow it again with \`waygate batch watch ${batch.id}\`.`);
    throw error;
  }
  const summary = `batch ${batch.id}: ${batch.status} (${batch.counts.succeeded} succeeded, ${batch.counts.failed} failed, ${batch.counts.skipped} skipped, ${batch.counts.cancelled} cancelled)`;
  if (batch.status === "completed") {
    spinner?.succeed(summary);
    return batch;
  }
  spinner?.fail(summary);
  const hint = batch.counts.failed > 0 ? `; see them with \`waygate batch results ${batch.id} --failed\`` : "";
  throw new CliError(`${summary}${hint}`, ExitCode.error);
}

export function progressLine(batch: Batch): string {
  const { counts } = batch;
  const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
  return `batch ${batch.id}: ${batch.status} ${done}/${counts.total}, ${counts.failed} failed${batch.ratePerSecond !== null ? `, ${batch.ratePerSecond}/s` : ""}`;
}

function bar(batch: Batch): string {
  const { counts } = batch;
  const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
  const filled = counts.total === 0 ? BAR_WIDTH : Math.round((done / counts.total) * BAR_WIDTH);
  const rate = batch.ratePerSecond;
  const eta = rate && rate > 0 ? `, ETA ${formatSeconds((counts.total - done) / rate)}` : "";
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${done}/${counts.total}${rate !== null ? `, ${rate}/s` : ""}${eta}, ${counts.failed} failed`;
}

function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
