import { routes, type Batch } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { progressLine } from "./follow.js";

/** cancel, resume and retry: one POST on the batch, answered with the batch. */
const ROUTES = { cancel: routes.cancelBatch, resume: routes.resumeBatch, retry: routes.retryFailedBatchItems } as const;

export async function run(context: Context, options: { id: string; verb: keyof typeof ROUTES }): Promise<Batch> {
  return (await context.client()).call(ROUTES[options.verb], { params: { batchId: options.id } });
}

export function render(batch: Batch, io: IO): void {
  io.out(progressLine(batch));
}
