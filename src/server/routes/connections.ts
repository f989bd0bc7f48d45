import type { Context, Hono } from "hono";
import { routes, type App, type ConnectionTest } from "../../contract/index.js";
import type { ConnectionScope } from "../../store/index.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";
import type { InvokeService } from "../../services/invoke.js";

export function mountConnectionRoutes(app: Hono<AppEnv>, invoke: InvokeService): void {
  mount(app, routes.listConnections, async (c, { query }) => {
    const scope = await scopeOf(c, query.app);
    const integration = query.integration ? await c.var.store.integrations.find(scope.tenantId, query.integration) : undefined;
    if (query.integration && !integration) throw notFound(`integration "${query.integration}"`);
    return {
      data: await c.var.store.connections.list(scope, {
        ...(integration ? { integrationId: integration.id } : {}),
        ...(query.user ? { externalUserId: query.user } : {}),
      }),
    };
  });

  mount(app, routes.createConnection, async (c, { body }) => {
    const scope = await scopeOf(c, body.app);
    const integration = await c.var.store.integrations.find(scope.tenantId, body.integration);
    if (!integration) throw notFound(`integration "${body.integration}"`);
    const created = await c.var.store.connections.create(scope, {
      integrationId: integration.id,
      externalUserId: body.externalUserId ?? null,
      credentials: body.credentials,
    });
    if (created === "exists") {
      throw new HttpError(
        "conflict",
        `a connection to "${body.integration}" already exists for ${body.externalUserId ? `user "${body.externalUserId}"` : "this app with no user"}; delete it first to replace it`,
      );
    }
    return created;
  });

  mount(app, routes.getConnection, async (c, { params, query }) => {
    const connection = await c.var.store.connections.get(await scopeOf(c, query.app), params.connectionId);
    if (!connection) throw notFound(`connection ${params.connectionId}`);
    return connection;
  });

  mount(app, routes.deleteConnection, async (c, { params, query }) => {
    if (!(await c.var.store.connections.delete(await scopeOf(c, query.app), params.connectionId))) throw notFound(`connection ${params.connectionId}`);
    return undefined;
  });

  mount(app, routes.testConnection, async (c, { params, query }) => {
    const scope = await scopeOf(c, query.app);
    const connection = await c.var.store.connections.get(scope, params.connectionId);
    if (!connection) throw notFound(`connection ${params.connectionId}`);
    return invoke.testConnection(scope, connection, c.req.raw.signal) satisfies Promise<ConnectionTest>;
  });
}

/**
 * The connections a request may touch: an app key's app, a tenant key's named app
 * (`?app=`/`"app"` or X-Waygate-App), or the tenant-level ones.
 */
export async function scopeOf(c: Context<AppEnv>, named?: string): Promise<ConnectionScope> {
  const app: App | null = named ? await findApp(c, named) : await actingApp(c);
  return { tenantId: c.var.auth.tenantId, appId: app?.id ?? null };
}
