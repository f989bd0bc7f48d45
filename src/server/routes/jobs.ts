import type { Hono } from "hono";
import { IMPORT_UPLOAD_MEDIA_TYPES, routes, type TickResult } from "../../contract/index.js";
import { enqueueDocumentImport, enqueueUrlImport } from "../../jobs/import-jobs.js";
import type { JobQueue } from "../../jobs/queue.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";
import { CLOSE } from "../upload-budget.js";

export interface JobRouteOptions {
  /** Largest document an import accepts, in bytes. */
  maxDocumentBytes: number;
  /** Where jobs go (the embedded queue or BullMQ). */
  queue: JobQueue;
  /** This server's setting for URL imports, recorded in each job (servers sharing a database share its queue). */
  allowPrivateImports: boolean;
  /** Runs due jobs within a budget (POST /v1/jobs/tick); absent where no job handlers are wired. */
  runDueJobs?: RunDueJobs | undefined;
}

/**
 * Fires due schedules, then runs due jobs for at most `budgetMs`: `tenantId`'s when a tenant's
 * key asked, every tenant's when the operator's tick secret did.
 */
export type RunDueJobs = (budgetMs: number, tenantId: string | undefined) => Promise<TickResult>;

const UPLOAD_TYPES = new Set<string>(IMPORT_UPLOAD_MEDIA_TYPES);

/**
 * Import routes take the document two ways: inside the JSON request (`source.content`, parsed
 * whole on this thread) or as the body itself (`/v1/imports/upload`), which is streamed into
 * the store without ever being a string. The app's upload middleware bounds both.
 */
export function mountJobRoutes(app: Hono<AppEnv>, options: JobRouteOptions): void {
  mount(app, routes.tickJobs, async (c, { body }) => {
    if (!options.runDueJobs) throw new HttpError("server-busy", "this server has no job handlers to run jobs with");
    // A tenant's key runs that tenant's jobs alone (and its counts are its own); the operator's secret runs everyone's.
    return options.runDueJobs(body.budgetMs, c.var.operator ? undefined : c.var.auth.tenantId);
  });
  mount(app, routes.startImport, async (c, { body }) => {
    const { source, ...request } = body;
    const tenantId = c.var.auth.tenantId;
    if ("url" in source) {
      return enqueueUrlImport(c.var.store, options.queue, tenantId, source, { ...request, privateImports: options.allowPrivateImports });
    }
    const bytes = Buffer.from(source.content, "utf8");
    if (bytes.byteLength > options.maxDocumentBytes) {
      throw new HttpError("payload-too-large", `documents are limited to ${options.maxDocumentBytes} bytes (the server's --max-document-bytes)`);
    }
    const queued = await enqueueDocumentImport(c.var.store, options.queue, tenantId, [bytes], { filename: source.filename }, { ...request, privateImports: options.allowPrivateImports });
    if (queued.kind === "empty") throw new HttpError("bad-request", "the document is empty");
    return queued.job;
  });

  mount(app, routes.uploadImport, async (c, { query }) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!UPLOAD_TYPES.has(type)) {
      const detail = `send the document as one of ${IMPORT_UPLOAD_MEDIA_TYPES.join(", ")} (got ${type ? `"${type}"` : "no content type"})`;
      throw new HttpError("unsupported-media-type", detail, undefined, CLOSE);
    }
    const { filename, ...request } = query;
    const body = c.req.raw.body;
    const queued = body ? await enqueueDocumentImport(c.var.store, options.queue, c.var.auth.tenantId, received(body), { filename }, { ...request, privateImports: options.allowPrivateImports }) : ({ kind: "empty" } as const);
    if (queued.kind === "empty") throw new HttpError("bad-request", "the document is empty");
    return queued.job;
  });

  mount(app, routes.listJobs, async (c, { query }) => c.var.store.jobs.list(c.var.auth.tenantId, query));

  mount(app, routes.getJob, async (c, { params }) => {
    const job = await c.var.store.jobs.get(c.var.auth.tenantId, params.jobId);
    if (!job) throw notFound(`job ${params.jobId}`);
    return job;
  });

  mount(app, routes.cancelJob, async (c, { params }) => {
    const job = await options.queue.cancel(c.var.auth.tenantId, params.jobId);
    if (!job) throw notFound(`job ${params.jobId}`);
    return job;
  });
}

/** The body's chunks; a client that goes away mid-upload is a bad request, not a server error. */
async function* received(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (error) {
      if (error instanceof HttpError) throw error; // over a limit or the budget
      throw new HttpError("bad-request", `the upload ended before the document was complete (${error instanceof Error ? error.message : String(error)})`, undefined, CLOSE);
    }
    if (next.done) return;
    yield next.value;
  }
}
