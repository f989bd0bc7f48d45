import { routes, type WebhookDelivery } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { webhook: string }): Promise<{ data: WebhookDelivery[] }> {
  return (await context.client()).call(routes.listDeliveries, { params: { webhookId: options.webhook }, query: {} });
}

export function render(result: { data: WebhookDelivery[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No deliveries yet.");
    return;
  }
  table(
    io,
    [{ header: "DELIVERY", keep: true }, { header: "EVENT", keep: true }, { header: "STATUS", keep: true }, { header: "ATTEMPTS", keep: true }, "LAST ANSWER", "CREATED"],
    result.data.map((d) => [d.id, d.event, d.status, d.attempts, d.lastError ?? (d.lastStatus === null ? "" : String(d.lastStatus)), d.createdAt.slice(0, 16).replace("T", " ")]),
  );
}
