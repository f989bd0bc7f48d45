import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export function mountIdentityRoutes(app: Hono<AppEnv>): void {
  mount(app, routes.me, async (c) => {
    const { tenantId, key } = c.var.auth;
    const tenant = await c.var.store.tenants.get(tenantId);
    if (!tenant) throw new HttpError("unauthorized", "the key's tenant no longer exists");
    const app = c.var.auth.appId ? await c.var.store.apps.get(tenantId, c.var.auth.appId) : undefined;
    return { tenant, key, app: app ? { id: app.id, name: app.name } : null };
  });

  mount(app, routes.listKeys, async (c) => ({
    data: await c.var.store.keys.list(c.var.auth.tenantId, { kind: "tenant" }),
  }));

  mount(app, routes.createKey, async (c, { body }) => {
    const issued = await c.var.store.keys.issue({ tenantId: c.var.auth.tenantId, kind: "tenant", name: body.name });
    return { key: issued.key, secret: issued.secret };
  });

  mount(app, routes.revokeKey, async (c, { params }) => {
    const revoked = await c.var.store.keys.revokeAdminKey(c.var.auth.tenantId, params.keyId);
    if (revoked === "last-active") throw new HttpError("conflict", "this is the tenant's last active admin key; create another before revoking it");
    if (!revoked) throw notFound(`key ${params.keyId}`);
    return revoked;
  });
}
