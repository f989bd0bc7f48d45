import type { Kysely } from "kysely";
import type { OAuthClient } from "../contract/index.js";
import type { Sealer } from "../lib/sealer.js";
import { decodeStringList } from "./decode.js";
import type { Database, OAuthClientTable } from "./schema.js";

/** Whose client: one app's, or the tenant's default (`appId` null). */
export interface OAuthClientScope {
  tenantId: string;
  appId: string | null;
}

export interface OAuthClientInput {
  clientId: string;
  /** Undefined keeps a stored secret; null removes it. */
  clientSecret?: string | null | undefined;
  scopes: string[];
  authorizeUrl: string | null;
  tokenUrl: string | null;
  issuer: string | null;
  resource: string | null;
}

/** A client as the connect flow uses it, with its secret opened. */
export interface UsableOAuthClient extends OAuthClientInput {
  clientSecret: string | null;
  /** Whose client it is: the app's own, or the tenant's default. */
  level: "app" | "tenant";
}

/**
 * OAuth clients per app (or per tenant, as the default) and integration. The secret is
 * sealed under the server's key ring, bound to the row's key, and only `usable()` (the
 * connect flow) ever opens it.
 */
export class OAuthClientRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: () => Promise<Sealer>,
    private readonly now: () => Date,
  ) {}

  /** Creates or replaces the client in one statement (ON CONFLICT), keeping the stored secret when none is given. */
  async set(scope: OAuthClientScope, integrationId: string, input: OAuthClientInput): Promise<void> {
    const now = this.now().toISOString();
    const scopeKey = scope.appId ?? "";
    const secret = input.clientSecret ? (await this.sealer()).seal(input.clientSecret, boundTo(scope.tenantId, scopeKey, integrationId)) : null;
    const values = {
      client_id: input.clientId,
      scopes: JSON.stringify(input.scopes),
      authorize_url: input.authorizeUrl,
      token_url: input.tokenUrl,
      issuer: input.issuer,
      resource: input.resource,
      updated_at: now,
      ...(input.clientSecret !== undefined ? { secret } : {}),
    };
    await this.db
      .insertInto("oauth_clients")
      .values({ tenant_id: scope.tenantId, scope_key: scopeKey, app_id: scope.appId, integration_id: integrationId, created_at: now, secret, ...values })
      .onConflict((oc) => oc.columns(["tenant_id", "scope_key", "integration_id"]).doUpdateSet(values))
      .execute();
  }

  async delete(scope: OAuthClientScope, integrationId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("oauth_clients")
      .where("tenant_id", "=", scope.tenantId)
      .where("scope_key", "=", scope.appId ?? "")
      .where("integration_id", "=", integrationId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The clients of one level (an app's own, or the tenant's defaults), sorted by integration; never their secrets. */
  async list(scope: OAuthClientScope): Promise<OAuthClient[]> {
    const rows = await this.db
      .selectFrom("oauth_clients as o")
      .innerJoin("integrations as i", "i.id", "o.integration_id")
      .leftJoin("apps as a", "a.id", "o.app_id")
      .selectAll("o")
      .select(["i.slug", "a.name as app_name"])
      .where("o.tenant_id", "=", scope.tenantId)
      .where("o.scope_key", "=", scope.appId ?? "")
      .orderBy("i.slug")
      .execute();
    return rows.map(toOAuthClient);
  }

  /** The client the connect flow uses for an app: the app's own, else the tenant's default; with its secret opened. */
  async usable(tenantId: string, appId: string | null, integrationId: string): Promise<UsableOAuthClient | undefined> {
    const rows = await this.db
      .selectFrom("oauth_clients")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("integration_id", "=", integrationId)
      .where("scope_key", "in", [appId ?? "", ""])
      .execute();
    const row = rows.find((r) => r.scope_key === (appId ?? "")) ?? rows.find((r) => r.scope_key === "");
    if (!row) return undefined;
    const clientSecret = row.secret === null ? null : (await this.sealer()).open(row.secret, boundTo(row.tenant_id, row.scope_key, row.integration_id));
    return {
      clientId: row.client_id,
      clientSecret,
      scopes: decodeStringList(row.scopes),
      authorizeUrl: row.authorize_url,
      tokenUrl: row.token_url,
      issuer: row.issuer,
      resource: row.resource,
      level: row.scope_key === "" ? "tenant" : "app",
    };
  }

  /** The client a connection's app (or tenant) uses for the connection's integration now: refreshes use its current secret. */
  async forConnection(connectionId: string): Promise<UsableOAuthClient | undefined> {
    const row = await this.db.selectFrom("connections").select(["tenant_id", "app_id", "integration_id"]).where("id", "=", connectionId).executeTakeFirst();
    return row ? this.usable(row.tenant_id, row.app_id, row.integration_id) : undefined;
  }
}

function boundTo(tenantId: string, scopeKey: string, integrationId: string): string {
  return `oauth-client:${tenantId}:${scopeKey}:${integrationId}`;
}

function toOAuthClient(row: OAuthClientTable & { slug: string; app_name: string | null }): OAuthClient {
  return {
    integration: row.slug,
    app: row.app_id && row.app_name ? { id: row.app_id, name: row.app_name } : null,
    clientId: row.client_id,
    hasSecret: row.secret !== null,
    scopes: decodeStringList(row.scopes),
    authorizeUrl: row.authorize_url,
    tokenUrl: row.token_url,
    issuer: row.issuer,
    resource: row.resource,
    updatedAt: row.updated_at,
  };
}
