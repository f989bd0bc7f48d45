import type { Context, Hono } from "hono";
import { routes, type IntegrationDefinition, type ManifestIntegration, type ManifestIntent, type SdkManifest } from "../../contract/index.js";
import { contentHash } from "../../lib/canonical-json.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export interface SdkRouteOptions {
  /** The URL clients should call; default: the origin the request came to. */
  publicUrl?: string | undefined;
}

export function mountSdkRoutes(app: Hono<AppEnv>, options: SdkRouteOptions): void {
  mount(app, routes.getManifest, async (c, { query }) => {
    const { store, auth } = c.var;
    const appRecord = query.app ? await findApp(c, query.app) : await actingApp(c);
    const wanted = query.integrations
      ? query.integrations.split(",").map((item) => {
          const [slug, version] = item.split("@");
          return { slug: slug!, version: version === undefined ? undefined : Number(version) };
        })
      : (await allSlugs(c)).map((slug) => ({ slug, version: undefined }));

    const integrations: ManifestIntegration[] = [];
    for (const item of wanted) {
      const found = await store.integrations.find(auth.tenantId, item.slug);
      if (!found) throw notFound(`integration "${item.slug}"`);
      const version = item.version ?? (await store.apps.resolvedVersion(appRecord?.id ?? null, found.id)).version;
      if (version === null) {
        if (item.version === undefined && !query.integrations) continue; // nothing published yet: nothing to generate
        throw notFound(`a published version of "${item.slug}"`);
      }
      const saved = await store.versions.get(auth.tenantId, item.slug, version);
      if (!saved) throw notFound(`version ${version} of "${item.slug}"`);
      if (saved.status !== "published") throw new HttpError("conflict", `version ${version} of "${item.slug}" is a draft; publish it first`);
      const definition = (await store.versions.definition(auth.tenantId, item.slug, version)) as IntegrationDefinition;
      integrations.push(toManifestIntegration(definition, version, saved.contentHash));
    }
    integrations.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    const apiUrl = options.publicUrl ?? new URL(c.req.url).origin;
    // Only for a whole-tenant or whole-app manifest: a list of integrations asks for those alone.
    const intents = query.integrations ? [] : await manifestIntents(c, appRecord?.id ?? null);
    const manifest: SdkManifest = {
      // Not the apiUrl: the same client is reached as localhost or 127.0.0.1, and `generate --check` must agree with itself.
      // Intents join the hash only when there are some, so manifests without intents keep their hash.
      hash: contentHash({
        integrations: integrations.map((i) => ({ slug: i.slug, version: i.version, contentHash: i.contentHash })),
        ...(intents.length > 0 ? { intents } : {}),
      }),
      apiUrl,
      tenantId: auth.tenantId,
      appId: appRecord?.id ?? null,
      integrations,
      ...(intents.length > 0 ? { intents } : {}),
    };
    return manifest;
  });

  mount(app, routes.getSnippets, async (c, { params, query }) => {
    const { store, auth } = c.var;
    const appRecord = await actingApp(c);
    const found = await store.integrations.find(auth.tenantId, params.slug);
    if (!found) throw notFound(`integration "${params.slug}"`);
    const version = query.version ?? (await store.apps.resolvedVersion(appRecord?.id ?? null, found.id)).version;
    if (version === null) throw notFound(`a published version of "${params.slug}"`);
    const saved = await store.versions.get(auth.tenantId, params.slug, version);
    const definition = await store.versions.definition(auth.tenantId, params.slug, version);
    if (!saved || !definition) throw notFound(`version ${version} of "${params.slug}"`);
    const action = definition.actions.find((candidate) => candidate.name === params.action);
    if (!action) throw notFound(`action "${params.action}" in ${params.slug} version ${version}`);
    // The snippet renderer and its templates load on first use only.
    const { renderSnippet, SNIPPET_LANGUAGES } = await import("../../codegen/index.js");
    const integration = toManifestIntegration(definition, version, saved.contentHash);
    const apiUrl = options.publicUrl ?? new URL(c.req.url).origin;
    const langs = query.lang ? [query.lang] : [...SNIPPET_LANGUAGES];
    return {
      integration: params.slug,
      action: action.name,
      version,
      // The acting app (an app key's own, or the one a tenant key names) becomes the snippets' default app.
      snippets: langs.map((lang) => ({ lang, code: renderSnippet(integration, action, lang, { apiUrl, app: appRecord?.name }) })),
    };
  });
}

function toManifestIntegration(definition: IntegrationDefinition, version: number, hash: string): ManifestIntegration {
  return {
    slug: definition.slug,
    name: definition.name,
    description: definition.description ?? null,
    version,
    contentHash: hash,
    baseUrl: definition.baseUrl,
    authSchemes: definition.authSchemes,
    authTypeUnverified: definition.authTypeUnverified,
    actions: definition.actions,
  };
}

/** Every intent at the version the app runs (its pin, else the latest), with the providers bound to that version. */
async function manifestIntents(c: Context<AppEnv>, appId: string | null): Promise<ManifestIntent[]> {
  const { store, auth } = c.var;
  const out: ManifestIntent[] = [];
  for (const latest of await store.intents.listLatest(auth.tenantId)) {
    const pinned = appId ? await store.intents.pinned(appId, latest.name) : undefined;
    const intent = pinned === undefined ? latest : await store.intents.get(auth.tenantId, latest.name, pinned);
    if (!intent) continue;
    const bindings = await store.intents.bindings(auth.tenantId, intent.name, intent.version);
    out.push({ name: intent.name, version: intent.version, description: intent.description, inputSchema: intent.inputSchema, outputSchema: intent.outputSchema, providers: bindings.map((binding) => binding.integration) });
  }
  return out;
}

async function allSlugs(c: Context<AppEnv>): Promise<string[]> {
  const slugs: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.var.store.integrations.list(c.var.auth.tenantId, { limit: 200, cursor });
    slugs.push(...page.data.map((i) => i.slug));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return slugs;
}
