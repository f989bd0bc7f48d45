import { randomBytes } from "node:crypto";
import type { AlertEvent, WebhookDelivery, WebhookEndpoint } from "../contract/index.js";
import type { JobQueue } from "../jobs/queue.js";
import type { Store } from "../store/index.js";

/** Attempts per delivery (the first and five retries), spaced by the job queue's exponential backoff. */
export const DELIVERY_ATTEMPTS = 6;

/**
 * Tenant alerts: webhook endpoints, and events sent to them signed per the Standard Webhooks
 * spec (https://www.standardwebhooks.com: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), signed with the
 * `standardwebhooks` reference library. Each delivery is a durable `alert_delivery` job, so
 * a failed attempt is retried with the queue's backoff and survives a restart; every
 * attempt is recorded on the delivery.
 */
export class AlertService {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobQueue,
  ) {}

  /** Adds an endpoint; the secret is in the answer only (stored sealed). */
  async addWebhook(tenantId: string, input: { url: string; events: AlertEvent[] }): Promise<WebhookEndpoint & { secret: string }> {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const endpoint = await this.store.alerts.createEndpoint(tenantId, { ...input, secret });
    return { ...endpoint, secret };
  }

  /** Sends `event` to every endpoint of the tenant subscribed to it (or to one endpoint, for a test). */
  async emit(tenantId: string, event: AlertEvent, data: unknown, options: { endpointId?: string } = {}): Promise<WebhookDelivery[]> {
    const payload = JSON.stringify({ type: event, timestamp: new Date().toISOString(), data });
    const deliveries = await this.store.alerts.enqueue(tenantId, event, payload, options);
    for (const delivery of deliveries) {
      await this.jobs.enqueue({ tenantId, type: "alert_delivery", summary: `deliver ${event} to ${delivery.endpoint}`, payload: { deliveryId: delivery.id }, maxAttempts: DELIVERY_ATTEMPTS });
    }
    return deliveries;
  }
}
