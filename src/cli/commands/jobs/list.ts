import { routes, type Job, type JobStatus, type Page } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import { describe } from "./follow.js";

export interface ListOptions {
  status?: JobStatus;
  limit?: number;
  cursor?: string;
}

export async function run(context: Context, options: ListOptions): Promise<Page<Job>> {
  return (await context.client()).call(routes.listJobs, { query: { status: options.status, limit: options.limit, cursor: options.cursor } });
}

export function render(result: Page<Job>, io: IO): void {
  if (result.data.length === 0) {
    io.out("No jobs.");
    return;
  }
  table(
    io,
    [{ header: "ID", keep: true }, { header: "STATUS", keep: true }, { header: "CREATED", keep: true }, "JOB"],
    result.data.map((job) => [job.id, job.status, job.createdAt.slice(0, 19).replace("T", " "), describe(job).replace(/: \w+$/, "")]),
  );
  if (result.nextCursor) io.err(`More results: add --cursor ${result.nextCursor}.`);
}
