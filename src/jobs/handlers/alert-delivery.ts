import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { Agent, request } from "undici";
import { problemTypes, problemTypeUri } from "../../contract/index.js";
import { guardedLookup, type NetworkReach } from "../../importer/net-guard.js";
import type { JobHandler } from "../types.js";

/** What an `alert_delivery` job carries: the delivery row it sends (the payload and secret stay in the store). */
export const AlertDeliveryPayloadSchema = z.object({ deliveryId: z.string() });

const DELIVERY_TIMEOUT_MS = 10_000;
/** Of an endpoint's answer, this much is kept in the delivery record (it is the receiver's text, not ours). */
const KEPT_ANSWER_CHARS = 300;

/**
 * One attempt of an alert delivery (see services/alerts.ts), signed per Standard Webhooks
 * with the reference library: `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 * The `webhook-id` stays the same over retries, so receivers can drop duplicates.
 */
export interface AlertDeliveryOptions {
  /** Which addresses endpoints may resolve to: "public" in production; tests use "loopback". */
  reach: NetworkReach;
  timeoutMs?: number;
}

/** Sends one delivery; a non-2xx answer or a network error fails the attempt, to be retried. */
export function alertDeliveryHandler(options: AlertDeliveryOptions): JobHandler {
  const dispatcher = options.reach === "private" ? undefined : new Agent({ connect: { lookup: guardedLookup(options.reach) } });
  return async ({ job, store, signal }) => {
    const payload = AlertDeliveryPayloadSchema.safeParse(job.payload);
    const delivery = payload.success ? await store.alerts.pending(payload.data.deliveryId) : undefined;
    if (!delivery) return { kind: "succeeded", result: { skipped: "the delivery or its endpoint was removed" } };
    if (delivery.status === "delivered") return { kind: "succeeded", result: { delivered: true } };
    const timestamp = new Date();
    const signature = new Webhook(delivery.secret).sign(delivery.messageId, timestamp, delivery.payload);
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await request(delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": delivery.messageId,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": signature,
          "user-agent": "waygate-alerts",
        },
        body: delivery.payload,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? DELIVERY_TIMEOUT_MS)]),
        ...(dispatcher ? { dispatcher } : {}),
      });
      httpStatus = response.statusCode;
      const text = await response.body.text().catch(() => "");
      if (httpStatus < 200 || httpStatus >= 300) error = `the endpoint answered ${httpStatus}${text ? `: ${text.slice(0, KEPT_ANSWER_CHARS)}` : ""}`;
    } catch (caught) {
      error = `the endpoint could not be reached: ${caught instanceof Error ? (caught.cause instanceof Error ? caught.cause.message : caught.message) : String(caught)}`;
    }
    if (error === null) {
      await store.alerts.recordAttempt(delivery.id, { status: "delivered", httpStatus, error: null });
      return { kind: "succeeded", result: { delivered: true, status: httpStatus } };
    }
    const lastAttempt = job.attempts >= job.maxAttempts;
    await store.alerts.recordAttempt(delivery.id, { status: lastAttempt ? "failed" : "pending", httpStatus, error });
    return { kind: "failed", error: { type: problemTypeUri("job-failed"), title: problemTypes["job-failed"].title, status: problemTypes["job-failed"].status, detail: error }, retryable: true };
  };
}
