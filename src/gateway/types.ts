import type { ActionDefinition, AuthScheme, HttpMethod } from "../contract/integrations.js";
import type { ProxyQueryValue } from "./request.js";
import type { RawBody } from "./response.js";
import type { NetworkReach } from "../importer/net-guard.js";

/** Stored secrets of one connection. Never echoed in problems, warnings or returned headers. */
export type Credentials =
  | { type: "apiKey"; key: string }
  | { type: "bearer"; token: string }
  | { type: "basic"; username: string; password: string }
  | OAuth2Credentials;

export interface OAuth2Credentials {
  type: "oauth2";
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601 instant the access token stops working. */
  expiresAt?: string;
  /** Token endpoint for the refresh_token grant; falls back to the integration's oauth2 flow. */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
}

export interface Connection {
  id: string;
  credentials: Credentials;
}

/** RFC 6901 pointers into the response body (each item when paginating). */
export type FieldMapping =
  | { op: "rename"; from: string; to: string }
  | { op: "move"; from: string; to: string }
  | { op: "drop"; path: string };

export type OutputValidation = "off" | "warn" | "strict";

export interface InvokeOptions {
  /** Collect pages into one array result. */
  paginate?: false | { maxPages?: number | undefined; maxItems?: number | undefined };
  /** Opaque next-page token from a previous response's `nextPage`. */
  page?: string;
  /** Sent upstream as `Idempotency-Key`; also makes a non-idempotent method retryable. */
  idempotencyKey?: string;
  /** Output validation; input is always validated. Default "warn". */
  validation?: OutputValidation;
  mappings?: FieldMapping[];
  /** Per attempt. Default 30 000. */
  timeoutMs?: number;
  /** Sends in total, first one included. Default 3. */
  maxAttempts?: number;
  /** Longest wait for a rate-limit budget or a Retry-After before giving up. Default 10 000. */
  maxRateLimitWaitMs?: number;
  /** Extra upstream headers from the caller; only `FORWARDABLE_HEADER` names (contract) are taken. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Who page tokens are issued to (the server passes tenant and app): a token only works
   * again for the same scope, integration and action.
   */
  pageScope?: string;
  signal?: AbortSignal;
}

export interface InvokeIntegration {
  slug: string;
  version: number;
  baseUrl: string;
  authSchemes: AuthScheme[];
  /** Identity of the integration's rate-limit budgets; default the slug. A multi-tenant server passes the integration's id, so tenants never share a budget. */
  rateLimitKey?: string;
  /** The integration's own configured limit; overrides `GatewayDeps.rateLimits.perIntegration`. */
  rateLimit?: BucketConfig | null;
}

export interface InvokeRequest {
  integration: InvokeIntegration;
  action: ActionDefinition;
  input: unknown;
  connection: Connection | null;
  options: InvokeOptions;
}

/** A raw request under the integration's base URL (the proxy route): no input schema, no output validation, no pagination. */
export interface ProxyRequest {
  integration: InvokeIntegration;
  method: HttpMethod;
  /** Relative to the base URL; may carry a query. */
  path: string;
  query?: Readonly<Record<string, ProxyQueryValue>>;
  /** Sent as JSON. */
  body?: unknown;
  connection: Connection | null;
  options: Pick<InvokeOptions, "idempotencyKey" | "headers" | "timeoutMs" | "maxAttempts" | "maxRateLimitWaitMs" | "signal">;
}

export interface InvokeResponse {
  status: number;
  /** Safe subset of the upstream's headers (lower-case names). */
  headers: Record<string, string>;
  /** Parsed JSON; the text of a textual body; null when empty or binary. */
  body: unknown;
  /** A body that is not JSON, as the upstream sent it (bytes and media type): pass it on as is. */
  raw: RawBody | null;
  /** Requests sent upstream, over all pages and retries. */
  attempts: number;
  nextPage: string | null;
  warnings: string[];
}

/** A token bucket: `capacity` requests at once, refilled at `refillPerSecond`. */
export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

export interface RateLimitConfig {
  /** Applied to every connection separately. */
  perConnection?: BucketConfig;
  /** By integration slug; "*" applies to integrations without their own entry. */
  perIntegration?: Record<string, BucketConfig>;
}

export interface GatewayDeps {
  /**
   * Refreshes and persists a connection's OAuth tokens. Without it the gateway calls the
   * token endpoint itself and keeps the result in memory only. `refreshAtTokenEndpoint`
   * spends the connection's refresh token, or that of `from` (fresher tokens read back
   * from storage, whose refresh token may have been rotated).
   */
  refreshOAuth?: (connection: Connection, helpers: { refreshAtTokenEndpoint: (from?: OAuth2Credentials) => Promise<OAuth2Credentials> }) => Promise<Credentials>;
  /**
   * Addresses upstream requests (and OAuth token refreshes) may reach: "public" (default),
   * "loopback" as well (local development and tests), or "private" (anything, for
   * deployments whose APIs live on a private network).
   */
  upstreams?: NetworkReach;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  rateLimits?: RateLimitConfig;
  /** Keep the rate limits in Redis, shared by every process that uses it (WAYGATE_REDIS_URL). Default: in this process. */
  sharedRateLimits?: { url: string; prefix: string };
  /** Gets the shared limiter's Redis errors (a request whose acquire fails gets a 500 meanwhile). */
  onRateLimitError?: (error: unknown) => void;
  /** Key for signing next-page tokens; share it between processes that serve the same clients. Default: random per Gateway. */
  pageTokenKey?: string | Uint8Array;
  /** Largest upstream response body read. Default 10 MiB. */
  maxResponseBytes?: number;
  /**
   * Largest sum of page bodies one collecting call (`paginate`) holds before it stops with
   * collection-too-large. Default 32 MiB: parsed, that is a few times more heap.
   */
  maxCollectedBytes?: number;
}
