import type { Kysely, Transaction } from "kysely";
import type {
  ActionDefinition,
  DiffSummary,
  IntegrationDefinition,
  IntegrationDetail,
  IntegrationEvent,
  Version,
} from "../contract/index.js";
import { diffDefinitions } from "../versioning/index.js";
import { decodeActionParts, decodeDiffSummary, decodeVersionConfig, type VersionConfig } from "./decode.js";
import { newId } from "./ids.js";
import { primaryAuthType, type IntegrationRepository } from "./integrations.js";
import type { ActionTable, Database, IntegrationEventTable, IntegrationTable, IntegrationVersionTable } from "./schema.js";

export type { VersionConfig } from "./decode.js";

export interface SaveVersionResult {
  integration: IntegrationDetail;
  version: number;
  /** False when the content equals the latest version's: nothing was written. */
  created: boolean;
  status: Version["status"];
}

/** The outcome of moving an integration's current-version pointer (publish, rollback). */
export type CurrentMove =
  | { kind: "done"; integration: IntegrationDetail; version: Version }
  | { kind: "missing"; what: "integration" | "version" }
  | { kind: "not-published"; version: number };

/** Rows are inserted in batches well under Postgres' 65,535 and SQLite's 32,766 bind-parameter limits. */
const ACTION_INSERT_BATCH = 200;

/**
 * Integration versions are immutable snapshots; what changes is which one is current.
 * Publishing and rolling back move that one pointer in one transaction and leave an
 * event in the history, so "what ran when" can always be answered.
 */
export class VersionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly integrations: IntegrationRepository,
    private readonly now: () => Date,
  ) {}

  /**
   * Stores `definition` as the integration's next version (creating the integration on
   * first use). Published versions become current at once; drafts wait for `publish`.
   * Identical content (same hash as the latest version) writes nothing.
   */
  async save(
    tenantId: string,
    definition: IntegrationDefinition,
    meta: { contentHash: string; createdBy: string; changelog?: string; draft?: boolean },
  ): Promise<SaveVersionResult> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      let integration = await trx
        .selectFrom("integrations")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("slug", "=", definition.slug)
        .executeTakeFirst();
      if (!integration) {
        integration = {
          id: newId("int"),
          tenant_id: tenantId,
          slug: definition.slug,
          name: definition.name,
          description: definition.description ?? null,
          base_url: definition.baseUrl,
          auth_type: primaryAuthType(definition.authSchemes),
          auth_type_unverified: definition.authTypeUnverified ? 1 : 0,
          current_version: null,
          created_at: now,
          updated_at: now,
          rate_limit: null,
        } satisfies IntegrationTable;
        await trx.insertInto("integrations").values(integration).execute();
      }
      const latest = await trx
        .selectFrom("integration_versions")
        .selectAll()
        .where("integration_id", "=", integration.id)
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst();
      if (latest?.content_hash === meta.contentHash) return { created: false, version: latest.version, status: latest.status };

      const version = (latest?.version ?? 0) + 1;
      const summary = latest ? diffSummary(await loadDefinition(trx, integration.slug, latest), definition, latest.version, version) : null;
      const status: Version["status"] = meta.draft ? "draft" : "published";
      const versionId = newId("ver");
      const config: VersionConfig = {
        name: definition.name,
        description: definition.description ?? null,
        baseUrl: definition.baseUrl,
        authSchemes: definition.authSchemes,
        authTypeUnverified: definition.authTypeUnverified,
      };
      await trx
        .insertInto("integration_versions")
        .values({
          id: versionId,
          integration_id: integration.id,
          version,
          status,
          content_hash: meta.contentHash,
          config: JSON.stringify(config),
          action_count: definition.actions.length,
          changelog: meta.changelog ?? (summary ? describeSummary(summary) : "first version"),
          created_by: meta.createdBy,
          created_at: now,
          published_at: status === "published" ? now : null,
          diff_summary: summary ? JSON.stringify(summary) : null,
        })
        .execute();
      await insertActions(trx, versionId, definition.actions);
      await recordEvent(trx, integration.id, "created", version, integration.current_version, meta.createdBy, now);
      if (status === "published") {
        await makeCurrent(trx, integration.id, version, now, config);
        await recordEvent(trx, integration.id, "published", version, integration.current_version, meta.createdBy, now);
      }
      return { created: true, version, status };
    });
    const integration = await this.integrations.get(tenantId, definition.slug);
    if (!integration) throw new Error(`integration ${definition.slug} vanished after saving`);
    return { integration, ...outcome };
  }

  async list(tenantId: string, slug: string): Promise<Version[] | undefined> {
    const integration = await this.findIntegration(this.db, tenantId, slug);
    if (!integration) return undefined;
    const rows = await this.db.selectFrom("integration_versions").selectAll().where("integration_id", "=", integration.id).orderBy("version", "desc").execute();
    return rows.map((row) => toVersion(slug, row, integration.current_version));
  }

  async get(tenantId: string, slug: string, version: number): Promise<Version | undefined> {
    const integration = await this.findIntegration(this.db, tenantId, slug);
    if (!integration) return undefined;
    const row = await this.versionRow(this.db, integration.id, version);
    return row && toVersion(slug, row, integration.current_version);
  }

  /** The full definition a version holds, as it was saved. */
  async definition(tenantId: string, slug: string, version: number): Promise<IntegrationDefinition | undefined> {
    const integration = await this.findIntegration(this.db, tenantId, slug);
    const row = integration && (await this.versionRow(this.db, integration.id, version));
    return row ? loadDefinition(this.db, slug, row) : undefined;
  }

  /** Base URL and auth schemes of one version (what the gateway needs besides the action). */
  async config(versionId: string): Promise<VersionConfig | undefined> {
    const row = await this.db.selectFrom("integration_versions").select("config").where("id", "=", versionId).executeTakeFirst();
    return row && decodeVersionConfig(row.config);
  }

  /** Publishes a version and makes it current. Publishing the current version again changes nothing. */
  async publish(tenantId: string, slug: string, version: number, actor: string): Promise<CurrentMove> {
    return this.moveCurrent(tenantId, slug, version, actor, "published");
  }

  /** Makes an earlier (published) version current again: one pointer move, recorded in the history. */
  async rollback(tenantId: string, slug: string, version: number, actor: string): Promise<CurrentMove> {
    return this.moveCurrent(tenantId, slug, version, actor, "rollback");
  }

  async history(tenantId: string, slug: string): Promise<IntegrationEvent[] | undefined> {
    const integration = await this.findIntegration(this.db, tenantId, slug);
    if (!integration) return undefined;
    const rows = await this.db
      .selectFrom("integration_events")
      .selectAll()
      .where("integration_id", "=", integration.id)
      .orderBy("seq", "desc")
      .execute();
    return rows.map((row) => ({ kind: row.kind, version: row.version, previousVersion: row.previous_version, actor: row.actor, createdAt: row.created_at }));
  }

  private async moveCurrent(tenantId: string, slug: string, version: number, actor: string, kind: "published" | "rollback"): Promise<CurrentMove> {
    const result = await this.db.transaction().execute(async (trx): Promise<CurrentMove | undefined> => {
      const integration = await this.findIntegration(trx, tenantId, slug);
      if (!integration) return { kind: "missing", what: "integration" };
      const row = await this.versionRow(trx, integration.id, version);
      if (!row) return { kind: "missing", what: "version" };
      if (kind === "rollback" && row.status !== "published") return { kind: "not-published", version };
      const now = this.now().toISOString();
      if (row.status === "draft") {
        await trx.updateTable("integration_versions").set({ status: "published", published_at: now }).where("id", "=", row.id).execute();
      }
      if (integration.current_version !== version || row.status === "draft") {
        await makeCurrent(trx, integration.id, version, now, decodeVersionConfig(row.config));
        await recordEvent(trx, integration.id, kind, version, integration.current_version, actor, now);
      }
      return undefined;
    });
    if (result) return result;
    const [integration, saved] = await Promise.all([this.integrations.get(tenantId, slug), this.get(tenantId, slug, version)]);
    if (!integration || !saved) return { kind: "missing", what: "integration" };
    return { kind: "done", integration, version: saved };
  }

  private findIntegration(db: Kysely<Database>, tenantId: string, slug: string) {
    return db.selectFrom("integrations").select(["id", "current_version"]).where("tenant_id", "=", tenantId).where("slug", "=", slug).executeTakeFirst();
  }

  private versionRow(db: Kysely<Database>, integrationId: string, version: number) {
    return db.selectFrom("integration_versions").selectAll().where("integration_id", "=", integrationId).where("version", "=", version).executeTakeFirst();
  }
}

async function insertActions(trx: Transaction<Database>, versionId: string, actions: ActionDefinition[]): Promise<void> {
  for (let start = 0; start < actions.length; start += ACTION_INSERT_BATCH) {
    // A big spec (GitHub: 1 200 actions, tens of MB of schema JSON) would hold the event
    // loop for the whole save; between batches, requests that need no database (cached
    // invokes, health) get their turn. The transaction keeps the save all-or-nothing.
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const rows: ActionTable[] = actions.slice(start, start + ACTION_INSERT_BATCH).map((action) => ({
      version_id: versionId,
      name: action.name,
      method: action.method,
      path: action.path,
      summary: action.summary ?? null,
      description: action.description ?? null,
      deprecated: action.deprecated ? 1 : 0,
      paginated: action.pagination ? 1 : 0,
      definition: JSON.stringify({
        tags: action.tags,
        inputSchema: action.inputSchema,
        outputSchema: action.outputSchema,
        errors: action.errors,
        pagination: action.pagination,
      }),
    }));
    await trx.insertInto("actions").values(rows).execute();
  }
}

async function makeCurrent(trx: Transaction<Database>, integrationId: string, version: number, now: string, config: VersionConfig): Promise<void> {
  await trx
    .updateTable("integrations")
    .set({
      name: config.name,
      description: config.description,
      base_url: config.baseUrl,
      auth_type: primaryAuthType(config.authSchemes),
      auth_type_unverified: config.authTypeUnverified ? 1 : 0,
      current_version: version,
      updated_at: now,
    })
    .where("id", "=", integrationId)
    .execute();
}

async function recordEvent(
  trx: Transaction<Database>,
  integrationId: string,
  kind: IntegrationEventTable["kind"],
  version: number,
  previous: number | null,
  actor: string,
  now: string,
): Promise<void> {
  const last = await trx
    .selectFrom("integration_events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("integration_id", "=", integrationId)
    .executeTakeFirst();
  await trx
    .insertInto("integration_events")
    .values({ id: newId("evt"), integration_id: integrationId, seq: Number(last?.seq ?? 0) + 1, kind, version, previous_version: previous, actor, created_at: now })
    .execute();
}

/** Rebuilds the IntegrationDefinition a version was saved from. */
export async function loadDefinition(db: Kysely<Database>, slug: string, row: IntegrationVersionTable): Promise<IntegrationDefinition> {
  const config = decodeVersionConfig(row.config);
  const actions = await db.selectFrom("actions").selectAll().where("version_id", "=", row.id).orderBy("name").execute();
  return {
    slug,
    name: config.name,
    ...(config.description === null ? {} : { description: config.description }),
    baseUrl: config.baseUrl,
    authSchemes: config.authSchemes,
    authTypeUnverified: config.authTypeUnverified,
    actions: actions.map((action) => ({
      name: action.name,
      method: action.method as ActionDefinition["method"],
      path: action.path,
      ...(action.summary === null ? {} : { summary: action.summary }),
      ...(action.description === null ? {} : { description: action.description }),
      deprecated: action.deprecated === 1,
      ...decodeActionParts(action.definition),
    })),
  };
}

function diffSummary(from: IntegrationDefinition, to: IntegrationDefinition, fromVersion: number, toVersion: number): DiffSummary {
  return diffDefinitions(from, to, { fromVersion, toVersion }).summary;
}

function describeSummary(summary: DiffSummary): string {
  const parts = [
    summary.added && `${summary.added} added`,
    summary.removed && `${summary.removed} removed`,
    summary.changed && `${summary.changed} changed`,
  ].filter(Boolean);
  const text = parts.length ? `actions: ${parts.join(", ")}` : "integration settings changed";
  return summary.breaking ? `${text} (${summary.breaking} breaking)` : text;
}

function toVersion(slug: string, row: IntegrationVersionTable, current: number | null): Version {
  return {
    integration: slug,
    version: row.version,
    status: row.status,
    current: row.version === current,
    contentHash: row.content_hash,
    actionCount: row.action_count,
    changelog: row.changelog,
    createdBy: row.created_by,
    createdAt: row.created_at,
    publishedAt: row.published_at,
    diffSummary: row.diff_summary ? decodeDiffSummary(row.diff_summary) : null,
  };
}
