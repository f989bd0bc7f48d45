import { z } from "zod";
import { SlugSchema } from "./common.js";
import { ActionNameSchema, HttpMethodSchema } from "./integrations.js";
import { PROBLEM_BASE } from "./problem.js";

/*
 * The invoke protocol: `POST /v1/invoke/{integration}/{action}` and its raw sibling
 * `POST /v1/proxy/{integration}`. Every header either side sends is named here once; the
 * server, the API client, `waygate invoke`, the generated runtime (templates/runtime.ts,
 * which has no dependencies and so carries its own copy, checked against this module by a
 * test) and every snippet template use these names.
 *
 * Header names are lower-case: HTTP field names are case-insensitive (RFC 9110 §5.1) and
 * Node, undici and fetch all hand them over lower-cased.
 */

/** Headers a caller sends to the invoke and proxy routes. */
export const InvokeRequestHeaders = {
  /** With a tenant key: the app (name or id) to act for. An app key always acts for its own app. */
  app: "x-waygate-app",
  /** Sent upstream as `Idempotency-Key`; also makes a non-idempotent upstream call safe to retry. */
  idempotencyKey: "idempotency-key",
  /** The integration version the calling code was generated against. */
  expectedVersion: "x-waygate-expected-version",
  /** `warn` (default): run the version the app resolves to and say so; `strict`: refuse with 409 when it is not the expected one. */
  versionPolicy: "x-waygate-version-policy",
  /** The caller's request id, kept when well-formed (`[A-Za-z0-9._:-]{1,128}`); otherwise the server makes one. */
  requestId: "x-request-id",
} as const;

/** Headers the invoke and proxy routes answer with (besides the upstream's safe headers, passed through). */
export const InvokeResponseHeaders = {
  /** On every response of every route. */
  requestId: "x-request-id",
  /** The integration version that ran. */
  versionExecuted: "x-waygate-version-executed",
  /** Present when the caller named an expected version and another one ran: the expected version, echoed. */
  versionMismatch: "x-waygate-version-mismatch",
  /** Upstream requests sent for this call, over pages and retries. */
  attempts: "x-waygate-attempts",
  /** Opaque token for the next page; send it back as the body's `page`. Absent on the last page. */
  nextPage: "x-waygate-next-page",
  /** Repeated; one warning each (output validation in warn mode, pagination notes, version mismatch). */
  warning: "x-waygate-warning",
  /** Who produced an error response: `upstream` (the API answered an error status) or `waygate`. */
  errorSource: "x-waygate-error-source",
  /** RFC 9110 §10.2.3 delay-seconds, on 429 and 503 answers from the upstream or from Waygate. */
  retryAfter: "retry-after",
  /** The same delay in milliseconds, for clients that want more precision than whole seconds. */
  retryAfterMs: "retry-after-ms",
} as const;

export type InvokeRequestHeader = (typeof InvokeRequestHeaders)[keyof typeof InvokeRequestHeaders];
export type InvokeResponseHeader = (typeof InvokeResponseHeaders)[keyof typeof InvokeResponseHeaders];

/** Every header name the invoke protocol declares, request and response. */
export const invokeProtocolHeaders: ReadonlySet<string> = new Set<string>([
  ...Object.values(InvokeRequestHeaders),
  ...Object.values(InvokeResponseHeaders),
  "authorization",
  "content-type",
  "accept",
]);

/** A request id as accepted from a caller; anything else is replaced by one the server makes. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const ExpectedVersionHeaderSchema = z.coerce.number().int().positive();
export const VersionPolicySchema = z.enum(["warn", "strict"]);
export type VersionPolicy = z.infer<typeof VersionPolicySchema>;

/** The request headers of the invoke and proxy routes, as the server validates them. */
export const InvokeHeadersSchema = z.object({
  [InvokeRequestHeaders.app]: z.string().min(1).max(100).optional().describe("App name or id to act for (tenant keys)"),
  [InvokeRequestHeaders.idempotencyKey]: z.string().min(1).max(255).optional().describe("Sent upstream; makes a non-idempotent call safe to retry"),
  [InvokeRequestHeaders.expectedVersion]: ExpectedVersionHeaderSchema.optional().describe("The integration version the calling code was generated against"),
  [InvokeRequestHeaders.versionPolicy]: VersionPolicySchema.default("warn").describe("strict: answer 409 instead of running another version than the expected one"),
});
export type InvokeHeaders = z.infer<typeof InvokeHeadersSchema>;

/**
 * Headers a caller may ask the gateway to send upstream (`headers` in the body):
 * content negotiation, conditional requests, preferences and API-version selectors
 * (`X-GitHub-Api-Version`, `Stripe-Version`, `Notion-Version`). Credentials, cookies,
 * hop-by-hop and proxy headers are never taken from the caller: the gateway owns those.
 */
export const FORWARDABLE_HEADER = /^(accept|accept-language|if-match|if-none-match|if-modified-since|if-unmodified-since|prefer|(x-)?[a-z0-9]+(-[a-z0-9]+)*-version)$/;

export const UpstreamHeadersSchema = z
  .record(z.string().max(100), z.string().max(8_192))
  .refine((headers) => Object.keys(headers).length <= 32, "at most 32 headers")
  .describe(
    "Extra headers for the upstream request: Accept, Accept-Language, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, Prefer and *-Version headers",
  );

/** Call options shared by invoke and proxy. */
const CallOptionsShape = {
  /** A connection id (`con_…`) or an end user's id. */
  connection: z.string().min(1).max(200).optional().describe("A connection id (con_…) or the end user's id"),
  retries: z.number().int().min(0).max(10).optional().describe("Retries per upstream request after the first attempt (default 2); 0 sends each request once"),
  timeoutMs: z.number().int().min(1).max(300_000).optional().describe("Per upstream attempt, in milliseconds (default 30 000)"),
  headers: UpstreamHeadersSchema.optional(),
};

/** The body of `POST /v1/invoke/{integration}/{action}`. */
export const InvokeBodySchema = z
  .object({
    input: z.unknown().default({}),
    ...CallOptionsShape,
    paginate: z
      .union([z.boolean(), z.object({ maxPages: z.number().int().min(1).max(1000).optional(), maxItems: z.number().int().min(1).max(100_000).optional() })])
      .default(false)
      .describe("Collect every page into one array (bounded by the server's collected-bytes limit); false answers one page with a next-page token"),
    page: z.string().max(10_000).optional().describe("The x-waygate-next-page token of a previous response"),
  })
  .meta({ id: "InvokeBody" });
export type InvokeBody = z.infer<typeof InvokeBodySchema>;

/** The body of `POST /v1/proxy/{integration}`: a raw request under the integration's base URL, with the connection's credentials injected. */
export const ProxyBodySchema = z
  .object({
    method: HttpMethodSchema,
    /** Relative to the integration's base URL; must stay under it. */
    path: z.string().min(1).max(4_000).startsWith("/"),
    query: z.record(z.string().max(200), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])).optional(),
    body: z.unknown().optional().describe("Sent as JSON"),
    ...CallOptionsShape,
  })
  .meta({ id: "ProxyBody" });
export type ProxyBody = z.infer<typeof ProxyBodySchema>;

export const InvokeParamsSchema = z.object({ slug: SlugSchema, action: ActionNameSchema });

/*
 * Problem types of the invoke path (RFC 9457 §3.1.1). Waygate's own failures each have a
 * type; an error status from the upstream is `upstream-error`, whose `status` is the
 * upstream's and whose `upstream` member carries its status, safe headers and body.
 */
export const InvokeProblemTypes = {
  invalidInput: `${PROBLEM_BASE}invalid-input`,
  invalidDefinition: `${PROBLEM_BASE}invalid-definition`,
  invalidMapping: `${PROBLEM_BASE}invalid-mapping`,
  invalidPageToken: `${PROBLEM_BASE}invalid-page-token`,
  authMissing: `${PROBLEM_BASE}auth-missing`,
  connectionRequired: `${PROBLEM_BASE}connection-required`,
  connectionNotFound: `${PROBLEM_BASE}connection-not-found`,
  connectionNeedsReauth: `${PROBLEM_BASE}connection-needs-reauth`,
  oauthRefreshFailed: `${PROBLEM_BASE}oauth-refresh-failed`,
  rateLimitWaitExceeded: `${PROBLEM_BASE}rate-limit-wait-exceeded`,
  versionMismatch: `${PROBLEM_BASE}version-mismatch`,
  collectionTooLarge: `${PROBLEM_BASE}collection-too-large`,
  upstreamUnreachable: `${PROBLEM_BASE}upstream-unreachable`,
  upstreamTimeout: `${PROBLEM_BASE}upstream-timeout`,
  upstreamResponseTooLarge: `${PROBLEM_BASE}upstream-response-too-large`,
  upstreamError: `${PROBLEM_BASE}upstream-error`,
  invalidOutput: `${PROBLEM_BASE}invalid-output`,
  aborted: `${PROBLEM_BASE}aborted`,
} as const;
