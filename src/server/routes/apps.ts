import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import { findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export function mountAppRoutes(app: Hono<AppEnv>): void {
  mount(app, routes.listApps, async (c) => ({ data: await c.var.store.apps.list(c.var.auth.tenantId) }));

  mount(app, routes.createApp, async (c, { body }) => {
    const created = await c.var.store.apps.create(c.var.auth.tenantId, body.name);
    if (created === "name-taken") throw new HttpError("conflict", `an app named "${body.name}" already exists`);
    return created;
  });

  mount(app, routes.getApp, async (c, { params }) => findApp(c, params.app));

  mount(app, routes.renameApp, async (c, { params, body }) => {
    const renamed = await c.var.store.apps.rename(c.var.auth.tenantId, params.app, body.name);
    if (renamed === "name-taken") throw new HttpError("conflict", `an app named "${body.name}" already exists`);
    if (!renamed) throw notFound(`app "${params.app}"`);
    return renamed;
  });

  mount(app, routes.deleteApp, async (c, { params }) => {
    if (!(await c.var.store.apps.delete(c.var.auth.tenantId, params.app))) throw notFound(`app "${params.app}"`);
    return undefined;
  });

  mount(app, routes.listAppKeys, async (c, { params }) => {
    const target = await findApp(c, params.app);
    return { data: await c.var.store.keys.list(c.var.auth.tenantId, { kind: "app", appId: target.id }) };
  });

  mount(app, routes.createAppKey, async (c, { params, body }) => {
    const target = await findApp(c, params.app);
    const issued = await c.var.store.keys.issue({ tenantId: c.var.auth.tenantId, kind: "app", appId: target.id, name: body.name });
    return { key: issued.key, secret: issued.secret };
  });

  mount(app, routes.revokeAppKey, async (c, { params }) => {
    const target = await findApp(c, params.app);
    const key = await c.var.store.keys.get(c.var.auth.tenantId, params.keyId);
    if (!key || key.appId !== target.id) throw notFound(`key ${params.keyId} of app "${params.app}"`);
    return (await c.var.store.keys.revoke(c.var.auth.tenantId, params.keyId))!;
  });

  mount(app, routes.listPins, async (c, { params }) => ({ data: await c.var.store.apps.pins((await findApp(c, params.app)).id) }));

  mount(app, routes.setPin, async (c, { params, body }) => {
    const { store, auth } = c.var;
    const target = await findApp(c, params.app);
    const lookup = await store.integrations.resolveVersion(auth.tenantId, params.slug, body.version);
    if (lookup.kind === "missing") {
      throw notFound(lookup.what === "integration" ? `integration "${params.slug}"` : `version ${body.version} of "${params.slug}"`);
    }
    const version = await store.versions.get(auth.tenantId, params.slug, body.version);
    if (version?.status !== "published") {
      throw new HttpError("conflict", `version ${body.version} of "${params.slug}" is a draft; only published versions can be pinned`);
    }
    await store.apps.pin(target.id, lookup.ref.integrationId, body.version);
    const pin = (await store.apps.pins(target.id)).find((p) => p.integration === params.slug);
    return pin!;
  });

  mount(app, routes.deletePin, async (c, { params }) => {
    const { store, auth } = c.var;
    const target = await findApp(c, params.app);
    const lookup = await store.integrations.resolveVersion(auth.tenantId, params.slug);
    const integrationId = lookup.kind === "found" ? lookup.ref.integrationId : undefined;
    if (!integrationId || !(await store.apps.unpin(target.id, integrationId))) throw notFound(`a pin of "${params.slug}" for app "${params.app}"`);
    return undefined;
  });
}
