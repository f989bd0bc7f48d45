import type { Context, Hono } from "hono";
import { routes, type IntegrationDefinition, type Version } from "../../contract/index.js";
import type { CurrentMove } from "../../store/index.js";
import { diffDefinitions, formatDiff, hasBreakingChanges } from "../../versioning/index.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export function mountVersionRoutes(app: Hono<AppEnv>): void {
  mount(app, routes.listVersions, async (c, { params }) => {
    const versions = await c.var.store.versions.list(c.var.auth.tenantId, params.slug);
    if (!versions) throw notFound(`integration "${params.slug}"`);
    return { data: versions };
  });

  mount(app, routes.getVersion, async (c, { params }) => {
    const version = await c.var.store.versions.get(c.var.auth.tenantId, params.slug, params.version);
    if (!version) throw await missing(c, params.slug, params.version);
    return version;
  });

  mount(app, routes.diffVersions, async (c, { params, query }) => {
    const [from, to] = await Promise.all([definition(c, params.slug, query.from), definition(c, params.slug, query.to)]);
    return diffDefinitions(from, to, { fromVersion: query.from, toVersion: query.to });
  });

  mount(app, routes.publishVersion, async (c, { params, body }) => {
    const { store, auth } = c.var;
    if (body.failOnBreaking) {
      const integration = await store.integrations.get(auth.tenantId, params.slug);
      if (integration?.currentVersion && integration.currentVersion !== params.version) {
        const [current, candidate] = await Promise.all([
          definition(c, params.slug, integration.currentVersion),
          definition(c, params.slug, params.version),
        ]);
        const diff = diffDefinitions(current, candidate, { fromVersion: integration.currentVersion, toVersion: params.version });
        if (hasBreakingChanges(diff)) {
          const lines = formatDiff(diff).filter((line) => line.endsWith("(breaking)"));
          throw new HttpError(
            "conflict",
            `version ${params.version} has ${diff.summary.breaking} breaking change(s) against current version ${integration.currentVersion}: ` +
              lines.slice(0, 5).join("; ") +
              (lines.length > 5 ? "; …" : ""),
          );
        }
      }
    }
    return done(c, params.slug, await store.versions.publish(auth.tenantId, params.slug, params.version, actor(c)));
  });

  mount(app, routes.rollback, async (c, { params, body }) =>
    done(c, params.slug, await c.var.store.versions.rollback(c.var.auth.tenantId, params.slug, body.to, actor(c))),
  );

  mount(app, routes.history, async (c, { params }) => {
    const events = await c.var.store.versions.history(c.var.auth.tenantId, params.slug);
    if (!events) throw notFound(`integration "${params.slug}"`);
    return { data: events };
  });
}

function actor(c: Context<AppEnv>): string {
  return `key:${c.var.auth.key.id}`;
}

async function definition(c: Context<AppEnv>, slug: string, version: number): Promise<IntegrationDefinition> {
  const found = await c.var.store.versions.definition(c.var.auth.tenantId, slug, version);
  if (!found) throw await missing(c, slug, version);
  return found;
}

async function missing(c: Context<AppEnv>, slug: string, version: number): Promise<HttpError> {
  const integration = await c.var.store.integrations.get(c.var.auth.tenantId, slug);
  return notFound(integration ? `version ${version} of "${slug}"` : `integration "${slug}"`);
}

async function done(c: Context<AppEnv>, slug: string, change: CurrentMove): Promise<Version> {
  if (change.kind === "done") return change.version;
  if (change.kind === "not-published") {
    throw new HttpError("conflict", `version ${change.version} of "${slug}" is a draft; publish it before rolling back to it`);
  }
  throw notFound(change.what === "integration" ? `integration "${slug}"` : `that version of "${slug}"`);
}
