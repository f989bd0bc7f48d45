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
  /** JSON: tags, inputSchema, outputSchema, errors, pagination. */
  definition: string;
  paginated: number;
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
