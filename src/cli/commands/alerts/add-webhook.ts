import { AlertEventSchema, routes, type AlertEvent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { url: string; events?: string }) {
  let events: AlertEvent[] | undefined;
  if (options.events !== undefined) {
    events = options.events.split(",").map((name) => name.trim()).filter(Boolean).map((name) => {
      const parsed = AlertEventSchema.safeParse(name);
      if (!parsed.success) throw new UsageError(`--events: unknown event "${name}"; known: ${AlertEventSchema.options.join(", ")}`);
      return parsed.data;
    });
  }
  return (await context.client()).call(routes.createWebhook, { body: { url: options.url, ...(events ? { events } : {}) } });
}

export function render(webhook: Awaited<ReturnType<typeof run>>, io: IO): void {
  io.out(webhook.secret);
  io.err(`Added webhook ${webhook.id} → ${webhook.url} for ${webhook.events.join(", ")}.`);
  io.err("The line above is its signing secret (Standard Webhooks, whsec_…): store it now, it is not shown again. Verify each request's webhook-signature with it.");
}
