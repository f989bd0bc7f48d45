import type { Context, Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { VersionRef } from "../../store/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount, WithStatus } from "../mount.js";
import type { AmendOutcome } from "../../services/versions.js";
import { actor, versions } from "./versions.js";

export function mountIntegrationRoutes(app: Hono<AppEnv>): void {
  mount(app, routes.listIntegrations, async (c, { query }) => c.var.store.integrations.list(c.var.auth.tenantId, query));

  mount(app, routes.createIntegration, async (c, { body, query }) => {
    const outcome = await versions(c).create(c.var.auth.tenantId, { definition: body, actor: actor(c), draft: query.draft === "true" });
    if (outcome.kind === "invalid") throw new HttpError("validation", `body.${outcome.field}: ${outcome.message}`, [{ field: `body.${outcome.field}`, message: outcome.message }]);
    if (outcome.kind === "contended" || outcome.kind === "moved") throw new HttpError("conflict", outcome.message);
    const { kind: _kind, ...result } = outcome;
    // 201 for a new version; 200 when the content was already the latest version.
    return result.created ? result : new WithStatus(200, result);
  });

  mount(app, routes.setBaseUrl, async (c, { params, body }) => {
    const outcome = await versions(c).setBaseUrl(c.var.auth.tenantId, params.slug, body.baseUrl, { actor: actor(c) });
    return amended(outcome, params.slug, "baseUrl");
  });

  mount(app, routes.setAuth, async (c, { params, body }) => {
    const outcome = await versions(c).setAuth(c.var.auth.tenantId, params.slug, body.authSchemes, { actor: actor(c) });
    return amended(outcome, params.slug, "authSchemes");
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

/** The answer to an amendment of the current version: 201 for a new version, 200 when the current one already was so and was the latest. */
function amended(outcome: AmendOutcome, slug: string, field: string) {
  if (outcome.kind === "missing") throw notFound(outcome.what === "integration" ? `integration "${slug}"` : `a current version of "${slug}" (publish one first)`);
  if (outcome.kind === "invalid") throw new HttpError("validation", `body.${field}: ${outcome.message}`, [{ field: `body.${field}`, message: outcome.message }]);
  if (outcome.kind === "contended" || outcome.kind === "moved") throw new HttpError("conflict", outcome.message);
  const { kind: _kind, ...result } = outcome;
  return result.created ? result : new WithStatus(200, result);
}
