import type { Kysely } from "kysely";
import type { AlertEvent, WebhookDelivery, WebhookEndpoint } from "../contract/index.js";
import type { Sealer } from "../lib/sealer.js";
import { decodeAlertEvents } from "./decode.js";
import { newId } from "./ids.js";
import type { Database, WebhookDeliveryTable } from "./schema.js";

/** Associated data of a webhook's sealed secret: it opens for this endpoint only. */
function secretContext(endpointId: string): string {
  return `webhook-endpoint:${endpointId}`;
}

/** A delivery as the sender needs it: where, with which secret, what. */
export interface PendingDelivery {
  id: string;
  tenantId: string;
  url: string;
  secret: string;
  messageId: string;
  eventType: string;
  payload: string;
  status: WebhookDeliveryTable["status"];
  attempts: number;
}

/**
 * Tenant alert webhooks and their deliveries. The signing secret is sealed under the store's
 * key ring (bound to the endpoint id) and opened only to sign a delivery.
 */
export class AlertRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: () => Promise<Sealer>,
    private readonly now: () => Date,
  ) {}

  async createEndpoint(tenantId: string, input: { url: string; events: AlertEvent[]; secret: string }): Promise<WebhookEndpoint> {
    const id = newId("whk");
    const createdAt = this.now().toISOString();
    const sealed = (await this.sealer()).seal(input.secret, secretContext(id));
    await this.db.insertInto("webhook_endpoints").values({ id, tenant_id: tenantId, url: input.url, events: JSON.stringify(input.events), secret: sealed, created_at: createdAt }).execute();
    return { id, url: input.url, events: input.events, createdAt };
  }

  async endpoints(tenantId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom("webhook_endpoints").select(["id", "url", "events", "created_at"]).where("tenant_id", "=", tenantId).orderBy("created_at").orderBy("id").execute();
    return rows.map((row) => ({ id: row.id, url: row.url, events: decodeAlertEvents(row.events), createdAt: row.created_at }));
  }

  async endpoint(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    return (await this.endpoints(tenantId)).find((endpoint) => endpoint.id === id);
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("webhook_endpoints").where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Records one pending delivery per endpoint subscribed to `event`; the caller queues their sending. */
  async enqueue(tenantId: string, event: AlertEvent, payload: string, options: { endpointId?: string } = {}): Promise<WebhookDelivery[]> {
    let query = this.db.selectFrom("webhook_endpoints").select(["id", "events"]).where("tenant_id", "=", tenantId);
    if (options.endpointId) query = query.where("id", "=", options.endpointId);
    const endpoints = (await query.execute()).filter((row) => options.endpointId !== undefined || decodeAlertEvents(row.events).includes(event));
    if (endpoints.length === 0) return [];
    const now = this.now().toISOString();
    const rows: WebhookDeliveryTable[] = endpoints.map((endpoint) => ({
      id: newId("dlv"),
      tenant_id: tenantId,
      endpoint_id: endpoint.id,
      message_id: newId("msg"),
      event_type: event,
      payload,
      status: "pending",
      attempts: 0,
      last_status: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    }));
    await this.db.insertInto("webhook_deliveries").values(rows).execute();
    return rows.map(toDelivery);
  }

  /** A delivery with its endpoint's URL and opened secret; undefined when either is gone. */
  async pending(id: string): Promise<PendingDelivery | undefined> {
    const row = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .select(["d.id", "d.tenant_id", "d.message_id", "d.event_type", "d.payload", "d.status", "d.attempts", "e.id as endpoint_id", "e.url", "e.secret"])
      .where("d.id", "=", id)
      .executeTakeFirst();
    if (!row) return undefined;
    const secret = (await this.sealer()).open(row.secret, secretContext(row.endpoint_id));
    return { id: row.id, tenantId: row.tenant_id, url: row.url, secret, messageId: row.message_id, eventType: row.event_type, payload: row.payload, status: row.status, attempts: row.attempts };
  }

  /** Records one attempt: its answer (or error), and the delivery's status after it. */
  async recordAttempt(id: string, attempt: { status: WebhookDeliveryTable["status"]; httpStatus: number | null; error: string | null }): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .updateTable("webhook_deliveries")
      .set((eb) => ({
        status: attempt.status,
        attempts: eb("attempts", "+", 1),
        last_status: attempt.httpStatus,
        last_error: attempt.error,
        updated_at: now,
        ...(attempt.status === "delivered" ? { delivered_at: now } : {}),
      }))
      .where("id", "=", id)
      .execute();
  }

  async deliveries(tenantId: string, endpointId: string, options: { event?: string | undefined } = {}): Promise<WebhookDelivery[]> {
    let query = this.db.selectFrom("webhook_deliveries").selectAll().where("tenant_id", "=", tenantId).where("endpoint_id", "=", endpointId);
    if (options.event) query = query.where("event_type", "=", options.event);
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(200).execute();
    return rows.map(toDelivery);
  }

  async delivery(tenantId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.selectFrom("webhook_deliveries").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
    return row && toDelivery(row);
  }
}

function toDelivery(row: WebhookDeliveryTable): WebhookDelivery {
  return {
    id: row.id,
    endpoint: row.endpoint_id,
    messageId: row.message_id,
    event: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}
