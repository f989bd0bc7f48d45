import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import type { Invoker } from "../invoker.js";
import { mount } from "../mount.js";
import { findApp } from "../apps.js";

export function mountInvokeRoutes(app: Hono<AppEnv>, invoker: Invoker): void {
  mount(app, routes.invoke, async (c, { params, body }) => invoker.invoke(c, params.slug, params.action, body));

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
