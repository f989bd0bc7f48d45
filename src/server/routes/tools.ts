import type { Context, Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { Caller } from "../../services/invoke.js";
import { formatTool } from "../../tools/formats.js";
import { splitList } from "../../tools/select.js";
import type { ToolService } from "../../tools/service.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { notFound } from "../errors.js";
import { mount } from "../mount.js";

/** AI tools over HTTP: the ToolService does the work; this module reads the caller and writes the result. */
export function mountToolRoutes(app: Hono<AppEnv>, tools: ToolService): void {
  mount(app, routes.listTools, async (c, { query }) => {
    const caller = await callerOf(c, query.app);
    const outcome = await tools.tools(caller, { integrations: splitList(query.integrations), actions: splitList(query.actions), tags: splitList(query.tags) });
    if (outcome.kind === "missing") throw notFound(`a published version of integration "${outcome.slug}"`);
    return { format: query.format, count: outcome.tools.length, tools: outcome.tools.map((tool) => formatTool(tool, query.format)) };
  });

  mount(app, routes.callTool, async (c, { body }) => {
    const caller = await callerOf(c, body.app);
    return tools.call(caller, { name: body.name, arguments: body.arguments, connection: body.connection, signal: c.req.raw.signal });
  });
}

/** An app key acts for its own app; a tenant key for the app it names (`app`, else X-Waygate-App), else for the tenant. */
async function callerOf(c: Context<AppEnv>, named: string | undefined): Promise<Caller> {
  const auth = c.get("auth");
  const acting = named !== undefined && auth.appId === null ? await findApp(c, named) : await actingApp(c);
  return { tenantId: auth.tenantId, appId: acting?.id ?? null };
}
