import type { DriftChange, DriftCheckRequest, DriftCheckResult, DriftImpact, DriftSchedule, DriftScheduleRequest, Problem, Proposal } from "../contract/index.js";
import { problemTypes, problemTypeUri } from "../contract/index.js";
import type { ImportOutcome, ImportSource } from "../importer/index.js";
import { SealedUrlSourceSchema } from "../jobs/handlers/import-payload.js";
import { runImport, type ImportProcess } from "../jobs/handlers/import-runner.js";
import { openScrapeLlm } from "../jobs/handlers/llm-page-cache.js";
import { SealError } from "../lib/sealer.js";
import { sourceSealContext, type Store, type StoredSource } from "../store/index.js";
import { diffDefinitions, hasBreakingChanges } from "../versioning/index.js";
import { driftChanges, highestSeverity, withSeverityOverrides } from "../versioning/drift.js";
import type { AlertService } from "./alerts.js";
import { describeSummary, VersionService } from "./versions.js";

/**
 * Where drift checks run on a schedule. The server is given one backed by the job system's
 * schedules (a schedule per integration firing a `drift_check` job with a DriftCheckPayload);
 * without one, `PUT …/drift-schedule` answers 501.
 */
export interface DriftScheduler {
  /** Creates or replaces the integration's drift schedule. */
  schedule(tenantId: string, integration: { id: string; slug: string }, spec: DriftScheduleRequest): Promise<DriftSchedule>;
}

export interface DriftServiceOptions {
  /** Whether sources may be on loopback/private addresses (as for imports). */
  allowPrivateNetwork: boolean;
  maxDocumentBytes: number;
  /** Where the importer's LLM settings come from. */
  env: NodeJS.ProcessEnv;
  /** The child process scrapes run in; default the built one (in-process from sources). */
  importProcess?: ImportProcess | null;
  alerts: AlertService;
  scheduler?: DriftScheduler | undefined;
  /** How far back a report's "recently called" reaches. Default 30 days. */
  recentDays?: number;
}

export interface CheckRequest {
  source?: DriftCheckRequest["source"];
  format?: DriftCheckRequest["format"];
  /** `key:<id>` for the API, `job:<id>` for a scheduled check. */
  actor: string;
  signal?: AbortSignal;
}

export type CheckOutcome =
  | { kind: "checked"; result: DriftCheckResult }
  | { kind: "missing"; what: "integration" | "current version" }
  /** The integration was not imported from a URL and no source was given. */
  | { kind: "no-source"; message: string }
  | { kind: "failed"; problem: Problem; retryable: boolean };

export type DecisionOutcome =
  | { kind: "done"; proposal: Proposal }
  | { kind: "missing" }
  /** Decided already, or being approved by another request, or refused (breaking, contended). */
  | { kind: "conflict"; message: string };

export type ScheduleOutcome = { kind: "scheduled"; schedule: DriftSchedule } | { kind: "missing" } | { kind: "unavailable" };

/** Import failures a later attempt may fix: the network, not the document. */
const TRANSIENT = new Set(["fetch_failed", "timeout"]);

/**
 * Drift detection and auto-maintenance: a check scrapes an integration's source again,
 * diffs it against the current version with the one classifier (src/versioning), and
 * records a report of the changes not seen before, with their impact on the tenant's apps
 * and a proposal (the fresh scrape as a draft version). Approving publishes the draft
 * through the versions service; rejecting suppresses the report's changes until they
 * change again. Every decision lands in the integration's history.
 */
export class DriftService {
  private readonly versions: VersionService;

  constructor(
    private readonly store: Store,
    private readonly options: DriftServiceOptions,
  ) {
    this.versions = new VersionService(store);
  }

  async check(tenantId: string, slug: string, request: CheckRequest): Promise<CheckOutcome> {
    const integration = await this.store.integrations.find(tenantId, slug);
    if (!integration) return { kind: "missing", what: "integration" };
    const current = integration.currentVersion;
    const before = current === null ? undefined : await this.store.versions.definition(tenantId, slug, current);
    if (current === null || !before) return { kind: "missing", what: "current version" };
    const stored = await this.store.drift.source(integration.id);
    const source = request.source ? overrideSource(request.source) : stored ? await this.openSource(integration.id, stored) : undefined;
    if (!source) {
      return {
        kind: "no-source",
        message: `"${slug}" has no recorded source (it was not imported from a URL); pass the document or URL to check against: waygate drift check ${slug} --source <file or URL>`,
      };
    }
    if ("failed" in source) return { kind: "failed", problem: source.failed, retryable: false };
    const signal = request.signal ?? new AbortController().signal;
    const llm = await openScrapeLlm(this.store, tenantId, source, this.options.env);
    const outcome: ImportOutcome = await runImport(
      {
        source,
        options: {
          format: request.format ?? (stored?.format as DriftCheckRequest["format"]) ?? "auto",
          slug,
          ...(stored?.serverUrl ? { serverUrl: stored.serverUrl } : {}),
          ...(stored?.serverVariables ? { serverVariables: stored.serverVariables } : {}),
          allowPrivateNetwork: this.options.allowPrivateNetwork,
          limits: { maxDocumentBytes: this.options.maxDocumentBytes },
          llm: llm.config,
          ...(llm.previous ? { llmCache: llm.previous } : {}),
          // A docs site is crawled again as its import crawled it, so the check sees the same pages.
          ...(source.kind === "url" ? { crawl: (request.source ? null : stored?.crawl) ?? {} } : {}),
        },
      },
      { onProgress: () => {}, signal },
      ...(this.options.importProcess === undefined ? [] : [this.options.importProcess]),
    );
    await llm.keep(outcome);
    if (outcome.kind === "failed") {
      const problem: Problem = { type: problemTypeUri("import-failed"), title: problemTypes["import-failed"].title, status: 422, detail: `the source of "${slug}" could not be scraped: ${outcome.error.message}`, code: outcome.error.code };
      return { kind: "failed", problem, retryable: TRANSIENT.has(outcome.error.code) };
    }
    const fresh = outcome.definition;
    const diff = diffDefinitions(before, fresh, { fromVersion: current, toVersion: current + 1 });
    const changes = withSeverityOverrides(driftChanges(diff), await this.store.drift.severityOverrides(integration.id));
    const quiet = async (outcome: "no-change" | "known", known = { reported: 0, suppressed: 0 }): Promise<CheckOutcome> => {
      const check = await this.store.drift.recordQuietCheck({ tenantId, integrationId: integration.id, origin: "scrape", actor: request.actor, outcome });
      return { kind: "checked", result: { check, report: null, proposal: null, known } };
    };
    if (changes.length === 0) return quiet("no-change");
    const known = await this.store.drift.knownFingerprints(integration.id, changes.map((change) => change.fingerprint));
    const counts = { reported: [...known.values()].filter((state) => state === "reported").length, suppressed: [...known.values()].filter((state) => state === "suppressed").length };
    if (changes.every((change) => known.has(change.fingerprint))) return quiet("known", counts);

    const impact = await this.impact(tenantId, integration.id, current, changes);
    const breaking = hasBreakingChanges(diff);
    const changelog = `drift: ${describeSummary(diff.summary)}`;
    const draft = await this.versions.create(tenantId, {
      definition: fresh,
      contentHash: outcome.contentHash,
      actor: request.actor,
      draft: true,
      changelog,
      comparedWith: { version: current, summary: diff.summary },
    });
    if (draft.kind !== "saved") {
      const detail = draft.kind === "invalid" ? `the fresh scrape cannot be stored: ${draft.field} ${draft.message}` : draft.message;
      return { kind: "failed", problem: { type: problemTypeUri("conflict"), title: problemTypes.conflict.title, status: 409, detail }, retryable: draft.kind === "contended" };
    }
    const recorded = await this.store.drift.recordDrift({
      tenantId,
      integrationId: integration.id,
      origin: "scrape",
      actor: request.actor,
      baseVersion: current,
      severity: highestSeverity(changes),
      changes,
      impact,
      proposal: { version: draft.version, breaking, changelog },
    });
    // Another check of the same changes reported them first (the fingerprints decide, atomically): this one's draft stays
    // an unused draft, which publishes nothing and is listed with the versions like any other.
    if (recorded.kind !== "drift") return { kind: "checked", result: { check: recorded.check, report: null, proposal: null, known: counts } };
    const report = (await this.store.drift.report(tenantId, recorded.reportId)) ?? null;
    const proposal = recorded.proposalId ? ((await this.store.drift.proposal(tenantId, recorded.proposalId)) ?? null) : null;
    const publicProposal = proposal && withoutInternals(proposal);
    await this.options.alerts.emit(tenantId, "drift.detected", report);
    if (publicProposal) await this.options.alerts.emit(tenantId, "proposal.created", publicProposal);
    return { kind: "checked", result: { check: recorded.check, report, proposal: publicProposal, known: counts } };
  }

  /**
   * Records drift seen in responses (see TrafficDriftMonitor): a report without a proposal
   * (there is no fresh document to publish), for the changes not reported or suppressed before.
   */
  async recordTraffic(tenantId: string, integrationId: string, observed: DriftChange[]): Promise<void> {
    const changes = withSeverityOverrides(observed, await this.store.drift.severityOverrides(integrationId));
    const known = await this.store.drift.knownFingerprints(integrationId, changes.map((change) => change.fingerprint));
    const fresh = changes.filter((change) => !known.has(change.fingerprint));
    if (fresh.length === 0) return;
    const integration = await this.store.integrations.getById(tenantId, integrationId);
    if (!integration) return;
    const current = integration.currentVersion;
    const impact = current === null ? { apps: [], tenantRecentlyCalled: [], recentDays: this.recentDays } : await this.impact(tenantId, integrationId, current, fresh);
    const recorded = await this.store.drift.recordDrift({ tenantId, integrationId, origin: "traffic", actor: "gateway", baseVersion: current, severity: highestSeverity(fresh), changes: fresh, impact });
    if (recorded.kind === "drift") await this.options.alerts.emit(tenantId, "drift.detected", await this.store.drift.report(tenantId, recorded.reportId));
  }

  /**
   * Publishes the proposal's draft as the current version. Refused when it breaks the current
   * version and apps follow it, unless `allowBreaking`; pinned apps are never moved. Of two
   * approvals at once, one publishes and the other gets a conflict.
   */
  async approve(tenantId: string, id: string, options: { actor: string; allowBreaking: boolean; note?: string | undefined }): Promise<DecisionOutcome> {
    const proposal = await this.store.drift.proposal(tenantId, id);
    if (!proposal) return { kind: "missing" };
    const claim = await this.store.drift.claimForApproval(tenantId, id);
    if (claim === "missing") return { kind: "missing" };
    if (claim !== "claimed") return { kind: "conflict", message: alreadyDecided(id, claim) };
    const apps = await this.store.drift.appVersions(tenantId, proposal.integrationId);
    const followers = apps.filter((app) => app.pinned === null);
    // Calls with a tenant key (no app) always run the current version: a tenant without apps, or whose keys called lately, follows it too.
    const tenantCalls = apps.length === 0 || (await this.store.drift.recentCalls(proposal.integrationId, this.recentSince())).has("");
    const tenantFollows = followers.length > 0 || tenantCalls;
    const published = await this.versions.publish(tenantId, proposal.integration, proposal.version, { actor: options.actor, failOnBreaking: tenantFollows && !options.allowBreaking });
    if (published.kind !== "done") {
      await this.store.drift.releaseClaim(tenantId, id);
      if (published.kind === "missing") return { kind: "conflict", message: `the proposal's ${published.what === "version" ? `version ${proposal.version}` : "integration"} no longer exists` };
      if (published.kind === "breaking") {
        const who = followers.length > 0 ? `app(s) ${followers.map((app) => app.name).join(", ")} follow the current version` : "calls with tenant keys run the current version";
        return {
          kind: "conflict",
          message:
            `proposal ${id} (version ${proposal.version}) has ${published.breaking.length} breaking change(s) against current version ${published.current} and ${who}: ` +
            `${published.breaking.slice(0, 3).join("; ")}${published.breaking.length > 3 ? "; …" : ""}. Pin those apps first, or approve with --allow-breaking`,
        };
      }
      if (published.kind === "not-published") return { kind: "conflict", message: `version ${published.version} cannot be published` };
      return { kind: "conflict", message: published.message };
    }
    const decided = await this.store.drift.decide(tenantId, id, { from: "approving", to: "approved", actor: options.actor, note: options.note ?? null });
    return this.afterDecision(tenantId, id, decided, "proposal.approved");
  }

  /** Rejects the proposal: records why, and suppresses its changes until they change again. */
  async reject(tenantId: string, id: string, options: { actor: string; note?: string | undefined }): Promise<DecisionOutcome> {
    const decided = await this.store.drift.decide(tenantId, id, { from: "open", to: "rejected", actor: options.actor, note: options.note ?? null });
    return this.afterDecision(tenantId, id, decided, "proposal.rejected");
  }

  async schedule(tenantId: string, slug: string, spec: DriftScheduleRequest): Promise<ScheduleOutcome> {
    return scheduleDriftCheck(this.store, this.options.scheduler, tenantId, slug, spec);
  }

  private async afterDecision(tenantId: string, id: string, decided: Awaited<ReturnType<Store["drift"]["decide"]>>, event: "proposal.approved" | "proposal.rejected"): Promise<DecisionOutcome> {
    if (decided.kind === "missing") return { kind: "missing" };
    if (decided.kind === "conflict") return { kind: "conflict", message: alreadyDecided(id, decided.status) };
    const proposal = withoutInternals(decided.proposal);
    await this.options.alerts.emit(tenantId, event, proposal);
    return { kind: "done", proposal };
  }

  private get recentDays(): number {
    return this.options.recentDays ?? 30;
  }

  /** The start of "recently": calls since then count in a report's impact. */
  private recentSince(): string {
    return new Date(Date.now() - this.recentDays * 86_400_000).toISOString();
  }

  /** Which apps run the changed actions (at their pin, or the current version), and which of them they called recently. */
  private async impact(tenantId: string, integrationId: string, current: number, changes: DriftChange[]): Promise<DriftImpact> {
    const names = [...new Set(changes.map((change) => change.action).filter((name): name is string => name !== null))].sort();
    const integrationWide = changes.some((change) => change.action === null);
    const apps = await this.store.drift.appVersions(tenantId, integrationId);
    const versions = [...new Set([current, ...apps.map((app) => app.pinned ?? current)])];
    const present = await this.store.drift.actionsAt(integrationId, versions, names);
    const recent = await this.store.drift.recentCalls(integrationId, this.recentSince());
    const calledOf = (appKey: string, actions: string[]) => actions.filter((name) => recent.get(appKey)?.has(name));
    const affected = apps.flatMap((app) => {
      const version = app.pinned ?? current;
      // A change to the whole integration (base URL, auth) reaches every action the app runs.
      const actions = names.filter((name) => present.get(version)?.has(name));
      if (actions.length === 0 && !integrationWide) return [];
      return [{ app: { id: app.id, name: app.name }, follows: app.pinned === null ? ("current" as const) : ("pin" as const), version, actions, recentlyCalled: calledOf(app.id, actions) }];
    });
    return { apps: affected, tenantRecentlyCalled: calledOf("", names), recentDays: this.recentDays };
  }

  private async openSource(integrationId: string, stored: StoredSource): Promise<ImportSource | { failed: Problem }> {
    if (!stored.sealed) return { kind: "url", url: stored.url };
    try {
      const opened = SealedUrlSourceSchema.parse(JSON.parse((await this.store.sealer()).open(stored.sealed, sourceSealContext(integrationId))));
      return { kind: "url", url: opened.url, headers: opened.headers };
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      return { failed: { type: problemTypeUri("job-failed"), title: problemTypes["job-failed"].title, status: 500, detail: `the integration's sealed source URL cannot be opened: ${error.message}` } };
    }
  }
}

/**
 * Creates or replaces an integration's drift schedule through `scheduler` (the job system's
 * schedules); "unavailable" when the server has none.
 */
export async function scheduleDriftCheck(store: Store, scheduler: DriftScheduler | undefined, tenantId: string, slug: string, spec: DriftScheduleRequest): Promise<ScheduleOutcome> {
  const integration = await store.integrations.find(tenantId, slug);
  if (!integration) return { kind: "missing" };
  if (!scheduler) return { kind: "unavailable" };
  return { kind: "scheduled", schedule: await scheduler.schedule(tenantId, { id: integration.id, slug }, spec) };
}

function overrideSource(source: NonNullable<DriftCheckRequest["source"]>): ImportSource {
  return "url" in source ? { kind: "url", url: source.url, ...(source.headers ? { headers: source.headers } : {}) } : { kind: "content", content: source.content, ...(source.filename ? { filename: source.filename } : {}) };
}

function alreadyDecided(id: string, status: string): string {
  return status === "approving" ? `proposal ${id} is being approved by another request` : `proposal ${id} is ${status} already; only an open proposal can be approved or rejected`;
}

function withoutInternals(proposal: Proposal & { integrationId?: string }): Proposal {
  const { integrationId: _integrationId, ...rest } = proposal;
  return rest;
}
