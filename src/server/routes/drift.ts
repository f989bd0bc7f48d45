import type { Hono } from "hono";
import { routes, type Proposal } from "../../contract/index.js";
import type { DriftSetup } from "../../services/drift-setup.js";
import type { DecisionOutcome } from "../../services/drift.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount, WithStatus } from "../mount.js";
import { actor } from "./versions.js";
import { DriftScheduleError } from "../../services/schedules.js";

/** Drift checks and schedules, drift reports, proposals and their decisions, alert webhooks. */
export function mountDriftRoutes(app: Hono<AppEnv>, { drift, alerts }: DriftSetup): void {
  mount(app, routes.checkDrift, async (c, { params, body }) => {
    const outcome = await drift.check(c.var.auth.tenantId, params.slug, {
      actor: actor(c),
      signal: c.req.raw.signal,
      ...(body.source ? { source: body.source } : {}),
      ...(body.format ? { format: body.format } : {}),
    });
    switch (outcome.kind) {
      case "checked":
        return outcome.result;
      case "missing":
        throw outcome.what === "integration" ? notFound(`integration "${params.slug}"`) : new HttpError("conflict", `"${params.slug}" has no current version to compare with; publish one first`);
      case "no-source":
        throw new HttpError("bad-request", outcome.message);
      case "failed":
        throw new HttpError(outcome.problem.status === 409 ? "conflict" : "import-failed", outcome.problem.detail);
    }
  });

  mount(app, routes.scheduleDrift, async (c, { params, body }) => {
    const outcome = await drift.schedule(c.var.auth.tenantId, params.slug, body).catch((error: unknown) => {
      if (error instanceof DriftScheduleError) throw new HttpError("bad-request", `the drift schedule was refused: ${error.message}`);
      throw error;
    });
    if (outcome.kind === "missing") throw notFound(`integration "${params.slug}"`);
    if (outcome.kind === "unavailable") throw new HttpError("not-available", "this server has no job schedules; run `waygate drift check` from a scheduler of your own (cron, CI) instead");
    return outcome.schedule;
  });

  mount(app, routes.getDriftSeverity, async (c, { params }) => c.var.store.drift.severityOverrides(await integrationIdOf(c.var.store, c.var.auth.tenantId, params.slug)));

  mount(app, routes.setDriftSeverity, async (c, { params, body }) => {
    const integrationId = await integrationIdOf(c.var.store, c.var.auth.tenantId, params.slug);
    await c.var.store.drift.setSeverityOverrides(integrationId, body);
    return c.var.store.drift.severityOverrides(integrationId);
  });

  mount(app, routes.listDriftReports, async (c, { query }) => {
    const integrationId = query.integration ? await integrationIdOf(c.var.store, c.var.auth.tenantId, query.integration) : undefined;
    return { data: await c.var.store.drift.reports(c.var.auth.tenantId, { integrationId, limit: query.limit }) };
  });

  mount(app, routes.getDriftReport, async (c, { params }) => {
    const report = await c.var.store.drift.report(c.var.auth.tenantId, params.reportId);
    if (!report) throw notFound(`drift report "${params.reportId}"`);
    return report;
  });

  mount(app, routes.listProposals, async (c, { query }) => {
    const integrationId = query.integration ? await integrationIdOf(c.var.store, c.var.auth.tenantId, query.integration) : undefined;
    const proposals = await c.var.store.drift.proposals(c.var.auth.tenantId, { integrationId, status: query.status, limit: query.limit });
    return { data: proposals };
  });

  mount(app, routes.getProposal, async (c, { params }) => {
    const found = await c.var.store.drift.proposal(c.var.auth.tenantId, params.proposalId);
    const report = found && (await c.var.store.drift.report(c.var.auth.tenantId, found.report));
    if (!found || !report) throw notFound(`proposal "${params.proposalId}"`);
    const { integrationId: _integrationId, ...proposal } = found;
    return { ...proposal, report };
  });

  mount(app, routes.approveProposal, async (c, { params, body }) =>
    decided(params.proposalId, await drift.approve(c.var.auth.tenantId, params.proposalId, { actor: actor(c), allowBreaking: body.allowBreaking, note: body.note })),
  );

  mount(app, routes.rejectProposal, async (c, { params, body }) =>
    decided(params.proposalId, await drift.reject(c.var.auth.tenantId, params.proposalId, { actor: actor(c), note: body.note })),
  );

  mount(app, routes.listWebhooks, async (c) => ({ data: await c.var.store.alerts.endpoints(c.var.auth.tenantId) }));

  mount(app, routes.createWebhook, async (c, { body }) => alerts.addWebhook(c.var.auth.tenantId, body));

  mount(app, routes.deleteWebhook, async (c, { params }) => {
    if (!(await c.var.store.alerts.deleteEndpoint(c.var.auth.tenantId, params.webhookId))) throw notFound(`webhook "${params.webhookId}"`);
    return undefined;
  });

  mount(app, routes.testWebhook, async (c, { params }) => {
    if (!(await c.var.store.alerts.endpoint(c.var.auth.tenantId, params.webhookId))) throw notFound(`webhook "${params.webhookId}"`);
    const [delivery] = await alerts.emit(c.var.auth.tenantId, "alert.test", { message: "a test event from Waygate: this endpoint receives and verifies signed alerts" }, { endpointId: params.webhookId });
    if (!delivery) throw notFound(`webhook "${params.webhookId}"`);
    return new WithStatus(202, delivery);
  });

  mount(app, routes.listDeliveries, async (c, { params, query }) => {
    if (!(await c.var.store.alerts.endpoint(c.var.auth.tenantId, params.webhookId))) throw notFound(`webhook "${params.webhookId}"`);
    return { data: await c.var.store.alerts.deliveries(c.var.auth.tenantId, params.webhookId, { event: query.event }) };
  });
}

async function integrationIdOf(store: AppEnv["Variables"]["store"], tenantId: string, slug: string): Promise<string> {
  const integration = await store.integrations.find(tenantId, slug);
  if (!integration) throw notFound(`integration "${slug}"`);
  return integration.id;
}

function decided(id: string, outcome: DecisionOutcome): Proposal {
  if (outcome.kind === "done") return outcome.proposal;
  if (outcome.kind === "missing") throw notFound(`proposal "${id}"`);
  throw new HttpError("conflict", outcome.message);
}
