import { routes, type Job } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { id: string }): Promise<Job> {
  return (await context.client()).call(routes.cancelJob, { params: { jobId: options.id } });
}

export function render(job: Job, io: IO): void {
  if (job.status === "cancelled") io.out(`Cancelled ${job.id}.`);
  else if (job.status === "running") io.out(`Asked ${job.id} to stop; it will be cancelled at its next checkpoint.`);
  else io.out(`${job.id} had already ${job.status === "succeeded" ? "succeeded" : job.status === "failed" ? "failed" : "finished"}; nothing to cancel.`);
}
