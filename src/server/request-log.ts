import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { routes, type RouteSpec } from "../contract/index.js";
import type { Logger } from "../lib/logger.js";
import type { AppEnv } from "./env.js";
import { honoPathOf } from "./mount.js";

/** "GET /v1/integrations/:slug" → the contract route, to name a request by its template. */
const ROUTE_BY_MATCH = new Map<string, RouteSpec>(Object.values(routes).map((spec: RouteSpec) => [`${spec.method.toUpperCase()} ${honoPathOf(spec)}`, spec]));

/** Probes call these every few seconds: their lines are debug, so they do not drown the rest. */
const PROBE_ROUTES = new Set<string>([routes.health.path, routes.ready.path]);

/**
 * One line per request, written once the response is known (errors included: Hono's error
 * handler has already built the problem response when `next()` returns). It names the
 * route's template (`/v1/integrations/{slug}`), never the raw path or query string, and
 * who called (tenant and app ids), never the key, headers or bodies.
 */
export function logRequests(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const auth = c.get("auth") as AppEnv["Variables"]["auth"] | undefined;
    const route = contractRoute(c)?.path ?? null;
    const status = c.res.status;
    const fields = {
      requestId: c.get("requestId"),
      method: c.req.method,
      route,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      tenantId: auth?.tenantId ?? null,
      appId: auth?.appId ?? null,
    };
    if (status >= 500) logger.error(fields, "request failed");
    else if (route !== null && PROBE_ROUTES.has(route)) logger.debug(fields, "request");
    else logger.info(fields, "request");
  };
}

/**
 * The contract route this request matched, also when a middleware answered before it ran
 * (a 401): Hono's last match is the route's handler, or a middleware's wildcard when no route
 * matched, which the table does not know.
 */
function contractRoute(c: Context<AppEnv>): RouteSpec | undefined {
  return ROUTE_BY_MATCH.get(`${c.req.method} ${routePath(c, -1)}`);
}
