import { FINISHED_JOB_STATUSES, routes, type Job, type JobProgress } from "../../../contract/index.js";
import type { WaygateClient } from "../../../client/index.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";

const POLL_MS = 250;

/**
 * Follows a job until it finishes, showing progress on stderr: an ora spinner on a
 * terminal, one plain line per change otherwise (CI logs stay readable). Resolves with
 * the finished job; a failed or cancelled job is an error carrying its problem.
 */
export async function followJob(context: Context, client: WaygateClient, initial: Job): Promise<Job> {
  const { io } = context;
  const quiet = context.globals.json;
  const spinner = io.stderrIsTTY && !quiet ? (await import("ora")).default({ stream: io.stderrStream, text: describe(initial) }).start() : undefined;
  let lastLine = "";
  const report = (job: Job) => {
    const line = describe(job);
    if (spinner) spinner.text = line;
    else if (!quiet && line !== lastLine) io.err(line);
    lastLine = line;
  };

  let job = initial;
  report(job);
  try {
    while (!FINISHED_JOB_STATUSES.includes(job.status)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await client.call(routes.getJob, { params: { jobId: job.id } });
      report(job);
    }
  } catch (error) {
    spinner?.stop();
    if (!quiet) io.err(`Stopped following job ${job.id}; it goes on. Follow it again with \`waygate jobs watch ${job.id}\`.`);
    throw error;
  }

  if (job.status === "succeeded") {
    spinner?.succeed(`${job.summary}: done`);
    return job;
  }
  spinner?.fail(`${job.summary}: ${job.status}`);
  if (job.status === "cancelled") throw new CliError(`job ${job.id} was cancelled`, ExitCode.error);
  throw new CliError(job.error?.detail ?? `job ${job.id} failed`, ExitCode.error, job.error ?? undefined);
}

export function describe(job: Job): string {
  if (job.status === "queued") return `${job.summary}: queued${job.attempts > 0 ? ` (retry ${job.attempts + 1} of ${job.maxAttempts})` : ""}`;
  if (job.status !== "running" || !job.progress) return `${job.summary}: ${job.status}`;
  return `${job.summary}: ${progressText(job.progress)}`;
}

function progressText(progress: JobProgress): string {
  const counts = progress.total !== undefined ? ` ${progress.done ?? 0}/${progress.total}` : progress.done !== undefined ? ` ${progress.done}` : "";
  return `${progress.stage}${counts}${progress.message ? ` (${progress.message})` : ""}`;
}
