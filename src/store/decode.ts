import { z } from "zod";
import {
  ActionDefinitionSchema,
  ActionProvenanceSchema,
  AlertEventSchema,
  AuthSchemeSchema,
  CrawlSettingsSchema,
  DriftChangeSchema,
  DriftImpactSchema,
  DiffSummarySchema,
  FieldMappingSchema,
  IntentMappingSchema,
  PaginationSchema,
  RateLimitSchema,
  type ActionDefinition,
  type ActionProvenance,
  type AppIntegrationSettings,
  type Credentials,
  type DiffSummary,
  type JsonSchema,
  type Pagination,
  type RateLimit,
} from "../contract/index.js";

/**
 * One checked decoder per JSON shape the store keeps in a text column. A row that does not
 * decode (edited by hand, written by a future version, cut short) fails loudly here, naming
 * the column, instead of travelling on as a value of the wrong type.
 */
export class StoredDataError extends Error {
  override name = "StoredDataError";
}

export function decoder<S extends z.ZodType>(what: string, schema: S): (text: string) => z.infer<S> {
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StoredDataError(`${what}: stored JSON does not parse (${error instanceof Error ? error.message : String(error)})`);
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new StoredDataError(`${what}: stored JSON has an unexpected shape${issue ? ` at ${issue.path.join(".") || "(root)"}: ${issue.message}` : ""}`);
    }
    return result.data;
  };
}

/** A JSON Schema document: imported as-is and checked by Ajv where it is used, so only its being an object is checked (and it is not copied). */
const JsonObject = z.custom<JsonSchema>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "must be a JSON object");

/** What a version stores besides its actions. */
export interface VersionConfig {
  name: string;
  description: string | null;
  baseUrl: string;
  authSchemes: z.infer<typeof AuthSchemeSchema>[];
  authTypeUnverified: boolean;
}

export const decodeVersionConfig = decoder(
  "integration_versions.config",
  z.object({
    name: z.string(),
    description: z.string().nullable(),
    baseUrl: z.string(),
    authSchemes: z.array(AuthSchemeSchema),
    authTypeUnverified: z.boolean(),
  }) satisfies z.ZodType<VersionConfig>,
);

/** The parts of an action kept as JSON in `actions.definition`. */
export interface StoredActionParts {
  tags: string[];
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  errors: Record<string, JsonSchema>;
  pagination: Pagination | null;
  provenance?: ActionProvenance | undefined;
  /** The schemas' `$defs` members are digests of the version's `action_schemas` rows (store/action-schemas.ts). */
  sharedDefs?: true | undefined;
}

export const decodeActionParts = decoder(
  "actions.definition",
  z.object({
    tags: z.array(z.string()),
    inputSchema: JsonObject,
    outputSchema: JsonObject.nullable(),
    errors: z.record(z.string(), JsonObject),
    pagination: PaginationSchema.nullable(),
    provenance: ActionProvenanceSchema.optional(),
    sharedDefs: z.literal(true).optional(),
  }) satisfies z.ZodType<StoredActionParts>,
);

export const decodeDiffSummary: (text: string) => DiffSummary = decoder("integration_versions.diff_summary", DiffSummarySchema);

export const decodeRateLimit: (text: string) => RateLimit = decoder("integrations.rate_limit", RateLimitSchema);

export const decodeMappings: (text: string) => AppIntegrationSettings["mappings"] = decoder("app_integration_settings.mappings", z.array(FieldMappingSchema));

/** Scopes and token expiry of a connection, kept beside its sealed secret for listing. */
export interface ConnectionMetadata {
  scopes: string[] | null;
  expiresAt: string | null;
}

export const decodeConnectionMetadata = decoder(
  "connections.metadata",
  z.object({ scopes: z.array(z.string()).nullable(), expiresAt: z.string().nullable() }) satisfies z.ZodType<ConnectionMetadata>,
);

/**
 * Opened credentials. Checked for their kind and the fields each kind needs, but without the
 * request's length limits: tokens an OAuth server hands back on refresh are stored as they came.
 */
export const decodeCredentials: (text: string) => Credentials = decoder(
  "connections.secret",
  z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("apiKey"), key: z.string() }),
    z.looseObject({ type: z.literal("bearer"), token: z.string() }),
    z.looseObject({ type: z.literal("basic"), username: z.string(), password: z.string() }),
    z.looseObject({
      type: z.literal("oauth2"),
      accessToken: z.string(),
      refreshToken: z.string().optional(),
      expiresAt: z.string().optional(),
      tokenUrl: z.string().optional(),
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      scopes: z.array(z.string()).optional(),
    }),
  ]),
);

/** A schedule's payload: any JSON (the job type's enqueuer checks its shape when the schedule fires). */
export const decodeSchedulePayload: (text: string) => unknown = decoder("schedules.payload", z.unknown());
export const decodeIntentSchema = decoder("intents schema", JsonObject);
export const decodeIntentMapping = decoder("intent_bindings.mapping", IntentMappingSchema);
/** A JSON list of strings: OAuth scopes, a connect session's integrations, an intent's providers or unsupported fields. */
export const decodeStringList: (text: string) => string[] = decoder("a stored list of strings", z.array(z.string()));
/** An LLM's validated reading of one docs page, as the LLM page cache keeps it. */
export interface StoredLlmExtraction {
  baseUrl?: string | undefined;
  actions: ActionDefinition[];
}

export const decodeLlmExtraction: (text: string) => StoredLlmExtraction = decoder(
  "llm_page_cache.extraction",
  z.object({ baseUrl: z.string().optional(), actions: z.array(ActionDefinitionSchema) }),
);
export const decodeDriftChanges = decoder("drift_reports.changes", z.array(DriftChangeSchema));
export const decodeDriftImpact = decoder("drift_reports.impact", DriftImpactSchema);
export const decodeAlertEvents = decoder("webhook_endpoints.events", z.array(AlertEventSchema));
export const decodeCrawlSetting = decoder("integration_sources.crawl", z.union([z.literal(false), CrawlSettingsSchema]));
export const decodeServerVariables = decoder("integration_sources.server_variables", z.record(z.string(), z.string()));
