import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { routes } from "../contract/routes.js";
import type { AppEnv } from "./env.js";
import { HttpError } from "./errors.js";

/** On /v1/mcp the challenge names the resource metadata (RFC 9728 §5.1), where MCP clients look for how to authenticate. */
function challenge(c: Context<AppEnv>, error?: string): Record<string, string> {
  const metadata = c.req.path === routes.mcp.path ? `, resource_metadata="${new URL(routes.mcpResourceMetadata.path, c.req.url).href}"` : "";
  return { "WWW-Authenticate": `Bearer realm="waygate"${error ? `, error="${error}"` : ""}${metadata}` };
}

/**
 * Requires `Authorization: Bearer <key>` on every route it guards. Unknown, malformed
 * and revoked keys get the same answer, so a caller learns nothing about which keys exist.
 */
export function requireKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) {
      throw new HttpError("unauthorized", "send an API key as `Authorization: Bearer <key>`", undefined, challenge(c));
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const authenticated = match?.[1] ? await c.get("store").keys.authenticate(match[1]) : undefined;
    if (!authenticated) {
      throw new HttpError("unauthorized", "the API key is invalid or has been revoked", undefined, challenge(c, "invalid_token"));
    }
    c.set("auth", { tenantId: authenticated.tenantId, key: authenticated.key, appId: authenticated.key.appId });
    await next();
  };
}

/**
 * Whether a request is the operator's tick: `POST /v1/jobs/tick` with `Authorization: Bearer
 * <secret>` (WAYGATE_TICK_SECRET), which runs every tenant's due jobs. Never true without a
 * secret, nor on any other route: the secret opens nothing else. Compared as SHA-256 digests in
 * constant time, so neither the secret's bytes nor its length show in the timing.
 */
export function tickSecretCheck(secret: string | undefined): (c: Context<AppEnv>) => boolean {
  if (!secret) return () => false;
  const expected = createHash("sha256").update(secret).digest();
  return (c) => {
    if (c.req.method !== routes.tickJobs.method.toUpperCase() || c.req.path !== routes.tickJobs.path) return false;
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
    return presented !== undefined && timingSafeEqual(createHash("sha256").update(presented).digest(), expected);
  };
}
