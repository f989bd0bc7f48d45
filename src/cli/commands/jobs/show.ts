import { routes, type Job } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";
import { describe } from "./follow.js";

export async function run(context: Context, options: { id: string }): Promise<Job> {
  return (await context.client()).call(routes.getJob, { params: { jobId: options.id } });
}

export function render(job: Job, io: IO): void {
  details(io, [
    ["Job", job.id],
    ["Type", job.type],
    ["Status", describe(job).slice(job.summary.length + 2)],
    ["What", job.summary],
    ["Attempts", `${job.attempts} of ${job.maxAttempts}`],
    ["Created", job.createdAt],
    ["Started", job.startedAt],
    ["Finished", job.finishedAt],
    ["Error", job.error ? (job.error.detail ?? job.error.title) : null],
  ]);
  if (job.result !== null) io.out("Result:\n" + JSON.stringify(job.result, null, 2));
}
