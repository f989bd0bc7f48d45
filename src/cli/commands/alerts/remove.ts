import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { webhook: string }): Promise<{ removed: string }> {
  await (await context.client()).call(routes.deleteWebhook, { params: { webhookId: options.webhook } });
  return { removed: options.webhook };
}

export function render(result: { removed: string }, io: IO): void {
  io.out(`Removed webhook ${result.removed} and its delivery records.`);
}
