import type { Context, Hono } from "hono";
import { routes, type Version } from "../../contract/index.js";
import { VersionService, type MoveOutcome } from "../../services/versions.js";
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
    if (version) return version;
    const integration = await c.var.store.integrations.find(c.var.auth.tenantId, params.slug);
    throw notFound(integration ? `version ${params.version} of "${params.slug}"` : `integration "${params.slug}"`);
  });

  mount(app, routes.getDefinition, async (c, { params }) => {
    const definition = await c.var.store.versions.definition(c.var.auth.tenantId, params.slug, params.version);
    if (definition) return definition;
    const integration = await c.var.store.integrations.find(c.var.auth.tenantId, params.slug);
    throw notFound(integration ? `version ${params.version} of "${params.slug}"` : `integration "${params.slug}"`);
  });

  mount(app, routes.diffVersions, async (c, { params, query }) => {
    const outcome = await versions(c).diff(c.var.auth.tenantId, params.slug, query.from, query.to);
    if (outcome.kind === "diff") return outcome.diff;
    throw notFound(outcome.what === "integration" ? `integration "${params.slug}"` : `version ${outcome.version} of "${params.slug}"`);
  });

  mount(app, routes.publishVersion, async (c, { params, body }) =>
    done(params.slug, await versions(c).publish(c.var.auth.tenantId, params.slug, params.version, { actor: actor(c), failOnBreaking: body.failOnBreaking })),
  );

  mount(app, routes.rollback, async (c, { params, body }) =>
    done(params.slug, await versions(c).rollback(c.var.auth.tenantId, params.slug, body.to, { actor: actor(c) })),
  );

  mount(app, routes.history, async (c, { params }) => {
    const events = await c.var.store.versions.history(c.var.auth.tenantId, params.slug);
    if (!events) throw notFound(`integration "${params.slug}"`);
    return { data: events };
  });
}

export function versions(c: Context<AppEnv>): VersionService {
  return new VersionService(c.var.store);
}

export function actor(c: Context<AppEnv>): string {
  return `key:${c.var.auth.key.id}`;
}

function done(slug: string, outcome: MoveOutcome): Version {
  switch (outcome.kind) {
    case "done":
      return outcome.version;
    case "missing":
      throw notFound(outcome.what === "integration" ? `integration "${slug}"` : `that version of "${slug}"`);
    case "not-published":
      throw new HttpError("conflict", `version ${outcome.version} of "${slug}" is a draft; publish it before rolling back to it`);
    case "breaking":
      throw new HttpError(
        "conflict",
        `version ${outcome.version} has ${outcome.diff.summary.breaking} breaking change(s) against current version ${outcome.current}: ` +
          outcome.breaking.slice(0, 5).join("; ") +
          (outcome.breaking.length > 5 ? "; …" : ""),
      );
    case "contended":
      throw new HttpError("conflict", outcome.message);
  }
}
