import { sql, type Kysely } from "kysely";
import type {
  Action,
  ActionSummary,
  AuthScheme,
  AuthType,
  Integration,
  IntegrationDefinition,
  IntegrationDetail,
  Page,
} from "../contract/index.js";
import { newId } from "./ids.js";
import { containsPattern, decodeCursor, toPage } from "./paging.js";
import type { ActionTable, Database, IntegrationTable } from "./schema.js";

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

export interface SaveVersionResult {
  integration: IntegrationDetail;
  version: number;
  /** False when the content equals the latest version's: nothing was written. */
  created: boolean;
}

interface VersionConfig {
  name: string;
  description: string | null;
  baseUrl: string;
  authSchemes: AuthScheme[];
  authTypeUnverified: boolean;
}

/** Rows are inserted in batches well under Postgres' 65,535 and SQLite's 32,766 bind-parameter limits. */
const ACTION_INSERT_BATCH = 200;

export class IntegrationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async list(tenantId: string, options: ListOptions): Promise<Page<Integration>> {
    let query = this.summaryQuery(tenantId).orderBy("i.slug").limit(options.limit + 1);
    if (options.cursor) query = query.where("i.slug", ">", decodeCursor(options.cursor));
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
    const row = await this.summaryQuery(tenantId).where("i.slug", "=", slug).executeTakeFirst();
    if (!row) return undefined;
    const latest = await this.db
      .selectFrom("integration_versions")
      .select("config")
      .where("integration_id", "=", row.id)
      .where("version", "=", row.current_version ?? -1)
      .executeTakeFirst();
    const config = latest ? (JSON.parse(latest.config) as VersionConfig) : undefined;
    return { ...toIntegration(row), authSchemes: config?.authSchemes ?? [] };
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
      await trx.deleteFrom("integration_versions").where("integration_id", "=", row.id).execute();
      await trx.deleteFrom("integrations").where("id", "=", row.id).execute();
      return true;
    });
  }

  /**
   * Stores `definition` as the integration's next version and makes it current, creating
   * the integration on first use. All or nothing: one transaction. Identical content
   * (same hash as the latest version) writes nothing.
   */
  async saveVersion(
    tenantId: string,
    definition: IntegrationDefinition,
    meta: { contentHash: string; createdBy: string; changelog?: string },
  ): Promise<SaveVersionResult> {
    const result = await this.db.transaction().execute(async (trx) => {
      const now = this.now().toISOString();
      const authType = primaryAuthType(definition.authSchemes);
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
          auth_type: authType,
          auth_type_unverified: definition.authTypeUnverified ? 1 : 0,
          current_version: null,
          created_at: now,
          updated_at: now,
        } satisfies IntegrationTable;
        await trx.insertInto("integrations").values(integration).execute();
      }
      const latest = await trx
        .selectFrom("integration_versions")
        .select(["version", "content_hash"])
        .where("integration_id", "=", integration.id)
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst();
      if (latest?.content_hash === meta.contentHash) return { created: false, version: latest.version };

      const version = (latest?.version ?? 0) + 1;
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
          status: "published",
          content_hash: meta.contentHash,
          config: JSON.stringify(config),
          action_count: definition.actions.length,
          changelog: meta.changelog ?? null,
          created_by: meta.createdBy,
          created_at: now,
        })
        .execute();
      const rows: ActionTable[] = definition.actions.map((action) => ({
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
      for (let start = 0; start < rows.length; start += ACTION_INSERT_BATCH) {
        await trx.insertInto("actions").values(rows.slice(start, start + ACTION_INSERT_BATCH)).execute();
      }
      await trx
        .updateTable("integrations")
        .set({
          name: definition.name,
          description: definition.description ?? null,
          base_url: definition.baseUrl,
          auth_type: authType,
          auth_type_unverified: definition.authTypeUnverified ? 1 : 0,
          current_version: version,
          updated_at: now,
        })
        .where("id", "=", integration.id)
        .execute();
      return { created: true, version };
    });
    const integration = await this.get(tenantId, definition.slug);
    if (!integration) throw new Error(`integration ${definition.slug} vanished after saving`);
    return { integration, ...result };
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

  async listActions(ref: VersionRef, options: ListOptions): Promise<Page<ActionSummary>> {
    let query = this.db
      .selectFrom("actions")
      .select(["name", "method", "path", "summary", "deprecated", "paginated"])
      .where("version_id", "=", ref.versionId)
      .orderBy("name")
      .limit(options.limit + 1);
    if (options.cursor) query = query.where("name", ">", decodeCursor(options.cursor));
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
    const definition = JSON.parse(row.definition) as Pick<Action, "tags" | "inputSchema" | "outputSchema" | "errors" | "pagination">;
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
