import { routes, type Job } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { followJob } from "./follow.js";
import { render as renderJob } from "./show.js";

export async function run(context: Context, options: { id: string }): Promise<Job> {
  const client = await context.client();
  return followJob(context, client, await client.call(routes.getJob, { params: { jobId: options.id } }));
}

export function render(job: Job, io: IO): void {
  renderJob(job, io);
}
