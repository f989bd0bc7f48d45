import { z } from "zod";
import { PageQuerySchema, SlugSchema, pageOf } from "./common.js";
import { ApiKeySchema, CreateKeyBodySchema, CreatedKeySchema, HealthSchema, MeSchema, ReadinessSchema } from "./identity.js";
import {
  ActionSchema,
  ActionSummarySchema,
  CreatedIntegrationSchema,
  IntegrationDefinitionSchema,
  IntegrationDetailSchema,
  IntegrationSchema,
  SetAuthRequestSchema,
  SetBaseUrlRequestSchema,
} from "./integrations.js";
import { AppNameSchema, AppSchema, PinSchema } from "./apps.js";
import { IMPORT_UPLOAD_MEDIA_TYPES, ImportRequestSchema, ImportUploadQuerySchema, JobSchema, JobStatusSchema, TickBodySchema, TickResultSchema } from "./jobs.js";
import { VersionDiffSchema } from "./versioning.js";
import { IntegrationEventSchema, VersionNumberParam, VersionSchema } from "./versions.js";
import { SdkManifestSchema } from "./sdk.js";
import {
  AppIntegrationSettingsSchema,
  ConnectionSchema,
  ConnectionTestSchema,
  CreateConnectionSchema,
} from "./connections.js";
import { InvokeBodySchema, InvokeHeadersSchema, InvokeParamsSchema, InvokeResponseHeaders, ProxyBodySchema } from "./invoke.js";
import { RateLimitSchema } from "./integrations.js";
import { McpHeadersSchema, McpResourceMetadataSchema, ToolCallBodySchema, ToolCallResultSchema, ToolListSchema, ToolsQuerySchema } from "./tools.js";
import {
  BindIntentSchema,
  CreateIntentSchema,
  CreatedIntentSchema,
  IntentNameSchema,
  IntentPinSchema,
  IntentPreferenceSchema,
  IntentResultSchema,
  IntentSchema,
  IntentTemplateNameSchema,
  InvokeIntentSchema,
} from "./intents.js";
import { VersionChangeSchema } from "./versioning.js";
import {
  ConnectRedirectUrlsSchema,
  ConnectSessionSchema,
  CreateConnectSessionSchema,
  CreatedConnectSessionSchema,
  OAuthClientSchema,
  SetOAuthClientSchema,
} from "./connect.js";
import {
  ApproveProposalSchema,
  AlertEventSchema,
  CreatedWebhookSchema,
  CreateWebhookSchema,
  DriftCheckRequestSchema,
  DriftCheckResultSchema,
  DriftReportSchema,
  DriftScheduleRequestSchema,
  DriftScheduleSchema,
  ProposalDetailSchema,
  ProposalSchema,
  ProposalStatusSchema,
  RejectProposalSchema,
  SeverityOverridesSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
} from "./drift.js";
import { BatchDryRunSchema, BatchItemSchema, BatchResultsQuerySchema, BatchSchema, CreateBatchSchema } from "./batches.js";
import { CreateScheduleSchema, ScheduleDetailSchema, ScheduleSchema } from "./schedules.js";

/**
 * Every route of the Waygate API, once. The server validates requests and the client
 * parses responses with these schemas, and /v1/openapi.json is generated from them, so
 * the three cannot drift apart.
 */
export interface RouteSpec {
  operationId: string;
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI-style template: `/v1/integrations/{slug}`. */
  path: string;
  summary: string;
  tag: string;
  /** False only for health and the OpenAPI document. */
  auth: boolean;
  /** Routes an app key may not call (tenant administration). */
  tenantOnly?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A body that is not JSON but bytes the route streams itself (an uploaded document): its media types. */
  rawBody?: { mediaTypes: readonly string[]; description: string };
  /** Request headers the route reads, lower-case names; validated like params and query. */
  headers?: z.ZodObject;
  /** Response headers the route sets besides `x-request-id` (every route's), lower-case name → meaning. */
  responseHeaders?: Readonly<Record<string, string>>;
  /** A `text/event-stream` answer: each event's `data` is one JSON value of this schema. */
  events?: { description: string; schema: z.ZodType };
  /** Success status and body schema; `null` for an empty (204) response. */
  status: 200 | 201 | 202 | 204;
  response: z.ZodType | null;
}

function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

const SlugParams = z.object({ slug: SlugSchema });
const VersionParams = SlugParams.extend({ version: VersionNumberParam });
const AppParams = z.object({ app: z.string().min(1).max(100).describe("App id or name") });
const ConnectionParams = z.object({ connectionId: z.string().max(100) });
/** A tenant key names the app whose connection it means, as `listConnections` does (or with X-Waygate-App). */
const ConnectionAppQuery = z.object({ app: z.string().min(1).max(100).optional().describe("App id or name (tenant keys)") });
const VersionQuery = z.object({
  version: z.coerce.number().int().positive().optional().describe("Version number; the current version when omitted"),
});

const INVOKE_RESPONSE_HEADERS = {
  [InvokeResponseHeaders.versionExecuted]: "The integration version that ran",
  [InvokeResponseHeaders.versionMismatch]: "The expected version the request named, when another one ran",
  [InvokeResponseHeaders.attempts]: "Upstream requests sent, over pages and retries",
  [InvokeResponseHeaders.nextPage]: "Token for the next page (the body's `page`); absent on the last page",
  [InvokeResponseHeaders.warning]: "One warning per field (repeated)",
  [InvokeResponseHeaders.errorSource]: "On errors: `upstream` when the API answered an error status, `waygate` otherwise",
  [InvokeResponseHeaders.retryAfter]: "On 429 and 503: seconds to wait before trying again",
  [InvokeResponseHeaders.retryAfterMs]: "On 429 and 503: the same wait in milliseconds",
} as const;

const IntentParams = z.object({ name: IntentNameSchema });
const IntentAppHeader = z.object({ "x-waygate-app": z.string().min(1).max(100).optional().describe("App id or name (tenant keys)") });
const SessionParams = z.object({ sessionId: z.string().max(100) });
const AppSlugParams = AppParams.extend({ slug: SlugSchema });

const BatchParams = z.object({ batchId: z.string().max(100) });
const ScheduleParams = z.object({ scheduleId: z.string().max(100).describe("Schedule id (sch_…) or name") });
const ReportParams = z.object({ reportId: z.string().max(100) });
const ProposalParams = z.object({ proposalId: z.string().max(100) });
const WebhookParams = z.object({ webhookId: z.string().max(100) });

const IMPORT_RESPONSE_HEADERS = {
  "retry-after": "On 503: seconds to wait before trying again (the server is receiving as many documents as it takes at once)",
} as const;

export const routes = {
  health: route({
    operationId: "getHealth", method: "get", path: "/v1/health", tag: "meta", auth: false,
    summary: "Liveness check: the process answers (it does not touch the database)", status: 200, response: HealthSchema,
  }),
  ready: route({
    operationId: "getReadiness", method: "get", path: "/v1/health/ready", tag: "meta", auth: false,
    summary: "Readiness check: the database answers and has every migration this server needs; 503 with the same body when not",
    status: 200, response: ReadinessSchema,
  }),
  openapi: route({
    operationId: "getOpenApi", method: "get", path: "/v1/openapi.json", tag: "meta", auth: false,
    summary: "This API's OpenAPI 3.1 document", status: 200, response: z.record(z.string(), z.unknown()),
  }),
  me: route({
    operationId: "getMe", method: "get", path: "/v1/me", tag: "identity", auth: true,
    summary: "Who the presented key is", status: 200, response: MeSchema,
  }),
  listKeys: route({
    operationId: "listKeys", method: "get", path: "/v1/keys", tag: "identity", auth: true, tenantOnly: true,
    summary: "List the tenant's admin keys (never their secrets)", status: 200, response: z.object({ data: z.array(ApiKeySchema) }),
  }),
  createKey: route({
    operationId: "createKey", method: "post", path: "/v1/keys", tag: "identity", auth: true, tenantOnly: true,
    summary: "Create a tenant admin key; the secret is returned only in this response",
    body: CreateKeyBodySchema, status: 201, response: CreatedKeySchema,
  }),
  revokeKey: route({
    operationId: "revokeKey", method: "delete", path: "/v1/keys/{keyId}", tag: "identity", auth: true, tenantOnly: true,
    summary: "Revoke a tenant admin key (the last active one cannot be revoked)",
    params: z.object({ keyId: z.string().max(100) }), status: 200, response: ApiKeySchema,
  }),
  listIntegrations: route({
    operationId: "listIntegrations", method: "get", path: "/v1/integrations", tag: "integrations", auth: true,
    summary: "List integrations, sorted by slug", query: PageQuerySchema, status: 200, response: pageOf(IntegrationSchema),
  }),
  createIntegration: route({
    operationId: "createIntegration", method: "post", path: "/v1/integrations", tag: "integrations", auth: true, tenantOnly: true,
    summary: "Create an integration from a definition, or add it as the next version (identical content adds nothing)",
    query: z.object({ draft: z.enum(["true", "false"]).default("false").describe("Store as a draft version (not current until published)") }),
    body: IntegrationDefinitionSchema, status: 201, response: CreatedIntegrationSchema,
  }),
  setBaseUrl: route({
    operationId: "setBaseUrl", method: "post", path: "/v1/integrations/{slug}/base-url", tag: "integrations", auth: true, tenantOnly: true,
    summary: "Point an integration at another base URL (a self-hosted GitLab, GHES, Jira Data Center): the current version with the new URL, as a new current version",
    params: SlugParams, body: SetBaseUrlRequestSchema, status: 201, response: CreatedIntegrationSchema,
  }),
  setAuth: route({
    operationId: "setAuth", method: "post", path: "/v1/integrations/{slug}/auth", tag: "integrations", auth: true, tenantOnly: true,
    summary: "Correct how an integration authenticates (a scrape that guessed wrong or found none): the current version with these auth schemes, as a new current version",
    params: SlugParams, body: SetAuthRequestSchema, status: 201, response: CreatedIntegrationSchema,
  }),
  getIntegration: route({
    operationId: "getIntegration", method: "get", path: "/v1/integrations/{slug}", tag: "integrations", auth: true,
    summary: "Show an integration", params: SlugParams, status: 200, response: IntegrationDetailSchema,
  }),
  deleteIntegration: route({
    operationId: "deleteIntegration", method: "delete", path: "/v1/integrations/{slug}", tag: "integrations", auth: true, tenantOnly: true,
    summary: "Delete an integration with all its versions", params: SlugParams, status: 204, response: null,
  }),
  listActions: route({
    operationId: "listActions", method: "get", path: "/v1/integrations/{slug}/actions", tag: "integrations", auth: true,
    summary: "List an integration's actions at a version, sorted by name",
    params: SlugParams, query: PageQuerySchema.extend(VersionQuery.shape), status: 200, response: pageOf(ActionSummarySchema),
  }),
  getAction: route({
    operationId: "getAction", method: "get", path: "/v1/integrations/{slug}/actions/{action}", tag: "integrations", auth: true,
    summary: "Show one action with its input and output schemas",
    params: SlugParams.extend({ action: z.string().max(200) }), query: VersionQuery, status: 200, response: ActionSchema,
  }),
  startImport: route({
    operationId: "startImport", method: "post", path: "/v1/imports", tag: "imports", auth: true, tenantOnly: true,
    summary: "Import API docs (a URL, or the document itself) into an integration, as a background job",
    body: ImportRequestSchema, status: 202, response: JobSchema, responseHeaders: IMPORT_RESPONSE_HEADERS,
  }),
  uploadImport: route({
    operationId: "uploadImport", method: "post", path: "/v1/imports/upload", tag: "imports", auth: true, tenantOnly: true,
    summary: "Import an API document sent as the request body (streamed, not parsed as JSON), as a background job",
    query: ImportUploadQuerySchema, rawBody: { mediaTypes: IMPORT_UPLOAD_MEDIA_TYPES, description: "The document: OpenAPI, Swagger or Postman (JSON or YAML), or an HTML docs page" },
    status: 202, response: JobSchema, responseHeaders: IMPORT_RESPONSE_HEADERS,
  }),
  listJobs: route({
    operationId: "listJobs", method: "get", path: "/v1/jobs", tag: "jobs", auth: true, tenantOnly: true,
    summary: "List background jobs, newest first",
    query: PageQuerySchema.omit({ search: true }).extend({ status: JobStatusSchema.optional() }), status: 200, response: pageOf(JobSchema),
  }),
  getJob: route({
    operationId: "getJob", method: "get", path: "/v1/jobs/{jobId}", tag: "jobs", auth: true, tenantOnly: true,
    summary: "Show a job with its progress, result or error", params: z.object({ jobId: z.string().max(100) }), status: 200, response: JobSchema,
  }),
  tickJobs: route({
    operationId: "tickJobs", method: "post", path: "/v1/jobs/tick", tag: "jobs", auth: true, tenantOnly: true,
    summary:
      "Run due background jobs (imports) in this request, one after another, for up to budgetMs: for serverless deployments, which call it on a schedule instead of running `waygate server worker`. " +
      "It first fires the schedules that are due, then runs the queue's due jobs as a worker would: the calling tenant's with a tenant key, " +
      "every tenant's when the bearer token is the operator's WAYGATE_TICK_SECRET (what a multi-tenant deployment's scheduled call sends)",
    body: TickBodySchema, status: 200, response: TickResultSchema,
  }),
  cancelJob: route({
    operationId: "cancelJob", method: "post", path: "/v1/jobs/{jobId}/cancel", tag: "jobs", auth: true, tenantOnly: true,
    summary: "Cancel a job: a queued one at once, a running one at its next checkpoint",
    params: z.object({ jobId: z.string().max(100) }), status: 202, response: JobSchema,
  }),
  listVersions: route({
    operationId: "listVersions", method: "get", path: "/v1/integrations/{slug}/versions", tag: "versions", auth: true,
    summary: "List an integration's versions, newest first", params: SlugParams, status: 200, response: z.object({ data: z.array(VersionSchema) }),
  }),
  getVersion: route({
    operationId: "getVersion", method: "get", path: "/v1/integrations/{slug}/versions/{version}", tag: "versions", auth: true,
    summary: "Show one version", params: VersionParams, status: 200, response: VersionSchema,
  }),
  getDefinition: route({
    operationId: "getDefinition", method: "get", path: "/v1/integrations/{slug}/versions/{version}/definition", tag: "versions", auth: true,
    summary: "The whole definition of one version, as `POST /v1/integrations` takes it (to edit and save as the next version)",
    params: VersionParams, status: 200, response: IntegrationDefinitionSchema,
  }),
  diffVersions: route({
    operationId: "diffVersions", method: "get", path: "/v1/integrations/{slug}/diff", tag: "versions", auth: true,
    summary: "Compare two versions: added, removed and changed actions, each change classified breaking or not",
    params: SlugParams, query: z.object({ from: VersionNumberParam, to: VersionNumberParam }), status: 200, response: VersionDiffSchema,
  }),
  publishVersion: route({
    operationId: "publishVersion", method: "post", path: "/v1/integrations/{slug}/versions/{version}/publish", tag: "versions", auth: true, tenantOnly: true,
    summary: "Publish a version and make it current; with failOnBreaking, refuse (409) when it breaks the current version",
    params: VersionParams, body: z.object({ failOnBreaking: z.boolean().default(false) }), status: 200, response: VersionSchema,
  }),
  rollback: route({
    operationId: "rollback", method: "post", path: "/v1/integrations/{slug}/rollback", tag: "versions", auth: true, tenantOnly: true,
    summary: "Make an earlier published version current again (one pointer move, recorded in the history)",
    params: SlugParams, body: z.object({ to: z.number().int().positive() }), status: 200, response: VersionSchema,
  }),
  history: route({
    operationId: "getHistory", method: "get", path: "/v1/integrations/{slug}/history", tag: "versions", auth: true,
    summary: "What happened to an integration's versions, newest first", params: SlugParams, status: 200, response: z.object({ data: z.array(IntegrationEventSchema) }),
  }),
  checkDrift: route({
    operationId: "checkDrift", method: "post", path: "/v1/integrations/{slug}/drift-checks", tag: "drift", auth: true, tenantOnly: true,
    summary:
      "Scrape the integration's source again (or the source given) and compare it with the current version: records the check, and a drift report with a proposal when there are changes not reported or suppressed before",
    params: SlugParams, body: DriftCheckRequestSchema, status: 200, response: DriftCheckResultSchema,
  }),
  scheduleDrift: route({
    operationId: "scheduleDrift", method: "put", path: "/v1/integrations/{slug}/drift-schedule", tag: "drift", auth: true, tenantOnly: true,
    summary: "Check the integration for drift on a schedule (an interval such as 24h, or a cron expression); replaces its earlier schedule",
    params: SlugParams, body: DriftScheduleRequestSchema, status: 200, response: DriftScheduleSchema,
  }),
  getDriftSeverity: route({
    operationId: "getDriftSeverity", method: "get", path: "/v1/integrations/{slug}/drift-severity", tag: "drift", auth: true, tenantOnly: true,
    summary: "The integration's severity levels by kind of change (how drift reports rate them, or ignore)", params: SlugParams, status: 200, response: SeverityOverridesSchema,
  }),
  setDriftSeverity: route({
    operationId: "setDriftSeverity", method: "put", path: "/v1/integrations/{slug}/drift-severity", tag: "drift", auth: true, tenantOnly: true,
    summary: "Replace the integration's severity levels by kind of change; approval still refuses what the classifier finds breaking",
    params: SlugParams, body: SeverityOverridesSchema, status: 200, response: SeverityOverridesSchema,
  }),
  listDriftReports: route({
    operationId: "listDriftReports", method: "get", path: "/v1/drift-reports", tag: "drift", auth: true, tenantOnly: true,
    summary: "List drift reports, newest first",
    query: z.object({ integration: SlugSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    status: 200, response: z.object({ data: z.array(DriftReportSchema) }),
  }),
  getDriftReport: route({
    operationId: "getDriftReport", method: "get", path: "/v1/drift-reports/{reportId}", tag: "drift", auth: true, tenantOnly: true,
    summary: "Show a drift report: its changes (fingerprint, severity) and impact (apps, recent calls)", params: ReportParams, status: 200, response: DriftReportSchema,
  }),
  listProposals: route({
    operationId: "listProposals", method: "get", path: "/v1/proposals", tag: "drift", auth: true, tenantOnly: true,
    summary: "List proposals (draft versions built from drift), newest first",
    query: z.object({ integration: SlugSchema.optional(), status: ProposalStatusSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    status: 200, response: z.object({ data: z.array(ProposalSchema) }),
  }),
  getProposal: route({
    operationId: "getProposal", method: "get", path: "/v1/proposals/{proposalId}", tag: "drift", auth: true, tenantOnly: true,
    summary: "Show a proposal with its drift report", params: ProposalParams, status: 200, response: ProposalDetailSchema,
  }),
  approveProposal: route({
    operationId: "approveProposal", method: "post", path: "/v1/proposals/{proposalId}/approve", tag: "drift", auth: true, tenantOnly: true,
    summary:
      "Publish the proposal's draft as the current version (refused with 409 when it is breaking and apps follow the current version, unless allowBreaking; pinned apps never move). A second approval answers 409",
    params: ProposalParams, body: ApproveProposalSchema, status: 200, response: ProposalSchema,
  }),
  rejectProposal: route({
    operationId: "rejectProposal", method: "post", path: "/v1/proposals/{proposalId}/reject", tag: "drift", auth: true, tenantOnly: true,
    summary: "Reject a proposal: records why, and suppresses its changes (by fingerprint) until they change again",
    params: ProposalParams, body: RejectProposalSchema, status: 200, response: ProposalSchema,
  }),
  listWebhooks: route({
    operationId: "listWebhooks", method: "get", path: "/v1/alerts/webhooks", tag: "alerts", auth: true, tenantOnly: true,
    summary: "List the tenant's alert webhooks (never their secrets)", status: 200, response: z.object({ data: z.array(WebhookEndpointSchema) }),
  }),
  createWebhook: route({
    operationId: "createWebhook", method: "post", path: "/v1/alerts/webhooks", tag: "alerts", auth: true, tenantOnly: true,
    summary: "Add an alert webhook; events are signed per Standard Webhooks with the secret returned only in this response",
    body: CreateWebhookSchema, status: 201, response: CreatedWebhookSchema,
  }),
  deleteWebhook: route({
    operationId: "deleteWebhook", method: "delete", path: "/v1/alerts/webhooks/{webhookId}", tag: "alerts", auth: true, tenantOnly: true,
    summary: "Remove an alert webhook and its delivery records", params: WebhookParams, status: 204, response: null,
  }),
  testWebhook: route({
    operationId: "testWebhook", method: "post", path: "/v1/alerts/webhooks/{webhookId}/test", tag: "alerts", auth: true, tenantOnly: true,
    summary: "Send a signed `alert.test` event to the webhook now (retried like any event); answers the delivery",
    params: WebhookParams, body: z.object({}).strict(), status: 202, response: WebhookDeliverySchema,
  }),
  listDeliveries: route({
    operationId: "listDeliveries", method: "get", path: "/v1/alerts/webhooks/{webhookId}/deliveries", tag: "alerts", auth: true, tenantOnly: true,
    summary: "The webhook's deliveries, newest first: status, attempts, last answer",
    params: WebhookParams, query: z.object({ event: AlertEventSchema.optional() }), status: 200, response: z.object({ data: z.array(WebhookDeliverySchema) }),
  }),
  listApps: route({
    operationId: "listApps", method: "get", path: "/v1/apps", tag: "apps", auth: true, tenantOnly: true,
    summary: "List the tenant's apps", status: 200, response: z.object({ data: z.array(AppSchema) }),
  }),
  createApp: route({
    operationId: "createApp", method: "post", path: "/v1/apps", tag: "apps", auth: true, tenantOnly: true,
    summary: "Create an app", body: z.object({ name: AppNameSchema }), status: 201, response: AppSchema,
  }),
  getApp: route({
    operationId: "getApp", method: "get", path: "/v1/apps/{app}", tag: "apps", auth: true,
    summary: "Show an app (an app key sees only its own)", params: AppParams, status: 200, response: AppSchema,
  }),
  renameApp: route({
    operationId: "renameApp", method: "patch", path: "/v1/apps/{app}", tag: "apps", auth: true, tenantOnly: true,
    summary: "Rename an app", params: AppParams, body: z.object({ name: AppNameSchema }), status: 200, response: AppSchema,
  }),
  deleteApp: route({
    operationId: "deleteApp", method: "delete", path: "/v1/apps/{app}", tag: "apps", auth: true, tenantOnly: true,
    summary: "Delete an app, revoking its keys and removing its pins and connections", params: AppParams, status: 204, response: null,
  }),
  listAppKeys: route({
    operationId: "listAppKeys", method: "get", path: "/v1/apps/{app}/keys", tag: "apps", auth: true, tenantOnly: true,
    summary: "List an app's keys (never their secrets)", params: AppParams, status: 200, response: z.object({ data: z.array(ApiKeySchema) }),
  }),
  createAppKey: route({
    operationId: "createAppKey", method: "post", path: "/v1/apps/{app}/keys", tag: "apps", auth: true, tenantOnly: true,
    summary: "Create an app key; the secret is returned only in this response", params: AppParams, body: CreateKeyBodySchema, status: 201, response: CreatedKeySchema,
  }),
  revokeAppKey: route({
    operationId: "revokeAppKey", method: "delete", path: "/v1/apps/{app}/keys/{keyId}", tag: "apps", auth: true, tenantOnly: true,
    summary: "Revoke an app key", params: AppParams.extend({ keyId: z.string().max(100) }), status: 200, response: ApiKeySchema,
  }),
  listPins: route({
    operationId: "listPins", method: "get", path: "/v1/apps/{app}/pins", tag: "pins", auth: true,
    summary: "List an app's pins (an app key sees only its own)", params: AppParams, status: 200, response: z.object({ data: z.array(PinSchema) }),
  }),
  setPin: route({
    operationId: "setPin", method: "put", path: "/v1/apps/{app}/pins/{slug}", tag: "pins", auth: true, tenantOnly: true,
    summary: "Pin an app to a published version of an integration; takes effect on the app's next call",
    params: AppParams.extend({ slug: SlugSchema }), body: z.object({ version: z.number().int().positive() }), status: 200, response: PinSchema,
  }),
  deletePin: route({
    operationId: "deletePin", method: "delete", path: "/v1/apps/{app}/pins/{slug}", tag: "pins", auth: true, tenantOnly: true,
    summary: "Unpin: the app follows the integration's current version again", params: AppParams.extend({ slug: SlugSchema }), status: 204, response: null,
  }),
  getManifest: route({
    operationId: "getSdkManifest", method: "get", path: "/v1/sdk/manifest", tag: "sdk", auth: true,
    summary: "Everything `waygate generate` needs: integrations at the versions an app resolves to (pin, else current), or at the versions asked for",
    query: z.object({
      app: z.string().max(100).optional().describe("App name or id (tenant keys; an app key always means its own app)"),
      integrations: z
        .string()
        .max(10_000)
        .regex(/^([a-z0-9][a-z0-9-]*(@\d+)?)(,[a-z0-9][a-z0-9-]*(@\d+)?)*$/, "must be a comma-separated list of slug or slug@version")
        .optional()
        .describe("Only these integrations, e.g. github@3,slack (a bare slug resolves like the app does)"),
    }),
    status: 200, response: SdkManifestSchema,
  }),
  getSnippets: route({
    operationId: "getSnippets", method: "get", path: "/v1/snippets/{slug}/{action}", tag: "sdk", auth: true,
    summary: "Ready-to-paste code calling one action through Waygate: generated client (ts), fetch (js), Python, curl, Go",
    params: SlugParams.extend({ action: z.string().max(200) }),
    query: VersionQuery.extend({ lang: z.enum(["ts", "js", "python", "curl", "go"]).optional().describe("One language; all when omitted") }),
    status: 200,
    response: z.object({
      integration: SlugSchema,
      action: z.string(),
      version: z.number().int(),
      snippets: z.array(z.object({ lang: z.enum(["ts", "js", "python", "curl", "go"]), code: z.string() })),
    }).meta({ id: "Snippets" }),
  }),
  setRateLimit: route({
    operationId: "setRateLimit", method: "put", path: "/v1/integrations/{slug}/rate-limit", tag: "integrations", auth: true, tenantOnly: true,
    summary: "Set (or clear, with null) the token bucket the gateway keeps to for this integration",
    params: SlugParams, body: z.object({ rateLimit: RateLimitSchema.nullable() }), status: 200, response: IntegrationDetailSchema,
  }),
  getAppSettings: route({
    operationId: "getAppIntegrationSettings", method: "get", path: "/v1/apps/{app}/integrations/{slug}/settings", tag: "apps", auth: true,
    summary: "How the gateway validates and maps this integration's responses for the app", params: AppParams.extend({ slug: SlugSchema }),
    status: 200, response: AppIntegrationSettingsSchema,
  }),
  setAppSettings: route({
    operationId: "setAppIntegrationSettings", method: "put", path: "/v1/apps/{app}/integrations/{slug}/settings", tag: "apps", auth: true, tenantOnly: true,
    summary: "Set response validation (off|warn|strict) and field mappings for the app", params: AppParams.extend({ slug: SlugSchema }),
    body: AppIntegrationSettingsSchema, status: 200, response: AppIntegrationSettingsSchema,
  }),
  listConnections: route({
    operationId: "listConnections", method: "get", path: "/v1/connections", tag: "connections", auth: true,
    summary: "List connections (never their secrets): the app's, or the tenant-level ones",
    query: z.object({ integration: SlugSchema.optional(), user: z.string().max(200).optional(), app: z.string().max(100).optional() }),
    status: 200, response: z.object({ data: z.array(ConnectionSchema) }),
  }),
  createConnection: route({
    operationId: "createConnection", method: "post", path: "/v1/connections", tag: "connections", auth: true,
    summary: "Store credentials for an integration, for an app and an end user; encrypted at rest, never returned",
    body: CreateConnectionSchema, status: 201, response: ConnectionSchema,
  }),
  getConnection: route({
    operationId: "getConnection", method: "get", path: "/v1/connections/{connectionId}", tag: "connections", auth: true,
    summary: "Show a connection (never its secret)", params: ConnectionParams, query: ConnectionAppQuery, status: 200, response: ConnectionSchema,
  }),
  deleteConnection: route({
    operationId: "deleteConnection", method: "delete", path: "/v1/connections/{connectionId}", tag: "connections", auth: true,
    summary: "Delete a connection and its credentials", params: ConnectionParams, query: ConnectionAppQuery, status: 204, response: null,
  }),
  testConnection: route({
    operationId: "testConnection", method: "post", path: "/v1/connections/{connectionId}/test", tag: "connections", auth: true,
    summary: "Check the credentials work by calling a cheap read action of the integration",
    params: ConnectionParams, query: ConnectionAppQuery, status: 200, response: ConnectionTestSchema,
  }),
  invoke: route({
    operationId: "invoke", method: "post", path: "/v1/invoke/{slug}/{action}", tag: "gateway", auth: true,
    summary:
      "Call an action: the version your app resolves to, your stored credentials, retries, rate limits, paging, validation and mappings. " +
      "Answers with the upstream's status, safe headers and (mapped) body, JSON or as the upstream sent it.",
    params: InvokeParamsSchema, headers: InvokeHeadersSchema, body: InvokeBodySchema, status: 200, response: z.unknown(),
    responseHeaders: INVOKE_RESPONSE_HEADERS,
  }),
  proxy: route({
    operationId: "proxy", method: "post", path: "/v1/proxy/{slug}", tag: "gateway", auth: true,
    summary:
      "Send a raw request under the integration's base URL with the connection's credentials injected: for endpoints the imported docs lack or got wrong. " +
      "Retries, rate limits and the private-network guard apply as for invoke; no input or output validation.",
    params: SlugParams, headers: InvokeHeadersSchema, body: ProxyBodySchema, status: 200, response: z.unknown(),
    responseHeaders: INVOKE_RESPONSE_HEADERS,
  }),
  listTools: route({
    operationId: "listTools", method: "get", path: "/v1/tools", tag: "tools", auth: true,
    summary: "Actions as AI tools (OpenAI, Anthropic, LangChain, MCP or plain JSON Schema) at the versions the app runs: names valid everywhere, $refs inlined, schemas bounded",
    query: ToolsQuerySchema, status: 200, response: ToolListSchema,
  }),
  callTool: route({
    operationId: "callTool", method: "post", path: "/v1/tools/call", tag: "tools", auth: true,
    summary: "Call a tool by name, as an invoke of its action for the app and end user; tool errors (bad arguments, no connection, upstream errors) come back as a result with isError and text a model can act on",
    body: ToolCallBodySchema, status: 200, response: ToolCallResultSchema,
  }),
  mcp: route({
    operationId: "mcp", method: "post", path: "/v1/mcp", tag: "tools", auth: true,
    summary:
      "MCP over Streamable HTTP (stateless; JSON-RPC in, JSON out): the app's actions as tools, compact above 40. " +
      "An app key acts for its app; X-Waygate-User names the end user whose connections calls use. A browser's Origin must be this server's.",
    headers: McpHeadersSchema, body: z.unknown(), status: 200, response: z.unknown(),
  }),
  mcpResourceMetadata: route({
    operationId: "getMcpResourceMetadata", method: "get", path: "/.well-known/oauth-protected-resource/v1/mcp", tag: "tools", auth: false,
    summary: "OAuth 2.0 protected-resource metadata (RFC 9728) for /v1/mcp: how to present a key to it",
    status: 200, response: McpResourceMetadataSchema,
  }),
  listIntents: route({
    operationId: "listIntents", method: "get", path: "/v1/intents", tag: "intents", auth: true,
    summary: "List the tenant's intents at their latest versions, with their bindings", status: 200, response: z.object({ data: z.array(IntentSchema) }),
  }),
  listIntentTemplates: route({
    operationId: "listIntentTemplates", method: "get", path: "/v1/intents/templates", tag: "intents", auth: true,
    summary: "The built-in intent templates (messages, tickets, contacts, files): names and canonical schemas to start from",
    status: 200,
    response: z.object({ data: z.array(z.object({ template: IntentTemplateNameSchema, name: IntentNameSchema, description: z.string(), inputSchema: z.record(z.string(), z.unknown()), outputSchema: z.record(z.string(), z.unknown()) })) }),
  }),
  createIntent: route({
    operationId: "createIntent", method: "post", path: "/v1/intents", tag: "intents", auth: true, tenantOnly: true,
    summary: "Create an intent, or its next immutable version (identical schemas add nothing); with failOnBreaking, refuse (409) a breaking version",
    body: CreateIntentSchema, status: 201, response: CreatedIntentSchema,
  }),
  getIntent: route({
    operationId: "getIntent", method: "get", path: "/v1/intents/{name}", tag: "intents", auth: true,
    summary: "Show an intent at a version (default the latest) with its bindings",
    params: IntentParams, query: VersionQuery, status: 200, response: IntentSchema,
  }),
  diffIntent: route({
    operationId: "diffIntent", method: "get", path: "/v1/intents/{name}/diff", tag: "intents", auth: true,
    summary: "Compare two versions of an intent's canonical schemas, each change classified breaking or not",
    params: IntentParams, query: z.object({ from: VersionNumberParam, to: VersionNumberParam }), status: 200,
    response: z.object({ intent: IntentNameSchema, from: z.number().int(), to: z.number().int(), changes: z.array(VersionChangeSchema), breaking: z.boolean() }),
  }),
  bindIntent: route({
    operationId: "bindIntent", method: "put", path: "/v1/intents/{name}/bindings/{slug}", tag: "intents", auth: true, tenantOnly: true,
    summary: "Bind an integration's action to an intent with a mapping, checked against the canonical and the action's schemas (400 names the field it cannot fill)",
    params: IntentParams.extend({ slug: SlugSchema }), body: BindIntentSchema, status: 200, response: IntentSchema,
  }),
  unbindIntent: route({
    operationId: "unbindIntent", method: "delete", path: "/v1/intents/{name}/bindings/{slug}", tag: "intents", auth: true, tenantOnly: true,
    summary: "Remove an integration's binding from the intent's latest version (or ?version=)",
    params: IntentParams.extend({ slug: SlugSchema }), query: VersionQuery, status: 204, response: null,
  }),
  setIntentPreference: route({
    operationId: "setIntentPreference", method: "put", path: "/v1/intents/{name}/preference", tag: "intents", auth: true, tenantOnly: true,
    summary: "The order in which providers are tried when the caller names none: the tenant's, or an app's with X-Waygate-App",
    params: IntentParams, headers: IntentAppHeader, body: IntentPreferenceSchema, status: 200, response: IntentPreferenceSchema,
  }),
  setIntentPin: route({
    operationId: "setIntentPin", method: "put", path: "/v1/apps/{app}/intent-pins/{name}", tag: "intents", auth: true, tenantOnly: true,
    summary: "Pin an app to a version of an intent; unpinned apps run the latest",
    params: AppParams.extend({ name: IntentNameSchema }), body: z.object({ version: z.number().int().positive() }), status: 200, response: IntentPinSchema,
  }),
  deleteIntentPin: route({
    operationId: "deleteIntentPin", method: "delete", path: "/v1/apps/{app}/intent-pins/{name}", tag: "intents", auth: true, tenantOnly: true,
    summary: "Unpin: the app runs the intent's latest version again", params: AppParams.extend({ name: IntentNameSchema }), status: 204, response: null,
  }),
  invokeIntent: route({
    operationId: "invokeIntent", method: "post", path: "/v1/intents/{name}/invoke", tag: "intents", auth: true,
    summary:
      "Run an intent: the named provider, else the end user's connected providers in the app's (or tenant's) preference order, with optional fallback. " +
      "The answer names the provider and action that ran, the canonical output, the provider's raw output and the canonical fields it could not honour",
    params: IntentParams, headers: IntentAppHeader.extend({ "idempotency-key": z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/).optional() }),
    body: InvokeIntentSchema, status: 200, response: IntentResultSchema,
  }),
  createBatch: route({
    operationId: "createBatch", method: "post", path: "/v1/batches", tag: "batches", auth: true,
    summary:
      "Run one action for up to 100 000 items in the background, paced by the upstream's rate limits; per-item results are kept. " +
      "With options.dryRun, only validate every item against the action's input schema (400 with code invalid-items lists each invalid item's index and fields). " +
      "Act for an app with an app key, or a tenant key and X-Waygate-App.",
    headers: z.object({ "x-waygate-app": z.string().min(1).max(100).optional().describe("App id or name (tenant keys)") }),
    body: CreateBatchSchema, status: 201, response: z.union([BatchSchema, BatchDryRunSchema]),
  }),
  listBatches: route({
    operationId: "listBatches", method: "get", path: "/v1/batches", tag: "batches", auth: true,
    summary: "List batches, newest first (an app key sees only its app's)", query: PageQuerySchema.omit({ search: true }), status: 200, response: pageOf(BatchSchema),
  }),
  getBatch: route({
    operationId: "getBatch", method: "get", path: "/v1/batches/{batchId}", tag: "batches", auth: true,
    summary: "Show a batch with its counts per item state and its rate", params: BatchParams, status: 200, response: BatchSchema,
  }),
  listBatchResults: route({
    operationId: "listBatchResults", method: "get", path: "/v1/batches/{batchId}/results", tag: "batches", auth: true,
    summary: "The batch's items in order with their state, upstream status and body or problem; `state=failed` for the failed ones",
    params: BatchParams, query: BatchResultsQuerySchema, status: 200, response: pageOf(BatchItemSchema),
  }),
  cancelBatch: route({
    operationId: "cancelBatch", method: "post", path: "/v1/batches/{batchId}/cancel", tag: "batches", auth: true,
    summary: "Cancel a batch: queued items end `cancelled` at once, items in flight finish", params: BatchParams, status: 202, response: BatchSchema,
  }),
  resumeBatch: route({
    operationId: "resumeBatch", method: "post", path: "/v1/batches/{batchId}/resume", tag: "batches", auth: true,
    summary: "Run again what did not finish: cancelled items and items of a batch whose job stopped", params: BatchParams, status: 202, response: BatchSchema,
  }),
  retryFailedBatchItems: route({
    operationId: "retryFailedBatchItems", method: "post", path: "/v1/batches/{batchId}/retry-failed", tag: "batches", auth: true,
    summary: "Queue the failed items again as a new attempt (their idempotency keys stay the same)", params: BatchParams, status: 202, response: BatchSchema,
  }),
  batchEvents: route({
    operationId: "streamBatchEvents", method: "get", path: "/v1/batches/{batchId}/events", tag: "batches", auth: true,
    summary: "Progress as server-sent events: `progress` (the batch) whenever its counts change, then `end` when it finished",
    params: BatchParams, events: { description: "`event: progress` or `event: end`; `data`: the batch", schema: BatchSchema }, status: 200, response: null,
  }),
  listSchedules: route({
    operationId: "listSchedules", method: "get", path: "/v1/schedules", tag: "schedules", auth: true, tenantOnly: true,
    summary: "List the tenant's schedules (cron or interval), sorted by name", query: PageQuerySchema.omit({ search: true }), status: 200, response: pageOf(ScheduleSchema),
  }),
  createSchedule: route({
    operationId: "createSchedule", method: "post", path: "/v1/schedules", tag: "schedules", auth: true, tenantOnly: true,
    summary:
      "Run a job on a schedule: `every` (15m, 24h) or `cron` in a time zone. Only job types safe to run unattended can be scheduled here " +
      "(`import`: a periodic re-import of a docs URL); runs missed while no server was up run once on start",
    body: CreateScheduleSchema, status: 201, response: ScheduleSchema,
  }),
  getSchedule: route({
    operationId: "getSchedule", method: "get", path: "/v1/schedules/{scheduleId}", tag: "schedules", auth: true, tenantOnly: true,
    summary: "Show a schedule with its recent runs (the jobs it created), newest first", params: ScheduleParams, status: 200, response: ScheduleDetailSchema,
  }),
  pauseSchedule: route({
    operationId: "pauseSchedule", method: "post", path: "/v1/schedules/{scheduleId}/pause", tag: "schedules", auth: true, tenantOnly: true,
    summary: "Pause a schedule: it fires no more until resumed (jobs it already created run on)", params: ScheduleParams, status: 200, response: ScheduleSchema,
  }),
  resumeSchedule: route({
    operationId: "resumeSchedule", method: "post", path: "/v1/schedules/{scheduleId}/resume", tag: "schedules", auth: true, tenantOnly: true,
    summary: "Resume a paused schedule: its next run is computed from now (runs missed while paused do not run)", params: ScheduleParams, status: 200, response: ScheduleSchema,
  }),
  deleteSchedule: route({
    operationId: "deleteSchedule", method: "delete", path: "/v1/schedules/{scheduleId}", tag: "schedules", auth: true, tenantOnly: true,
    summary: "Delete a schedule and its run history (the jobs it created stay)", params: ScheduleParams, status: 204, response: null,
  }),
  createConnectSession: route({
    operationId: "createConnectSession", method: "post", path: "/v1/connect/sessions", tag: "connect", auth: true,
    summary:
      "Start a connect session for one end user: a single-use link to the hosted connect page, where they authorise an integration (OAuth2 with PKCE) or enter its key. " +
      "An app key acts for its app; a tenant key names the app in the body",
    body: CreateConnectSessionSchema, status: 201, response: CreatedConnectSessionSchema,
  }),
  getConnectSession: route({
    operationId: "getConnectSession", method: "get", path: "/v1/connect/sessions/{sessionId}", tag: "connect", auth: true,
    summary: "Show a connect session: pending, connected (with the connection id), failed (with an error code) or expired",
    params: SessionParams, status: 200, response: ConnectSessionSchema,
  }),
  listOAuthClients: route({
    operationId: "listOAuthClients", method: "get", path: "/v1/apps/{app}/oauth-clients", tag: "connect", auth: true,
    summary: "The app's own OAuth clients (never their secrets); integrations without one use the tenant's default",
    params: AppParams, status: 200, response: z.object({ data: z.array(OAuthClientSchema) }),
  }),
  setOAuthClient: route({
    operationId: "setOAuthClient", method: "put", path: "/v1/apps/{app}/oauth-clients/{slug}", tag: "connect", auth: true, tenantOnly: true,
    summary: "Set the OAuth client the app's connect sessions use for an integration; the secret is sealed at rest and never returned",
    params: AppSlugParams, body: SetOAuthClientSchema, status: 200, response: OAuthClientSchema,
  }),
  deleteOAuthClient: route({
    operationId: "deleteOAuthClient", method: "delete", path: "/v1/apps/{app}/oauth-clients/{slug}", tag: "connect", auth: true, tenantOnly: true,
    summary: "Remove the app's own OAuth client for an integration (the tenant's default applies again)", params: AppSlugParams, status: 204, response: null,
  }),
  listTenantOAuthClients: route({
    operationId: "listTenantOAuthClients", method: "get", path: "/v1/oauth-clients", tag: "connect", auth: true, tenantOnly: true,
    summary: "The tenant's default OAuth clients, used by apps without their own", status: 200, response: z.object({ data: z.array(OAuthClientSchema) }),
  }),
  setTenantOAuthClient: route({
    operationId: "setTenantOAuthClient", method: "put", path: "/v1/oauth-clients/{slug}", tag: "connect", auth: true, tenantOnly: true,
    summary: "Set the tenant's default OAuth client for an integration", params: SlugParams, body: SetOAuthClientSchema, status: 200, response: OAuthClientSchema,
  }),
  deleteTenantOAuthClient: route({
    operationId: "deleteTenantOAuthClient", method: "delete", path: "/v1/oauth-clients/{slug}", tag: "connect", auth: true, tenantOnly: true,
    summary: "Remove the tenant's default OAuth client for an integration", params: SlugParams, status: 204, response: null,
  }),
  getConnectRedirectUrls: route({
    operationId: "getConnectRedirectUrls", method: "get", path: "/v1/apps/{app}/connect-redirect-urls", tag: "connect", auth: true,
    summary: "Where the app's connect sessions may send the browser back to", params: AppParams, status: 200, response: ConnectRedirectUrlsSchema,
  }),
  setConnectRedirectUrls: route({
    operationId: "setConnectRedirectUrls", method: "put", path: "/v1/apps/{app}/connect-redirect-urls", tag: "connect", auth: true, tenantOnly: true,
    summary: "Replace the app's redirect allow-list for connect sessions", params: AppParams, body: ConnectRedirectUrlsSchema, status: 200, response: ConnectRedirectUrlsSchema,
  }),
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

type InferOr<S, Fallback> = S extends z.ZodType ? z.infer<S> : Fallback;
type InputOr<S, Fallback> = S extends z.ZodType ? z.input<S> : Fallback;

/** What a handler receives, already validated. */
export interface RouteInput<R extends RouteSpec> {
  params: InferOr<R["params"], Record<string, never>>;
  headers: InferOr<R["headers"], Record<string, never>>;
  query: InferOr<R["query"], Record<string, never>>;
  body: InferOr<R["body"], undefined>;
}

/** What a caller sends, before defaults are applied. */
export interface RouteRequest<R extends RouteSpec> {
  params?: InputOr<R["params"], undefined>;
  headers?: InputOr<R["headers"], undefined>;
  query?: InputOr<R["query"], undefined>;
  body?: InputOr<R["body"], undefined>;
}

export type RouteOutput<R extends RouteSpec> = R["response"] extends z.ZodType ? z.infer<R["response"]> : undefined;
