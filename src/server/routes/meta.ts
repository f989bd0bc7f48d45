import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import { buildOpenApiDocument } from "../../contract/openapi.js";
import type { AppEnv } from "../env.js";
import { mount } from "../mount.js";

export function mountMetaRoutes(app: Hono<AppEnv>, version: string): void {
  let document: Record<string, unknown> | undefined;
  mount(app, routes.health, async () => ({ status: "ok" as const, version }));
  // Built on first request, not at start-up: most servers never serve it.
  mount(app, routes.openapi, async () => (document ??= buildOpenApiDocument(version)));
}
