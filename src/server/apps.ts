import type { Context } from "hono";
import type { App } from "../contract/index.js";
import type { AppEnv } from "./env.js";
import { notFound } from "./errors.js";

/**
 * The app a request names, as the caller may see it: a tenant key reaches every app of
 * its tenant; an app key reaches only its own app, and any other name is "not found"
 * (never "forbidden", which would confirm that the app exists).
 */
export async function findApp(c: Context<AppEnv>, ref: string): Promise<App> {
  const { store, auth } = c.var;
  const app = await store.apps.get(auth.tenantId, ref);
  if (!app || (auth.appId !== null && app.id !== auth.appId)) throw notFound(`app "${ref}"`);
  return app;
}

/**
 * The app a request acts for: an app key's own app, or the app a tenant key names in
 * `X-Waygate-App`; null for a tenant key acting as the tenant.
 */
export async function actingApp(c: Context<AppEnv>): Promise<App | null> {
  const { store, auth } = c.var;
  if (auth.appId) return (await store.apps.get(auth.tenantId, auth.appId)) ?? null;
  const named = c.req.header("x-waygate-app");
  return named ? findApp(c, named) : null;
}
