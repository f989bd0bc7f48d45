import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import { HttpError } from "./errors.js";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="waygate"' };

/**
 * Requires `Authorization: Bearer <key>` on every route it guards. Unknown, malformed
 * and revoked keys get the same answer, so a caller learns nothing about which keys exist.
 */
export function requireKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) {
      throw new HttpError("unauthorized", "send an API key as `Authorization: Bearer <key>`", undefined, CHALLENGE);
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const authenticated = match?.[1] ? await c.get("store").keys.authenticate(match[1]) : undefined;
    if (!authenticated) {
      throw new HttpError("unauthorized", "the API key is invalid or has been revoked", undefined, {
        "WWW-Authenticate": 'Bearer realm="waygate", error="invalid_token"',
      });
    }
    c.set("auth", { tenantId: authenticated.tenantId, key: authenticated.key, appId: authenticated.key.appId });
    await next();
  };
}
