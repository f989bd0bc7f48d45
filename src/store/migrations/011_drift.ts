import type { Kysely } from "kysely";

/**
 * Drift detection and auto-maintenance (issue 15): where an integration was imported from,
 * the checks run against it, the reports of what changed, the fingerprints already reported
 * or suppressed, proposals (draft versions waiting for a decision), tenant alert webhooks and
 * their deliveries, and which actions apps called recently (for a report's impact).
 *
 * Secrets are sealed (AES-256-GCM, bound to the row): a source URL's credentials and headers,
 * a webhook's signing secret. Traffic drift keeps shapes only (field paths and JSON types),
 * never response values.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("integration_sources")
    .addColumn("integration_id", "text", (c) => c.primaryKey().references("integrations.id").onDelete("cascade"))
    /** As it may be shown: no user info, secret query values redacted. */
    .addColumn("url", "text", (c) => c.notNull())
    /** Sealed { url, headers } when what is fetched is not what is shown; null otherwise. */
    .addColumn("sealed", "text")
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("server_url", "text")
    /** JSON Record<string, string>, or null. */
    .addColumn("server_variables", "text")
    /** JSON: the import's crawl settings, or false (one page); null for the defaults. */
    .addColumn("crawl", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("drift_checks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    /** `scrape` (the docs again) or `traffic` (responses seen by the gateway). */
    .addColumn("origin", "text", (c) => c.notNull())
    /** `no-change`, `drift` (a report was made) or `known` (changes, all reported or suppressed before). */
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("report_id", "text")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("drift_checks_integration_idx").on("drift_checks").columns(["integration_id", "created_at"]).execute();

  await db.schema
    .createTable("drift_reports")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("origin", "text", (c) => c.notNull())
    /** The current version the changes are against. */
    .addColumn("base_version", "integer")
    /** The highest severity of its changes: breaking, non-breaking or informational. */
    .addColumn("severity", "text", (c) => c.notNull())
    /** JSON DriftChange[]. */
    .addColumn("changes", "text", (c) => c.notNull())
    /** JSON DriftImpact. */
    .addColumn("impact", "text", (c) => c.notNull())
    .addColumn("proposal_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("drift_reports_tenant_idx").on("drift_reports").columns(["tenant_id", "created_at"]).execute();

  /** One row per change ever reported for an integration: a change seen again is not reported again. */
  await db.schema
    .createTable("drift_fingerprints")
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("fingerprint", "text", (c) => c.notNull())
    /** `reported`, or `suppressed` (a proposal with it was rejected). */
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("report_id", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("drift_fingerprints_pk", ["integration_id", "fingerprint"])
    .execute();

  await db.schema
    .createTable("proposals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("report_id", "text", (c) => c.notNull())
    /** The draft version built from the fresh scrape. */
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("base_version", "integer")
    .addColumn("breaking", "integer", (c) => c.notNull())
    .addColumn("changelog", "text", (c) => c.notNull())
    /** open → approving → approved; open → rejected | superseded. */
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .addColumn("note", "text")
    .addColumn("superseded_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("proposals_tenant_idx").on("proposals").columns(["tenant_id", "status", "created_at"]).execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    /** JSON AlertEvent[]. */
    .addColumn("events", "text", (c) => c.notNull())
    /** Sealed `whsec_…` signing secret, bound to the row id. */
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhook_endpoints_tenant_idx").on("webhook_endpoints").columns(["tenant_id"]).execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id").onDelete("cascade"))
    /** The Standard Webhooks `webhook-id`: the same for every attempt of one event to one endpoint. */
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    /** The JSON body sent (no secrets: reports and proposals are not secret). */
    .addColumn("payload", "text", (c) => c.notNull())
    /** `pending`, `delivered` or `failed` (attempts ran out). */
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("delivered_at", "text")
    .execute();
  await db.schema.createIndex("webhook_deliveries_endpoint_idx").on("webhook_deliveries").columns(["endpoint_id", "created_at"]).execute();

  /** When an app (or the tenant, app_key '') last called an action: bounded, one row per app × action. */
  await db.schema
    .createTable("action_calls")
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("app_key", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("last_called_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("action_calls_pk", ["integration_id", "app_key", "action"])
    .execute();

  /** Per integration: the severity a kind of change is reported with (oasdiff's severity levels), or `ignore`. */
  await db.schema
    .createTable("drift_severity_overrides")
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("drift_severity_overrides_pk", ["integration_id", "kind"])
    .execute();

  /** Why a decision was taken (a proposal approved or rejected). */
  await db.schema.alterTable("integration_events").addColumn("note", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("integration_events").dropColumn("note").execute();
  for (const table of ["drift_severity_overrides", "action_calls", "webhook_deliveries", "webhook_endpoints", "proposals", "drift_fingerprints", "drift_reports", "drift_checks", "integration_sources"]) {
    await db.schema.dropTable(table).execute();
  }
}
