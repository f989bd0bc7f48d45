import { setTimeout as delay } from "node:timers/promises";
import { routes, type WebhookDelivery } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError } from "../../errors.js";
import type { IO } from "../../io.js";

/** How long `alerts test` waits for the first attempt's answer. */
const WAIT_MS = 15_000;

/** Sends a signed `alert.test` event and waits for its first answer (later retries continue on the server). */
export async function run(context: Context, options: { webhook: string }): Promise<WebhookDelivery> {
  const client = await context.client();
  const delivery = await client.call(routes.testWebhook, { params: { webhookId: options.webhook }, body: {} });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { data } = await client.call(routes.listDeliveries, { params: { webhookId: options.webhook }, query: { event: "alert.test" } });
    const current = data.find((candidate) => candidate.id === delivery.id) ?? delivery;
    if (current.attempts > 0 || Date.now() > deadline) {
      if (current.status !== "delivered") {
        if (context.globals.json) context.io.out(JSON.stringify(current, null, 2));
        throw new CliError(`the test event was not delivered${current.lastError ? `: ${current.lastError}` : " yet"}; it is retried with backoff (see \`waygate alerts deliveries ${options.webhook}\`)`);
      }
      return current;
    }
    await delay(200);
  }
}

export function render(delivery: WebhookDelivery, io: IO): void {
  io.out(`Delivered the test event (webhook-id ${delivery.messageId}): the endpoint answered ${delivery.lastStatus}.`);
}
