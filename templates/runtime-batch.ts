/**
 * `action.batch()`: creates a batch (`POST /v1/batches`) and hands back a handle that follows
 * it. runtime.js loads this module with a dynamic `import()` the first time a batch is
 * started, so bundlers give it a chunk of its own and an application that never batches
 * does not carry it. It sends its requests with the runtime's `transmit`, so keys, apps,
 * timeouts, retries of reads and error classes are the runtime's.
 *
 * Progress comes from the server's events (`GET /v1/batches/{id}/events`, server-sent
 * events) when `fetch` gives a body stream, and from polling `GET /v1/batches/{id}`
 * otherwise, or when the stream breaks off before the batch is final.
 */
import { WaygateError } from "./runtime-errors.js";
import { newRequestId, transmit, waygateHeaders } from "./runtime.js";
import type { APIResponse, Batch, BatchHandle, BatchItemError, BatchItemState, BatchOptions, BatchResult, BatchValidation, Config, FetchResponse, FieldError, RequestOptions, Target } from "./runtime.js";

const FINAL: ReadonlySet<string> = new Set(["completed", "completed_with_errors", "cancelled"]);
const RESULTS_PAGE_SIZE = 500;
/** The `code` of Waygate's answer to a dry run that found invalid items (BATCH_INVALID_ITEMS_CODE in its contract). */
const INVALID_ITEMS = "invalid-items";

/** What the batch code needs of the client that started it. */
interface BatchContext {
  readonly integration: string;
  readonly action: string;
  /** `github.issues.create`: how messages name the action. */
  readonly label: string;
  /** The client's default connection. */
  readonly connection: string | undefined;
  send(method: "GET" | "POST", path: string, body: unknown, options: RequestOptions | undefined): Promise<APIResponse<unknown>>;
  /** `GET path` without reading the body, for a stream; undefined when the answer is not a 200 with a body stream. */
  open(path: string, signal: AbortSignal | undefined): Promise<FetchResponse | undefined>;
}

function contextOf(config: Config, target: Target, label: string): BatchContext {
  const url = (path: string): string => `${config.baseUrl}${path}`;
  return {
    integration: target.slug,
    action: target.name,
    label,
    connection: config.connection,
    send: (method, path, body, options) => {
      const requestId = options?.requestId ?? newRequestId();
      const init = { method, headers: waygateHeaders(config, requestId), ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
      // Only reads are repeated after a connection error: creating or cancelling twice is not a read.
      return transmit(config, url(path), init, { label: `${label}.batch`, safe: method === "GET", target: undefined, response: "" }, options, requestId);
    },
    open: async (path, signal) => {
      const headers = { ...waygateHeaders(config, newRequestId()), accept: "text/event-stream" };
      const response = await config.fetch(url(path), { method: "GET", headers, signal: signal ?? new AbortController().signal });
      if (response.status === 200 && response.body) return response;
      await response.arrayBuffer().catch(() => undefined);
      return undefined;
    },
  };
}

/** @internal Creates the batch and resolves with its handle (or, with `dryRun`, checks its items): `action.batch()` in runtime.js. */
export async function startBatch(config: Config, target: Target, label: string, items: readonly unknown[], options: BatchOptions | undefined): Promise<BatchHandle<unknown> | BatchValidation> {
  const context = contextOf(config, target, label);
  if (!Array.isArray(items) || items.length === 0) throw new TypeError(`Waygate: ${context.label}.batch() needs a non-empty array of items like { input: {…} }`);
  const connection = options?.connection ?? context.connection;
  const body = {
    integration: context.integration,
    action: context.action,
    ...(connection === undefined ? {} : { connection }),
    items: items.map((item, index) => itemOf(context, item, index)),
    options: definedOnly({ concurrency: options?.concurrency, stopOnErrorRatio: options?.stopOnErrorRatio, dryRun: options?.dryRun === true ? true : undefined }),
  };
  const request = requestOptions(options);
  if (options?.dryRun === true) return await validate(context, body, request);
  const created = await context.send("POST", "/v1/batches", body, request);
  return handle(context, created.data as Batch, options, request);
}

/**
 * A dry run: Waygate answers 200 when every item is valid, and a 400 problem with code
 * `invalid-items` naming each invalid field `items.<index>.<field>` otherwise. That answer is
 * the outcome asked for, not an error; any other refusal (a bad option, an unknown action) throws as usual.
 */
async function validate(context: BatchContext, body: { items: readonly unknown[] }, request: RequestOptions): Promise<BatchValidation> {
  try {
    const checked = (await context.send("POST", "/v1/batches", body, request)).data as { items: number; version: number };
    return { valid: true, items: checked.items, version: checked.version, errors: [], detail: null };
  } catch (error) {
    if (!(error instanceof WaygateError) || error.problem?.code !== INVALID_ITEMS) throw error;
    return { valid: false, items: body.items.length, version: null, errors: (error.problem.errors ?? []).map(itemErrorOf), detail: error.problem.detail ?? error.message };
  }
}

/** `items.3.input.email` → item 3, `input.email` (an index of -1 if Waygate named no item). */
function itemErrorOf({ field, message }: FieldError): BatchItemError {
  const named = /^items\.(\d+)\.(.+)$/.exec(field);
  return named ? { index: Number(named[1]), field: named[2]!, message } : { index: -1, field, message };
}

/** `{ input, connection?, idempotencyKey? }`, with what is undefined left out (Waygate refuses unknown fields). */
function itemOf(context: BatchContext, item: unknown, index: number): Record<string, unknown> {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new TypeError(`Waygate: ${context.label}.batch(): item ${index} is not an object like { input: {…}, connection?, idempotencyKey? }`);
  }
  const { input, connection, idempotencyKey, ...unknown } = item as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw new TypeError(`Waygate: ${context.label}.batch(): item ${index} has ${extra.map((key) => JSON.stringify(key)).join(", ")} besides input, connection and idempotencyKey; put the action's fields inside \`input\``);
  }
  return definedOnly({ input: input ?? {}, connection, idempotencyKey });
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function requestOptions(options: BatchOptions | undefined): RequestOptions {
  return { signal: options?.signal, timeout: options?.timeout };
}

function handle(context: BatchContext, batch: Batch, options: BatchOptions | undefined, request: RequestOptions): BatchHandle<unknown> {
  const path = `/v1/batches/${encodeURIComponent(batch.id)}`;
  const get = async (): Promise<Batch> => (await context.send("GET", path, undefined, request)).data as Batch;
  const progress = async function* (): AsyncGenerator<Batch, void, undefined> {
    let last: Batch | undefined;
    for await (const event of serverEvents(context, `${path}/events`, options?.signal)) {
      last = event;
      yield event;
      if (FINAL.has(event.status)) return;
    }
    // No stream, or it broke off: poll until the batch is final (an abort or a lost batch throws from `get`).
    let seen = last === undefined ? "" : JSON.stringify(last);
    for (;;) {
      const current = await get();
      const text = JSON.stringify(current);
      if (text !== seen || FINAL.has(current.status)) yield current;
      if (FINAL.has(current.status)) return;
      seen = text;
      await pause(options?.pollInterval ?? 1_000, options?.signal);
    }
  };
  return {
    id: batch.id,
    batch,
    progress,
    wait: async () => {
      let last = batch;
      for await (const current of progress()) last = current;
      return last;
    },
    results: (filter?: { state?: BatchItemState | undefined }) => results(context, path, filter?.state, request),
    cancel: async () => (await context.send("POST", `${path}/cancel`, undefined, request)).data as Batch,
  };
}

async function* results(context: BatchContext, path: string, state: BatchItemState | undefined, request: RequestOptions): AsyncGenerator<BatchResult<unknown>, void, undefined> {
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(RESULTS_PAGE_SIZE) });
    if (state !== undefined) query.set("state", state);
    if (cursor !== null) query.set("cursor", cursor);
    const page = (await context.send("GET", `${path}/results?${query}`, undefined, request)).data as { data: BatchResult<unknown>[]; nextCursor: string | null };
    yield* page.data;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/**
 * The batches the server's event stream carries, until it ends or breaks off. Yields
 * nothing when there is no stream (the `fetch` gives no body, the answer is not a 200):
 * the caller then polls, which reports a real error as the runtime's error class.
 */
async function* serverEvents(context: BatchContext, path: string, signal: AbortSignal | undefined): AsyncGenerator<Batch, void, undefined> {
  const response = await context.open(path, signal).catch(() => undefined);
  const reader = response?.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const data = dataOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) yield JSON.parse(data) as Batch;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The `data:` lines of one server-sent event, joined; undefined for a comment or an event without data. */
function dataOf(event: string): string | undefined {
  const lines = event.split("\n").filter((line) => line.startsWith("data:"));
  return lines.length === 0 ? undefined : lines.map((line) => line.slice(5).replace(/^ /, "")).join("\n");
}

/** Waits, or stops waiting when the signal aborts (the next request then throws the runtime's abort error). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
