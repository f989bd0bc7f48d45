import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";

export const HttpMethodSchema = z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]);
export type HttpMethod = z.infer<typeof HttpMethodSchema>;

/** A JSON Schema document as imported from the API's docs; validated by Ajv, not zod. */
export const JsonSchemaSchema = z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12)");
export type JsonSchema = z.infer<typeof JsonSchemaSchema>;

/** Action names are dotted identifiers so they map 1:1 onto the generated client (`wg.github.issues.create`). */
export const ActionNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/, "must be dot-separated identifiers, e.g. issues.create");

export const ResponseTypeSchema = z.enum(["json", "text", "binary", "empty"]);
export type ResponseType = z.infer<typeof ResponseTypeSchema>;

export const PaginationSchema = z
  .discriminatedUnion("strategy", [
    z.object({
      strategy: z.literal("cursor"),
      cursorParam: z.string(),
      /** JSON pointer to the next cursor in the response body. */
      nextCursorPath: z.string(),
      itemsPath: z.string().optional(),
    }),
    z.object({
      strategy: z.literal("offset"),
      offsetParam: z.string(),
      limitParam: z.string(),
      itemsPath: z.string().optional(),
    }),
    z.object({
      strategy: z.literal("page"),
      pageParam: z.string(),
      sizeParam: z.string().optional(),
      itemsPath: z.string().optional(),
    }),
    z.object({ strategy: z.literal("link"), itemsPath: z.string().optional() }),
    z.object({
      /** The next page's URL is in the body (Twilio `next_page_uri`, `links.next`, OData `@odata.nextLink`); relative URLs resolve against the page's. */
      strategy: z.literal("nextUrl"),
      /** JSON pointer to the next page's URL in the response body; absent, null or empty ends. */
      nextUrlPath: z.string(),
      itemsPath: z.string().optional(),
    }),
    z.object({
      /** The cursor is the last item's id (Stripe: `starting_after` = the last `data[].id`, while `has_more`). */
      strategy: z.literal("lastItemId"),
      cursorParam: z.string(),
      /** JSON pointer to the id within one item. */
      idPath: z.string(),
      /** JSON pointer to the body's "there is more" boolean; without it an empty page ends. */
      hasMorePath: z.string().optional(),
      itemsPath: z.string().optional(),
    }),
  ])
  .meta({ id: "Pagination" });
export type Pagination = z.infer<typeof PaginationSchema>;

const OAuthFlowSchema = z.object({
  authorizationUrl: z.string().optional(),
  tokenUrl: z.string().optional(),
  refreshUrl: z.string().optional(),
  scopes: z.record(z.string(), z.string()).default({}),
});

export const AuthSchemeSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("apiKey"), name: z.string(), in: z.enum(["header", "query", "cookie"]) }),
    z.object({ type: z.literal("bearer"), bearerFormat: z.string().optional() }),
    z.object({ type: z.literal("basic") }),
    z.object({
      type: z.literal("oauth2"),
      flows: z.object({
        authorizationCode: OAuthFlowSchema.optional(),
        clientCredentials: OAuthFlowSchema.optional(),
        implicit: OAuthFlowSchema.optional(),
        password: OAuthFlowSchema.optional(),
      }),
    }),
  ])
  .meta({ id: "AuthScheme" });
export type AuthScheme = z.infer<typeof AuthSchemeSchema>;

/** One line a person reads: `API key in header "X-Api-Key"`, `bearer token (JWT)`, `OAuth 2.0 (clientCredentials)`. */
export function describeAuthScheme(scheme: AuthScheme): string {
  switch (scheme.type) {
    case "apiKey":
      return `API key in ${scheme.in} "${scheme.name}"`;
    case "bearer":
      return `bearer token${scheme.bearerFormat ? ` (${scheme.bearerFormat})` : ""}`;
    case "basic":
      return "HTTP basic";
    case "oauth2":
      return `OAuth 2.0 (${Object.keys(scheme.flows).join(", ")})`;
  }
}

/** Every scheme of an integration in one phrase ("bearer token or HTTP basic"); "none" when it takes no credentials. */
export function describeAuthSchemes(schemes: readonly AuthScheme[]): string {
  return schemes.length === 0 ? "none" : schemes.map(describeAuthScheme).join(" or ");
}

export const AuthTypeSchema = z.enum(["none", "apiKey", "bearer", "basic", "oauth2"]);
export type AuthType = z.infer<typeof AuthTypeSchema>;

/**
 * Where a scraped action or field came from and how sure the extraction is: the page's URL, a
 * short excerpt of it, a confidence from 0 to 1, and what a person should check (`doubts`).
 * Absent for actions read from a spec, which states them.
 */
export const ProvenanceSchema = z.object({
  source: z.string().max(2000),
  excerpt: z.string().max(300).optional(),
  confidence: z.number().min(0).max(1),
  doubts: z.array(z.string().max(300)).max(20).default([]),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** Below this confidence an action or field is listed by `waygate versions review`. */
export const REVIEW_CONFIDENCE = 0.8;

export const ActionProvenanceSchema = ProvenanceSchema.extend({
  /** By input field name (as in `inputSchema.properties`). */
  fields: z.record(z.string(), ProvenanceSchema).default({}),
}).meta({ id: "ActionProvenance" });
export type ActionProvenance = z.infer<typeof ActionProvenanceSchema>;

export const ActionDefinitionSchema = z
  .object({
    name: ActionNameSchema,
    method: HttpMethodSchema,
    path: z.string().min(1).max(2000).startsWith("/"),
    summary: z.string().max(1000).optional(),
    description: z.string().max(100_000).optional(),
    deprecated: z.boolean().default(false),
    tags: z.array(z.string().max(200)).max(50).default([]),
    inputSchema: JsonSchemaSchema.default({ type: "object", properties: {} }),
    outputSchema: JsonSchemaSchema.nullable().default(null),
    /** Error responses by status code ("404", "4XX", "default"). */
    errors: z.record(z.string(), JsonSchemaSchema).default({}),
    pagination: PaginationSchema.nullable().default(null),
    /**
     * What the success response's body is, when it is not JSON: `text` (a `text/*` media
     * type: a string), `binary` (any other media type, or `format: binary`: bytes) or
     * `empty` (204/205: no body). Absent: JSON, typed by `outputSchema` (unknown without one).
     */
    responseType: ResponseTypeSchema.optional(),
    /** Scraped from documentation prose: where it came from and how confident the extraction is. */
    provenance: ActionProvenanceSchema.optional(),
  })
  .meta({ id: "ActionDefinition" });
export type ActionDefinition = z.infer<typeof ActionDefinitionSchema>;
export type ActionDefinitionInput = z.input<typeof ActionDefinitionSchema>;

/**
 * Where an integration's requests go, when a person says so (`scrape --server-url`,
 * `integrations set-base-url`): an absolute http(s) URL without credentials, which belong in a
 * connection (sealed), never in a URL that every version, diff and job shows.
 */
export const BaseUrlSchema = z
  .url()
  .max(2000)
  // zod runs every refinement even when `url()` failed: each one parses defensively.
  .refine((value) => /^https?:$/.test(parseUrl(value)?.protocol ?? "http:"), "must be an http:// or https:// URL")
  .refine((value) => {
    const url = parseUrl(value);
    return !url || (url.username === "" && url.password === "");
  }, "must not contain credentials (user:password@); store them in a connection");

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Changes the base URL of an integration as a new version (self-hosted GitLab, GHES, Jira Data Center). */
export const SetBaseUrlRequestSchema = z.object({ baseUrl: BaseUrlSchema }).meta({ id: "SetBaseUrlRequest" });

export const SetAuthRequestSchema = z
  .object({
    authSchemes: z.array(AuthSchemeSchema).max(20).describe("The schemes the API accepts; empty for an API that needs no credentials"),
  })
  .meta({ id: "SetAuthRequest" });


/** Everything needed to create (or add a version to) an integration. The importer produces this. */
export const IntegrationDefinitionSchema = z
  .object({
    slug: SlugSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(100_000).optional(),
    baseUrl: z.url(),
    authSchemes: z.array(AuthSchemeSchema).max(20).default([]),
    /** True when the docs declared no auth: "none" would be a guess, not a fact. */
    authTypeUnverified: z.boolean().default(false),
    actions: z.array(ActionDefinitionSchema).max(20_000),
  })
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    definition.actions.forEach((action, index) => {
      if (seen.has(action.name)) {
        ctx.addIssue({ code: "custom", path: ["actions", index, "name"], message: `duplicate action name "${action.name}"` });
      }
      seen.add(action.name);
    });
  })
  .meta({ id: "IntegrationDefinition" });
export type IntegrationDefinition = z.infer<typeof IntegrationDefinitionSchema>;
export type IntegrationDefinitionInput = z.input<typeof IntegrationDefinitionSchema>;

export const IntegrationSchema = z
  .object({
    slug: SlugSchema,
    name: z.string(),
    description: z.string().nullable(),
    baseUrl: z.string(),
    authType: AuthTypeSchema,
    authTypeUnverified: z.boolean(),
    currentVersion: z.number().int().nullable(),
    versionCount: z.number().int(),
    actionCount: z.number().int().describe("Actions in the current version"),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: "Integration" });
export type Integration = z.infer<typeof IntegrationSchema>;

/** A token bucket the gateway keeps to for one integration: `capacity` calls at once, refilled at `refillPerSecond`. */
export const RateLimitSchema = z
  .object({ capacity: z.number().int().min(1).max(100_000), refillPerSecond: z.number().positive().max(100_000) })
  .meta({ id: "RateLimit" });
export type RateLimit = z.infer<typeof RateLimitSchema>;

export const IntegrationDetailSchema = IntegrationSchema.extend({
  authSchemes: z.array(AuthSchemeSchema),
  rateLimit: RateLimitSchema.nullable(),
}).meta({ id: "IntegrationDetail" });
export type IntegrationDetail = z.infer<typeof IntegrationDetailSchema>;

export const ActionSummarySchema = z
  .object({
    name: z.string(),
    method: HttpMethodSchema,
    path: z.string(),
    summary: z.string().nullable(),
    deprecated: z.boolean(),
    paginated: z.boolean(),
  })
  .meta({ id: "ActionSummary" });
export type ActionSummary = z.infer<typeof ActionSummarySchema>;

export const ActionSchema = z
  .object({
    integration: SlugSchema,
    version: z.number().int(),
    name: z.string(),
    method: HttpMethodSchema,
    path: z.string(),
    summary: z.string().nullable(),
    description: z.string().nullable(),
    deprecated: z.boolean(),
    tags: z.array(z.string()),
    inputSchema: JsonSchemaSchema,
    outputSchema: JsonSchemaSchema.nullable(),
    errors: z.record(z.string(), JsonSchemaSchema),
    pagination: PaginationSchema.nullable(),
  })
  .meta({ id: "Action" });
export type Action = z.infer<typeof ActionSchema>;

export const CreatedIntegrationSchema = z
  .object({ integration: IntegrationDetailSchema, version: z.number().int(), created: z.boolean() })
  .meta({ id: "CreatedIntegration" });
export type CreatedIntegration = z.infer<typeof CreatedIntegrationSchema>;
