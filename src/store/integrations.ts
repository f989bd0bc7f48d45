import { sql, type Kysely } from "kysely";
import type {
  Action,
  ActionSummary,
  AuthScheme,
  AuthType,
  Integration,
  IntegrationDetail,
  Page,
  RateLimit,
} from "../contract/index.js";
import { loadSharedSchemas, sharedDigests, withSharedSchemas } from "./action-schemas.js";
import { decodeActionParts, decodeRateLimit, decodeVersionConfig } from "./decode.js";
import { containsPattern, cursorKey, toPage } from "./paging.js";
import type { Database, IntegrationTable } from "./schema.js";

export interface ListOptions {
  limit: number;
  cursor?: string | undefined;
  search?: string | undefined;
}

export interface VersionRef {
  integrationId: string;
  slug: string;
  versionId: string;
  version: number;
}

export type VersionLookup = { kind: "found"; ref: VersionRef } | { kind: "missing"; what: "integration" | "version" };

export class IntegrationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** Throws InvalidCursorError for a cursor this server did not issue (the API refuses those before asking). */
  async list(tenantId: string, options: ListOptions): Promise<Page<Integration>> {
    let query = this.summaryQuery(tenantId).orderBy("i.slug").limit(options.limit + 1);
    if (options.cursor) query = query.where("i.slug", ">", cursorKey(options.cursor));
    if (options.search) {
      const pattern = containsPattern(options.search);
      query = query.where((eb) =>
        eb.or([
          sql<boolean>`lower(i.slug) like ${pattern} escape '\\'`,
          sql<boolean>`lower(i.name) like ${pattern} escape '\\'`,
        ]),
      );
    }
    const rows = await query.execute();
    return toPage(rows, options.limit, (row) => row.slug, toIntegration);
  }

  async get(tenantId: string, slug: string): Promise<IntegrationDetail | undefined> {
    return this.detail(await this.summaryQuery(tenantId).where("i.slug", "=", slug).executeTakeFirst());
  }

  /** The same, by the integration's id (what a version request recorded). */
  async getById(tenantId: string, id: string): Promise<IntegrationDetail | undefined> {
    return this.detail(await this.summaryQuery(tenantId).where("i.id", "=", id).executeTakeFirst());
  }

  private async detail(row: SummaryRow | undefined): Promise<IntegrationDetail | undefined> {
    if (!row) return undefined;
    const current = await this.db
      .selectFrom("integration_versions")
      .select("config")
      .where("integration_id", "=", row.id)
      .where("version", "=", row.current_version ?? -1)
      .executeTakeFirst();
    const config = current ? decodeVersionConfig(current.config) : undefined;
    return { ...toIntegration(row), authSchemes: config?.authSchemes ?? [], rateLimit: row.rate_limit ? decodeRateLimit(row.rate_limit) : null };
  }

  /** Deletes the integration with all its versions and actions. False when there was none. */
  async delete(tenantId: string, slug: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("integrations")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("slug", "=", slug)
        .executeTakeFirst();
      if (!row) return false;
      const versions = trx.selectFrom("integration_versions").select("id").where("integration_id", "=", row.id);
      await trx.deleteFrom("actions").where("version_id", "in", versions).execute();
      await trx.deleteFrom("action_schemas").where("version_id", "in", versions).execute();
      await trx.deleteFrom("integration_versions").where("integration_id", "=", row.id).execute();
      await trx.deleteFrom("integrations").where("id", "=", row.id).execute();
      return true;
    });
  }

  async setRateLimit(tenantId: string, slug: string, rateLimit: RateLimit | null): Promise<boolean> {
    const result = await this.db
      .updateTable("integrations")
      .set({ rate_limit: rateLimit ? JSON.stringify(rateLimit) : null })
      .where("tenant_id", "=", tenantId)
      .where("slug", "=", slug)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The integration's id and current version, for callers that go on to versions or pins. */
  async find(tenantId: string, slug: string): Promise<{ id: string; currentVersion: number | null; rateLimit: RateLimit | null } | undefined> {
    const row = await this.db
      .selectFrom("integrations")
      .select(["id", "current_version", "rate_limit"])
      .where("tenant_id", "=", tenantId)
      .where("slug", "=", slug)
      .executeTakeFirst();
    return row && { id: row.id, currentVersion: row.current_version, rateLimit: row.rate_limit ? decodeRateLimit(row.rate_limit) : null };
  }

  /** Finds an integration's version: the one asked for, or the current one. */
  async resolveVersion(tenantId: string, slug: string, version?: number): Promise<VersionLookup> {
    const integration = await this.db
      .selectFrom("integrations")
      .select(["id", "current_version"])
      .where("tenant_id", "=", tenantId)
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (!integration) return { kind: "missing", what: "integration" };
    const wanted = version ?? integration.current_version;
    if (wanted === null) return { kind: "missing", what: "version" };
    const row = await this.db
      .selectFrom("integration_versions")
      .select(["id", "version"])
      .where("integration_id", "=", integration.id)
      .where("version", "=", wanted)
      .executeTakeFirst();
    if (!row) return { kind: "missing", what: "version" };
    return { kind: "found", ref: { integrationId: integration.id, slug, versionId: row.id, version: row.version } };
  }

  /** Throws InvalidCursorError for a cursor this server did not issue. */
  async listActions(ref: VersionRef, options: ListOptions): Promise<Page<ActionSummary>> {
    let query = this.db
      .selectFrom("actions")
      .select(["name", "method", "path", "summary", "deprecated", "paginated"])
      .where("version_id", "=", ref.versionId)
      .orderBy("name")
      .limit(options.limit + 1);
    if (options.cursor) query = query.where("name", ">", cursorKey(options.cursor));
    if (options.search) {
      const pattern = containsPattern(options.search);
      query = query.where((eb) =>
        eb.or([
          sql<boolean>`lower(name) like ${pattern} escape '\\'`,
          sql<boolean>`lower(path) like ${pattern} escape '\\'`,
          sql<boolean>`lower(coalesce(summary, '')) like ${pattern} escape '\\'`,
        ]),
      );
    }
    const rows = await query.execute();
    return toPage(rows, options.limit, (row) => row.name, (row) => ({
      name: row.name,
      method: row.method as ActionSummary["method"],
      path: row.path,
      summary: row.summary,
      deprecated: row.deprecated === 1,
      paginated: row.paginated === 1,
    }));
  }

  async getAction(ref: VersionRef, name: string): Promise<Action | undefined> {
    const row = await this.db
      .selectFrom("actions")
      .selectAll()
      .where("version_id", "=", ref.versionId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (!row) return undefined;
    const parts = decodeActionParts(row.definition);
    const definition = withSharedSchemas(parts, await loadSharedSchemas(this.db, ref.versionId, sharedDigests(parts)), `action ${name} of ${ref.slug}@${ref.version}`);
    return {
      integration: ref.slug,
      version: ref.version,
      name: row.name,
      method: row.method as Action["method"],
      path: row.path,
      summary: row.summary,
      description: row.description,
      deprecated: row.deprecated === 1,
      ...definition,
    };
  }

  private summaryQuery(tenantId: string) {
    return this.db
      .selectFrom("integrations as i")
      .leftJoin("integration_versions as cv", (join) =>
        join.onRef("cv.integration_id", "=", "i.id").onRef("cv.version", "=", "i.current_version"),
      )
      .selectAll("i")
      .select((eb) => [
        "cv.action_count",
        eb
          .selectFrom("integration_versions as v")
          .select((inner) => inner.fn.countAll<string | number>().as("n"))
          .whereRef("v.integration_id", "=", "i.id")
          .as("version_count"),
      ])
      .where("i.tenant_id", "=", tenantId);
  }
}

/** The scheme a client should use first; "none" only when the docs declared none. */
export function primaryAuthType(schemes: AuthScheme[]): AuthType {
  return schemes[0]?.type ?? "none";
}

type SummaryRow = IntegrationTable & { action_count: number | null; version_count: string | number | null };

function toIntegration(row: SummaryRow): Integration {
  return {
    slug: row.slug,
    name: row.name,
    description: row.description,
    baseUrl: row.base_url,
    authType: row.auth_type as AuthType,
    authTypeUnverified: row.auth_type_unverified === 1,
    currentVersion: row.current_version,
    versionCount: Number(row.version_count ?? 0),
    actionCount: row.action_count ?? 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
