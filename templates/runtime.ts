/**
 * Waygate client runtime: calls `POST {baseUrl}/v1/invoke/{integration}/{action}` with
 * global `fetch`, retries what is safe to retry, maps failures to typed errors and
 * walks pages. No dependencies, so it runs in Node, Deno, Bun, browsers and edge
 * runtimes. Needs the standard `AbortSignal`, `AbortController` and `setTimeout` types
 * (DOM lib or @types/node). Of `fetch` it declares only the little it uses (`FetchLike`):
 * the global `fetch`, undici's and a test double all fit, and checking this file never
 * resolves the DOM's or undici's `Response`, `RequestInit` and `Headers` types.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "TRACE";

/** An RFC 9457 problem body, from Waygate itself or passed through from the upstream API. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export interface VersionMismatch {
  integration: string;
  action: string;
  /** The integration version this client was generated against. */
  expected: number;
  /** The version Waygate actually executed. */
  executed: number;
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
  statusText?: string;
  headers: HeaderReader;
  text(): Promise<string>;
}

/** The part of `Headers` the client reads (a `Headers` object is one). */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface WaygateOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Defaults to the Waygate API the client was generated against. */
  baseUrl?: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Retries after the first attempt, for safe requests only. Default 2. */
  retries?: number;
  /** Per-attempt timeout in milliseconds; 0 for none. Default 60000. */
  timeout?: number;
  /**
   * Called when Waygate executed another version of the integration than this client
   * was generated against (the integration changed since `waygate generate`). The
   * default does nothing; throw from it to fail such calls, or log and regenerate.
   */
  onVersionMismatch?: (mismatch: VersionMismatch) => void;
}

export interface RequestOptions {
  /** The connection (end user's credentials) to call the upstream with. */
  connection?: string;
  signal?: AbortSignal;
  timeout?: number;
  retries?: number;
  /** Sent as `Idempotency-Key`; makes a non-idempotent action safe to retry. */
  idempotencyKey?: string;
}

export type Pagination =
  | { strategy: "cursor"; cursorParam: string; nextCursorPath: string; itemsPath?: string }
  | { strategy: "offset"; offsetParam: string; limitParam: string; itemsPath?: string }
  | { strategy: "page"; pageParam: string; sizeParam?: string; itemsPath?: string }
  | { strategy: "link"; itemsPath?: string };

export interface ActionSpec {
  name: string;
  /** The upstream method: it decides whether a failed call may be retried. */
  method: HttpMethod;
}

export interface Action<I, O> {
  (input: I, options?: RequestOptions): Promise<O>;
}
export interface OptionalInputAction<I, O> {
  (input?: I, options?: RequestOptions): Promise<O>;
}
export interface PaginatedAction<I, O, T> extends Action<I, O> {
  /** Yields every item of every page, fetching the next page as the loop needs it. */
  paginate(input: I, options?: RequestOptions): AsyncIterable<T>;
}
export interface OptionalInputPaginatedAction<I, O, T> extends OptionalInputAction<I, O> {
  paginate(input?: I, options?: RequestOptions): AsyncIterable<T>;
}

export interface IntegrationTransport {
  action<I, O>(spec: ActionSpec): OptionalInputAction<I, O>;
  paginated<I, O, T>(spec: ActionSpec, pagination: Pagination): OptionalInputPaginatedAction<I, O, T>;
}
export interface Transport {
  integration(slug: string, version: number): IntegrationTransport;
}

/**
 * One action in the table a generated `createClient` passes to `bindActions`: its member
 * path in the client (`"issues.create"`), its name, its HTTP method and, when it paginates,
 * the strategy followed by field/value pairs (`"cursor", "cursorParam", "after", …`).
 */
export type ActionRow = readonly string[];

/**
 * Used by the generated `createClient`; not needed in application code. Builds the
 * nested client object from the action table: a plain data table keeps the generated
 * module cheap to type-check, where an object literal of 1 000+ calls was not.
 */
export function bindActions(transport: IntegrationTransport, rows: readonly ActionRow[]): unknown {
  const client: Record<string, unknown> = {};
  for (const [path = "", name = "", method = "", strategy, ...fields] of rows) {
    const members = path.split(".");
    const last = members.pop() ?? "";
    let node = client;
    for (const member of members) node = (Object.hasOwn(node, member) ? node[member] : define(node, member, {})) as Record<string, unknown>;
    const spec: ActionSpec = { name, method: method as HttpMethod };
    define(node, last, strategy === undefined ? transport.action(spec) : transport.paginated(spec, paginationOf(strategy, fields)));
  }
  return client;
}

function paginationOf(strategy: string, fields: readonly string[]): Pagination {
  const entries: [string, string | undefined][] = [["strategy", strategy]];
  for (let i = 0; i + 1 < fields.length; i += 2) entries.push([fields[i] ?? "", fields[i + 1]]);
  // fromEntries defines own properties: no key can reach the prototype.
  return Object.fromEntries(entries) as Pagination;
}

/** An own, enumerable data property, as an object literal makes it, even for a key like `__proto__`. */
function define(node: Record<string, unknown>, key: string, value: unknown): unknown {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** Any failure of a Waygate call. `status` and `problem` are set when a response arrived. */
export class WaygateError extends Error {
  override readonly name: string = "WaygateError";
  readonly status: number | undefined;
  readonly problem: Problem | undefined;
  /** The response's headers (the `Headers` object `fetch` returned), when a response arrived. */
  readonly headers: HeaderReader | undefined;
  constructor(message: string, init: { status?: number; problem?: Problem; headers?: HeaderReader; cause?: unknown } = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.problem = init.problem;
    this.headers = init.headers;
  }
}
export class BadRequestError extends WaygateError {
  override readonly name: string = "BadRequestError";
}
export class AuthenticationError extends WaygateError {
  override readonly name: string = "AuthenticationError";
}
export class PermissionDeniedError extends WaygateError {
  override readonly name: string = "PermissionDeniedError";
}
export class NotFoundError extends WaygateError {
  override readonly name: string = "NotFoundError";
}
export class ConflictError extends WaygateError {
  override readonly name: string = "ConflictError";
}
export class UnprocessableEntityError extends WaygateError {
  override readonly name: string = "UnprocessableEntityError";
}
export class RateLimitError extends WaygateError {
  override readonly name: string = "RateLimitError";
  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  get retryAfter(): number | undefined {
    const ms = this.headers ? retryAfterMs(this.headers) : undefined;
    return ms === undefined ? undefined : Math.ceil(ms / 1000);
  }
}
export class InternalServerError extends WaygateError {
  override readonly name: string = "InternalServerError";
}
/** No response: DNS, refused connection, reset, or an unreadable body. */
export class ConnectionError extends WaygateError {
  override readonly name: string = "ConnectionError";
}
export class TimeoutError extends ConnectionError {
  override readonly name: string = "TimeoutError";
}

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After is not waited out: the error is thrown for the caller to schedule. */
const MAX_RETRY_AFTER_MS = 60_000;

interface Config {
  apiKey: string;
  baseUrl: string;
  fetch: FetchLike;
  retries: number;
  timeout: number;
  onVersionMismatch: (mismatch: VersionMismatch) => void;
}

interface Target {
  slug: string;
  version: number;
  spec: ActionSpec;
}

/** Used by the generated `createWaygate`; not needed in application code. */
export function createTransport(options: WaygateOptions, defaults: { baseUrl: string }): Transport {
  if (typeof options?.apiKey !== "string" || options.apiKey === "") throw new TypeError("Waygate: options.apiKey is required");
  const config: Config = {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? defaults.baseUrl).replace(/\/+$/, ""),
    // Called unbound, `fetch` throws "Illegal invocation" in browsers. The global `fetch` is a
    // FetchLike; read as one, its declaration (DOM or undici) is never resolved.
    fetch: options.fetch ?? ((url, init) => (globalThis as unknown as { fetch: FetchLike }).fetch(url, init)),
    retries: options.retries ?? 2,
    timeout: options.timeout ?? 60_000,
    onVersionMismatch: options.onVersionMismatch ?? (() => {}),
  };
  return {
    integration: (slug, version) => ({
      action: <I, O>(spec: ActionSpec) =>
        (async (input?: I, callOptions?: RequestOptions) =>
          (await invoke(config, { slug, version, spec }, input, callOptions, {})).body as O) as OptionalInputAction<I, O>,
      paginated<I, O, T>(spec: ActionSpec, pagination: Pagination) {
        const call = this.action<I, O>(spec);
        const paginate = (input?: I, callOptions?: RequestOptions): AsyncIterable<T> =>
          pages<T>(config, { slug, version, spec }, pagination, input, callOptions);
        return Object.assign(call, { paginate });
      },
    }),
  };
}

interface Invoked {
  body: unknown;
  headers: HeaderReader;
}

async function invoke(config: Config, target: Target, input: unknown, options: RequestOptions | undefined, extra: Record<string, unknown>): Promise<Invoked> {
  const url = `${config.baseUrl}/v1/invoke/${encodeURIComponent(target.slug)}/${encodeURIComponent(target.spec.name)}`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${config.apiKey}`,
    "Content-Type": "application/json",
    Accept: "application/json, application/problem+json",
    "X-Waygate-Version": String(target.version),
  };
  if (options?.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
  const payload: Record<string, unknown> = { input: input ?? {}, ...extra };
  if (options?.connection !== undefined) payload.connection = options.connection;
  const init: Outgoing = { method: "POST", headers, body: JSON.stringify(payload) };
  const signal = options?.signal;
  const maxRetries = Math.max(0, Math.floor(options?.retries ?? config.retries));
  // Retrying a non-idempotent upstream call could do it twice, unless the key dedupes it.
  const safe = IDEMPOTENT_METHODS.has(target.spec.method) || options?.idempotencyKey !== undefined;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    let response: FetchResponse;
    let text: string;
    try {
      ({ response, text } = await attemptOnce(config, url, init, options?.timeout ?? config.timeout, signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = error instanceof TimeoutError ? error : new ConnectionError(`Could not reach Waygate at ${config.baseUrl}`, { cause: error });
      if (!safe || attempt >= maxRetries) throw failure;
      await sleep(backoffMs(attempt), signal);
      continue;
    }
    reportVersion(config, target, response.headers);
    // What `response.ok` says, without relying on a member a minimal fetch may lack.
    if (response.status >= 200 && response.status <= 299) return { body: parseBody(text, response.headers), headers: response.headers };
    const failure = errorFor(response, text);
    const retryAfter = retryAfterMs(response.headers);
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    if (!safe || attempt >= maxRetries || !retryable || (retryAfter ?? 0) > MAX_RETRY_AFTER_MS) throw failure;
    await sleep(retryAfter ?? backoffMs(attempt), signal);
  }
}

/** A request (`FetchInit`) before it gets its per-attempt signal. */
interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: string;
}

async function attemptOnce(config: Config, url: string, init: Outgoing, timeoutMs: number, signal: AbortSignal | undefined): Promise<{ response: FetchResponse; text: string }> {
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
    return { response, text: await response.text() };
  } catch (error) {
    if (timedOut) throw new TimeoutError(`Waygate did not answer within ${timeoutMs} ms`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function reportVersion(config: Config, target: Target, headers: HeaderReader): void {
  const header = headers.get("x-waygate-version-executed");
  const executed = header === null ? NaN : Number(header);
  if (Number.isInteger(executed) && executed !== target.version) {
    config.onVersionMismatch({ integration: target.slug, action: target.spec.name, expected: target.version, executed });
  }
}

function parseBody(text: string, headers: HeaderReader): unknown {
  if (text === "") return undefined;
  if (!/\bjson\b/i.test(headers.get("content-type") ?? "")) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConnectionError("Waygate sent a JSON content type with a body that is not JSON", { cause: error });
  }
}

function errorFor(response: FetchResponse, text: string): WaygateError {
  const parsed = parseProblem(text);
  const problem: Problem = parsed ?? { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: text.slice(0, 1000) };
  const init = { status: response.status, problem, headers: response.headers };
  const message = `${response.status} ${problem.title ?? response.statusText ?? ""}${problem.detail ? `: ${problem.detail}` : ""}`;
  const status = response.status;
  if (status === 400) return new BadRequestError(message, init);
  if (status === 401) return new AuthenticationError(message, init);
  if (status === 403) return new PermissionDeniedError(message, init);
  if (status === 404) return new NotFoundError(message, init);
  if (status === 409) return new ConflictError(message, init);
  if (status === 422) return new UnprocessableEntityError(message, init);
  if (status === 429) return new RateLimitError(message, init);
  if (status >= 500) return new InternalServerError(message, init);
  return new WaygateError(message, init);
}

function parseProblem(text: string): Problem | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Problem) : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
function retryAfterMs(headers: HeaderReader): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter: spreads retries of many clients apart. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function* pages<T>(config: Config, target: Target, pagination: Pagination, input: unknown, options: RequestOptions | undefined): AsyncGenerator<T, void, undefined> {
  let request: Record<string, unknown> = isRecord(input) ? { ...input } : {};
  let extra: Record<string, unknown> = { paginate: false };
  const seenCursors = new Set<string>();
  for (;;) {
    const { body, headers } = await invoke(config, target, request, options, extra);
    const found = pagination.itemsPath ? readPointer(body, pagination.itemsPath) : body;
    const items: unknown[] = Array.isArray(found) ? found : [];
    for (const item of items) yield item as T;
    if (pagination.strategy === "link") {
      const token = headers.get("x-waygate-next-page");
      if (!token) return;
      extra = { paginate: false, page: token };
    } else if (pagination.strategy === "cursor") {
      const cursor = readPointer(body, pagination.nextCursorPath);
      const key = JSON.stringify(cursor ?? null);
      // A repeated cursor would loop forever.
      if (cursor === undefined || cursor === null || cursor === "" || seenCursors.has(key)) return;
      seenCursors.add(key);
      request = { ...request, [pagination.cursorParam]: cursor };
    } else if (pagination.strategy === "offset") {
      const limit = request[pagination.limitParam];
      if (items.length === 0 || (typeof limit === "number" && items.length < limit)) return;
      const offset = Number(request[pagination.offsetParam] ?? 0) || 0;
      request = { ...request, [pagination.offsetParam]: offset + items.length };
    } else {
      const size = pagination.sizeParam === undefined ? undefined : request[pagination.sizeParam];
      if (items.length === 0 || (typeof size === "number" && items.length < size)) return;
      const page = Number(request[pagination.pageParam] ?? 1) || 1;
      request = { ...request, [pagination.pageParam]: page + 1 };
    }
  }
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
