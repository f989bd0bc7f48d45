import type { Hono } from "hono";
import { routes } from "../../contract/index.js";
import { INTENT_TEMPLATES } from "../../intents/templates.js";
import { InvokeError, type Caller } from "../../services/invoke.js";
import type { IntentService } from "../../services/intents.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";
import { refusal } from "./invoke.js";

/** Names the routes under /v1/intents/ use themselves: an intent may not be called so. */
const RESERVED_NAMES = new Set(["templates"]);

/**
 * Intent routes: the IntentService decides; these only read the caller and the call. An app
 * key reads intents and invokes them for its app; defining, binding, preferring and pinning
 * are tenant administration.
 */
export function mountIntentRoutes(app: Hono<AppEnv>, service: IntentService): void {
  mount(app, routes.listIntents, async (c) => ({ data: await service.list(c.var.auth.tenantId) }));

  mount(app, routes.listIntentTemplates, async () => ({ data: INTENT_TEMPLATES.map((template) => ({ ...template })) }));

  mount(app, routes.createIntent, async (c, { body }) => {
    if (RESERVED_NAMES.has(body.name)) throw new HttpError("validation", `"${body.name}" is reserved: choose another intent name`, [{ field: "body.name", message: "reserved" }]);
    const outcome = await service.create(c.var.auth.tenantId, body);
    if (outcome.kind === "invalid") throw new HttpError("validation", `${outcome.errors[0]!.field}: ${outcome.errors[0]!.message}`, outcome.errors);
    if (outcome.kind === "breaking") {
      const first = outcome.changes.find((change) => change.severity === "breaking")!;
      throw new HttpError("conflict", `the new version of "${body.name}" breaks the previous one (${first.message}); drop failOnBreaking to add it anyway`);
    }
    return { ...outcome.intent, created: outcome.created, changes: outcome.changes };
  });

  mount(app, routes.getIntent, async (c, { params, query }) => {
    const intent = await service.get(c.var.auth.tenantId, params.name, query.version);
    if (!intent) throw notFound(query.version ? `version ${query.version} of intent "${params.name}"` : `intent "${params.name}"`);
    return intent;
  });

  mount(app, routes.diffIntent, async (c, { params, query }) => {
    const changes = await service.diff(c.var.auth.tenantId, params.name, query.from, query.to);
    if (!changes) throw notFound(`version ${query.from} or ${query.to} of intent "${params.name}"`);
    return { intent: params.name, from: query.from, to: query.to, changes, breaking: changes.some((change) => change.severity === "breaking") };
  });

  mount(app, routes.bindIntent, async (c, { params, body }) => {
    const outcome = await service.bind(c.var.auth.tenantId, params.name, params.slug, body);
    if (outcome.kind === "not-found") throw notFound(outcome.what);
    if (outcome.kind === "invalid") {
      const first = outcome.errors[0]!;
      throw new HttpError("validation", `the mapping cannot bind ${params.slug} ${body.action} to "${params.name}": ${first.field}: ${first.message}${outcome.errors.length > 1 ? ` (and ${outcome.errors.length - 1} more)` : ""}`, outcome.errors);
    }
    return outcome.intent;
  });

  mount(app, routes.unbindIntent, async (c, { params, query }) => {
    const { store, auth } = c.var;
    const intent = await store.intents.get(auth.tenantId, params.name, query.version);
    if (!intent || !(await store.intents.unbind(auth.tenantId, params.name, intent.version, params.slug))) {
      throw notFound(`a binding of "${params.slug}" to intent "${params.name}"${query.version ? ` version ${query.version}` : ""}`);
    }
    return undefined;
  });

  mount(app, routes.setIntentPreference, async (c, { params, body }) => {
    const { store, auth } = c.var;
    if (!(await store.intents.get(auth.tenantId, params.name))) throw notFound(`intent "${params.name}"`);
    const target = await actingApp(c);
    await store.intents.setPreference(auth.tenantId, target?.id ?? null, params.name, [...new Set(body.providers)]);
    return { providers: [...new Set(body.providers)] };
  });

  mount(app, routes.setIntentPin, async (c, { params, body }) => {
    const { store, auth } = c.var;
    const target = await findApp(c, params.app);
    if (!(await store.intents.get(auth.tenantId, params.name, body.version))) throw notFound(`version ${body.version} of intent "${params.name}"`);
    await store.intents.pin(target.id, params.name, body.version);
    return { intent: params.name, version: body.version };
  });

  mount(app, routes.deleteIntentPin, async (c, { params }) => {
    const target = await findApp(c, params.app);
    if (!(await c.var.store.intents.unpin(target.id, params.name))) throw notFound(`a pin of app "${params.app}" on intent "${params.name}"`);
    return undefined;
  });

  mount(app, routes.invokeIntent, async (c, { params, headers, body }) => {
    const auth = c.get("auth");
    const acting = auth.appId ? null : await actingApp(c);
    const caller: Caller = { tenantId: auth.tenantId, appId: auth.appId ?? acting?.id ?? null };
    try {
      return await service.invoke(caller, params.name, body, { idempotencyKey: headers["idempotency-key"], signal: c.req.raw.signal });
    } catch (error) {
      if (error instanceof InvokeError) return refusal(c, error);
      throw error;
    }
  });
}
