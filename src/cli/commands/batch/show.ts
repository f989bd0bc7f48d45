import { routes, type Batch } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export async function run(context: Context, options: { id: string }): Promise<Batch> {
  return (await context.client()).call(routes.getBatch, { params: { batchId: options.id } });
}

export function render(batch: Batch, io: IO): void {
  const { counts } = batch;
  details(io, [
    ["Batch", batch.id],
    ["Action", `${batch.integration} ${batch.action}`],
    ["Status", batch.status + (batch.cancelRequested && batch.status === "running" ? " (cancelling)" : "")],
    ["App", batch.app],
    ["Connection", batch.connection],
    ["Items", counts.total],
    ["Queued", counts.queued],
    ["Running", counts.running],
    ["Succeeded", counts.succeeded],
    ["Failed", counts.failed],
    ["Skipped", counts.skipped],
    ["Cancelled", counts.cancelled],
    ["Rate", batch.ratePerSecond === null ? null : `${batch.ratePerSecond} items/s`],
    ["Concurrency", `${batch.options.concurrency} per connection`],
    ["Created", batch.createdAt],
    ["Started", batch.startedAt],
    ["Finished", batch.finishedAt],
  ]);
}
