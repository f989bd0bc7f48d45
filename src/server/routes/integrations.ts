import type { Context, Hono } from "hono";
import { routes } from "../../contract/index.js";
import { contentHash } from "../../lib/canonical-json.js";
import type { VersionRef } from "../../store/index.js";
import type { AppEnv } from "../env.js";
import { notFound } from "../errors.js";
import { mount, WithStatus } from "../mount.js";

export function mountIntegrationRoutes(app: Hono<AppEnv>): void {
  mount(app, routes.listIntegrations, async (c, { query }) => c.var.store.integrations.list(c.var.auth.tenantId, query));

  mount(app, routes.createIntegration, async (c, { body, query }) => {
    const result = await c.var.store.versions.save(c.var.auth.tenantId, body, {
      contentHash: contentHash(body),
      createdBy: `key:${c.var.auth.key.id}`,
      draft: query.draft === "true",
    });
    // 201 for a new version; 200 when the content was already the latest version.
    return result.created ? result : new WithStatus(200, result);
  });

  mount(app, routes.getIntegration, async (c, { params }) => {
    const integration = await c.var.store.integrations.get(c.var.auth.tenantId, params.slug);
    if (!integration) throw notFound(`integration "${params.slug}"`);
    return integration;
  });

  mount(app, routes.deleteIntegration, async (c, { params }) => {
    if (!(await c.var.store.integrations.delete(c.var.auth.tenantId, params.slug))) throw notFound(`integration "${params.slug}"`);
    return undefined;
  });

  mount(app, routes.listActions, async (c, { params, query }) => {
    const ref = await findVersion(c, params.slug, query.version);
    return c.var.store.integrations.listActions(ref, query);
  });

  mount(app, routes.getAction, async (c, { params, query }) => {
    const ref = await findVersion(c, params.slug, query.version);
    const action = await c.var.store.integrations.getAction(ref, params.action);
    if (!action) throw notFound(`action "${params.action}" in ${params.slug} version ${ref.version}`);
    return action;
  });
}

async function findVersion(c: Context<AppEnv>, slug: string, version: number | undefined): Promise<VersionRef> {
  const lookup = await c.var.store.integrations.resolveVersion(c.var.auth.tenantId, slug, version);
  if (lookup.kind === "found") return lookup.ref;
  if (lookup.what === "integration") throw notFound(`integration "${slug}"`);
  throw notFound(version === undefined ? `a current version of "${slug}"` : `version ${version} of "${slug}"`);
}
