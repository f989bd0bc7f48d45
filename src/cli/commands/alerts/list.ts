import { routes, type WebhookEndpoint } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context): Promise<{ data: WebhookEndpoint[] }> {
  return (await context.client()).call(routes.listWebhooks, {});
}

export function render(result: { data: WebhookEndpoint[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No alert webhooks. Add one with `waygate alerts add-webhook <url>`.");
    return;
  }
  table(io, [{ header: "WEBHOOK", keep: true }, { header: "URL", keep: true }, "EVENTS", "CREATED"], result.data.map((w) => [w.id, w.url, w.events.join(","), w.createdAt.slice(0, 16).replace("T", " ")]));
}
