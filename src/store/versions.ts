import type { Kysely, Transaction } from "kysely";
import type { ActionDefinition, DiffSummary, IntegrationDefinition, IntegrationDetail, IntegrationEvent, Version } from "../contract/index.js";
import type { Dialect } from "./database.js";
import { insertSharedSchemas, loadSharedSchemas, NO_SHARED_DEFINITIONS, SharedSchemaWriter, withSharedSchemas } from "./action-schemas.js";
import { decodeActionParts, decodeDiffSummary, decodeVersionConfig, type VersionConfig } from "./decode.js";
import { newId } from "./ids.js";
import { primaryAuthType, type IntegrationRepository } from "./integrations.js";
import { lockForWrite } from "./locks.js";
import type { ActionTable, Database, IntegrationEventTable, IntegrationTable, IntegrationVersionTable } from "./schema.js";

export type { VersionConfig } from "./decode.js";

export interface SaveVersionResult {
  integration: IntegrationDetail;
  version: number;
  /** False when the content equals the latest version's: nothing was written. */
  created: boolean;
  status: Version["status"];
}

/** How to write a version; the versions service composes the texts, the store writes them as given. */
export interface AppendRequest {
  contentHash: string;
  /** `key:<id>` for an API call, `import:<job id>` for an import. */
  createdBy: string;
  draft?: boolean;
  changelog?: string | null;
  /** Against the latest version, `expectedLatest`. */
  diffSummary?: DiffSummary | null;
  /**
   * Names the request (`import:<job id>`), unique in the tenant: when it comes again (a job
   * resumed after a crash), the answer is what it came to the first time, and nothing is written.
   */
  requestKey?: string;
  /**
   * The latest version number the caller composed `changelog` and `diffSummary` against
   * (null: none yet). When another version landed since, nothing is written: `stale`.
   * Left out, the version is numbered after whatever is latest (fixtures, tools).
   */
  expectedLatest?: number | null;
  /**
   * The current version the caller built `definition` from (an amendment of the current
   * version). When the current version moved since (a publish, a rollback), nothing is
   * written: `moved`. Left out, the current version is not checked.
   */
  expectedCurrent?: number | null;
}

export type AppendOutcome =
  /** Written (`created`), or not needed: the content already was the latest version's. */
  | ({ kind: "saved" } & SaveVersionResult)
  /** The request had come before: what it came to then. */
  | ({ kind: "replayed" } & SaveVersionResult)
  /** Another version landed after `expectedLatest`; compose against `latest` and try again. */
  | { kind: "stale"; latest: number | null }
  /** The current version was no longer `expectedCurrent`: the definition was built from another one. */
  | { kind: "moved"; current: number | null };

/** The newest version of an integration, whatever its status. */
export interface LatestVersion {
  version: number;
  contentHash: string;
}

/** The outcome of moving an integration's current-version pointer (publish, rollback). */
export type CurrentMove =
  | { kind: "done"; integration: IntegrationDetail; version: Version }
  | { kind: "missing"; what: "integration" | "version" }
  /** A rollback may only go to a published version: a draft becomes current only by being published. */
  | { kind: "not-published"; version: number }
  /** The current version was no longer `expectedCurrent`. */
  | { kind: "stale"; current: number | null };

export interface MoveRequest {
  /** `published` publishes a draft on the way; `rollback` only moves the pointer. */
  event: "published" | "rollback";
  actor: string;
  /** Move only if this is still the current version (the caller checked the move against it). */
  expectedCurrent?: number | null;
}

/** Rows are inserted in batches well under Postgres' 65,535 and SQLite's 32,766 bind-parameter limits. */
const ACTION_INSERT_BATCH = 200;

/** Thrown inside a transaction to roll it back, and caught outside it. */
class Stale {
  constructor(readonly latest: number | null) {}
}

/** Thrown inside a transaction to roll it back: the current version is not the one expected. */
class CurrentMoved {
  constructor(readonly current: number | null) {}
}

/**
 * Integration versions are immutable snapshots; what changes is which one is current.
 * Every write here holds the integration's row lock (FOR NO KEY UPDATE on Postgres, the
 * database's write lock on SQLite) from its first read to its commit, so numbering,
 * the history's sequence and the current pointer cannot race. What a version says about
 * the one before it (changelog, diff) is composed by the versions service, outside the
 * lock; `expectedLatest` and `expectedCurrent` tell when that went stale.
 */
export class VersionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly integrations: IntegrationRepository,
    private readonly now: () => Date,
  ) {}

  /**
   * Stores `definition` as the integration's next version, creating the integration on
   * first use. Published versions become current at once; drafts wait for a publish.
   * Identical content (the latest version's hash) writes nothing.
   */
  async append(tenantId: string, definition: IntegrationDefinition, request: AppendRequest): Promise<AppendOutcome> {
    let outcome: { kind: "saved" | "replayed"; integrationId: string; version: number; created: boolean; status: Version["status"] };
    try {
      outcome = await this.db.transaction().execute(async (trx) => {
        const replayed = request.requestKey === undefined ? undefined : await this.replay(trx, tenantId, request.requestKey);
        if (replayed) return { kind: "replayed" as const, ...replayed };
        const now = this.now().toISOString();
        const integration = (await this.lockIntegration(trx, tenantId, definition.slug)) ?? (await this.createIntegration(trx, tenantId, definition, now));
        // A second run of the same request may have finished while this one waited for the lock.
        const raced = request.requestKey === undefined ? undefined : await this.replay(trx, tenantId, request.requestKey);
        if (raced) return { kind: "replayed" as const, ...raced };

        const latest = await trx
          .selectFrom("integration_versions")
          .select(["version", "content_hash", "status"])
          .where("integration_id", "=", integration.id)
          .orderBy("version", "desc")
          .limit(1)
          .executeTakeFirst();
        if (latest?.content_hash === request.contentHash) {
          await this.recordRequest(trx, tenantId, request, integration.id, latest.version, false, now);
          return { kind: "saved" as const, integrationId: integration.id, version: latest.version, created: false, status: latest.status };
        }
        if (request.expectedCurrent !== undefined && integration.current_version !== request.expectedCurrent) throw new CurrentMoved(integration.current_version);
        if (request.expectedLatest !== undefined && (latest?.version ?? null) !== request.expectedLatest) throw new Stale(latest?.version ?? null);

        const version = (latest?.version ?? 0) + 1;
        const status: Version["status"] = request.draft ? "draft" : "published";
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
            content_hash: request.contentHash,
            config: JSON.stringify(config),
            action_count: definition.actions.length,
            changelog: request.changelog ?? null,
            created_by: request.createdBy,
            created_at: now,
            published_at: status === "published" ? now : null,
            diff_summary: request.diffSummary ? JSON.stringify(request.diffSummary) : null,
          })
          .execute();
        await insertActions(trx, versionId, definition.actions);
        await recordEvent(trx, integration.id, "created", version, integration.current_version, request.createdBy, now);
        if (status === "published") {
          await makeCurrent(trx, integration.id, version, now, config);
          await recordEvent(trx, integration.id, "published", version, integration.current_version, request.createdBy, now);
        }
        await this.recordRequest(trx, tenantId, request, integration.id, version, true, now);
        return { kind: "saved" as const, integrationId: integration.id, version, created: true, status };
      });
    } catch (error) {
      if (error instanceof Stale) return { kind: "stale", latest: error.latest };
      if (error instanceof CurrentMoved) return { kind: "moved", current: error.current };
      throw error;
    }
    const integration = await this.integrations.getById(tenantId, outcome.integrationId);
    if (!integration) throw new Error(`integration ${outcome.integrationId} vanished after saving`);
    return { kind: outcome.kind, integration, version: outcome.version, created: outcome.created, status: outcome.status };
  }

  /**
   * `append` without a changelog or diff, numbered after whatever is latest: for fixtures
   * and tools. The API and the jobs go through the versions service, which composes them.
   */
  async save(tenantId: string, definition: IntegrationDefinition, request: Omit<AppendRequest, "expectedLatest" | "expectedCurrent">): Promise<SaveVersionResult> {
    const outcome = await this.append(tenantId, definition, request);
    if (outcome.kind === "stale" || outcome.kind === "moved") throw new Error("unreachable: a save without expectedLatest or expectedCurrent cannot be stale");
    const { kind: _kind, ...result } = outcome;
    return result;
  }

  /** The newest version (draft or published) of an integration; undefined when it has none or does not exist. */
  async latest(tenantId: string, slug: string): Promise<LatestVersion | undefined> {
    const row = await this.db
      .selectFrom("integration_versions as v")
      .innerJoin("integrations as i", "i.id", "v.integration_id")
      .select(["v.version", "v.content_hash"])
      .where("i.tenant_id", "=", tenantId)
      .where("i.slug", "=", slug)
      .orderBy("v.version", "desc")
      .limit(1)
      .executeTakeFirst();
    return row && { version: row.version, contentHash: row.content_hash };
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

  /**
   * Makes `version` current: one pointer move, recorded in the history. Publishing the
   * current version again changes nothing.
   */
  async moveCurrent(tenantId: string, slug: string, version: number, request: MoveRequest): Promise<CurrentMove> {
    const result = await this.db.transaction().execute(async (trx): Promise<CurrentMove | undefined> => {
      const integration = await this.lockIntegration(trx, tenantId, slug);
      if (!integration) return { kind: "missing", what: "integration" };
      if (request.expectedCurrent !== undefined && integration.current_version !== request.expectedCurrent) {
        return { kind: "stale", current: integration.current_version };
      }
      const row = await this.versionRow(trx, integration.id, version);
      if (!row) return { kind: "missing", what: "version" };
      if (request.event === "rollback" && row.status !== "published") return { kind: "not-published", version };
      const now = this.now().toISOString();
      if (row.status === "draft") {
        await trx.updateTable("integration_versions").set({ status: "published", published_at: now }).where("id", "=", row.id).execute();
      }
      if (integration.current_version !== version || row.status === "draft") {
        await makeCurrent(trx, integration.id, version, now, decodeVersionConfig(row.config));
        await recordEvent(trx, integration.id, request.event, version, integration.current_version, request.actor, now);
      }
      return undefined;
    });
    if (result) return result;
    const [integration, saved] = await Promise.all([this.integrations.get(tenantId, slug), this.get(tenantId, slug, version)]);
    if (!integration || !saved) return { kind: "missing", what: "integration" };
    return { kind: "done", integration, version: saved };
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
    return rows.map((row) => ({
      kind: row.kind,
      version: row.version,
      previousVersion: row.previous_version,
      actor: row.actor,
      createdAt: row.created_at,
      ...(row.note === null ? {} : { note: row.note }),
    }));
  }

  /** The integration's row, locked until the transaction ends. */
  lockIntegration(trx: Transaction<Database>, tenantId: string, slug: string) {
    return lockForWrite(
      trx.selectFrom("integrations").select(["id", "current_version"]).where("tenant_id", "=", tenantId).where("slug", "=", slug),
      this.dialect,
    ).executeTakeFirst();
  }

  /**
   * Creates the integration, or (when a concurrent request created it first) waits for that
   * one to commit, and locks it. `ON CONFLICT DO NOTHING` blocks on the other's uncommitted
   * row rather than failing on the unique constraint.
   */
  private async createIntegration(trx: Transaction<Database>, tenantId: string, definition: IntegrationDefinition, now: string) {
    const row: IntegrationTable = {
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
    };
    await trx.insertInto("integrations").values(row).onConflict((oc) => oc.columns(["tenant_id", "slug"]).doNothing()).execute();
    const locked = await this.lockIntegration(trx, tenantId, definition.slug);
    if (!locked) throw new Error(`integration ${definition.slug} could not be created`);
    return locked;
  }

  private async replay(trx: Transaction<Database>, tenantId: string, requestKey: string) {
    const row = await trx
      .selectFrom("version_requests as r")
      .innerJoin("integration_versions as v", (join) => join.onRef("v.integration_id", "=", "r.integration_id").onRef("v.version", "=", "r.version"))
      .select(["r.integration_id", "r.version", "r.created", "v.status"])
      .where("r.tenant_id", "=", tenantId)
      .where("r.request_key", "=", requestKey)
      .executeTakeFirst();
    return row && { integrationId: row.integration_id, version: row.version, created: row.created === 1, status: row.status };
  }

  private async recordRequest(
    trx: Transaction<Database>,
    tenantId: string,
    request: AppendRequest,
    integrationId: string,
    version: number,
    created: boolean,
    now: string,
  ): Promise<void> {
    if (request.requestKey === undefined) return;
    await trx
      .insertInto("version_requests")
      .values({ tenant_id: tenantId, request_key: request.requestKey, integration_id: integrationId, version, created: created ? 1 : 0, created_at: now })
      .onConflict((oc) => oc.columns(["tenant_id", "request_key"]).doNothing())
      .execute();
  }

  private findIntegration(db: Kysely<Database>, tenantId: string, slug: string) {
    return db.selectFrom("integrations").select(["id", "current_version"]).where("tenant_id", "=", tenantId).where("slug", "=", slug).executeTakeFirst();
  }

  private versionRow(db: Kysely<Database>, integrationId: string, version: number) {
    return db.selectFrom("integration_versions").selectAll().where("integration_id", "=", integrationId).where("version", "=", version).executeTakeFirst();
  }
}

async function insertActions(trx: Transaction<Database>, versionId: string, actions: ActionDefinition[]): Promise<void> {
  const shared = new SharedSchemaWriter();
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
      definition: JSON.stringify(shared.parts(action)),
    }));
    await trx.insertInto("actions").values(rows).execute();
  }
  await insertSharedSchemas(trx, versionId, shared.schemas());
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

/** Appends to the history; the caller holds the integration's lock, so `seq` cannot race. */
export async function recordEvent(
  trx: Transaction<Database>,
  integrationId: string,
  kind: IntegrationEventTable["kind"],
  version: number,
  previous: number | null,
  actor: string,
  now: string,
  note: string | null = null,
): Promise<void> {
  const last = await trx
    .selectFrom("integration_events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("integration_id", "=", integrationId)
    .executeTakeFirst();
  await trx
    .insertInto("integration_events")
    .values({ id: newId("evt"), integration_id: integrationId, seq: Number(last?.seq ?? 0) + 1, kind, version, previous_version: previous, actor, created_at: now, note })
    .execute();
}

/** Rebuilds the IntegrationDefinition a version was saved from. */
export async function loadDefinition(db: Kysely<Database>, slug: string, row: IntegrationVersionTable): Promise<IntegrationDefinition> {
  const config = decodeVersionConfig(row.config);
  const actions = await db.selectFrom("actions").selectAll().where("version_id", "=", row.id).orderBy("name").execute();
  const parts = actions.map((action) => decodeActionParts(action.definition));
  // Parsed once for the whole version, each shared schema is one object that the actions naming it share.
  const schemas = parts.some((part) => part.sharedDefs) ? await loadSharedSchemas(db, row.id) : NO_SHARED_DEFINITIONS;
  return {
    slug,
    name: config.name,
    ...(config.description === null ? {} : { description: config.description }),
    baseUrl: config.baseUrl,
    authSchemes: config.authSchemes,
    authTypeUnverified: config.authTypeUnverified,
    actions: actions.map((action, index) => ({
      name: action.name,
      method: action.method as ActionDefinition["method"],
      path: action.path,
      ...(action.summary === null ? {} : { summary: action.summary }),
      ...(action.description === null ? {} : { description: action.description }),
      deprecated: action.deprecated === 1,
      ...withSharedSchemas(parts[index]!, schemas, `action ${action.name} of ${slug}`),
    })),
  };
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
