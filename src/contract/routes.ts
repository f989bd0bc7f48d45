import { z } from "zod";
import { PageQuerySchema, SlugSchema, pageOf } from "./common.js";
import { ApiKeySchema, CreateKeyBodySchema, CreatedKeySchema, HealthSchema, MeSchema } from "./identity.js";
import {
  ActionSchema,
  ActionSummarySchema,
  CreatedIntegrationSchema,
  IntegrationDefinitionSchema,
  IntegrationDetailSchema,
  IntegrationSchema,
} from "./integrations.js";
import { ImportRequestSchema, JobSchema, JobStatusSchema } from "./jobs.js";

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
  /** Success status and body schema; `null` for an empty (204) response. */
  status: 200 | 201 | 202 | 204;
  response: z.ZodType | null;
}

function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

const SlugParams = z.object({ slug: SlugSchema });
const VersionQuery = z.object({
  version: z.coerce.number().int().positive().optional().describe("Version number; the current version when omitted"),
});

export const routes = {
  health: route({
    operationId: "getHealth", method: "get", path: "/v1/health", tag: "meta", auth: false,
    summary: "Liveness check", status: 200, response: HealthSchema,
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
    body: IntegrationDefinitionSchema, status: 201, response: CreatedIntegrationSchema,
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
    body: ImportRequestSchema, status: 202, response: JobSchema,
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
  cancelJob: route({
    operationId: "cancelJob", method: "post", path: "/v1/jobs/{jobId}/cancel", tag: "jobs", auth: true, tenantOnly: true,
    summary: "Cancel a job: a queued one at once, a running one at its next checkpoint",
    params: z.object({ jobId: z.string().max(100) }), status: 202, response: JobSchema,
  }),
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

type InferOr<S, Fallback> = S extends z.ZodType ? z.infer<S> : Fallback;
type InputOr<S, Fallback> = S extends z.ZodType ? z.input<S> : Fallback;

/** What a handler receives, already validated. */
export interface RouteInput<R extends RouteSpec> {
  params: InferOr<R["params"], Record<string, never>>;
  query: InferOr<R["query"], Record<string, never>>;
  body: InferOr<R["body"], undefined>;
}

/** What a caller sends, before defaults are applied. */
export interface RouteRequest<R extends RouteSpec> {
  params?: InputOr<R["params"], undefined>;
  query?: InputOr<R["query"], undefined>;
  body?: InputOr<R["body"], undefined>;
}

export type RouteOutput<R extends RouteSpec> = R["response"] extends z.ZodType ? z.infer<R["response"]> : undefined;
