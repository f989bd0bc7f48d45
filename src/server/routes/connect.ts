import type { Context, Hono } from "hono";
import { routes, type OAuthClient } from "../../contract/index.js";
import { ConnectRefusal, type ConnectService } from "../../services/connect.js";
import type { OAuthClientScope } from "../../store/index.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

/** The URL the end user's browser reaches this server at: the configured public URL, else the request's origin. */
export function publicOrigin(c: Context<AppEnv>, publicUrl: string | undefined): string {
  return publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin;
}

/** A refusal of the connect service as the problem it is on the API. */
export async function refusalsAsProblems<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ConnectRefusal)) throw error;
    if (error.kind === "not-found") throw new HttpError("not-found", error.message);
    if (error.kind === "conflict") throw new HttpError("conflict", error.message);
    throw new HttpError("validation", error.message, error.field ? [{ field: error.field, message: error.message }] : undefined);
  }
}

export function mountConnectRoutes(app: Hono<AppEnv>, connect: ConnectService, options: { publicUrl?: string | undefined }): void {
  mount(app, routes.createConnectSession, async (c, { body }) => {
    const target = body.app ? await findApp(c, body.app) : await actingApp(c);
    if (!target) throw new HttpError("validation", "a tenant key must name the app the session is for: `app` in the body (or X-Waygate-App)", [{ field: "body.app", message: "required for tenant keys" }]);
    return refusalsAsProblems(() => connect.createSession({ tenantId: c.var.auth.tenantId, appId: target.id }, body, publicOrigin(c, options.publicUrl)));
  });

  mount(app, routes.getConnectSession, async (c, { params }) => {
    const session = await c.var.store.connectSessions.get(c.var.auth.tenantId, c.var.auth.appId, params.sessionId);
    if (!session) throw notFound(`connect session ${params.sessionId}`);
    return session;
  });

  mount(app, routes.listOAuthClients, async (c, { params }) => {
    const target = await findApp(c, params.app);
    return { data: await c.var.store.oauthClients.list({ tenantId: c.var.auth.tenantId, appId: target.id }) };
  });
  mount(app, routes.setOAuthClient, async (c, { params, body }) => {
    const scope = { tenantId: c.var.auth.tenantId, appId: (await findApp(c, params.app)).id };
    await refusalsAsProblems(() => connect.setOAuthClient(scope, params.slug, body));
    return storedClient(c, scope, params.slug);
  });
  mount(app, routes.deleteOAuthClient, async (c, { params }) => {
    const scope = { tenantId: c.var.auth.tenantId, appId: (await findApp(c, params.app)).id };
    await deleteClient(c, scope, params.slug);
    return undefined;
  });
  mount(app, routes.listTenantOAuthClients, async (c) => ({ data: await c.var.store.oauthClients.list({ tenantId: c.var.auth.tenantId, appId: null }) }));
  mount(app, routes.setTenantOAuthClient, async (c, { params, body }) => {
    const scope = { tenantId: c.var.auth.tenantId, appId: null };
    await refusalsAsProblems(() => connect.setOAuthClient(scope, params.slug, body));
    return storedClient(c, scope, params.slug);
  });
  mount(app, routes.deleteTenantOAuthClient, async (c, { params }) => {
    await deleteClient(c, { tenantId: c.var.auth.tenantId, appId: null }, params.slug);
    return undefined;
  });

  mount(app, routes.getConnectRedirectUrls, async (c, { params }) => ({ urls: await c.var.store.connectSessions.redirectUrls((await findApp(c, params.app)).id) }));
  mount(app, routes.setConnectRedirectUrls, async (c, { params, body }) => {
    const target = await findApp(c, params.app);
    await c.var.store.connectSessions.setRedirectUrls(target.id, body.urls);
    return { urls: await c.var.store.connectSessions.redirectUrls(target.id) };
  });
}

async function deleteClient(c: Context<AppEnv>, scope: OAuthClientScope, slug: string): Promise<void> {
  const integration = await c.var.store.integrations.find(scope.tenantId, slug);
  if (!integration || !(await c.var.store.oauthClients.delete(scope, integration.id))) {
    throw notFound(`OAuth client for "${slug}"${scope.appId ? "" : " at the tenant level"}`);
  }
}

/** The client just set, as the API shows it (never its secret). */
async function storedClient(c: Context<AppEnv>, scope: OAuthClientScope, slug: string): Promise<OAuthClient> {
  const found = (await c.var.store.oauthClients.list(scope)).find((client) => client.integration === slug);
  if (!found) throw notFound(`OAuth client for "${slug}"`);
  return found;
}
