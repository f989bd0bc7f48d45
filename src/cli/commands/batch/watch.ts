import { routes, type Batch } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { followBatch } from "./follow.js";
import { render as renderBatch } from "./show.js";

export async function run(context: Context, options: { id: string }): Promise<Batch> {
  const client = await context.client();
  return followBatch(context, client, await client.call(routes.getBatch, { params: { batchId: options.id } }));
}

export const render = renderBatch;
