import type { Kysely } from "kysely";
import type { CrawlSettings, DriftChange, DriftImpact, DriftReport, DriftSeverity, Proposal, SeverityOverrides } from "../contract/index.js";
import type { Dialect } from "./database.js";
import { decodeCrawlSetting, decodeDriftChanges, decodeDriftImpact, decodeServerVariables } from "./decode.js";
import { newId } from "./ids.js";
import { lockForWrite } from "./locks.js";
import type { Database, DriftReportTable, ProposalTable } from "./schema.js";
import { recordEvent } from "./versions.js";

/** Where an integration was imported from, as a drift check scrapes it again. */
export interface StoredSource {
  url: string;
  /** Sealed { url, headers }, bound to the integration (see sourceSealContext). */
  sealed: string | null;
  format: string;
  serverUrl: string | null;
  serverVariables: Record<string, string> | null;
  /** How the import crawled a docs site (its settings, or false for one page); null: the defaults. */
  crawl: CrawlSettings | false | null;
}

/** Associated data of an integration source's sealed URL: it opens for this integration only. */
export function sourceSealContext(integrationId: string): string {
  return `integration-source:${integrationId}`;
}

/** A drift found by a check, as the service composed it. */
export interface DriftFinding {
  tenantId: string;
  integrationId: string;
  origin: DriftReportTable["origin"];
  actor: string;
  baseVersion: number | null;
  severity: DriftSeverity;
  changes: DriftChange[];
  impact: DriftImpact;
  /** The draft version made from the fresh scrape (scrape drift only). */
  proposal?: { version: number; breaking: boolean; changelog: string } | undefined;
}

export type RecordedCheck =
  | { kind: "no-change" | "known"; check: CheckRow }
  | { kind: "drift"; check: CheckRow; reportId: string; proposalId: string | null };

export interface CheckRow {
  id: string;
  outcome: "no-change" | "drift" | "known";
  createdAt: string;
}

export type Decision = { kind: "done"; proposal: Proposal } | { kind: "missing" } | { kind: "conflict"; status: ProposalTable["status"] };

/**
 * Drift checks, reports, fingerprints and proposals. Whether a change is new is decided by
 * inserting its fingerprint (`ON CONFLICT DO NOTHING`) in the transaction that writes the
 * report: of two checks racing over the same changes, one reports them. Decisions on a
 * proposal move its status with a conditional update (`where status = …`), under the
 * integration's lock, so two approvals of one proposal get one winner.
 */
export class DriftRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly now: () => Date,
  ) {}

  async saveSource(integrationId: string, source: StoredSource): Promise<void> {
    const row = {
      integration_id: integrationId,
      url: source.url,
      sealed: source.sealed,
      format: source.format,
      server_url: source.serverUrl,
      server_variables: source.serverVariables ? JSON.stringify(source.serverVariables) : null,
      crawl: source.crawl === null ? null : JSON.stringify(source.crawl),
      updated_at: this.now().toISOString(),
    };
    await this.db
      .insertInto("integration_sources")
      .values(row)
      .onConflict((oc) => oc.column("integration_id").doUpdateSet({ url: row.url, sealed: row.sealed, format: row.format, server_url: row.server_url, server_variables: row.server_variables, crawl: row.crawl, updated_at: row.updated_at }))
      .execute();
  }

  /** Points a recorded source's re-scrapes at another base URL (what `setBaseUrl` chose); no-op without a source. */
  async setSourceServerUrl(integrationId: string, serverUrl: string): Promise<void> {
    await this.db.updateTable("integration_sources").set({ server_url: serverUrl, updated_at: this.now().toISOString() }).where("integration_id", "=", integrationId).execute();
  }

  async source(integrationId: string): Promise<StoredSource | undefined> {
    const row = await this.db.selectFrom("integration_sources").selectAll().where("integration_id", "=", integrationId).executeTakeFirst();
    if (!row) return undefined;
    return { url: row.url, sealed: row.sealed, format: row.format, serverUrl: row.server_url, serverVariables: row.server_variables === null ? null : decodeServerVariables(row.server_variables),
      crawl: row.crawl === null ? null : decodeCrawlSetting(row.crawl),
    };
  }

  async severityOverrides(integrationId: string): Promise<SeverityOverrides> {
    const rows = await this.db.selectFrom("drift_severity_overrides").select(["kind", "severity"]).where("integration_id", "=", integrationId).orderBy("kind").execute();
    return Object.fromEntries(rows.map((row) => [row.kind, row.severity])) as SeverityOverrides;
  }

  /** Replaces the integration's overrides with `overrides`, in one transaction. */
  async setSeverityOverrides(integrationId: string, overrides: SeverityOverrides): Promise<void> {
    const now = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("drift_severity_overrides").where("integration_id", "=", integrationId).execute();
      const rows = Object.entries(overrides).map(([kind, severity]) => ({ integration_id: integrationId, kind, severity: severity!, updated_at: now }));
      if (rows.length > 0) await trx.insertInto("drift_severity_overrides").values(rows).execute();
    });
  }

  /** The fingerprints of `fingerprints` already recorded for the integration, by state. */
  async knownFingerprints(integrationId: string, fingerprints: string[]): Promise<Map<string, "reported" | "suppressed">> {
    const known = new Map<string, "reported" | "suppressed">();
    for (let i = 0; i < fingerprints.length; i += 500) {
      const rows = await this.db
        .selectFrom("drift_fingerprints")
        .select(["fingerprint", "state"])
        .where("integration_id", "=", integrationId)
        .where("fingerprint", "in", fingerprints.slice(i, i + 500))
        .execute();
      for (const row of rows) known.set(row.fingerprint, row.state);
    }
    return known;
  }

  /** Records a check that found nothing new. */
  async recordQuietCheck(input: { tenantId: string; integrationId: string; origin: DriftReportTable["origin"]; actor: string; outcome: "no-change" | "known" }): Promise<CheckRow> {
    const check = { id: newId("drc"), createdAt: this.now().toISOString(), outcome: input.outcome };
    await this.db
      .insertInto("drift_checks")
      .values({ id: check.id, tenant_id: input.tenantId, integration_id: input.integrationId, origin: input.origin, outcome: input.outcome, report_id: null, actor: input.actor, created_at: check.createdAt })
      .execute();
    return check;
  }

  /**
   * Records a check's changes in one transaction: the report (when at least one fingerprint
   * is new), its proposal (superseding the integration's open ones) and the check itself.
   */
  async recordDrift(finding: DriftFinding): Promise<RecordedCheck> {
    const now = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const reportId = newId("drr");
      const fresh = new Set<string>();
      const fingerprints = [...new Set(finding.changes.map((change) => change.fingerprint))];
      for (let i = 0; i < fingerprints.length; i += 200) {
        const inserted = await trx
          .insertInto("drift_fingerprints")
          .values(fingerprints.slice(i, i + 200).map((fingerprint) => ({ integration_id: finding.integrationId, fingerprint, state: "reported" as const, report_id: reportId, updated_at: now })))
          .onConflict((oc) => oc.columns(["integration_id", "fingerprint"]).doNothing())
          .returning("fingerprint")
          .execute();
        for (const row of inserted) fresh.add(row.fingerprint);
      }
      const check: CheckRow = { id: newId("drc"), createdAt: now, outcome: fresh.size > 0 ? "drift" : "known" };
      const checkRow = { id: check.id, tenant_id: finding.tenantId, integration_id: finding.integrationId, origin: finding.origin, actor: finding.actor, created_at: now };
      if (fresh.size === 0) {
        await trx.insertInto("drift_checks").values({ ...checkRow, outcome: "known", report_id: null }).execute();
        return { kind: "known", check };
      }
      const proposalId = finding.proposal ? newId("prp") : null;
      await trx
        .insertInto("drift_reports")
        .values({
          id: reportId,
          tenant_id: finding.tenantId,
          integration_id: finding.integrationId,
          origin: finding.origin,
          base_version: finding.baseVersion,
          severity: finding.severity,
          changes: JSON.stringify(finding.changes),
          impact: JSON.stringify(finding.impact),
          proposal_id: proposalId,
          created_at: now,
        })
        .execute();
      if (finding.proposal && proposalId) {
        await trx
          .updateTable("proposals")
          .set({ status: "superseded", superseded_by: proposalId, updated_at: now })
          .where("integration_id", "=", finding.integrationId)
          .where("status", "=", "open")
          .execute();
        await trx
          .insertInto("proposals")
          .values({
            id: proposalId,
            tenant_id: finding.tenantId,
            integration_id: finding.integrationId,
            report_id: reportId,
            version: finding.proposal.version,
            base_version: finding.baseVersion,
            breaking: finding.proposal.breaking ? 1 : 0,
            changelog: finding.proposal.changelog,
            status: "open",
            decided_by: null,
            decided_at: null,
            note: null,
            superseded_by: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      await trx.insertInto("drift_checks").values({ ...checkRow, outcome: "drift", report_id: reportId }).execute();
      return { kind: "drift", check, reportId, proposalId };
    });
  }

  async reports(tenantId: string, options: { integrationId?: string | undefined; limit: number }): Promise<DriftReport[]> {
    let query = this.reportQuery().where("r.tenant_id", "=", tenantId);
    if (options.integrationId) query = query.where("r.integration_id", "=", options.integrationId);
    const rows = await query.orderBy("r.created_at", "desc").orderBy("r.id", "desc").limit(options.limit).execute();
    return rows.map(toReport);
  }

  async report(tenantId: string, id: string): Promise<DriftReport | undefined> {
    const row = await this.reportQuery().where("r.tenant_id", "=", tenantId).where("r.id", "=", id).executeTakeFirst();
    return row && toReport(row);
  }

  async proposals(tenantId: string, options: { integrationId?: string | undefined; status?: ProposalTable["status"] | undefined; limit: number }): Promise<Proposal[]> {
    let query = this.proposalQuery().where("p.tenant_id", "=", tenantId);
    if (options.integrationId) query = query.where("p.integration_id", "=", options.integrationId);
    if (options.status) query = query.where("p.status", "=", options.status);
    const rows = await query.orderBy("p.created_at", "desc").orderBy("p.id", "desc").limit(options.limit).execute();
    return rows.map(toProposal);
  }

  async proposal(tenantId: string, id: string): Promise<(Proposal & { integrationId: string }) | undefined> {
    const row = await this.proposalQuery().where("p.tenant_id", "=", tenantId).where("p.id", "=", id).executeTakeFirst();
    return row && { ...toProposal(row), integrationId: row.integration_id };
  }

  /**
   * Takes an open proposal for approval (open → approving): of two approvals racing, one
   * takes it; the other learns the status it found.
   */
  async claimForApproval(tenantId: string, id: string): Promise<"claimed" | "missing" | ProposalTable["status"]> {
    const result = await this.db
      .updateTable("proposals")
      .set({ status: "approving", updated_at: this.now().toISOString() })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return "claimed";
    const row = await this.db.selectFrom("proposals").select("status").where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
    return row ? row.status : "missing";
  }

  /** Gives a claimed proposal back (its publish was refused). */
  async releaseClaim(tenantId: string, id: string): Promise<void> {
    await this.db.updateTable("proposals").set({ status: "open", updated_at: this.now().toISOString() }).where("tenant_id", "=", tenantId).where("id", "=", id).where("status", "=", "approving").execute();
  }

  /**
   * Records a decision: the proposal's new status, who, when and why, and the matching entry
   * in the integration's history, in one transaction under the integration's lock. A
   * rejection suppresses the report's fingerprints.
   */
  async decide(
    tenantId: string,
    id: string,
    decision: { from: ProposalTable["status"]; to: "approved" | "rejected"; actor: string; note: string | null; currentVersion?: number | null },
  ): Promise<Decision> {
    const now = this.now().toISOString();
    const outcome = await this.db.transaction().execute(async (trx): Promise<Decision | undefined> => {
      const proposal = await trx.selectFrom("proposals").select(["integration_id", "status", "version", "report_id"]).where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
      if (!proposal) return { kind: "missing" };
      const integration = await lockForWrite(trx.selectFrom("integrations").select(["id", "current_version"]).where("id", "=", proposal.integration_id), this.dialect).executeTakeFirst();
      if (!integration) return { kind: "missing" };
      const updated = await trx
        .updateTable("proposals")
        .set({ status: decision.to, decided_by: decision.actor, decided_at: now, note: decision.note, updated_at: now })
        .where("id", "=", id)
        .where("status", "=", decision.from)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return { kind: "conflict", status: proposal.status };
      if (decision.to === "rejected") {
        const report = await trx.selectFrom("drift_reports").select("changes").where("id", "=", proposal.report_id).executeTakeFirst();
        const fingerprints = report ? decodeDriftChanges(report.changes).map((change) => change.fingerprint) : [];
        for (let i = 0; i < fingerprints.length; i += 500) {
          await trx
            .updateTable("drift_fingerprints")
            .set({ state: "suppressed", updated_at: now })
            .where("integration_id", "=", proposal.integration_id)
            .where("fingerprint", "in", fingerprints.slice(i, i + 500))
            .execute();
        }
      }
      await recordEvent(trx, integration.id, decision.to === "approved" ? "proposal-approved" : "proposal-rejected", proposal.version, integration.current_version, decision.actor, now, decision.note);
      return undefined;
    });
    if (outcome) return outcome;
    const saved = await this.proposal(tenantId, id);
    return saved ? { kind: "done", proposal: saved } : { kind: "missing" };
  }

  /** The tenant's apps with their pin on the integration (null: they follow the current version). */
  async appVersions(tenantId: string, integrationId: string): Promise<{ id: string; name: string; pinned: number | null }[]> {
    const rows = await this.db
      .selectFrom("apps as a")
      .leftJoin("pins as p", (join) => join.onRef("p.app_id", "=", "a.id").on("p.integration_id", "=", integrationId))
      .select(["a.id", "a.name", "p.version"])
      .where("a.tenant_id", "=", tenantId)
      .orderBy("a.name")
      .execute();
    return rows.map((row) => ({ id: row.id, name: row.name, pinned: row.version ?? null }));
  }

  /** Which of `names` each of `versions` of the integration has. */
  async actionsAt(integrationId: string, versions: number[], names: string[]): Promise<Map<number, Set<string>>> {
    const found = new Map<number, Set<string>>(versions.map((version) => [version, new Set<string>()]));
    if (versions.length === 0 || names.length === 0) return found;
    for (let i = 0; i < names.length; i += 500) {
      const rows = await this.db
        .selectFrom("actions as a")
        .innerJoin("integration_versions as v", "v.id", "a.version_id")
        .select(["v.version", "a.name"])
        .where("v.integration_id", "=", integrationId)
        .where("v.version", "in", versions)
        .where("a.name", "in", names.slice(i, i + 500))
        .execute();
      for (const row of rows) found.get(row.version)?.add(row.name);
    }
    return found;
  }

  /** The actions called since `since`, per app ('' for the tenant itself). */
  async recentCalls(integrationId: string, since: string): Promise<Map<string, Set<string>>> {
    const rows = await this.db.selectFrom("action_calls").select(["app_key", "action"]).where("integration_id", "=", integrationId).where("last_called_at", ">=", since).execute();
    const byApp = new Map<string, Set<string>>();
    for (const row of rows) {
      const actions = byApp.get(row.app_key) ?? new Set<string>();
      actions.add(row.action);
      byApp.set(row.app_key, actions);
    }
    return byApp;
  }

  /** Stamps an action as called by an app (one row per app × action: storage stays bounded). */
  async stampCall(integrationId: string, appId: string | null, action: string): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .insertInto("action_calls")
      .values({ integration_id: integrationId, app_key: appId ?? "", action, last_called_at: at })
      .onConflict((oc) => oc.columns(["integration_id", "app_key", "action"]).doUpdateSet({ last_called_at: at }))
      .execute();
  }

  private reportQuery() {
    return this.db.selectFrom("drift_reports as r").innerJoin("integrations as i", "i.id", "r.integration_id").selectAll("r").select("i.slug");
  }

  private proposalQuery() {
    return this.db.selectFrom("proposals as p").innerJoin("integrations as i", "i.id", "p.integration_id").selectAll("p").select("i.slug");
  }
}

function toReport(row: DriftReportTable & { slug: string }): DriftReport {
  const changes = decodeDriftChanges(row.changes);
  const count = (severity: DriftSeverity) => changes.filter((change) => change.severity === severity).length;
  return {
    id: row.id,
    integration: row.slug,
    origin: row.origin,
    baseVersion: row.base_version,
    severity: row.severity,
    summary: { breaking: count("breaking"), nonBreaking: count("non-breaking"), informational: count("informational") },
    changes,
    impact: decodeDriftImpact(row.impact),
    proposal: row.proposal_id,
    createdAt: row.created_at,
  };
}

function toProposal(row: ProposalTable & { slug: string }): Proposal {
  return {
    id: row.id,
    integration: row.slug,
    report: row.report_id,
    version: row.version,
    baseVersion: row.base_version,
    breaking: row.breaking === 1,
    changelog: row.changelog,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
    supersededBy: row.superseded_by,
    createdAt: row.created_at,
  };
}
