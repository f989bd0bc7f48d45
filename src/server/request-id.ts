import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { InvokeResponseHeaders, REQUEST_ID_PATTERN } from "../contract/index.js";
import type { AppEnv } from "./env.js";

/**
 * Every request gets an id: the caller's `X-Request-Id` when it is well-formed (so a trace
 * spans the caller's logs and ours), else a new UUID. Responses built by the context
 * (`c.json`, problems) carry it from here; routes that build their own Response (the
 * gateway's) read it with `c.get("requestId")` and set it themselves.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header(InvokeResponseHeaders.requestId);
    const id = given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    c.set("requestId", id);
    c.header(InvokeResponseHeaders.requestId, id);
    await next();
  };
}
