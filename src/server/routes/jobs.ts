import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export interface JobRouteOptions {
  /** Largest document an import accepts, in bytes. */
  maxDocumentBytes: number;
  /** Wakes the worker when a job is enqueued. */
  notifyWorker: () => void;
}

export function mountJobRoutes(app: Hono<AppEnv>, options: JobRouteOptions): void {
  mount(app, routes.startImport, async (c, { body }) => {
    if ("content" in body.source && Buffer.byteLength(body.source.content, "utf8") > options.maxDocumentBytes) {
      throw new HttpError("payload-too-large", `documents are limited to ${options.maxDocumentBytes} bytes (the server's --max-document-bytes)`);
    }
    const summary = "url" in body.source ? body.source.url : (body.source.filename ?? "uploaded document");
    const job = await c.var.store.jobs.enqueue({
      tenantId: c.var.auth.tenantId,
      type: "import",
      summary: `import ${summary}${body.slug ? ` as ${body.slug}` : ""}`,
      payload: body,
    });
    options.notifyWorker();
    return job;
  });

  mount(app, routes.listJobs, async (c, { query }) => c.var.store.jobs.list(c.var.auth.tenantId, query));

  mount(app, routes.getJob, async (c, { params }) => {
    const job = await c.var.store.jobs.get(c.var.auth.tenantId, params.jobId);
    if (!job) throw notFound(`job ${params.jobId}`);
    return job;
  });

  mount(app, routes.cancelJob, async (c, { params }) => {
    const job = await c.var.store.jobs.cancel(c.var.auth.tenantId, params.jobId);
    if (!job) throw notFound(`job ${params.jobId}`);
    return job;
  });
}
