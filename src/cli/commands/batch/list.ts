import { routes, type Batch, type Page } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { limit?: number; cursor?: string }): Promise<Page<Batch>> {
  return (await context.client()).call(routes.listBatches, { query: { limit: options.limit, cursor: options.cursor } });
}

export function render(result: Page<Batch>, io: IO): void {
  if (result.data.length === 0) {
    io.out("No batches.");
    return;
  }
  table(
    io,
    [{ header: "ID", keep: true }, { header: "STATUS", keep: true }, { header: "DONE", keep: true }, { header: "FAILED", keep: true }, { header: "CREATED", keep: true }, "ACTION"],
    result.data.map((batch) => {
      const { counts } = batch;
      const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
      return [batch.id, batch.status, `${done}/${counts.total}`, String(counts.failed), batch.createdAt.slice(0, 19).replace("T", " "), `${batch.integration} ${batch.action}`];
    }),
  );
  if (result.nextCursor) io.err(`More results: add --cursor ${result.nextCursor}.`);
}
