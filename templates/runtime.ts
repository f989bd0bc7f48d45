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
 *
 * Built to be pruned by bundlers. A generated module names the parts it uses (`paging`,
 * `rawRequests`: `Extension`s), so what no module names is dropped; what an action reaches
 * only at run time is in modules of its own that this one loads with `import()` when first
 * needed: runtime-error-map.ts and runtime-errors.ts (which error a failed call becomes,
 * and the classes; fetched when the first call starts, see `failures`), runtime-paging.ts
 * (`pages()`, `paginate()`), runtime-batch.ts (`.batch()`) and runtime-request.ts (raw
 * `request()` calls, connect sessions). Bundlers give each a chunk of
 * its own. What those modules share with this one is exported and marked `@internal`
 * (left out of runtime.d.ts). A new part of the client follows one of the two patterns: an
 * `Extension` (or a root `Binding`) when generated modules opt in, a lazily loaded module
 * (listed in RUNTIME_MODULES, src/codegen/runtime-build.ts) when its code can wait.
 */

import type * as ErrorMap from "./runtime-error-map.js";

/*
 * The invoke protocol's header names. src/contract/invoke.ts declares them for the whole
 * project; this file has no dependencies and so keeps a copy, which a test checks against the
 * contract. One constant each, not an object: a minifier shortens constants, not property names.
 */
const HEADER_APP = "x-waygate-app";
const HEADER_IDEMPOTENCY_KEY = "idempotency-key";
const HEADER_EXPECTED_VERSION = "x-waygate-expected-version";
const HEADER_VERSION_POLICY = "x-waygate-version-policy";
const HEADER_REQUEST_ID = "x-request-id";
const HEADER_VERSION_EXECUTED = "x-waygate-version-executed";
const HEADER_VERSION_MISMATCH = "x-waygate-version-mismatch";
const HEADER_RETRY_AFTER = "retry-after";
const HEADER_RETRY_AFTER_MS = "retry-after-ms";
/** @internal */
export const HEADER_ERROR_SOURCE = "x-waygate-error-source";

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

/** What the client passes to `fetch`: a JSON `POST` (invoke, proxy), or a `GET` without a body (batches). */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** The part of a `fetch` `Response` the client reads. */
export interface FetchResponse {
  status: number;
  headers: HeaderReader;
  arrayBuffer(): Promise<ArrayBuffer>;
  /** The body as a stream: read for a batch's server-sent progress events; without it, progress is polled. */
  body?: ByteStream | null | undefined;
}

/** The part of a `ReadableStream<Uint8Array>` the client reads. */
export interface ByteStream {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>; cancel(reason?: unknown): Promise<void> };
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
  /**
   * Runs the action for many inputs in the background (`POST /v1/batches`), paced by the
   * upstream's rate limits, and resolves once Waygate stored the batch. The handle follows its
   * progress, waits for it, reads its per-item results and cancels it. Its code is loaded
   * when first called, so a bundle that never batches does not carry it.
   */
  batch(items: readonly BatchItemRequest<I>[], options?: BatchOptions & { dryRun?: false | undefined }): Promise<BatchHandle<O>>;
  /** `dryRun: true`: checks every item against the action's input schema and resolves with the outcome; nothing is stored or sent. */
  batch(items: readonly BatchItemRequest<I>[], options: BatchOptions & { dryRun: true }): Promise<BatchValidation>;
  batch(items: readonly BatchItemRequest<I>[], options?: BatchOptions): Promise<BatchHandle<O> | BatchValidation>;
}
export interface OptionalInputAction<I, O> {
  (input?: I, options?: RequestOptions): Promise<O>;
  /** The same call, resolving to the data with its status, headers and request id. */
  withResponse(input?: I, options?: RequestOptions): Promise<APIResponse<O>>;
  /**
   * Runs the action for many inputs in the background (`POST /v1/batches`), paced by the
   * upstream's rate limits, and resolves once Waygate stored the batch. The handle follows its
   * progress, waits for it, reads its per-item results and cancels it. Its code is loaded
   * when first called, so a bundle that never batches does not carry it.
   */
  batch(items: readonly Partial<BatchItemRequest<I>>[], options?: BatchOptions & { dryRun?: false | undefined }): Promise<BatchHandle<O>>;
  /** `dryRun: true`: checks every item against the action's input schema and resolves with the outcome; nothing is stored or sent. */
  batch(items: readonly Partial<BatchItemRequest<I>>[], options: BatchOptions & { dryRun: true }): Promise<BatchValidation>;
  batch(items: readonly Partial<BatchItemRequest<I>>[], options?: BatchOptions): Promise<BatchHandle<O> | BatchValidation>;
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

// ---------------------------------------------------------------------------------------
// Batches: the types of `action.batch()`. Its code is in runtime-batch.js, loaded when first called.

/** One item of a batch: the action's input, and optionally its own connection and idempotency key. */
export interface BatchItemRequest<I> {
  input: I;
  /** This item's connection (a `con_…` id or an end user's id); else the batch's. */
  connection?: string | undefined;
  /** Sent upstream as `Idempotency-Key`; Waygate makes one per item for non-idempotent methods when none is given. */
  idempotencyKey?: string | undefined;
}

/** Options of `action.batch()`. */
export interface BatchOptions {
  /** The connection of every item that names none; default the client's `connection`. */
  connection?: string | undefined;
  /** Items in flight at once per connection (1 to 64; default 4). */
  concurrency?: number | undefined;
  /** Stop once this share of the finished items failed (after at least 20 finished); the rest end `skipped`. */
  stopOnErrorRatio?: number | undefined;
  /** Aborts creating the batch, and ends `progress()`, `wait()` and `results()` that use it; the batch itself runs on (`cancel()` stops it). */
  signal?: AbortSignal | undefined;
  /** Milliseconds per request to Waygate; overrides the client's `timeout`. */
  timeout?: number | undefined;
  /** Milliseconds between progress polls when the `fetch` gives no body stream for server-sent events. Default 1 000. */
  pollInterval?: number | undefined;
  /**
   * Only check every item against the action's input schema (the version the app runs) and
   * resolve with the outcome (`BatchValidation`): nothing is stored or sent upstream.
   */
  dryRun?: boolean | undefined;
}

/** An item a dry run found invalid: its index in the `items` given, and which field and why. */
export interface BatchItemError {
  index: number;
  /** Within the item: `input.email`. */
  field: string;
  message: string;
}

/**
 * What `batch(items, { dryRun: true })` resolves with. One shape whether the items are valid or
 * not (not a union), so that `if (!checked.valid)` reads `errors` under any compiler settings.
 */
export interface BatchValidation {
  /** Every item matches the action's input schema. */
  valid: boolean;
  /** Items checked: all of them. */
  items: number;
  /** The integration version the items were checked against; null when some are invalid (Waygate's answer then names none). */
  version: number | null;
  /** The invalid fields, item by item; empty when valid (Waygate lists at most 100). */
  errors: BatchItemError[];
  /** Waygate's summary when items are invalid (how many, and the first field); null when valid. */
  detail: string | null;
}

export type BatchStatus = "queued" | "running" | "completed" | "completed_with_errors" | "cancelled";
export type BatchItemState = "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";

/** A batch as Waygate reports it (`GET /v1/batches/{id}`). */
export interface Batch {
  id: string;
  integration: string;
  action: string;
  app: string | null;
  connection: string | null;
  /** `completed`, `completed_with_errors` and `cancelled` are final. */
  status: BatchStatus;
  options: { concurrency: number; stopOnErrorRatio: number | null };
  /** Items per state; `total` is their sum. */
  counts: { total: number; queued: number; running: number; succeeded: number; failed: number; skipped: number; cancelled: number };
  /** Items finished per second since the batch started; null before. */
  ratePerSecond: number | null;
  cancelRequested: boolean;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface BatchResultFields {
  /** The item's index in the `items` given, from 0. */
  seq: number;
  connection: string | null;
  idempotencyKey: string | null;
  /** Sends of this item (a throttled item is sent again). */
  attempts: number;
  upstreamStatus: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}
/** One item's outcome: the action's output when it succeeded; otherwise the problem, and the upstream's body when it answered. */
export type BatchResult<O> =
  | (BatchResultFields & { state: "succeeded"; result: O; error: null })
  | (BatchResultFields & { state: Exclude<BatchItemState, "succeeded">; result: unknown; error: Problem | null });

/** A running (or finished) batch, as `action.batch()` resolves to. */
export interface BatchHandle<O> {
  readonly id: string;
  /** The batch as Waygate stored it. */
  readonly batch: Batch;
  /** Yields the batch whenever its counts change (server-sent events, else polling), the final state last. */
  progress(): AsyncIterable<Batch>;
  /** Resolves with the batch once it is final: `completed`, `completed_with_errors` or `cancelled`. */
  wait(): Promise<Batch>;
  /** Yields every item's outcome in order, page by page; `state: "failed"` for the failed ones only. */
  results(options?: { state?: BatchItemState | undefined }): AsyncIterable<BatchResult<O>>;
  /** Cancels what has not started (queued items end `cancelled`; items in flight finish) and resolves with the batch. */
  cancel(): Promise<Batch>;
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

declare const extensionBrand: unique symbol;
/**
 * A part of an integration's client that a generated module opts into (`paging`,
 * `rawRequests`): what no module names is not referenced, so bundlers drop it.
 */
export interface Extension {
  readonly [extensionBrand]: true;
}

// ---------------------------------------------------------------------------------------
// Errors

/** What the error classes' constructors take. */
export interface ErrorInit {
  requestId: string;
  /** Extra fields a subclass declares (`upstream`, `errors`). */
  [field: string]: unknown;
  status?: number | undefined;
  headers?: HeaderReader | undefined;
  problem?: Problem | undefined;
  cause?: unknown;
}

/**
 * How a call ended that got no usable answer: the caller aborted it, Waygate did not answer in
 * time, could not be reached, or sent a JSON content type with a body that is not JSON.
 * runtime-error-map.js makes the error (`failureFor`, as `errorFor` does for error answers).
 * @internal
 */
export type Failure =
  | { kind: "aborted"; reason: unknown }
  | { kind: "timeout"; timeout: number }
  | { kind: "unreachable"; baseUrl: string; cause: unknown }
  | { kind: "not-json"; answered: Answered; cause: unknown };

async function failure(label: string, requestId: string, failure: Failure): Promise<Error> {
  return (await failures()).failureFor(label, requestId, failure);
}

let failureModule: Promise<typeof ErrorMap> | undefined;

/**
 * runtime-error-map.js, which makes a failed call's error, and the error classes it imports: a
 * chunk of their own in a bundle, so an application's start does not wait for them. They are
 * fetched in the background when the first call starts, not when one fails: a call that fails
 * because the network went away could not fetch them then, and would throw the bundler's
 * "failed to fetch module" instead of an `APIConnectionError`. A fetch that failed (offline
 * from the start) is tried again by the next call.
 */
function failures(): Promise<typeof ErrorMap> {
  return (failureModule ??= import("./runtime-error-map.js").catch((error: unknown) => {
    failureModule = undefined;
    throw error;
  }));
}

// ---------------------------------------------------------------------------------------
// Configuration

/** @internal */
export interface Config {
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
          onVersionMismatch: warnOfMismatch,
        },
    base,
    ...Object.entries(options ?? {}).map(([key, value]) => (value === undefined ? {} : { [key]: value })),
  ) as Config;
  if (typeof config.apiKey !== "string" || config.apiKey === "") throw new TypeError("Waygate: no API key: pass `apiKey` or set WAYGATE_API_KEY");
  if (typeof config.baseUrl !== "string" || !/^https?:\/\/[^/]/i.test(config.baseUrl)) throw new TypeError("Waygate: no base URL: pass `baseUrl` or set WAYGATE_BASE_URL");
  config.baseUrl = config.baseUrl.replace(/\/+$/, "");
  return config;
}

/** Actions whose version mismatch was reported: the default `onVersionMismatch` warns once per action in the process. */
const warned = new Set<string>();

function warnOfMismatch({ integration, action, expected, executed }: VersionMismatch): void {
  const key = `${integration} ${action}`;
  if (warned.has(key)) return;
  warned.add(key);
  // eslint-disable-next-line no-console
  console.warn(`Waygate: ${key} ran version ${executed ?? "?"} of the integration, not ${expected} as generated; run \`waygate generate\``);
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
  // `wg.connect.createSession()`: its code is in runtime-request.js, loaded with the first call.
  const createSession = async (input: object, options?: RequestOptions) => (await import("./runtime-request.js")).createSession(config, input, options);
  // Not enumerable: the root's keys stay the integrations.
  return Object.defineProperties(root, {
    connect: { get: (): ConnectClient => ({ createSession: named("connect.createSession", createSession) }) as ConnectClient, configurable: true },
    withOptions: { value: (options: WaygateOptions) => rootOf(configure(options, config), bindings), writable: true, configurable: true },
  });
}

/**
 * A generated module's action table: one line per action, fields separated by spaces:
 * the member path (`issues.create`), the HTTP method, then optional flags:
 * `=<action name>` when it is not the member path, `*<items pointer>` for a paginated
 * action (`*` alone: the body is the list), `:text`, `:binary` or `:empty` for a response
 * that is not JSON. `%`, space and newline in a value are percent-encoded. A group path
 * alone on its line, without a method (`issues`, `actions.secrets`), names a group whose
 * actions are in the group's own module (`groupModules`).
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
  /** Listed without its actions (a line `issues`): they are in the group's own module, loaded when first needed. */
  deferred?: true;
}

/**
 * Used by generated modules: the client of one integration. Its groups become objects
 * and its actions functions only when first read, so a client of 1 000 actions costs
 * nothing until it is used, and then only what is used. A group the table lists without
 * its actions (a line `issues`) is loaded by the `groupModules` extension when first needed.
 */
export function bindIntegration(transport: Transport, slug: string, version: number, table: ActionTable, extensions: readonly Extension[]): unknown {
  const hooks = extensions as readonly ExtensionHooks[];
  const config = transport as unknown as Config;
  const client = materialize({ config, slug, version, hooks, group: hooks.find((hook) => hook.group)?.group }, tableTree(table));
  for (const hook of hooks) hook.client?.(client, config, slug);
  return client;
}

/** What binding an integration's actions needs: the transport's configuration, the integration, and its extensions. */
interface Scope {
  config: Config;
  slug: string;
  version: number;
  hooks: readonly ExtensionHooks[];
  /** Binds a group the table lists without its actions (`groupModules`); without it such a group is empty. */
  group: ExtensionHooks["group"];
}

/** What an `Extension` is inside: hooks that add members to each action and to the integration's client. */
interface ExtensionHooks {
  action?(members: Record<string, unknown>, config: Config, target: Target, label: string): void;
  /** The object of a group listed without its actions (`groupModules`). */
  group?(scope: Scope, member: string, outline: Tree): object;
  client?(client: object, config: Config, slug: string): void;
}

/**
 * `pages()` and `paginate()` on the actions that paginate. Their code is in runtime-paging.js,
 * loaded with `import()` when the first page is asked for (a bundler gives it a chunk of its own).
 */
export const paging: Extension = {
  action: (members, config, target, label) => {
    if (target.items === undefined) return;
    // Each is runtime-paging.js's function of the same name.
    for (const walk of ["pages", "paginate"] as const) {
      members[walk] = named(`${label}.${walk}`, (input?: unknown, options?: PageOptions) => loadedLater(async () => (await import("./runtime-paging.js"))[walk](config, target, input, options)));
    }
  },
} satisfies ExtensionHooks as unknown as Extension;

/** An async iterable whose source is made when the loop first asks for an item. */
async function* loadedLater<T>(source: () => Promise<AsyncIterable<T>>): AsyncGenerator<T, void, undefined> {
  yield* await source();
}

/** `request()` on the integration's client: raw calls through `POST /v1/proxy/{integration}`. */
export const rawRequests: Extension = {
  client: (client, config, slug) => {
    Object.defineProperty(client, "request", { value: rawRequest(config, slug), writable: true, configurable: true });
  },
} satisfies ExtensionHooks as unknown as Extension;

/** What a group's module gives its integration's module: the group's action table. */
export interface GroupModule {
  readonly actionTable: ActionTable;
}

/**
 * Groups listed without their actions (a line `issues` in the table), each loaded by
 * `load(member)` (an `import()` of the group's module) when one of its actions is first
 * called. Used by integration modules (github.ts), so a bundle holds GitHub's group names
 * up front and each group's table in a chunk of its own; a group's module itself binds its
 * actions at once and does not name this.
 */
export function groupModules(load: (member: string) => Promise<GroupModule>): Extension {
  return { group: (scope, member, outline) => deferredGroup(scope, member, outline, load) } satisfies ExtensionHooks as unknown as Extension;
}

function deferredGroup(scope: Scope, member: string, outline: Tree, load: (member: string) => Promise<GroupModule>): object {
  const known = loadedGroups.get(outline);
  if (known) return materialize(scope, known);
  let loading: Promise<void> | undefined;
  const loaded = (): Promise<void> =>
    (loading ??= load(member).then(
      (module) => {
        const group = tableTree(module.actionTable).members.get(member);
        loadedGroups.set(outline, group && "members" in group ? group : { members: new Map() });
      },
      (error: unknown) => {
        // A failed import (a chunk the network lost) is tried again on the next call.
        loading = undefined;
        throw error;
      },
    ));
  return pendingGroup(scope, [member], outline, () => loadedGroups.get(outline), loaded);
}

/** The trees of the group modules loaded in this process, by the outline that listed them: clients bound later bind them at once. */
const loadedGroups = new WeakMap<Tree, Tree>();

/**
 * Names a group can never have as members (naming.ts gives such an action another name):
 * left to the object itself, so `await group`, `JSON.stringify(group)` and `String(group)`
 * see the plain object a group that is not loaded yet is.
 */
const NEVER_MEMBERS = /^(?:then|catch|finally|toJSON|prototype|inspect)$/;

/**
 * A group whose module is not loaded yet: a Proxy over the object that will hold its members.
 * Reading a member before then gives a stand-in: a nested group the outline lists, else an
 * action (`deferredAction`) that loads the module when called. Once the module is loaded (by
 * any client in this process) the object gets the group's members as a group bound at once
 * has them, and the Proxy only passes through. Until then the object is empty to everything
 * but reads (`Object.keys` gives `[]`, `in` says false), and symbols, `then`, `toJSON` and
 * Object.prototype's names are the object's own, so awaiting it, `JSON.stringify` and
 * `console.log` see `{}`.
 */
function pendingGroup(scope: Scope, path: readonly string[], outline: Tree, tree: () => Tree | undefined, load: () => Promise<void>): object {
  const target = {};
  const standIns = new Map<string, unknown>();
  let filled = false;
  const fill = (): object => {
    const root = filled ? undefined : tree();
    if (root) {
      filled = true;
      const group = path.slice(1).reduce<ActionRow | Tree | undefined>((node, key) => (node && "members" in node ? node.members.get(key) : undefined), root);
      // What was set on the object before (a test's spy) stays.
      const set = Object.getOwnPropertyDescriptors(target);
      if (group && "members" in group) materialize(scope, group, target);
      Object.defineProperties(target, set);
    }
    return target;
  };
  const standIn = (key: string): unknown => {
    let made = standIns.get(key);
    if (made === undefined) {
      const nested = outline.members.get(key);
      made =
        nested && "members" in nested
          ? pendingGroup(scope, [...path, key], nested, tree, load)
          : deferredAction(`${scope.slug}.${[...path, key].join(".")}`, async () => {
              await load();
              return Reflect.get(fill(), key);
            });
      standIns.set(key, made);
    }
    return made;
  };
  return new Proxy(target, {
    get: (object, key, receiver) => (typeof key === "string" && !(key in fill()) && !filled && !NEVER_MEMBERS.test(key) ? standIn(key) : Reflect.get(object, key, receiver)),
    has: (object, key) => Reflect.has(fill(), key),
    ownKeys: () => Reflect.ownKeys(fill()),
    getOwnPropertyDescriptor: (object, key) => Reflect.getOwnPropertyDescriptor(fill(), key),
  });
}

/**
 * The stand-in for a member of a group that is not loaded yet: a function named like the
 * action that loads the group's module and calls the action there, and `withResponse`,
 * `batch`, `pages` and `paginate` that do the same with the action's own. A member the group
 * turns out not to have, or a method it lacks (`pages` of an action that does not
 * paginate), rejects with a `TypeError` that names it.
 */
function deferredAction(label: string, find: () => Promise<unknown>): unknown {
  const method = async (name: string): Promise<(...args: unknown[]) => unknown> => {
    const found = (await find()) as Record<string, unknown> | undefined;
    const fn = name ? found?.[name] : found;
    if (typeof fn !== "function") throw new TypeError(`Waygate: ${name ? `${label} has no ${name}()` : `${label} is not an action of this client`}`);
    return fn as (...args: unknown[]) => unknown;
  };
  const call = (name: string, args: unknown[]): Promise<unknown> => method(name).then((fn) => fn(...args));
  const forward = (name: string): ((...args: unknown[]) => Promise<unknown>) => named(name ? `${label}.${name}` : label, async (...args: unknown[]) => await call(name, args));
  // `pages()` and `paginate()` give an async iterable at once, as the action's own do.
  const iterate = (name: string): unknown => named(`${label}.${name}`, (...args: unknown[]) => loadedLater(() => call(name, args) as Promise<AsyncIterable<unknown>>));
  return Object.assign(forward(""), { withResponse: forward("withResponse"), batch: forward("batch"), pages: iterate("pages"), paginate: iterate("paginate") });
}

const parsedTables = new Map<string, Tree>();

/** A table's tree, parsed once per table however many clients (`withOptions` per request, say) bind it. */
function tableTree(table: ActionTable): Tree {
  let root = parsedTables.get(table);
  if (root) return root;
  parsedTables.set(table, (root = { members: new Map() }));
  for (const line of table.split("\n")) {
    if (line === "") continue;
    const [path = "", method, ...flags] = line.split(" ").map(unescapeField);
    const row: ActionRow = { member: path, name: path, method: method ?? "", items: undefined, response: "" };
    for (const flag of flags) {
      const field = FLAG_FIELDS[flag.charAt(0)];
      if (field) row[field] = flag.slice(1);
    }
    const members = path.split(".");
    const last = members.pop() ?? "";
    const parent = groupAt(root, members);
    // A path without a method (`issues`): a group whose actions are in its own module.
    if (method === undefined) groupAt(parent, [last]).deferred = true;
    else parent.members.set(last, row);
  }
  return root;
}

/** What a row's flags set: `=name`, `*items`, `:response`. */
const FLAG_FIELDS: Readonly<Record<string, "name" | "items" | "response" | undefined>> = { "=": "name", "*": "items", ":": "response" };

/** The group at `path` below `node`, made where missing. */
function groupAt(node: Tree, path: readonly string[]): Tree {
  for (const member of path) {
    let child = node.members.get(member);
    if (child === undefined || !("members" in child)) node.members.set(member, (child = { members: new Map() }));
    node = child;
  }
  return node;
}

function unescapeField(field: string): string {
  return field.includes("%") ? decodeURIComponent(field) : field;
}

/** Binds a tree's members onto `node`. A group listed without its actions is bound by `scope.group`, which names no code a bundle without it needs. */
function materialize(scope: Scope, tree: Tree, node: object = {}): object {
  for (const [key, member] of tree.members) {
    if ("members" in member) lazy(node, key, () => (member.deferred && scope.group?.(scope, key, member)) || materialize(scope, member));
    else define(node, key, action(scope.config, { slug: scope.slug, version: scope.version, ...member }, scope.hooks));
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

/** @internal */
export interface Target {
  slug: string;
  version: number;
  member: string;
  name: string;
  method: string;
  items: string | undefined;
  response: string;
}

function action(config: Config, target: Target, hooks: readonly ExtensionHooks[]): unknown {
  const label = `${target.slug}.${target.member}`;
  const call = named(label, async (input?: unknown, options?: RequestOptions) => (await invoke(config, target, input, options, undefined)).data);
  const members: Record<string, unknown> = {
    withResponse: named(`${label}.withResponse`, async (input?: unknown, options?: RequestOptions) => await invoke(config, target, input, options, undefined)),
    // A dynamic import: bundlers put runtime-batch.js in a chunk of its own, loaded on the first batch.
    batch: named(`${label}.batch`, async (batchItems: readonly unknown[], options?: BatchOptions) =>
      (await import("./runtime-batch.js")).startBatch(config, target, label, batchItems, options),
    ),
  };
  for (const hook of hooks) hook.action?.(members, config, target, label);
  return Object.assign(call, members);
}

// ---------------------------------------------------------------------------------------
// Intents: provider-neutral operations (`wg.intents.sendMessage(input, { user })`). Only
// generated clients of a manifest with intents import `bindIntents`, so bundles of other
// clients drop this part.

/** Per-call options of an intent: the end user whose connected providers are candidates, or one provider. */
export interface IntentOptions<P extends string> extends RequestOptions {
  /** The end user; default the client's `connection`. */
  user?: string | undefined;
  /** Run this provider only. */
  provider?: P | undefined;
  /** Try the next provider on a provider-side failure (never after a write without an idempotency key). */
  fallback?: boolean | undefined;
  /** Provider-specific fields, per provider, checked against that provider's schema. */
  extras?: { [K in P]?: Record<string, unknown> } | undefined;
}

/** What an intent call answers: the provider and action that ran, the canonical output, and what was not honoured. */
export interface IntentResult<O, P extends string> {
  intent: string;
  version: number;
  provider: P;
  action: string;
  integrationVersion: number;
  selectedBy: "explicit" | "preference" | "connection" | "fallback";
  status: number;
  output: O;
  /** The provider's own answer, unmapped. */
  raw: unknown;
  /** Canonical input fields given that the provider could not honour (JSON pointers). */
  unsupported: string[];
  fallbacks: { provider: P; action: string; status: number | null; detail: string }[];
  warnings: string[];
}

/**
 * Used by generated `intents.ts`: one function per intent. `table` has one line per
 * intent: the member name, then the intent's name.
 */
export function bindIntents(transport: Transport, table: string): unknown {
  const config = transport as unknown as Config;
  const client = {};
  for (const line of table.split("\n")) {
    const [member = "", name = ""] = line.split(" ");
    if (member === "") continue;
    const label = `intents.${member}`;
    const url = `${config.baseUrl}/v1/intents/${encodeURIComponent(name)}/invoke`;
    define(
      client,
      member,
      named(label, async (input: unknown, options?: IntentOptions<string>) => {
        const body: Record<string, unknown> = { input: input ?? {} };
        if (options?.user !== undefined) body["user"] = options.user;
        if (options?.provider !== undefined) body["provider"] = options.provider;
        if (options?.fallback !== undefined) body["fallback"] = options.fallback;
        if (options?.extras !== undefined) body["extras"] = options.extras;
        // An intent may write: repeated only with an idempotency key.
        return (await exchange(config, url, body, { label, safe: options?.idempotencyKey !== undefined, target: undefined, response: "" }, options)).data;
      }),
    );
  }
  return client;
}

// ---------------------------------------------------------------------------------------
// Calls

/** @internal */
export const IDEMPOTENT_METHOD = /^(?:GET|HEAD|OPTIONS|TRACE|PUT|DELETE)$/;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After is not waited out: the error is thrown for the caller to schedule. */
const MAX_RETRY_AFTER_MS = 60_000;
const MAX_RETRIES = 10;

/** @internal */
export interface Call {
  /** `github.issues.create`, or `github request GET /path`: how messages name the call. */
  label: string;
  /** Whether repeating the call cannot do it twice. */
  safe: boolean;
  /** The integration version the client was generated for; absent for raw requests. */
  target: Target | undefined;
  response: string;
}

/** @internal One invoke of an action; `page` is the server's token of the page to fetch. */
export function invoke(config: Config, target: Target, input: unknown, options: RequestOptions | undefined, page: string | undefined): Promise<APIResponse<unknown>> {
  const url = `${config.baseUrl}/v1/invoke/${encodeURIComponent(target.slug)}/${encodeURIComponent(target.name)}`;
  const body: Record<string, unknown> = { input: input ?? {} };
  if (page !== undefined) body["page"] = page;
  const safe = IDEMPOTENT_METHOD.test(target.method) || options?.idempotencyKey !== undefined;
  return exchange(config, url, body, { label: `${target.slug}.${target.member}`, safe, target, response: target.response }, options);
}

/**
 * `request()`: its code is in runtime-request.js, loaded with the first raw call, so a bundle
 * that never makes one carries only these two functions.
 */
function rawRequest(config: Config, slug: string): RawRequest {
  const send = async (route: Route, input?: Record<string, unknown>, options?: RequestOptions) => (await import("./runtime-request.js")).proxy(config, slug, route, input, options);
  return Object.assign(named(`${slug}.request`, async (route: Route, input?: Record<string, unknown>, options?: RequestOptions) => (await send(route, input, options)).data), {
    withResponse: named(`${slug}.request.withResponse`, send),
  }) as RawRequest;
}

/** @internal One invoke or proxy call to Waygate: the call's connection, retries and upstream headers in the body. */
export function exchange(config: Config, url: string, body: Record<string, unknown>, call: Call, options: RequestOptions | undefined): Promise<APIResponse<unknown>> {
  const requestId = options?.requestId ?? newRequestId();
  const connection = options?.connection ?? config.connection;
  if (connection !== undefined) body["connection"] = connection;
  body["retries"] = retriesOf(config, options);
  if (options?.headers !== undefined) body["headers"] = options.headers;
  const headers = waygateHeaders(config, requestId);
  if (options?.idempotencyKey !== undefined) headers[HEADER_IDEMPOTENCY_KEY] = options.idempotencyKey;
  if (call.target !== undefined) headers[HEADER_EXPECTED_VERSION] = String(call.target.version);
  if (call.target !== undefined && config.strictVersion) headers[HEADER_VERSION_POLICY] = "strict";
  return transmit(config, url, { method: "POST", headers, body: JSON.stringify(body) }, call, options, requestId);
}

function retriesOf(config: Config, options: RequestOptions | undefined): number {
  return Math.min(MAX_RETRIES, Math.max(0, Math.floor(options?.retries ?? config.retries)));
}

/** @internal The headers of every request to Waygate: the key, the app, JSON, the request id. */
export function waygateHeaders(config: Config, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.apiKey}`,
    "content-type": "application/json",
    accept: "application/json, application/problem+json, */*",
    [HEADER_REQUEST_ID]: requestId,
  };
  if (config.app !== undefined) headers[HEADER_APP] = config.app;
  return headers;
}

/** @internal One request to Waygate, with this client's own retries of what never reached it. */
export async function transmit(config: Config, url: string, init: Omit<FetchInit, "signal">, call: Call, options: RequestOptions | undefined, requestId: string): Promise<APIResponse<unknown>> {
  const retries = retriesOf(config, options);
  const signal = options?.signal;
  const timeout = options?.timeout ?? config.timeout;
  // Fetched now, used only if the call fails (`failures`).
  failures().catch(() => undefined);

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw await failure(call.label, requestId, { kind: "aborted", reason: signal.reason });
    let response: FetchResponse;
    let bytes: ArrayBuffer;
    try {
      ({ response, bytes } = await attemptOnce(config, url, init, timeout, signal));
    } catch (error) {
      // Aborted by the caller: the loop's first line says so.
      if (signal?.aborted) continue;
      if (error instanceof TimedOut) {
        // Not retried: Waygate may still be working on it.
        throw await failure(call.label, requestId, { kind: "timeout", timeout });
      }
      if (!call.safe || attempt >= retries) throw await failure(call.label, requestId, { kind: "unreachable", baseUrl: config.baseUrl, cause: error });
      await sleep(backoffMs(attempt), signal);
      continue;
    }
    const status = response.status;
    const answered = { status, headers: response.headers, requestId: response.headers.get(HEADER_REQUEST_ID) ?? requestId };
    if (call.target !== undefined) reportVersion(config, call.target, response.headers);
    if (status >= 200 && status < 400) {
      let data: unknown;
      try {
        data = decodeBody(bytes, answered, call.response);
      } catch (error) {
        throw await failure(call.label, answered.requestId, { kind: "not-json", answered, cause: error });
      }
      return { ...answered, data, versionExecuted: versionExecuted(response.headers) };
    }
    const fromProxy = response.headers.get(HEADER_ERROR_SOURCE) === null && (status === 502 || status === 503 || status === 504);
    const wait = retryAfterMs(response.headers);
    if (fromProxy && call.safe && attempt < retries && (wait ?? 0) <= MAX_RETRY_AFTER_MS) {
      await sleep(wait ?? backoffMs(attempt), signal);
      continue;
    }
    throw (await failures()).errorFor(call.label, answered, bytes);
  }
}

/** Thrown inside `attemptOnce` when the timeout, not the caller, aborted. */
class TimedOut extends Error {}

async function attemptOnce(config: Config, url: string, init: Omit<FetchInit, "signal">, timeoutMs: number, signal: AbortSignal | undefined): Promise<{ response: FetchResponse; bytes: ArrayBuffer }> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort);
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
  if (headers.get(HEADER_VERSION_MISMATCH) === null && (executed === undefined || executed === target.version)) return;
  config.onVersionMismatch({ integration: target.slug, action: target.name, expected: target.version, executed });
}

function versionExecuted(headers: HeaderReader): number | undefined {
  const value = Number(headers.get(HEADER_VERSION_EXECUTED) ?? NaN);
  return Number.isSafeInteger(value) ? value : undefined;
}

const TEXT = /^text\//i;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * The body as the action's response type says: `empty` → undefined, `text` → string,
 * `binary` → ArrayBuffer. Otherwise as the content type says: JSON parsed, `text/*` a
 * string, anything else an ArrayBuffer; no body is undefined. Throws JSON.parse's error
 * for a JSON content type whose body is not JSON.
 */
function decodeBody(bytes: ArrayBuffer, { status, headers }: Answered, response: string): unknown {
  if (response === "empty" || status === 204 || status === 205 || status === 304) return undefined;
  if (response === "binary") return bytes;
  if (bytes.byteLength === 0) return response === "text" ? "" : undefined;
  const type = headers.get("content-type") ?? "";
  if (response === "text" || TEXT.test(type)) return new TextDecoder().decode(bytes);
  return JSON_TYPE.test(type) ? (JSON.parse(new TextDecoder().decode(bytes)) as unknown) : bytes;
}

/** @internal */
export interface Answered {
  status: number;
  headers: HeaderReader;
  requestId: string;
}

/** @internal `retry-after-ms`, else `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(headers: HeaderReader | undefined): number | undefined {
  const ms = Number(headers?.get(HEADER_RETRY_AFTER_MS)?.trim() || NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get(HEADER_RETRY_AFTER)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter: spreads retries of many clients apart. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
}

/** Resolves after `ms`, or as soon as `signal` aborts: the caller then sees it aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, signal?.aborted ? 0 : ms);
    signal?.addEventListener("abort", done);
  });
}

/** @internal A request id for logs on both sides; not a secret, so `Math.random` is enough (and exists everywhere). */
export function newRequestId(): string {
  return `wgc_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}
