import type { Kysely } from "kysely";

/**
 * Just-in-time auth (issue 16):
 * - `oauth_clients`: the OAuth client an app (or, with `scope_key` "", the whole tenant)
 *   uses for an integration's authorization-code flow; the secret is sealed like
 *   connection secrets. `scope_key` is the app id or "" so that one unique index covers
 *   both levels (NULL would never conflict).
 * - `connect_sessions`: one end user's trip through the hosted connect page. The token in
 *   the link and the OAuth `state` are stored as SHA-256 hashes only; the PKCE verifier is
 *   sealed. A session completes once (status leaves "pending" in one conditional update).
 * - `connect_redirect_urls`: per app, where connect sessions may send the browser back to.
 * - `connections.status`: "needs_reauth" once a refresh was refused with invalid_grant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("oauth_clients")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("scope_key", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.references("apps.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("secret", "text")
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("authorize_url", "text")
    .addColumn("token_url", "text")
    .addColumn("issuer", "text")
    .addColumn("resource", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("oauth_clients_pk", ["tenant_id", "scope_key", "integration_id"])
    .execute();

  await db.schema
    .createTable("connect_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("external_user_id", "text", (c) => c.notNull())
    .addColumn("display_name", "text")
    .addColumn("email", "text")
    .addColumn("integrations", "text", (c) => c.notNull())
    .addColumn("scopes", "text")
    .addColumn("success_url", "text")
    .addColumn("error_url", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error_code", "text")
    .addColumn("connection_id", "text")
    .addColumn("integration", "text")
    .addColumn("state_hash", "text", (c) => c.unique())
    .addColumn("pkce_verifier", "text")
    .addColumn("redirect_uri", "text")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .execute();

  // Pruning deletes by expiry.
  await db.schema.createIndex("connect_sessions_expires_idx").on("connect_sessions").column("expires_at").execute();

  await db.schema
    .createTable("connect_redirect_urls")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("connect_redirect_urls_pk", ["app_id", "url"])
    .execute();

  await db.schema.alterTable("connections").addColumn("status", "text", (c) => c.notNull().defaultTo("active")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("connections").dropColumn("status").execute();
  await db.schema.dropTable("connect_redirect_urls").execute();
  await db.schema.dropTable("connect_sessions").execute();
  await db.schema.dropTable("oauth_clients").execute();
}
