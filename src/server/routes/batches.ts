import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { BATCH_EVENT_NAMES, BATCH_INVALID_ITEMS_CODE, FINISHED_BATCH_STATUSES, routes, type Batch } from "../../contract/index.js";
import type { BatchService } from "../../services/batches.js";
import { InvokeError, type Caller } from "../../services/invoke.js";
import type { BatchScope } from "../../store/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount, WithStatus } from "../mount.js";

/** How often the event stream looks for progress. */
const EVENT_POLL_MS = 500;

/**
 * Batch routes. An app key creates and sees only its app's batches; a tenant key creates
 * batches for the tenant or for the app it names in X-Waygate-App, and sees every batch of
 * the tenant. Another app's (or tenant's) batch is "not found", never "forbidden".
 */
export function mountBatchRoutes(app: Hono<AppEnv>, service: BatchService): void {
  mount(app, routes.createBatch, async (c, { headers, body }) => {
    const caller = await callerOf(c, headers["x-waygate-app"]);
    let created;
    try {
      created = await service.create(caller, body);
    } catch (error) {
      if (error instanceof InvokeError) return problemOf(c, error);
      throw error;
    }
    if (created.kind === "created") return created.batch;
    if (created.kind === "dry-run") return new WithStatus(200, created.result);
    const first = created.errors[0];
    throw new HttpError(
      "validation",
      `${created.invalidItems} of ${body.items.length} items do not match the action's input schema${first ? `; the first: ${first.field}: ${first.message}` : ""}`,
      created.errors,
      {},
      BATCH_INVALID_ITEMS_CODE,
    );
  });

  mount(app, routes.listBatches, async (c, { query }) => c.var.store.batches.list(scopeOf(c), query));

  mount(app, routes.getBatch, async (c, { params }) => found(await c.var.store.batches.get(scopeOf(c), params.batchId), params.batchId));

  mount(app, routes.listBatchResults, async (c, { params, query }) => found(await c.var.store.batches.items(scopeOf(c), params.batchId, query), params.batchId));

  mount(app, routes.cancelBatch, async (c, { params }) => found(await service.cancel(scopeOf(c), params.batchId), params.batchId));

  mount(app, routes.resumeBatch, async (c, { params }) => reopened(await service.resume(scopeOf(c), params.batchId), params.batchId, "no item is cancelled or unfinished"));

  mount(app, routes.retryFailedBatchItems, async (c, { params }) => reopened(await service.retryFailed(scopeOf(c), params.batchId), params.batchId, "no item failed"));

  mount(app, routes.batchEvents, async (c, { params }) => {
    const scope = scopeOf(c);
    const store = c.var.store;
    const first = found(await store.batches.get(scope, params.batchId), params.batchId);
    return streamSSE(c, async (stream) => {
      let last = "";
      let batch: Batch | undefined = first;
      while (batch && !stream.aborted) {
        const data = JSON.stringify(batch);
        const finished = FINISHED_BATCH_STATUSES.includes(batch.status);
        if (data !== last || finished) await stream.writeSSE({ event: finished ? BATCH_EVENT_NAMES.end : BATCH_EVENT_NAMES.progress, data });
        last = data;
        if (finished) return;
        await stream.sleep(EVENT_POLL_MS);
        batch = await store.batches.get(scope, params.batchId);
      }
    });
  });
}

/** Reads see what the key may see: a tenant key every batch of its tenant, an app key its app's. */
function scopeOf(c: Context<AppEnv>): BatchScope {
  const auth = c.get("auth");
  return { tenantId: auth.tenantId, appId: auth.appId };
}

/** Who a new batch acts for: an app key's app (X-Waygate-App ignored), the app a tenant key names, else the tenant. */
async function callerOf(c: Context<AppEnv>, named: string | undefined): Promise<Caller> {
  const auth = c.get("auth");
  if (auth.appId) return { tenantId: auth.tenantId, appId: auth.appId };
  if (named === undefined) return { tenantId: auth.tenantId, appId: null };
  const appId = await c.var.store.apps.idOf(auth.tenantId, named);
  if (!appId) throw notFound(`app "${named}"`);
  return { tenantId: auth.tenantId, appId };
}

function found<T>(value: T | undefined, id: string): T {
  if (value === undefined) throw notFound(`batch ${id}`);
  return value;
}

function reopened(outcome: Awaited<ReturnType<BatchService["resume"]>>, id: string, nothing: string): Batch {
  if (outcome.kind === "not-found") throw notFound(`batch ${id}`);
  if (outcome.kind === "nothing-to-run") throw new HttpError("conflict", `batch ${id} has nothing to run again: ${nothing}`);
  return outcome.batch;
}

/** The integration or action is not there for this caller: the problem invoke would answer. */
function problemOf(c: Context<AppEnv>, error: InvokeError): Response {
  const { retryAfterMs: _wait, upstream: _upstream, ...problem } = error.problem;
  return new Response(JSON.stringify({ ...problem, instance: c.req.path, requestId: c.get("requestId") }), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", "x-request-id": c.get("requestId") },
  });
}
