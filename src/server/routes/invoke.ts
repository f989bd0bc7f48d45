import type { Context, Hono } from "hono";
import { InvokeRequestHeaders as Req, InvokeResponseHeaders as Res, routes, type InvokeHeaders } from "../../contract/index.js";
import { InvokeError, type Caller, type InvokeResult, type InvokeService } from "../../services/invoke.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";
import { findApp } from "../apps.js";
import { publicOrigin } from "./connect.js";

/**
 * The invoke protocol over HTTP: the InvokeService does the work; this module only reads
 * the caller and the call from the request (headers and body as the contract declares
 * them) and writes the result as the upstream's status, safe headers and body, with
 * Waygate's own headers beside them.
 */
export function mountInvokeRoutes(app: Hono<AppEnv>, service: InvokeService, options: { publicUrl?: string | undefined } = {}): void {
  mount(app, routes.invoke, async (c, { params, headers, body }) => {
    const caller = await callerOf(c, headers, service);
    try {
      const result = await service.invoke(caller, {
        integration: params.slug,
        action: params.action,
        input: body.input,
        paginate: body.paginate === true ? {} : body.paginate,
        page: body.page,
        ...callOptions(c, headers, body),
        connectOrigin: publicOrigin(c, options.publicUrl),
      });
      return answer(c, result);
    } catch (error) {
      if (error instanceof InvokeError) return refusal(c, error);
      throw error;
    }
  });

  mount(app, routes.proxy, async (c, { params, headers, body }) => {
    const caller = await callerOf(c, headers, service);
    try {
      const result = await service.proxy(caller, {
        integration: params.slug,
        method: body.method,
        path: body.path,
        query: body.query,
        body: body.body,
        ...callOptions(c, headers, body),
        connectOrigin: publicOrigin(c, options.publicUrl),
      });
      return answer(c, result);
    } catch (error) {
      if (error instanceof InvokeError) return refusal(c, error);
      throw error;
    }
  });

  mount(app, routes.setRateLimit, async (c, { params, body }) => {
    if (!(await c.var.store.integrations.setRateLimit(c.var.auth.tenantId, params.slug, body.rateLimit))) throw notFound(`integration "${params.slug}"`);
    return (await c.var.store.integrations.get(c.var.auth.tenantId, params.slug))!;
  });

  mount(app, routes.getAppSettings, async (c, { params }) => {
    const target = await findApp(c, params.app);
    const integration = await c.var.store.integrations.find(c.var.auth.tenantId, params.slug);
    if (!integration) throw notFound(`integration "${params.slug}"`);
    return c.var.store.connections.settings(target.id, integration.id);
  });

  mount(app, routes.setAppSettings, async (c, { params, body }) => {
    const target = await findApp(c, params.app);
    const integration = await c.var.store.integrations.find(c.var.auth.tenantId, params.slug);
    if (!integration) throw notFound(`integration "${params.slug}"`);
    for (const mapping of body.mappings) {
      const pointers = mapping.op === "drop" ? [mapping.path] : [mapping.from, mapping.to];
      if (pointers.some((pointer) => /\/(__proto__|constructor|prototype)(\/|$)/.test(pointer))) {
        throw new HttpError("validation", "mappings may not touch __proto__, constructor or prototype", [{ field: "body.mappings", message: "forbidden segment" }]);
      }
    }
    await c.var.store.connections.saveSettings(target.id, integration.id, body);
    return body;
  });
}

/** An app key acts for its own app (X-Waygate-App is ignored); a tenant key for the app it names, else for the tenant. */
async function callerOf(c: Context<AppEnv>, headers: InvokeHeaders, service: InvokeService): Promise<Caller> {
  // c.get, not c.var: Hono builds a fresh object for every c.var access.
  const auth = c.get("auth");
  if (auth.appId) return { tenantId: auth.tenantId, appId: auth.appId };
  const named = headers[Req.app];
  if (named === undefined) return { tenantId: auth.tenantId, appId: null };
  const appId = await service.appId(auth.tenantId, named);
  if (!appId) throw notFound(`app "${named}"`);
  return { tenantId: auth.tenantId, appId };
}

function callOptions(c: Context<AppEnv>, headers: InvokeHeaders, body: { connection?: string | undefined; retries?: number | undefined; timeoutMs?: number | undefined; headers?: Record<string, string> | undefined }) {
  return {
    connection: body.connection,
    retries: body.retries,
    timeoutMs: body.timeoutMs,
    headers: body.headers,
    idempotencyKey: headers[Req.idempotencyKey],
    expectedVersion: headers[Req.expectedVersion],
    versionPolicy: headers[Req.versionPolicy],
    signal: c.req.raw.signal,
  };
}

/** The upstream's answer: its status, its safe headers and its body (JSON, or the bytes as sent), with Waygate's headers. */
function answer(c: Context<AppEnv>, result: InvokeResult): Response {
  // A plain record takes @hono/node-server's fast path; a Headers object is only built for repeated warnings.
  const headers: Record<string, string> = {};
  // Upstream names are the gateway's allow-list of safe headers, lower-case: never `__proto__`.
  for (const [name, value] of Object.entries(result.headers)) if (name !== "content-length" && name !== "content-type") headers[name] = value;
  headers[Res.requestId] = c.get("requestId");
  headers[Res.versionExecuted] = String(result.version.executed);
  if (result.version.mismatch) headers[Res.versionMismatch] = String(result.version.expected);
  headers[Res.attempts] = String(result.attempts);
  if (result.nextPage) headers[Res.nextPage] = result.nextPage;
  let body: string | Uint8Array | null = null;
  if (result.raw) {
    headers["content-type"] = result.raw.contentType || "application/octet-stream";
    body = result.raw.bytes;
  } else if (!(result.body === null || result.body === undefined || result.status === 204 || result.status === 304)) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(result.body);
  }
  return new Response(body, { status: result.status, headers: withWarnings(headers, result.warnings) });
}

/** A problem: the upstream's error status and body, or Waygate's own refusal, said which in x-waygate-error-source. */
export function refusal(c: Context<AppEnv>, error: InvokeError): Response {
  const { retryAfterMs: _internal, ...problem } = error.problem;
  const headers: Record<string, string> = {
    "content-type": "application/problem+json",
    [Res.requestId]: c.get("requestId"),
    [Res.errorSource]: error.fromUpstream ? "upstream" : "waygate",
  };
  if (error.version) {
    headers[Res.versionExecuted] = String(error.version.executed);
    if (error.version.mismatch) headers[Res.versionMismatch] = String(error.version.expected);
  }
  const waitMs = error.retryAfterMs;
  if (waitMs !== undefined && (problem.status === 429 || problem.status === 503)) {
    headers[Res.retryAfter] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    headers[Res.retryAfterMs] = String(Math.max(0, Math.ceil(waitMs)));
  }
  const body = JSON.stringify({ ...problem, instance: c.req.path, requestId: c.get("requestId") });
  return new Response(body, { status: problem.status, headers });
}

/** Warnings as repeated headers, visible ASCII only, at most five. */
function withWarnings(headers: Record<string, string>, warnings: readonly string[]): Record<string, string> | Headers {
  if (warnings.length === 0) return headers;
  const list = new Headers(headers);
  for (const warning of warnings.slice(0, 5)) list.append(Res.warning, warning.replace(/[^\x20-\x7e]/g, "?").slice(0, 300));
  return list;
}
