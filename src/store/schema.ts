/**
 * Table types for Kysely. Portable across SQLite and Postgres on purpose: ids and
 * timestamps are text (ISO 8601, UTC), booleans are 0/1 integers, JSON is text.
 */
export interface Database {
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  apps: AppTable;
  integrations: IntegrationTable;
  integration_versions: IntegrationVersionTable;
  actions: ActionTable;
  action_schemas: ActionSchemaTable;
  jobs: JobTable;
  job_documents: JobDocumentTable;
  integration_events: IntegrationEventTable;
  pins: PinTable;
  connections: ConnectionTable;
  app_integration_settings: AppIntegrationSettingsTable;
  version_requests: VersionRequestTable;
  batches: BatchTable;
  batch_items: BatchItemTable;
  integration_sources: IntegrationSourceTable;
  drift_checks: DriftCheckTable;
  drift_reports: DriftReportTable;
  drift_fingerprints: DriftFingerprintTable;
  proposals: ProposalTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  action_calls: ActionCallTable;
  drift_severity_overrides: DriftSeverityOverrideTable;
  schedules: ScheduleTable;
  schedule_runs: ScheduleRunTable;
  intents: IntentTable;
  intent_bindings: IntentBindingTable;
  intent_preferences: IntentPreferenceTable;
  intent_pins: IntentPinTable;
  oauth_clients: OAuthClientTable;
  connect_sessions: ConnectSessionTable;
  connect_redirect_urls: ConnectRedirectUrlTable;
  llm_page_cache: LlmPageCacheTable;
}

export interface LlmPageCacheTable {
  tenant_id: string;
  source: string;
  model: string;
  page_hash: string;
  /** JSON: { baseUrl?, actions }. */
  extraction: string;
  created_at: string;
}

export interface TenantTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  app_id: string | null;
  kind: "tenant" | "app";
  name: string;
  /** The start of the key, for people to recognise it in lists. Not secret. */
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AppTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface IntegrationTable {
  id: string;
  tenant_id: string;
  slug: string;
  name: string;
  description: string | null;
  base_url: string;
  auth_type: string;
  auth_type_unverified: number;
  current_version: number | null;
  created_at: string;
  updated_at: string;
  /** JSON { capacity, refillPerSecond }, or null. */
  rate_limit: string | null;
}

export interface IntegrationVersionTable {
  id: string;
  integration_id: string;
  version: number;
  status: "draft" | "published";
  content_hash: string;
  /** JSON: name, description, baseUrl, authSchemes, authTypeUnverified. */
  config: string;
  action_count: number;
  changelog: string | null;
  created_by: string;
  created_at: string;
  published_at: string | null;
  /** JSON: diff summary against the previous version; null for version 1. */
  diff_summary: string | null;
}

export interface ActionTable {
  version_id: string;
  name: string;
  method: string;
  path: string;
  summary: string | null;
  description: string | null;
  deprecated: number;
  /**
   * JSON: tags, inputSchema, outputSchema, errors, pagination. With `sharedDefs: true`, each
   * schema's `$defs` members are digests of `action_schemas` rows (see store/action-schemas.ts).
   */
  definition: string;
  paginated: number;
}

/** A schema shared by a version's actions (a `$defs` member), kept once; `actions.definition` names it by digest. */
export interface ActionSchemaTable {
  version_id: string;
  /** Hex SHA-256 of `schema`. */
  digest: string;
  /** JSON. */
  schema: string;
}

export interface JobTable {
  id: string;
  tenant_id: string;
  type: string;
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  summary: string;
  /** JSON: the handler's input (small: uploaded documents live in job_documents). `null` once the job has ended. */
  payload: string;
  /** JSON, nullable: progress, result, error (a problem body). */
  progress: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: number;
  /** Not before this time (retries back off). */
  run_after: string;
  /** The worker holding the job and until when; an expired lease means the worker died. */
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One chunk of a document uploaded for an import job, kept until the job ends. */
export interface JobDocumentTable {
  job_id: string;
  /** 0, 1, 2…: the chunks in order. */
  seq: number;
  tenant_id: string;
  data: Uint8Array;
  created_at: string;
}

/** The history of an integration: versions made, published, rolled back to. */
export interface IntegrationEventTable {
  id: string;
  integration_id: string;
  seq: number;
  kind: "created" | "published" | "rollback" | "proposal-approved" | "proposal-rejected";
  version: number;
  /** The current version before this event. */
  previous_version: number | null;
  actor: string;
  created_at: string;
  /** Why (a proposal's approval or rejection note); null for other events. */
  note: string | null;
}

export interface PinTable {
  app_id: string;
  integration_id: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ConnectionTable {
  id: string;
  tenant_id: string;
  app_id: string | null;
  integration_id: string;
  external_user_id: string | null;
  auth_type: string;
  secret: string;
  metadata: string;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  /** The server refreshing this connection's OAuth tokens, and until when (ISO time); null when none is. */
  refresh_owner: string | null;
  refresh_until: string | null;
  /** "active", or "needs_reauth" once a refresh was refused with invalid_grant (the end user must connect again). */
  status: "active" | "needs_reauth";
}

export interface AppIntegrationSettingsTable {
  app_id: string;
  integration_id: string;
  validation: "off" | "warn" | "strict";
  /** JSON FieldMapping[]. */
  mappings: string;
  updated_at: string;
}

/** What a version-making request (`import:<job id>`) came to, so that running it again finds it. */
export interface VersionRequestTable {
  tenant_id: string;
  request_key: string;
  integration_id: string;
  version: number;
  /** 1: the request made the version; 0: its content already was the latest. */
  created: number;
  created_at: string;
}

/** A batch of invokes of one action; its counts are read from its items. */
export interface BatchTable {
  id: string;
  tenant_id: string;
  /** The app it acts for; null: the tenant itself. */
  app_id: string | null;
  integration: string;
  action: string;
  /** The connection (id or end user) of items that name none. */
  connection: string | null;
  /** JSON: { concurrency, stopOnErrorRatio }. */
  options: string;
  status: "queued" | "running" | "completed" | "completed_with_errors" | "cancelled";
  total: number;
  cancel_requested: number;
  /** The job running (or that last ran) the batch. */
  job_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface BatchItemTable {
  batch_id: string;
  /** The item's index in the request, from 0. */
  seq: number;
  /** JSON: the action's input. */
  input: string;
  connection: string | null;
  idempotency_key: string | null;
  state: "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";
  attempts: number;
  /** Times the item went back to the queue because the upstream (or the rate limiter) said to wait. */
  throttled: number;
  upstream_status: number | null;
  /** JSON, nullable: the upstream's body on success, the problem otherwise. */
  result: string | null;
  error: string | null;
  /** A throttled item is not claimed again before this time. */
  run_after: string;
  /** The batch run (one job execution) that claimed the item; a run that died leaves its claims for the next to take back. */
  claimed_by: string | null;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A job type and payload enqueued on a cron expression or an interval (one of the two is set). */
export interface ScheduleTable {
  id: string;
  tenant_id: string;
  /** Unique per tenant: what a feature names its schedule by (`drift:github`). */
  name: string;
  job_type: string;
  /** JSON: what the job type's enqueuer takes. */
  payload: string;
  cron: string | null;
  /** A bigint column: Postgres hands it back as a string. */
  interval_ms: number | string | null;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  paused: number;
  /** Null while paused, and for a cron expression with no occurrence left. */
  next_run_at: string | null;
  last_run_at: string | null;
  last_job_id: string | null;
  /** Why the last run could not enqueue its job; cleared by the next run that does. */
  last_error: string | null;
  /** The id of the key that created it; null when a feature created it on its own. */
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One firing of a schedule: the job it enqueued. */
export interface ScheduleRunTable {
  schedule_id: string;
  job_id: string;
  /** The occurrence that was due (after downtime, the first one missed). */
  scheduled_for: string;
  fired_at: string;
}

/** One immutable version of an intent. */
export interface IntentTable {
  tenant_id: string;
  name: string;
  version: number;
  description: string;
  /** JSON Schema text. */
  input_schema: string;
  output_schema: string;
  created_at: string;
}

/** Which action of an integration implements an intent version, and how fields map. */
export interface IntentBindingTable {
  tenant_id: string;
  intent_name: string;
  intent_version: number;
  /** The integration's slug. */
  integration: string;
  action: string;
  /** The integration version the mapping was checked against. */
  integration_version: number;
  /** JSON: { input: MappingStep[], output: MappingStep[] }. */
  mapping: string;
  /** JSON: canonical input pointers this provider cannot take. */
  unsupported: string;
  created_at: string;
}

export interface IntentPreferenceTable {
  tenant_id: string;
  /** '' for the tenant's own preference. */
  app_id: string;
  intent_name: string;
  /** JSON: integration slugs, first preferred. */
  providers: string;
  updated_at: string;
}

export interface IntentPinTable {
  app_id: string;
  intent_name: string;
  version: number;
  updated_at: string;
}

export interface OAuthClientTable {
  tenant_id: string;
  /** The app id, or "" for the tenant's default client. */
  scope_key: string;
  app_id: string | null;
  integration_id: string;
  client_id: string;
  /** Sealed client secret (lib/sealer.ts), bound to tenant, scope and integration; null for a public client. */
  secret: string | null;
  /** JSON array of scope strings. */
  scopes: string;
  authorize_url: string | null;
  token_url: string | null;
  /** The authorization server's issuer, when it sends `iss` in its responses (RFC 9207). */
  issuer: string | null;
  /** A resource indicator (RFC 8707) sent with the authorization and token requests. */
  resource: string | null;
  created_at: string;
  updated_at: string;
}

/** Where an integration was imported from, so that a drift check can scrape it again. */
export interface IntegrationSourceTable {
  integration_id: string;
  /** As it may be shown: no user info, secret query values redacted. */
  url: string;
  /** Sealed { url, headers } (bound to the integration id) when what is fetched is not what is shown. */
  sealed: string | null;
  format: string;
  server_url: string | null;
  /** JSON Record<string, string>, or null. */
  server_variables: string | null;
  /** JSON: the import's crawl settings, or false (one page); null for the defaults. */
  crawl: string | null;
  updated_at: string;
}

/** One drift check, whatever it found: "no change" is recorded too. */
export interface DriftCheckTable {
  id: string;
  tenant_id: string;
  integration_id: string;
  origin: "scrape" | "traffic";
  outcome: "no-change" | "drift" | "known";
  report_id: string | null;
  actor: string;
  created_at: string;
}

export interface DriftReportTable {
  id: string;
  tenant_id: string;
  integration_id: string;
  origin: "scrape" | "traffic";
  base_version: number | null;
  severity: "breaking" | "non-breaking" | "informational";
  /** JSON DriftChange[]. */
  changes: string;
  /** JSON DriftImpact. */
  impact: string;
  proposal_id: string | null;
  created_at: string;
}

export interface DriftFingerprintTable {
  integration_id: string;
  fingerprint: string;
  state: "reported" | "suppressed";
  report_id: string;
  updated_at: string;
}

export interface ProposalTable {
  id: string;
  tenant_id: string;
  integration_id: string;
  report_id: string;
  version: number;
  base_version: number | null;
  breaking: number;
  changelog: string;
  status: "open" | "approving" | "approved" | "rejected" | "superseded";
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  superseded_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectSessionTable {
  id: string;
  tenant_id: string;
  app_id: string;
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  token_hash: string;
  external_user_id: string;
  display_name: string | null;
  email: string | null;
  /** JSON array of integration slugs the end user may connect. */
  integrations: string;
  /** JSON array of scopes, or null for the OAuth client's. */
  scopes: string | null;
  success_url: string | null;
  error_url: string | null;
  status: "pending" | "authorizing" | "connected" | "failed";
  error_code: string | null;
  connection_id: string | null;
  /** The integration the end user chose. */
  integration: string | null;
  /** SHA-256 (hex) of the OAuth `state` sent to the provider. */
  state_hash: string | null;
  /** Sealed PKCE code verifier (RFC 7636), bound to the session id. */
  pkce_verifier: string | null;
  redirect_uri: string | null;
  expires_at: string;
  created_at: string;
  completed_at: string | null;
}

export interface ConnectRedirectUrlTable {
  app_id: string;
  url: string;
}

export interface WebhookEndpointTable {
  id: string;
  tenant_id: string;
  url: string;
  /** JSON AlertEvent[]. */
  events: string;
  /** Sealed signing secret (`whsec_…`), bound to the row id. */
  secret: string;
  created_at: string;
}

export interface WebhookDeliveryTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  payload: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface ActionCallTable {
  integration_id: string;
  /** The app's id, or '' for calls with a tenant key and no app. */
  app_key: string;
  action: string;
  last_called_at: string;
}

/** How a kind of change is reported for one integration, over the classifier's rating. */
export interface DriftSeverityOverrideTable {
  integration_id: string;
  kind: string;
  severity: "breaking" | "non-breaking" | "informational" | "ignore";
  updated_at: string;
}
