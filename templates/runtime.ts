/**
 * Waygate client runtime: calls `POST {baseUrl}/v1/invoke/{integration}/{action}` (and the
 * raw `POST {baseUrl}/v1/proxy/{integration}`) with global `fetch`, maps failures to typed
 * errors, walks pages by the server's page tokens, and binds the generated action tables
 * lazily. No dependencies, so it runs in Node, Deno, Bun, browsers and edge runtimes.
 *
 * It reaches application code as `runtime.js` + `runtime.d.ts`, built from this file when
 * the waygate package is built: a consumer's compiler reads the declarations only, whatever
 * its settings. Of `fetch` it declares only the little it uses (`FetchLike`), so the global
 * `fetch`, undici's and a test double all fit.
 *
 * Retries happen in one place, the Waygate gateway, bounded by `retries` (sent in the body).
 * This client only retries what never reached Waygate: no connection, or a 502/503/504 from a
 * proxy in front of it (an answer without `x-waygate-error-source`), and only when the call is
 * safe to repeat (an idempotent method, or an idempotency key).
 */

/*
 * The invoke protocol's names. src/contract/invoke.ts declares them for the whole project;
 * this file has no dependencies and so keeps a copy, which a test checks against the contract.
 */
const HEADER = {
  app: "x-waygate-app",
  idempotencyKey: "idempotency-key",
  expectedVersion: "x-waygate-expected-version",
  versionPolicy: "x-waygate-version-policy",
  requestId: "x-request-id",
  versionExecuted: "x-waygate-version-executed",
  versionMismatch: "x-waygate-version-mismatch",
  nextPage: "x-waygate-next-page",
  errorSource: "x-waygate-error-source",
  retryAfter: "retry-after",
  retryAfterMs: "retry-after-ms",
} as const;

/** The `type` URLs of the problems (RFC 9457) Waygate answers the invoke and proxy routes with. */
export interface ProblemTypeUrls {
  readonly invalidInput: "https://waygate.dev/problems/invalid-input";
  readonly invalidDefinition: "https://waygate.dev/problems/invalid-definition";
  readonly invalidMapping: "https://waygate.dev/problems/invalid-mapping";
  readonly invalidPageToken: "https://waygate.dev/problems/invalid-page-token";
  readonly authMissing: "https://waygate.dev/problems/auth-missing";
  readonly connectionRequired: "https://waygate.dev/problems/connection-required";
  readonly connectionNotFound: "https://waygate.dev/problems/connection-not-found";
  /** The provider refused the connection's refresh token: send the end user to `problem.connectUrl`. */
  readonly connectionNeedsReauth: "https://waygate.dev/problems/connection-needs-reauth";
  readonly oauthRefreshFailed: "https://waygate.dev/problems/oauth-refresh-failed";
  readonly rateLimitWaitExceeded: "https://waygate.dev/problems/rate-limit-wait-exceeded";
  readonly versionMismatch: "https://waygate.dev/problems/version-mismatch";
  readonly collectionTooLarge: "https://waygate.dev/problems/collection-too-large";
  readonly upstreamUnreachable: "https://waygate.dev/problems/upstream-unreachable";
  readonly upstreamTimeout: "https://waygate.dev/problems/upstream-timeout";
  readonly upstreamResponseTooLarge: "https://waygate.dev/problems/upstream-response-too-large";
  /** The upstream API's own error answer (thrown as an `APIError`); every other type is Waygate's. */
  readonly upstreamError: "https://waygate.dev/problems/upstream-error";
  readonly invalidOutput: "https://waygate.dev/problems/invalid-output";
  readonly aborted: "https://waygate.dev/problems/aborted";
  /** The API key is missing, unknown or revoked. */
  readonly unauthorized: "https://waygate.dev/problems/unauthorized";
  /** The key may not act for this app or integration. */
  readonly forbidden: "https://waygate.dev/problems/forbidden";
  /** No such integration, action or app. */
  readonly notFound: "https://waygate.dev/problems/not-found";
  /** The request body itself is malformed. */
  readonly validation: "https://waygate.dev/problems/validation";
}

const PROBLEM_BASE = "https://waygate.dev/problems/";

/**
 * The problem `type` URLs, to compare with `error.problem.type`. Built from their slugs
 * (`invalid-input` → `invalidInput`), which keeps bundles small; `ProblemTypeUrls` spells them out.
 */
export const ProblemTypes: ProblemTypeUrls = /* @__PURE__ */ problemTypes();

function problemTypes(): ProblemTypeUrls {
  const slugs =
    "invalid-input invalid-definition invalid-mapping invalid-page-token auth-missing connection-required connection-not-found connection-needs-reauth oauth-refresh-failed " +
    "rate-limit-wait-exceeded version-mismatch collection-too-large upstream-unreachable upstream-timeout upstream-response-too-large upstream-error " +
    "invalid-output aborted unauthorized forbidden not-found validation";
  const entries = slugs.split(" ").map((slug) => [slug.replace(/-(.)/g, (_dash, letter: string) => letter.toUpperCase()), PROBLEM_BASE + slug]);
  return Object.freeze(Object.fromEntries(entries)) as ProblemTypeUrls;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "TRACE";

/** An RFC 9457 problem body, as Waygate answers errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  /** On `upstream-error` problems: what the upstream answered. */
  upstream?: UpstreamResponse;
  [extension: string]: unknown;
}

export interface FieldError {
  /** Where the bad value is: `input.channel`, `headers.x-api-key`. */
  field: string;
  message: string;
}

/** What the upstream API answered, as Waygate passes it on (secrets redacted). */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or text. */
  body: unknown;
}

export interface VersionMismatch {
  integration: string;
  action: string;
  /** The integration version this client was generated against. */
  expected: number;
  /** The version Waygate executed, when it said. */
  executed: number | undefined;
}

/**
 * The `fetch` the client calls: the global `fetch` (browsers, Node, Deno, Bun, edge
 * runtimes), undici's `fetch` or a test double.
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** What the client passes to `fetch`: a JSON `POST`. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** The part of a `fetch` `Response` the client reads. */
export interface FetchResponse {
  status: number;
  headers: HeaderReader;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The part of `Headers` the client reads (a `Headers` object is one). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Options of `createWaygate` and `withOptions`. */
export interface WaygateOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. Default: the `WAYGATE_API_KEY` environment variable. */
  apiKey?: string | undefined;
  /** The Waygate server, e.g. `https://waygate.example.com`. Default: the `WAYGATE_BASE_URL` environment variable. */
  baseUrl?: string | undefined;
  /** The app to act for (sent as `X-Waygate-App`; needed with a tenant key). Default: the `WAYGATE_APP` environment variable. */
  app?: string | undefined;
  /** The connection (a `con_…` id or your end user's id) calls use unless they name one. */
  connection?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike | undefined;
  /**
   * Retries per upstream request after the first attempt, done by the Waygate gateway
   * (default 2, at most 10; 0 sends every upstream request once). This client itself
   * retries, as often, only calls that never reached Waygate.
   */
  retries?: number | undefined;
  /** Milliseconds to wait for Waygate's answer, per attempt; 0 for no limit. Default 60 000. */
  timeout?: number | undefined;
  /** Refuse (409, `VersionMismatchError`) rather than run another integration version than this client was generated for. */
  strictVersion?: boolean | undefined;
  /**
   * Called when Waygate ran another version of the integration than this client was
   * generated against. The default warns once per action with `console.warn`.
   */
  onVersionMismatch?: ((mismatch: VersionMismatch) => void) | undefined;
}

/** Options of one call. */
export interface RequestOptions {
  /** The connection (a `con_…` id or your end user's id) whose credentials the upstream is called with. */
  connection?: string | undefined;
  /** Sent as `Idempotency-Key`; makes a non-idempotent call safe to retry. */
  idempotencyKey?: string | undefined;
  /**
   * Extra headers for the upstream request: `Accept`, `Accept-Language`, `If-Match`,
   * `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`, `Prefer` and `*-Version`
   * headers. Waygate refuses others (`InvalidInputError`).
   */
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Milliseconds; overrides the client's `timeout`. */
  timeout?: number | undefined;
  /** Overrides the client's `retries`. */
  retries?: number | undefined;
  /** Sent as `X-Request-Id` (`[A-Za-z0-9._:-]{1,128}`); by default the client makes one. */
  requestId?: string | undefined;
}

/** Options of `paginate()` and `pages()`. */
export interface PageOptions extends RequestOptions {
  /** Stop after this many items. */
  maxItems?: number | undefined;
  /** Stop after this many pages. */
  maxPages?: number | undefined;
}

/** A call's data with its HTTP details: what `.withResponse()` resolves to. */
export interface APIResponse<T> {
  data: T;
  /** The upstream's status. */
  status: number;
  /** Response headers: the upstream's safe headers (etag, link, rate limits…) and Waygate's. */
  headers: HeaderReader;
  /** Waygate's request id: quote it when asking about a call. */
  requestId: string;
  /** The integration version that ran. */
  versionExecuted: number | undefined;
}

/** One page of a paginated action: what `.pages()` yields. */
export interface Page<T> {
  items: T[];
  /** The whole response body of this page. */
  data: unknown;
  status: number;
  headers: HeaderReader;
  requestId: string;
  /** Token of the next page; undefined on the last. */
  nextPage: string | undefined;
}

export interface Action<I, O> {
  (input: I, options?: RequestOptions): Promise<O>;
  /** The same call, resolving to the data with its status, headers and request id. */
  withResponse(input: I, options?: RequestOptions): Promise<APIResponse<O>>;
}
export interface OptionalInputAction<I, O> {
  (input?: I, options?: RequestOptions): Promise<O>;
  /** The same call, resolving to the data with its status, headers and request id. */
  withResponse(input?: I, options?: RequestOptions): Promise<APIResponse<O>>;
}
export interface PaginatedAction<I, O, T> extends Action<I, O> {
  /** Yields every item of every page, fetching the next page as the loop needs it. */
  paginate(input: I, options?: PageOptions): AsyncIterable<T>;
  /** Yields every page with its items, status and headers. */
  pages(input: I, options?: PageOptions): AsyncIterable<Page<T>>;
}
export interface OptionalInputPaginatedAction<I, O, T> extends OptionalInputAction<I, O> {
  /** Yields every item of every page, fetching the next page as the loop needs it. */
  paginate(input?: I, options?: PageOptions): AsyncIterable<T>;
  /** Yields every page with its items, status and headers. */
  pages(input?: I, options?: PageOptions): AsyncIterable<Page<T>>;
}

/** `"GET /repos/{owner}/{repo}"`: a method and a path under the integration's base URL (GET when the method is left out). */
export type Route = `${HttpMethod} /${string}` | `/${string}`;

/**
 * A raw call through `POST /v1/proxy/{integration}`, with the connection's credentials:
 * `{param}`s in the path are taken from `input`; the rest of `input` is the query for
 * GET, HEAD and DELETE and the JSON body otherwise.
 */
export interface RawRequest {
  <T = unknown>(route: Route, input?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
  withResponse<T = unknown>(route: Route, input?: Record<string, unknown>, options?: RequestOptions): Promise<APIResponse<T>>;
}

declare const transportBrand: unique symbol;
/** A configured connection to Waygate, shared by a client and its `withOptions` copies. Used by generated code. */
export interface Transport {
  readonly [transportBrand]: true;
}

/** The end user a connect session is for: your id for them, or the id with a name and email to show. */
export type ConnectUser = string | { id: string; displayName?: string; email?: string };

/** `wg.connect`: links to the hosted connect page, where an end user authorises an integration. */
export interface ConnectClient {
  /**
   * A single-use link for one end user (`url`, valid until `expiresAt`); send them to it.
   * @example const { url } = await wg.connect.createSession({ user: "user_42", integrations: ["github"] });
   */
  createSession(
    input: { user: ConnectUser; integrations: string[]; scopes?: string[]; successUrl?: string; errorUrl?: string; expiresInSeconds?: number },
    options?: RequestOptions,
  ): Promise<{ id: string; token: string; url: string; expiresAt: string }>;
}

/** How a generated module binds its integration: `[property, bind]`. */
export type Binding = readonly [property: string, bind: (transport: Transport) => unknown];

// ---------------------------------------------------------------------------------------
// Errors

interface ErrorInit {
  requestId: string;
  /** Extra fields a subclass declares (`upstream`, `errors`). */
  [field: string]: unknown;
  status?: number | undefined;
  headers?: HeaderReader | undefined;
  problem?: Problem | undefined;
  cause?: unknown;
}

/** Any failure of a Waygate call. `status`, `headers` and `problem` are set when a response arrived. */
export class WaygateError extends Error {
  override readonly name: string = "WaygateError";
  /** Waygate's request id (the client's own when no response arrived): quote it when asking about a call. */
  declare readonly requestId: string;
  /** The HTTP status of the answer. */
  declare readonly status: number | undefined;
  declare readonly headers: HeaderReader | undefined;
  /** The problem body Waygate answered with. */
  declare readonly problem: Problem | undefined;
  constructor(message: string, init: ErrorInit) {
    const { cause, ...fields } = init;
    super(message, cause === undefined ? undefined : { cause });
    // Also sets `upstream` and `errors` for the subclasses that declare them.
    Object.assign(this, { status: undefined, headers: undefined, problem: undefined }, fields);
  }
}

/**
 * The upstream API answered with an error status. `upstream` holds what it sent;
 * the subclass says which status (`NotFoundError` is the upstream's 404, never Waygate's).
 */
export class APIError extends WaygateError {
  override readonly name: string = "APIError";
  declare readonly upstream: UpstreamResponse;
  constructor(message: string, init: ErrorInit & { upstream: UpstreamResponse }) {
    super(message, init);
  }
}
/** The upstream answered 400. */
export class BadRequestError extends APIError {
  override readonly name: string = "BadRequestError";
}
/** The upstream answered 401: the connection's credentials were refused. */
export class AuthenticationError extends APIError {
  override readonly name: string = "AuthenticationError";
}
/** The upstream answered 403. */
export class PermissionDeniedError extends APIError {
  override readonly name: string = "PermissionDeniedError";
}
/** The upstream answered 404. */
export class NotFoundError extends APIError {
  override readonly name: string = "NotFoundError";
}
/** The upstream answered 409. */
export class ConflictError extends APIError {
  override readonly name: string = "ConflictError";
}
/** The upstream answered 422. */
export class UnprocessableEntityError extends APIError {
  override readonly name: string = "UnprocessableEntityError";
}
/** The upstream answered 429. */
export class RateLimitError extends APIError {
  override readonly name: string = "RateLimitError";
  /** Seconds the upstream asked to wait (`Retry-After`), when it said. */
  declare readonly retryAfter: number | undefined;
  constructor(message: string, init: ErrorInit & { upstream: UpstreamResponse }) {
    super(message, { ...init, retryAfter: secondsToWait(init.headers) });
  }
}
/** The upstream answered 500 or above. */
export class InternalServerError extends APIError {
  override readonly name: string = "InternalServerError";
}

/** Waygate refused or failed the call itself (its answer says `x-waygate-error-source: waygate`); `problem.type` says why. */
export class WaygateProblemError extends WaygateError {
  override readonly name: string = "WaygateProblemError";
}
/** The input (or the request) is invalid; `errors` lists the fields and why. */
export class InvalidInputError extends WaygateProblemError {
  override readonly name: string = "InvalidInputError";
  declare readonly errors: FieldError[];
  constructor(message: string, init: ErrorInit) {
    super(message, { ...init, errors: Array.isArray(init.problem?.errors) ? init.problem.errors : [] });
  }
}
/** The action needs credentials and the call named no connection (and the app has no default one). */
export class ConnectionRequiredError extends WaygateProblemError {
  override readonly name: string = "ConnectionRequiredError";
}
/** The connection the call named does not exist (for this app and integration). */
export class ConnectionNotFoundError extends WaygateProblemError {
  override readonly name: string = "ConnectionNotFoundError";
}
/** The connection has no usable credentials for the integration. */
export class AuthMissingError extends WaygateProblemError {
  override readonly name: string = "AuthMissingError";
}
/** Refreshing the connection's OAuth token failed; the end user may need to reconnect. */
export class OAuthRefreshFailedError extends WaygateProblemError {
  override readonly name: string = "OAuthRefreshFailedError";
}
/** `strictVersion`: Waygate would have run another integration version than this client was generated for. */
export class VersionMismatchError extends WaygateProblemError {
  override readonly name: string = "VersionMismatchError";
}
/** Waygate refused the API key (401). */
export class WaygateAuthenticationError extends WaygateProblemError {
  override readonly name: string = "WaygateAuthenticationError";
}
/** The API key may not do this (403), e.g. an app key acting for another app. */
export class WaygatePermissionDeniedError extends WaygateProblemError {
  override readonly name: string = "WaygatePermissionDeniedError";
}
/** Waygate knows no such integration, action or app (404). */
export class WaygateNotFoundError extends WaygateProblemError {
  override readonly name: string = "WaygateNotFoundError";
}
/** Waygate's rate limit for the integration would have made the call wait too long (429). */
export class WaygateRateLimitError extends WaygateProblemError {
  override readonly name: string = "WaygateRateLimitError";
  /** Seconds to wait before trying again. */
  declare readonly retryAfter: number | undefined;
  constructor(message: string, init: ErrorInit) {
    super(message, { ...init, retryAfter: secondsToWait(init.headers) });
  }
}
/** Waygate could not reach the upstream API (502). */
export class UpstreamUnreachableError extends WaygateProblemError {
  override readonly name: string = "UpstreamUnreachableError";
}
/** The upstream API did not answer in time (504). */
export class UpstreamTimeoutError extends WaygateProblemError {
  override readonly name: string = "UpstreamTimeoutError";
}
/** The upstream's answer was larger than Waygate accepts (502). */
export class UpstreamResponseTooLargeError extends WaygateProblemError {
  override readonly name: string = "UpstreamResponseTooLargeError";
}
/** The upstream's answer did not match the action's output schema (strict validation, 502). */
export class InvalidOutputError extends WaygateProblemError {
  override readonly name: string = "InvalidOutputError";
}
/** A page token was not one Waygate issued, or has expired (400). */
export class InvalidPageTokenError extends WaygateProblemError {
  override readonly name: string = "InvalidPageTokenError";
}

/** No answer from Waygate: DNS, refused or reset connection, or an unreadable body. */
export class APIConnectionError extends WaygateError {
  override readonly name: string = "APIConnectionError";
}
/** Waygate did not answer within the `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name: string = "APIConnectionTimeoutError";
}
/** The caller's `signal` aborted the call; `cause` is the signal's reason. */
export class APIUserAbortError extends WaygateError {
  override readonly name: string = "APIUserAbortError";
}
export { APIConnectionError as ConnectionError, APIConnectionTimeoutError as TimeoutError };

type APIErrorClass = new (message: string, init: ErrorInit & { upstream: UpstreamResponse }) => APIError;
const UPSTREAM_CLASSES: ReadonlyMap<number, APIErrorClass> = new Map<number, APIErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

type ProblemErrorClass = new (message: string, init: ErrorInit) => WaygateProblemError;
/** Waygate's problem types (by slug, after `PROBLEM_BASE`) and their classes. */
const PROBLEM_CLASSES: ReadonlyMap<string, ProblemErrorClass> = new Map<string, ProblemErrorClass>([
  ["invalid-input", InvalidInputError],
  ["validation", InvalidInputError],
  ["connection-required", ConnectionRequiredError],
  ["connection-not-found", ConnectionNotFoundError],
  ["auth-missing", AuthMissingError],
  ["oauth-refresh-failed", OAuthRefreshFailedError],
  ["version-mismatch", VersionMismatchError],
  ["unauthorized", WaygateAuthenticationError],
  ["forbidden", WaygatePermissionDeniedError],
  ["not-found", WaygateNotFoundError],
  ["rate-limit-wait-exceeded", WaygateRateLimitError],
  ["upstream-unreachable", UpstreamUnreachableError],
  ["upstream-timeout", UpstreamTimeoutError],
  ["upstream-response-too-large", UpstreamResponseTooLargeError],
  ["invalid-output", InvalidOutputError],
  ["invalid-page-token", InvalidPageTokenError],
]);

// ---------------------------------------------------------------------------------------
// Configuration

interface Config {
  apiKey: string;
  baseUrl: string;
  app: string | undefined;
  connection: string | undefined;
  fetch: FetchLike;
  retries: number;
  timeout: number;
  strictVersion: boolean;
  onVersionMismatch: (mismatch: VersionMismatch) => void;
}

/** `process.env.NAME` where there is a `process` (Node, Bun, Deno); nothing in browsers and edge runtimes. */
function env(name: string): string | undefined {
  try {
    const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
    return value === "" ? undefined : value;
  } catch {
    // Deno without --allow-env throws.
    return undefined;
  }
}

function configure(options: WaygateOptions | undefined, base: Config | undefined): Config {
  // The options given (an `undefined` one is not given) over the base's, over the defaults.
  const config: Config = Object.assign(
    base
      ? {}
      : {
          apiKey: env("WAYGATE_API_KEY"),
          baseUrl: env("WAYGATE_BASE_URL"),
          app: env("WAYGATE_APP"),
          // Called unbound, `fetch` throws "Illegal invocation" in browsers; looked up per call, so a
          // fetch installed later (a test's, a polyfill) is used too.
          fetch: (url: string, init: FetchInit) => (globalThis as unknown as { fetch: FetchLike }).fetch(url, init),
          retries: 2,
          timeout: 60_000,
          strictVersion: false,
          onVersionMismatch: warnOnce(new Set()),
        },
    base,
    ...Object.entries(options ?? {}).map(([key, value]) => (value === undefined ? {} : { [key]: value })),
  ) as Config;
  if (typeof config.apiKey !== "string" || config.apiKey === "") throw new TypeError("Waygate: no API key: pass `apiKey` or set WAYGATE_API_KEY");
  if (typeof config.baseUrl !== "string" || !/^https?:\/\/[^/]/i.test(config.baseUrl)) throw new TypeError("Waygate: no base URL: pass `baseUrl` or set WAYGATE_BASE_URL");
  config.baseUrl = config.baseUrl.replace(/\/+$/, "");
  return config;
}

/** The default `onVersionMismatch`: one `console.warn` per action, for every client that shares the default. */
function warnOnce(warned: Set<string>): (mismatch: VersionMismatch) => void {
  return ({ integration, action, expected, executed }) => {
    if (warned.has(`${integration} ${action}`)) return;
    warned.add(`${integration} ${action}`);
    // eslint-disable-next-line no-console
    console.warn(`Waygate: ${integration} ${action} ran version ${executed ?? "?"} of the integration, not ${expected} as generated; run \`waygate generate\``);
  };
}

// ---------------------------------------------------------------------------------------
// Binding generated modules

/**
 * Used by generated `createWaygate`: the client object, one lazily bound member per
 * integration, and `withOptions`. Throws a `TypeError` when no API key or base URL is
 * given or set in the environment.
 */
export function createRoot(options: WaygateOptions | undefined, bindings: readonly Binding[]): unknown {
  return rootOf(configure(options, undefined), bindings);
}

function rootOf(config: Config, bindings: readonly Binding[]): object {
  const root = {};
  const transport = config as unknown as Transport;
  for (const [property, bind] of bindings) lazy(root, property, () => bind(transport));
  // Not enumerable, like withOptions: the root's keys stay the integrations.
  Object.defineProperty(root, "connect", { get: () => bindConnect(config), configurable: true });
  Object.defineProperty(root, "withOptions", {
    value: (options: WaygateOptions) => rootOf(configure(options, config), bindings),
    writable: true,
    configurable: true,
  });
  return root;
}

/**
 * A generated module's action table: one line per action, fields separated by spaces:
 * the member path (`issues.create`), the HTTP method, then optional flags:
 * `=<action name>` when it is not the member path, `*<items pointer>` for a paginated
 * action (`*` alone: the body is the list), `:text`, `:binary` or `:empty` for a response
 * that is not JSON. `%`, space and newline in a value are percent-encoded.
 */
export type ActionTable = string;

interface ActionRow {
  member: string;
  name: string;
  method: string;
  /** JSON pointer to the page's items; undefined when the action does not paginate. */
  items: string | undefined;
  response: string;
}

/** A group of the client while unbound: its members in order, each an action or a group. */
interface Tree {
  members: Map<string, ActionRow | Tree>;
}

/**
 * Used by generated modules: the client of one integration. Its groups become objects
 * and its actions functions only when first read, so a client of 1 000 actions costs
 * nothing until it is used, and then only what is used.
 */
export function bindIntegration(transport: Transport, slug: string, version: number, table: ActionTable): unknown {
  const config = transport as unknown as Config;
  // Parsed once per table, however many clients (`withOptions` per request, say) bind it.
  let root = parsedTables.get(table);
  if (!root) parsedTables.set(table, (root = parseTable(table)));
  const client = materialize(config, slug, version, root);
  Object.defineProperty(client, "request", { value: rawRequest(config, slug), writable: true, configurable: true });
  return client;
}

const parsedTables = new Map<string, Tree>();

function parseTable(table: ActionTable): Tree {
  const root: Tree = { members: new Map() };
  for (const line of table.split("\n")) {
    if (line === "") continue;
    const [path = "", method = "POST", ...flags] = line.split(" ").map(unescapeField);
    const row: ActionRow = { member: path, name: path, method, items: undefined, response: "" };
    for (const flag of flags) {
      if (flag.startsWith("=")) row.name = flag.slice(1);
      else if (flag.startsWith("*")) row.items = flag.slice(1);
      else if (flag.startsWith(":")) row.response = flag.slice(1);
    }
    const members = path.split(".");
    const last = members.pop() ?? "";
    let node = root;
    for (const member of members) {
      let child = node.members.get(member);
      if (child === undefined || !("members" in child)) node.members.set(member, (child = { members: new Map() }));
      node = child;
    }
    node.members.set(last, row);
  }
  return root;
}

function unescapeField(field: string): string {
  return field.includes("%") ? decodeURIComponent(field) : field;
}

function materialize(config: Config, slug: string, version: number, tree: Tree): object {
  const node = {};
  for (const [key, member] of tree.members) {
    if ("members" in member) lazy(node, key, () => materialize(config, slug, version, member));
    else define(node, key, action(config, { slug, version, ...member }));
  }
  return node;
}

/** A property that computes its value when first read and then holds it as an ordinary data property. */
function lazy(node: object, key: string, make: () => unknown): void {
  Object.defineProperty(node, key, {
    get: () => define(node, key, make()),
    set: (value: unknown) => define(node, key, value),
    enumerable: true,
    configurable: true,
  });
}

/** An own, enumerable data property, as an object literal makes it, even for a key like `__proto__`. */
function define(node: object, key: string, value: unknown): unknown {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** Names a function as stack traces show it: `at async github.issues.create`. */
function named<F extends object>(name: string, fn: F): F {
  return Object.defineProperty(fn, "name", { value: name });
}

interface Target {
  slug: string;
  version: number;
  member: string;
  name: string;
  method: string;
  items: string | undefined;
  response: string;
}

function action(config: Config, target: Target): unknown {
  const label = `${target.slug}.${target.member}`;
  const call = named(label, async (input?: unknown, options?: RequestOptions) => (await invoke(config, target, input, options, undefined)).data);
  const members: Record<string, unknown> = {
    withResponse: named(`${label}.withResponse`, async (input?: unknown, options?: RequestOptions) => await invoke(config, target, input, options, undefined)),
  };
  if (target.items !== undefined) {
    members["pages"] = named(`${label}.pages`, (input?: unknown, options?: PageOptions) => pages(config, target, input, options));
    members["paginate"] = named(`${label}.paginate`, (input?: unknown, options?: PageOptions) => items(config, target, input, options));
  }
  return Object.assign(call, members);
}

// ---------------------------------------------------------------------------------------
// Calls

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After is not waited out: the error is thrown for the caller to schedule. */
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_RETRIES = 10;

interface Call {
  /** `github.issues.create`, or `github request GET /path`: how messages name the call. */
  label: string;
  /** Whether repeating the call cannot do it twice. */
  safe: boolean;
  /** The integration version the client was generated for; absent for raw requests. */
  target: Target | undefined;
  response: string;
}

function invoke(config: Config, target: Target, input: unknown, options: RequestOptions | undefined, page: string | undefined): Promise<APIResponse<unknown>> {
  const url = `${config.baseUrl}/v1/invoke/${encodeURIComponent(target.slug)}/${encodeURIComponent(target.name)}`;
  const body: Record<string, unknown> = { input: input ?? {} };
  if (page !== undefined) body["page"] = page;
  const safe = IDEMPOTENT_METHODS.has(target.method) || options?.idempotencyKey !== undefined;
  return exchange(config, url, body, { label: `${target.slug}.${target.member}`, safe, target, response: target.response }, options);
}

/** Small on purpose: one function over `exchange`, bound only when `wg.connect` is first read. */
function bindConnect(config: Config): ConnectClient {
  const createSession = async (input: object, options?: RequestOptions) =>
    (await exchange(config, `${config.baseUrl}/v1/connect/sessions`, { ...input }, { label: "connect.createSession", safe: false, target: undefined, response: "" }, options)).data;
  return { createSession: named("connect.createSession", createSession) } as ConnectClient;
}

function rawRequest(config: Config, slug: string): RawRequest {
  const call = async (route: Route, input?: Record<string, unknown>, options?: RequestOptions) => (await proxy(config, slug, route, input, options)).data;
  return Object.assign(named(`${slug}.request`, call), {
    withResponse: named(`${slug}.request.withResponse`, async (route: Route, input?: Record<string, unknown>, options?: RequestOptions) => await proxy(config, slug, route, input, options)),
  }) as RawRequest;
}

async function proxy(config: Config, slug: string, route: string, input: Record<string, unknown> | undefined, options: RequestOptions | undefined): Promise<APIResponse<unknown>> {
  const match = /^\s*(?:([A-Za-z]+)\s+)?(\/\S*)\s*$/.exec(route);
  const method = (match?.[1] ?? "GET").toUpperCase();
  if (!match || !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE)$/.test(method)) {
    throw new TypeError(`Waygate: ${JSON.stringify(route)} is not a route like "GET /repos/{owner}/{repo}"`);
  }
  const rest: Record<string, unknown> = { ...input };
  const path = (match[2] ?? "/").replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = rest[name];
    if (value === undefined || value === null) throw new TypeError(`Waygate: ${route} needs ${name} in its input`);
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const body: Record<string, unknown> = { method, path };
  if (Object.keys(rest).length > 0) body[["GET", "HEAD", "DELETE"].includes(method) ? "query" : "body"] = rest;
  const safe = IDEMPOTENT_METHODS.has(method) || options?.idempotencyKey !== undefined;
  return await exchange(config, `${config.baseUrl}/v1/proxy/${encodeURIComponent(slug)}`, body, { label: `${slug} request ${method} ${path}`, safe, target: undefined, response: "" }, options);
}

/** One call to Waygate, with this client's own retries of what never reached it. */
async function exchange(config: Config, url: string, body: Record<string, unknown>, call: Call, options: RequestOptions | undefined): Promise<APIResponse<unknown>> {
  const requestId = options?.requestId ?? newRequestId();
  const retries = Math.min(MAX_RETRIES, Math.max(0, Math.floor(options?.retries ?? config.retries)));
  const connection = options?.connection ?? config.connection;
  if (connection !== undefined) body["connection"] = connection;
  body["retries"] = retries;
  if (options?.headers !== undefined) body["headers"] = options.headers;
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.apiKey}`,
    "content-type": "application/json",
    accept: "application/json, application/problem+json, */*",
    [HEADER.requestId]: requestId,
  };
  if (config.app !== undefined) headers[HEADER.app] = config.app;
  if (options?.idempotencyKey !== undefined) headers[HEADER.idempotencyKey] = options.idempotencyKey;
  if (call.target !== undefined) headers[HEADER.expectedVersion] = String(call.target.version);
  if (call.target !== undefined && config.strictVersion) headers[HEADER.versionPolicy] = "strict";
  const text = JSON.stringify(body);
  const signal = options?.signal;
  const timeout = options?.timeout ?? config.timeout;

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new APIUserAbortError(`${call.label}: aborted`, { requestId, cause: signal.reason });
    let response: FetchResponse;
    let bytes: ArrayBuffer;
    try {
      ({ response, bytes } = await attemptOnce(config, url, { method: "POST", headers, body: text }, timeout, signal));
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError(`${call.label}: aborted`, { requestId, cause: signal.reason });
      if (error instanceof TimedOut) {
        // Not retried: Waygate may still be working on it.
        throw new APIConnectionTimeoutError(`${call.label}: Waygate did not answer within ${timeout} ms (request ${requestId})`, { requestId });
      }
      const failure = new APIConnectionError(`${call.label}: could not reach Waygate at ${config.baseUrl}: ${messageOf(error)} (request ${requestId})`, { requestId, cause: error });
      if (!call.safe || attempt >= retries) throw failure;
      await sleep(backoffMs(attempt), signal, requestId, call.label);
      continue;
    }
    const status = response.status;
    const answered = { status, headers: response.headers, requestId: response.headers.get(HEADER.requestId) ?? requestId };
    if (call.target !== undefined) reportVersion(config, call.target, response.headers);
    if (status >= 200 && status < 400) {
      return { ...answered, data: decodeBody(bytes, answered, call.response), versionExecuted: versionExecuted(response.headers) };
    }
    const fromProxy = response.headers.get(HEADER.errorSource) === null && (status === 502 || status === 503 || status === 504);
    const wait = retryAfterMs(response.headers);
    if (fromProxy && call.safe && attempt < retries && (wait ?? 0) <= MAX_RETRY_AFTER_MS) {
      await sleep(wait ?? backoffMs(attempt), signal, requestId, call.label);
      continue;
    }
    throw errorFor(call, answered, bytes);
  }
}

/** Thrown inside `attemptOnce` when the timeout, not the caller, aborted. */
class TimedOut extends Error {}

async function attemptOnce(config: Config, url: string, init: Omit<FetchInit, "signal">, timeoutMs: number, signal: AbortSignal | undefined): Promise<{ response: FetchResponse; bytes: ArrayBuffer }> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  // A timeout of 0 (or Infinity) means none.
  const timer =
    timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  try {
    const response = await config.fetch(url, { ...init, signal: controller.signal });
    // The body is read under the same timeout: a stalled stream is a timeout too.
    return { response, bytes: await response.arrayBuffer() };
  } catch (error) {
    if (timedOut) throw new TimedOut();
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function reportVersion(config: Config, target: Target, headers: HeaderReader): void {
  const executed = versionExecuted(headers);
  if (headers.get(HEADER.versionMismatch) === null && (executed === undefined || executed === target.version)) return;
  config.onVersionMismatch({ integration: target.slug, action: target.name, expected: target.version, executed });
}

function versionExecuted(headers: HeaderReader): number | undefined {
  const value = Number(headers.get(HEADER.versionExecuted) ?? NaN);
  return Number.isSafeInteger(value) ? value : undefined;
}

const TEXT = /^text\//i;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * The body as the action's response type says: `empty` → undefined, `text` → string,
 * `binary` → ArrayBuffer. Otherwise as the content type says: JSON parsed, `text/*` a
 * string, anything else an ArrayBuffer; no body is undefined.
 */
function decodeBody(bytes: ArrayBuffer, answered: Answered, response: string): unknown {
  const { status, headers, requestId } = answered;
  if (response === "empty" || status === 204 || status === 205 || status === 304) return undefined;
  if (response === "binary") return bytes;
  if (bytes.byteLength === 0) return response === "text" ? "" : undefined;
  const type = headers.get("content-type") ?? "";
  if (response === "text" || TEXT.test(type)) return new TextDecoder().decode(bytes);
  if (!JSON_TYPE.test(type)) return bytes;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new WaygateError(`Waygate sent a JSON content type with a body that is not JSON (request ${requestId})`, { requestId, status, headers, cause: error });
  }
}

interface Answered {
  status: number;
  headers: HeaderReader;
  requestId: string;
}

/**
 * The error for an error answer. Who failed decides the class: the upstream (`upstream-error`
 * problems, `x-waygate-error-source: upstream`) gives an `APIError` by the upstream's status;
 * Waygate gives a `WaygateProblemError` by problem type; anything else (a proxy in front,
 * a wrong `baseUrl`) a `WaygateError` (`APIConnectionError` for 502/503/504).
 */
function errorFor(call: Call, answered: Answered, bytes: ArrayBuffer): WaygateError {
  const { status, headers, requestId } = answered;
  const text = new TextDecoder().decode(bytes);
  const parsed = parseJson(text);
  const problem: Problem | undefined = isRecord(parsed) ? (parsed as Problem) : undefined;
  const source = headers.get(HEADER.errorSource);
  const init = { requestId, status, headers, problem };
  const suffix = ` (request ${requestId})`;
  const type = typeof problem?.type === "string" && problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : undefined;
  if (type === "upstream-error" || source === "upstream") {
    const upstream: UpstreamResponse = isRecord(problem?.upstream) ? { status, headers: {}, ...problem.upstream } : { status, headers: {}, body: problem ?? text };
    const quoted = upstreamMessage(upstream.body);
    const message = `${call.label}: the upstream answered ${upstream.status}${quoted ? `: ${quoted}` : ""}${suffix}`;
    const Class = UPSTREAM_CLASSES.get(upstream.status) ?? (upstream.status >= 500 ? InternalServerError : APIError);
    return new Class(message, { ...init, upstream });
  }
  const known = type === undefined ? undefined : PROBLEM_CLASSES.get(type);
  if (known !== undefined || source === "waygate") {
    const detail = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
    const Class = known ?? WaygateProblemError;
    return new Class(`${call.label}: ${detail}${suffix}`, init);
  }
  const what = `${call.label}: ${status} from a server that is not Waygate${text ? `: ${clip(text)}` : ""}${suffix}`;
  return status === 502 || status === 503 || status === 504 ? new APIConnectionError(what, init) : new WaygateError(what, init);
}

/** The upstream's own words: GitHub `message`, Stripe `error.message`, OAuth `error_description`, problem `detail`, Slack `error`… */
function upstreamMessage(body: unknown): string {
  if (typeof body === "string") return clip(body);
  if (!isRecord(body)) return "";
  const error = body["error"];
  const errors = body["errors"];
  const first = Array.isArray(errors) && isRecord(errors[0]) ? errors[0] : undefined;
  const candidates = [
    body["error_description"],
    body["message"],
    isRecord(error) ? error["message"] : undefined,
    body["detail"],
    error,
    first?.["message"],
    first?.["detail"],
    body["title"],
  ];
  const found = candidates.find((candidate): candidate is string => typeof candidate === "string" && candidate.trim() !== "");
  return found === undefined ? "" : clip(found);
}

function clip(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  const cause = isRecord(error) && isRecord(error["cause"]) ? error["cause"] : undefined;
  const code = cause?.["code"];
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${message} (${code})` : message;
}

/** `retry-after-ms`, else `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
function retryAfterMs(headers: HeaderReader | undefined): number | undefined {
  const ms = Number(headers?.get(HEADER.retryAfterMs)?.trim() || NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get(HEADER.retryAfter)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function secondsToWait(headers: HeaderReader | undefined): number | undefined {
  const ms = retryAfterMs(headers);
  return ms === undefined ? undefined : ms / 1000;
}

/** Exponential backoff with full jitter: spreads retries of many clients apart. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
}

function sleep(ms: number, signal: AbortSignal | undefined, requestId: string, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): APIUserAbortError => new APIUserAbortError(`${label}: aborted`, { requestId, cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A request id for logs on both sides; not a secret, so `Math.random` is enough (and exists everywhere). */
function newRequestId(): string {
  return `wgc_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}

// ---------------------------------------------------------------------------------------
// Pagination: the server decides where the next page is (`x-waygate-next-page`); the client
// sends the token back and reads the items at the action's `itemsPath`.

async function* pages(config: Config, target: Target, input: unknown, options: PageOptions | undefined): AsyncGenerator<Page<unknown>, void, undefined> {
  const maxPages = options?.maxPages ?? Infinity;
  const maxItems = options?.maxItems ?? Infinity;
  let token: string | undefined;
  let pageCount = 0;
  let itemCount = 0;
  while (pageCount < maxPages && itemCount < maxItems) {
    const response = await invoke(config, target, input, options, token);
    const found = readPointer(response.data, target.items ?? "");
    const items: unknown[] = Array.isArray(found) ? found.slice(0, maxItems - itemCount) : [];
    const next = response.headers.get(HEADER.nextPage) ?? undefined;
    pageCount++;
    itemCount += items.length;
    yield { items, data: response.data, status: response.status, headers: response.headers, requestId: response.requestId, nextPage: next };
    // A token repeated would loop forever.
    if (next === undefined || next === "" || next === token) return;
    token = next;
  }
}

async function* items(config: Config, target: Target, input: unknown, options: PageOptions | undefined): AsyncGenerator<unknown, void, undefined> {
  for await (const page of pages(config, target, input, options)) yield* page.items;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 6901 JSON pointer; only own properties, so `/__proto__` finds nothing. */
function readPointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let node = document;
  for (const raw of pointer.replace(/^\//, "").split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(part)) node = node[Number(part)];
    else if (isRecord(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}
