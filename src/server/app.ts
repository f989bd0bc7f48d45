import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CONNECT_PAGE_PATHS, routes, type ConnectEvent, type RouteSpec } from "../contract/index.js";
import { ConnectService } from "../services/connect.js";
import { mountConnectPages } from "./connect/pages.js";
import { mountConnectRoutes } from "./routes/connect.js";
import type { Store } from "../store/index.js";
import { EmbeddedJobBackend, JobQueueUnavailableError, type JobQueue } from "../jobs/queue.js";
import { requireKey, tickSecretCheck } from "./auth.js";
import type { AppEnv } from "./env.js";
import { HttpError, problemResponse } from "./errors.js";
import { CLOSE, meterUpload, UploadBudget } from "./upload-budget.js";
import type { Gateway } from "../gateway/index.js";
import { createGateway, InvokeService } from "../services/invoke.js";
import { requestId } from "./request-id.js";
import { logRequests } from "./request-log.js";
import type { Logger } from "../lib/logger.js";
import { mountAppRoutes } from "./routes/apps.js";
import { mountBatchRoutes } from "./routes/batches.js";
import { BatchService } from "../services/batches.js";
import { mountConnectionRoutes } from "./routes/connections.js";
import { mountInvokeRoutes } from "./routes/invoke.js";
import { mountIdentityRoutes } from "./routes/identity.js";
import { mountIntegrationRoutes } from "./routes/integrations.js";
import { mountIntentRoutes } from "./routes/intents.js";
import { IntentService } from "../services/intents.js";
import { mountJobRoutes, type RunDueJobs } from "./routes/jobs.js";
import { mountMetaRoutes } from "./routes/meta.js";
import { mountScheduleRoutes } from "./routes/schedules.js";
import { mountSdkRoutes } from "./routes/sdk.js";
import { mountToolRoutes } from "./routes/tools.js";
import { ToolService } from "../tools/service.js";
import { mountVersionRoutes } from "./routes/versions.js";
import { mountDriftRoutes } from "./routes/drift.js";
import { createDriftSetup, type DriftSetup } from "../services/drift-setup.js";
import type { ObservedCall } from "../services/traffic-drift.js";

export interface AppOptions {
  store: Store;
  version: string;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest document an import accepts (uploaded or fetched). Default 64 MiB. */
  maxDocumentBytes?: number;
  /** Jobs each batch is shared into, so that several workers run it together (WAYGATE_BATCH_SHARES). Default 1. */
  batchShares?: number;
  /** Largest `POST /v1/batches` body (up to 100 000 items). Default 64 MiB. */
  maxBatchBodyBytes?: number;
  /** Bytes of import requests being received and parsed at once, server-wide; past it, 503 with Retry-After. Default 256 MiB. */
  maxUploadBytesInFlight?: number;
  /** The URL generated clients and snippets call; default: the origin each request came to. */
  publicUrl?: string;
  /** The gateway invokes go through; default: one that refuses private upstreams. */
  gateway?: Gateway;
  /** Whether URL imports may reach private addresses; recorded in each job. Default false. */
  allowPrivateImports?: boolean;
  /** Where jobs go (the embedded queue or BullMQ); default: the embedded queue, with no worker in this process to wake. */
  jobs?: JobQueue;
  /** Runs due jobs within a budget, for `POST /v1/jobs/tick`. */
  runDueJobs?: RunDueJobs;
  /**
   * The operator's secret for `POST /v1/jobs/tick` (WAYGATE_TICK_SECRET): presented as the bearer
   * token, the tick runs every tenant's due jobs. Without it a tick runs the calling tenant's only.
   */
  tickSecret?: string;
  /** Called with errors that are not HttpErrors (bugs, database failures) and the request's id, before the 500 goes out. */
  onUnexpectedError?: (error: unknown, requestId?: string) => void;
  /** Gets one line per request (see request-log.ts); default: none. */
  logger?: Logger;
  /** The clock schedules' next runs are computed with; default the system's (tests move it). */
  scheduleClock?: () => Date;
  /** Told when a connect session ends (connection.created/updated/failed): where signed webhooks hang once they exist. */
  onConnectEvent?: (event: ConnectEvent) => void;
  /** Drift and alert services; default: built from these options (webhooks to public addresses only). */
  drift?: DriftSetup;
  /** Told about every successful invoke (traffic drift, recent calls). */
  invokeObserver?: (call: ObservedCall) => void;
}

/** Routes anyone may call (probes, the API's description): the contract marks them `auth: false`. */
const PUBLIC_PATHS = new Set<string>([
  ...Object.values(routes)
    .filter((spec: RouteSpec) => !spec.auth)
    .map((spec) => spec.path),
  // The OAuth callback is the end user's browser coming back from the provider: it carries a
  // cookie and a state, never an API key.
  CONNECT_PAGE_PATHS.callback,
]);

export const DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_BODY_BYTES = 64 * 1024 * 1024;

/** The Waygate API as a fetch handler: the same object serves HTTP and in-process tests. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxDocumentBytes = options.maxDocumentBytes ?? 64 * 1024 * 1024;
  // An uploaded document travels as a JSON string: escaping can nearly double it. The
  // route itself then holds the document to maxDocumentBytes exactly.
  const maxImportBodyBytes = maxDocumentBytes * 2 + 64 * 1024;
  const app = new Hono<AppEnv>();

  app.use("*", requestId());
  if (options.logger) app.use("*", logRequests(options.logger));
  app.use("*", async (c, next) => {
    c.set("store", options.store);
    await next();
  });
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpError("payload-too-large", `request bodies are limited to ${maxSize} bytes`, undefined, CLOSE);
      },
    });
  const defaultLimit = limitBody(maxBodyBytes);
  // Documents: counted against their own limit and the server-wide budget as they arrive.
  const budget = new UploadBudget(options.maxUploadBytesInFlight ?? DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT);
  const uploads: Record<string, { limit: number; what: string }> = {
    [routes.startImport.path]: { limit: maxImportBodyBytes, what: "import request bodies" },
    [routes.uploadImport.path]: { limit: maxDocumentBytes, what: "documents" },
    // 100 000 items do not fit the 1 MiB of other bodies: batches get their own limit,
    // counted against the same server-wide budget as documents.
    [routes.createBatch.path]: { limit: options.maxBatchBodyBytes ?? DEFAULT_MAX_BATCH_BODY_BYTES, what: "batch request bodies" },
  };
  app.use("/v1/*", (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
    const upload = uploads[c.req.path];
    if (upload) return meterUpload(c, next, { ...upload, budget });
    // A declared length is checked here. Only a chunked body goes through Hono's limiter,
    // which counts as it reads: it touches the raw Request, and @hono/node-server then
    // builds a full web Request and stream for it, which costs more than the gateway call.
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (!/^\d+$/.test(length)) throw new HttpError("bad-request", "the Content-Length header is not a number");
      if (Number(length) > maxBodyBytes) throw new HttpError("payload-too-large", `request bodies are limited to ${maxBodyBytes} bytes`, undefined, CLOSE);
      return next();
    }
    return defaultLimit(c, next);
  });
  const authenticate = requireKey();
  const isOperatorTick = tickSecretCheck(options.tickSecret);
  app.use("/v1/*", async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    if (isOperatorTick(c)) {
      c.set("operator", true);
      return next();
    }
    return authenticate(c, next);
  });

  mountMetaRoutes(app, { version: options.version, store: options.store, logger: options.logger });
  mountIdentityRoutes(app);
  mountIntegrationRoutes(app);
  mountVersionRoutes(app);
  mountAppRoutes(app);
  mountSdkRoutes(app, { publicUrl: options.publicUrl });
  const gateway = options.gateway ?? createGateway(options.store);
  const jobs = options.jobs ?? new EmbeddedJobBackend(options.store).queue;
  const drift = options.drift ?? createDriftSetup(options.store, { allowPrivateNetwork: options.allowPrivateImports ?? false, maxDocumentBytes, env: process.env, webhookReach: "public", jobs });
  const connect = new ConnectService({
    store: options.store,
    tokenTransport: gateway.tokenTransport(),
    onEvent: (event) => {
      options.onConnectEvent?.(event);
      // The tenant's signed webhooks hear about it too (connection.created/updated/failed).
      const { tenantId, ...data } = event;
      drift.alerts.emit(tenantId, event.type, data).catch((error: unknown) => options.onUnexpectedError?.(error));
    },
  });
  const invoke = new InvokeService(options.store, gateway, {
    connectLinks: (scope, slug, user, origin) => connect.connectLink(scope, slug, user, origin),
    observer: options.invokeObserver,
  });
  mountDriftRoutes(app, drift);
  mountInvokeRoutes(app, invoke, { publicUrl: options.publicUrl });
  mountConnectRoutes(app, connect, { publicUrl: options.publicUrl });
  mountConnectPages(app, connect, { publicUrl: options.publicUrl });
  mountConnectionRoutes(app, invoke);
  const intents = new IntentService(options.store, invoke);
  mountIntentRoutes(app, intents);
  mountToolRoutes(app, new ToolService(options.store, invoke, { intents }), { version: options.version, publicUrl: options.publicUrl });
  mountBatchRoutes(app, new BatchService(options.store, invoke, jobs, options.batchShares));
  mountScheduleRoutes(app, { now: options.scheduleClock ?? (() => new Date()) });
  mountJobRoutes(app, { maxDocumentBytes, queue: jobs, allowPrivateImports: options.allowPrivateImports ?? false, runDueJobs: options.runDueJobs });

  app.notFound((c) => problemResponse(c, new HttpError("not-found", `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof HttpError) return problemResponse(c, error);
    options.onUnexpectedError?.(error, c.get("requestId"));
    // The operator's Redis is down: a 503 the client may retry, saying what is wrong (the log has the cause).
    if (error instanceof JobQueueUnavailableError) return problemResponse(c, new HttpError("server-busy", error.message, undefined, { "retry-after": "10" }));
    return problemResponse(c, new HttpError("internal", "an unexpected error occurred; it has been logged with the request id"));
  });
  return app;
}
