import type { TokenTransport } from "./authorization-code.js";
import { setTimeout as delay } from "node:timers/promises";
import { planAuth, secretsOf } from "./auth.js";
import type { AuthPlan } from "./auth.js";
import { exchange } from "./exchange.js";
import type { ExchangeDeps } from "./exchange.js";
import { applyMappings, compileMappings } from "./mappings.js";
import type { CompiledMapping } from "./mappings.js";
import { OAuthRefresher } from "./oauth.js";
import { PageTokens } from "./page-token.js";
import type { PageCursor } from "./page-token.js";
import { applyCursor, checkCursor, nextPage, pageItems } from "./pagination.js";
import { GatewayError, aborted, collectionTooLarge, invalidDefinition, invalidInput, invalidOutput, upstreamError } from "./problems.js";
import { RateLimiter, type Limiter } from "./rate-limit.js";
import { buildRawRequest, buildRequest, checkHeaderValue, forwardedHeaders, parseBaseUrl, setQueryParam, unknownInputFields } from "./request.js";
import type { PreparedRequest } from "./request.js";
import { Redactor, dataUrl, decodeBody, safeHeaders } from "./response.js";
import type { DecodedBody } from "./response.js";
import { isRetrySafe } from "./retry.js";
import { SchemaCompileError, SchemaValidator } from "./schema-validator.js";
import type { CompiledSchema } from "./schema-validator.js";
import { Transport } from "./transport.js";
import type { ActionDefinition, FieldError } from "../contract/index.js";
import type { Connection, Credentials, GatewayDeps, InvokeIntegration, InvokeOptions, InvokeRequest, InvokeResponse, OutputValidation, ProxyRequest } from "./types.js";

const NO_SECRETS = new Redactor([]);

const DEFAULTS = { timeoutMs: 30_000, maxAttempts: 3, maxRateLimitWaitMs: 10_000, maxPages: 50, maxItems: 10_000, maxResponseBytes: 10 * 1024 * 1024, maxCollectedBytes: 32 * 1024 * 1024 };

/** Per-invoke settings after defaults and bounds. */
interface Settings {
  timeoutMs: number;
  maxAttempts: number;
  maxRateLimitWaitMs: number;
  validation: OutputValidation;
  collect: { maxPages: number; maxItems: number } | null;
  maxCollectedBytes: number;
  mappings: CompiledMapping[];
}

/** What every page of one call shares. */
interface Call {
  integration: InvokeIntegration;
  connection: Connection | null;
  plan: AuthPlan;
  retrySafe: boolean;
  settings: Settings;
  signal: AbortSignal | undefined;
}

interface FetchedPage {
  status: number;
  /** Safe and redacted: what the caller may see. */
  headers: Record<string, string>;
  /** All of them, for pagination (Link) only. */
  upstreamHeaders: Record<string, string>;
  url: URL;
  decoded: DecodedBody;
  attempts: number;
  /** Bytes of the body as received. */
  size: number;
}

/**
 * Calls one action of one integration version on behalf of a connection.
 *
 * @example
 * const gateway = new Gateway({ refreshOAuth: (connection) => connections.refresh(connection) });
 * const result = await gateway.invoke({ integration, action, input: { owner: "octo", repo: "hello" }, connection, options: { paginate: { maxPages: 5 } } });
 * await gateway.close();
 */
export class Gateway {
  private readonly validator = new SchemaValidator();
  private readonly transport: Transport;
  private readonly tokens: PageTokens;
  private readonly exchangeDeps: ExchangeDeps;
  private readonly redactors = new WeakMap<Credentials, Redactor>();
  private readonly maxCollectedBytes: number;

  constructor(deps: GatewayDeps = {}) {
    const clock = deps.clock ?? Date.now;
    const sleep = deps.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}));
    this.transport = new Transport({ reach: deps.upstreams ?? "public", maxResponseBytes: deps.maxResponseBytes ?? DEFAULTS.maxResponseBytes });
    this.tokens = new PageTokens(deps.pageTokenKey);
    this.maxCollectedBytes = deps.maxCollectedBytes ?? DEFAULTS.maxCollectedBytes;
    this.exchangeDeps = {
      transport: this.transport,
      limiter: deps.sharedRateLimits
        ? sharedLimiter(deps.sharedRateLimits, deps.rateLimits ?? {}, clock, sleep, deps.onRateLimitError ?? (() => {}), deps.random ?? Math.random)
        : new RateLimiter(deps.rateLimits ?? {}, clock, sleep, deps.random ?? Math.random),
      refresher: new OAuthRefresher(),
      refreshOAuth: deps.refreshOAuth,
      clock,
      sleep,
      random: deps.random ?? Math.random,
    };
  }

  /** Resolves with the upstream's 2xx/3xx answer; throws GatewayError (with a problem body) for everything else. */
  async invoke(request: InvokeRequest): Promise<InvokeResponse> {
    return this.guarded(request.connection, request.options.signal, (warnings, secrets) => this.run(request, warnings, secrets));
  }

  /** A raw request under the integration's base URL, with the connection's credentials: the escape hatch for endpoints the docs lack. */
  async proxy(request: ProxyRequest): Promise<InvokeResponse> {
    return this.guarded(request.connection, request.options.signal, async (_warnings, secrets) => {
      const { integration, connection, options } = request;
      const base = parseBaseUrl(integration.baseUrl);
      const prepared = buildRawRequest(base, request.method, request.path, request.query, request.body);
      Object.assign(prepared.headers, forwardedHeaders(options.headers));
      if (options.idempotencyKey !== undefined) prepared.headers["idempotency-key"] = checkHeaderValue(options.idempotencyKey, "options.idempotencyKey");
      const page = await this.fetchPage(
        { integration, connection, plan: planAuth(integration.authSchemes, connection), retrySafe: isRetrySafe(request.method, options.idempotencyKey), settings: resolveSettings(options, this.maxCollectedBytes), signal: options.signal },
        prepared,
        secrets,
      );
      return { status: page.status, headers: page.headers, body: page.decoded.body, raw: page.decoded.raw, attempts: page.attempts, nextPage: null };
    });
  }

  /**
   * What is wrong with an input for an action, checked as invoke checks it (the input
   * schema, then fields the action does not have); undefined when it is valid. Batches
   * check every item this way before anything is sent.
   */
  checkInput(action: ActionDefinition, input: unknown): { detail: string; errors: FieldError[] } | undefined {
    return this.inputProblems(action, input ?? {}, []);
  }

  /**
   * Sends OAuth token requests (the connect flow's code exchange) through the same
   * transport and private-network guard as every upstream call. A failure to reach the
   * endpoint says no more than that (the URL is the OAuth client's to set).
   */
  tokenTransport(): TokenTransport {
    return async (url, headers, body) => {
      const response = await this.transport.send({ method: "POST", url, headers, cookies: [], body: { kind: "bytes", contentType: headers["content-type"] ?? "application/x-www-form-urlencoded", data: body } }, 30_000);
      return { status: response.status, contentType: response.headers["content-type"] ?? "", body: response.body.toString("utf8") };
    };
  }

  async close(): Promise<void> {
    await this.exchangeDeps.limiter.close?.();
    await this.transport.close();
  }

  /** Runs a call with the connection's secrets redacted from whatever it returns or throws, and aborts reported as such. */
  private async guarded(
    connection: Connection | null,
    signal: AbortSignal | undefined,
    call: (warnings: string[], secrets: { redact: Redactor }) => Promise<Omit<InvokeResponse, "warnings">>,
  ): Promise<InvokeResponse> {
    const warnings: string[] = [];
    // `redact` moves on if a refresh brings new tokens mid-call: those must not leak either.
    const secrets = { redact: connection ? this.redactorFor(connection.credentials) : NO_SECRETS };
    try {
      const response = await call(warnings, secrets);
      return { ...response, warnings: warnings.map((warning) => secrets.redact.text(warning)) };
    } catch (error) {
      if (signal?.aborted && !(error instanceof GatewayError && error.problem.upstream)) throw aborted();
      if (error instanceof GatewayError) throw redactProblem(error, secrets.redact);
      throw error;
    }
  }

  /** One Redactor per credentials object: the server hands the same (cached) object to every call. */
  private redactorFor(credentials: Credentials): Redactor {
    let redactor = this.redactors.get(credentials);
    if (!redactor) {
      redactor = new Redactor(secretsOf(credentials));
      this.redactors.set(credentials, redactor);
    }
    return redactor;
  }

  private async run(request: InvokeRequest, warnings: string[], secrets: { redact: Redactor }): Promise<Omit<InvokeResponse, "warnings">> {
    const { integration, action, connection, options } = request;
    if (options.signal?.aborted) throw aborted();
    const settings = resolveSettings(options, this.maxCollectedBytes);
    const input = request.input ?? {};
    const invalid = this.inputProblems(action, input, warnings);
    if (invalid) throw invalidInput(invalid.detail, invalid.errors.length > 0 ? invalid.errors : undefined);

    const base = parseBaseUrl(integration.baseUrl);
    const prepared = buildRequest(action, base, input as Record<string, unknown>);
    Object.assign(prepared.headers, forwardedHeaders(options.headers));
    if (options.idempotencyKey !== undefined) prepared.headers["idempotency-key"] = checkHeaderValue(options.idempotencyKey, "options.idempotencyKey");
    const plan = planAuth(integration.authSchemes, connection);
    const tokenScope = [options.pageScope ?? "", integration.rateLimitKey ?? integration.slug];
    let cursor: PageCursor | null = null;
    if (options.page !== undefined) {
      cursor = this.tokens.decode(options.page, tokenScope, action.name);
      checkCursor(action.pagination, cursor);
    }
    const outputSchema = settings.validation !== "off" && action.outputSchema ? this.compile(action.outputSchema, "output", warnings) : null;
    if (settings.collect && !action.pagination) warnings.push("this action is not paginated; returned one page");
    const call: Call = { integration, connection, plan, retrySafe: isRetrySafe(action.method, options.idempotencyKey), settings, signal: options.signal };

    const items: unknown[] = [];
    let attempts = 0;
    let collectedBytes = 0;
    for (let pages = 1; ; pages++) {
      const sent = cursor ? applyCursor(prepared, cursor, base) : prepared;
      const page = await this.fetchPage(call, sent, secrets);
      attempts += page.attempts;
      const { decoded } = page;
      if (page.status >= 300) return { status: page.status, headers: page.headers, body: decoded.body, raw: decoded.raw, attempts, nextPage: null };

      if (decoded.malformedJson) {
        if (settings.validation === "strict") throw invalidOutput([{ field: "output", message: "is not valid JSON although the upstream declared JSON" }]);
        warnings.push("the upstream declared JSON but sent a body that does not parse; returned as text");
      } else if (outputSchema && !decoded.raw) {
        this.check(outputSchema, decoded.body, "output", settings.validation, warnings);
      }
      const next = nextPage(action, base, sent.url, { url: page.url, headers: page.upstreamHeaders, body: decoded.body });
      if ("warning" in next && next.warning) warnings.push(next.warning);
      const nextToken = next.cursor ? this.tokens.encode(tokenScope, action.name, withoutCredentials(next.cursor, plan)) : null;

      if (!settings.collect || !action.pagination) {
        const body = decoded.raw ? decoded.body : applyMappings(decoded.body, settings.mappings);
        return { status: page.status, headers: page.headers, body, raw: decoded.raw, attempts, nextPage: nextToken };
      }
      // The bodies collected so far are held (parsed) until the answer goes out: bounded, or
      // one call could take the server's memory (1 000 pages of 10 MB).
      collectedBytes += page.size;
      if (collectedBytes > settings.maxCollectedBytes) {
        const resume = cursor ? this.tokens.encode(tokenScope, action.name, withoutCredentials(cursor, plan)) : null;
        throw collectionTooLarge({ pages: pages - 1, items: items.length, bytes: collectedBytes - page.size }, settings.maxCollectedBytes, resume);
      }
      const pageList = pageItems(action.pagination, decoded.body);
      if (!pageList) warnings.push(`page ${pages} has no list of items at itemsPath; pagination stopped`);
      else for (const item of pageList) items.push(applyMappings(item, settings.mappings));
      if (items.length > settings.collect.maxItems) {
        warnings.push(`${items.length - settings.collect.maxItems} item(s) beyond maxItems were dropped from the last page`);
        items.length = settings.collect.maxItems;
      }
      const done = !pageList || !next.cursor || pages >= settings.collect.maxPages || items.length >= settings.collect.maxItems;
      if (done) return { status: page.status, headers: page.headers, body: items, raw: null, attempts, nextPage: pageList ? nextToken : null };
      cursor = next.cursor;
    }
  }

  /**
   * One upstream request (rate limits, auth, retries in `exchange`), its body decoded and
   * every secret of the connection redacted from what goes back: headers, error bodies, and
   * success bodies that echo a credential (checked on the bytes first, so only those pay).
   */
  private async fetchPage(call: Call, request: PreparedRequest, secrets: { redact: Redactor }): Promise<FetchedPage> {
    const { integration, connection } = call;
    const result = await exchange(this.exchangeDeps, {
      request,
      plan: call.plan,
      connection,
      schemes: integration.authSchemes,
      keys: { connection: connection?.id ?? null, integration: integration.rateLimitKey ?? integration.slug, integrationLimit: integration.rateLimit ?? undefined },
      retrySafe: call.retrySafe,
      maxAttempts: call.settings.maxAttempts,
      timeoutMs: call.settings.timeoutMs,
      maxRateLimitWaitMs: call.settings.maxRateLimitWaitMs,
      signal: call.signal,
    });
    if (connection && result.credentials && result.credentials !== connection.credentials) secrets.redact = secrets.redact.with(secretsOf(result.credentials));
    const redactor = secrets.redact;
    const { response } = result;
    const headers = safeHeaders(response.headers, redactor);
    let decoded = decodeBody(response.body, response.headers["content-type"]);
    if (response.status >= 400) {
      const body = decoded.raw && decoded.body === null ? dataUrl(decoded.raw) : decoded.body;
      throw upstreamError({ status: response.status, headers, body: redactor.json(body) });
    }
    if (!redactor.empty && redactor.occursIn(response.body)) decoded = redactBody(decoded, redactor);
    return { status: response.status, headers, upstreamHeaders: response.headers, url: response.url, decoded, attempts: result.attempts, size: response.body.length };
  }

  private compile(schema: Record<string, unknown>, which: "input" | "output", warnings: string[]): CompiledSchema {
    try {
      const compiled = this.validator.compile(schema);
      for (const warning of compiled.warnings) warnings.push(`${which} schema: ${warning}`);
      return compiled;
    } catch (error) {
      if (error instanceof SchemaCompileError) throw invalidDefinition(`the action's ${which} schema cannot be used: ${error.message}`, error);
      throw error;
    }
  }

  private inputProblems(action: ActionDefinition, input: unknown, warnings: string[]): { detail: string; errors: FieldError[] } | undefined {
    const result = this.compile(action.inputSchema, "input", warnings).validate(input, "input");
    if (!result.valid) return { detail: `the input does not match the action's input schema (${result.errors.length} error(s))`, errors: result.errors };
    if (typeof input !== "object" || Array.isArray(input) || input === null) return { detail: "input must be an object", errors: [] };
    const unknown = unknownInputFields(action, input as Record<string, unknown>);
    if (unknown.length === 0) return undefined;
    return {
      detail: `unknown input field(s) for ${action.name}: ${unknown.join(", ")}`,
      errors: unknown.map((name) => ({ field: `input.${name}`, message: "is not an input of this action" })),
    };
  }

  private check(schema: CompiledSchema, value: unknown, which: "input" | "output", mode: OutputValidation, warnings: string[]): void {
    const result = schema.validate(value, which);
    if (result.valid) return;
    if (which === "input") throw invalidInput(`the input does not match the action's input schema (${result.errors.length} error(s))`, result.errors);
    if (mode === "strict") throw invalidOutput(result.errors);
    for (const error of result.errors) warnings.push(`output does not match the schema: ${error.field} ${error.message}`);
  }
}

function resolveSettings(options: InvokeOptions, maxCollectedBytes: number): Settings {
  const paginate = options.paginate;
  return {
    maxCollectedBytes,
    timeoutMs: bounded(options.timeoutMs, DEFAULTS.timeoutMs, 1, 300_000),
    maxAttempts: bounded(options.maxAttempts, DEFAULTS.maxAttempts, 1, 10),
    maxRateLimitWaitMs: bounded(options.maxRateLimitWaitMs, DEFAULTS.maxRateLimitWaitMs, 0, 300_000),
    validation: options.validation ?? "warn",
    collect: paginate ? { maxPages: bounded(paginate.maxPages, DEFAULTS.maxPages, 1, 1_000), maxItems: bounded(paginate.maxItems, DEFAULTS.maxItems, 1, 1_000_000) } : null,
    mappings: compileMappings(options.mappings),
  };
}

function bounded(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** A Link URL echoing an API key sent in the query would put the key in the token; the key is added again on every send. */
function withoutCredentials(cursor: PageCursor, plan: AuthPlan): PageCursor {
  if (cursor.kind !== "url" || plan.kind !== "apiKey" || plan.in !== "query") return cursor;
  const url = new URL(cursor.url);
  setQueryParam(url, plan.name, null);
  return { kind: "url", url: url.href };
}

/** A success body with the connection's secrets replaced; bytes that are not text stay as they are. */
function redactBody(decoded: DecodedBody, redactor: Redactor): DecodedBody {
  if (!decoded.raw) return { ...decoded, body: redactor.json(decoded.body) };
  if (typeof decoded.body !== "string") return decoded;
  const text = redactor.text(decoded.body);
  return { ...decoded, body: text, raw: { ...decoded.raw, bytes: Buffer.from(text, "utf8") } };
}

function redactProblem(error: GatewayError, redactor: Redactor): GatewayError {
  const problem = error.problem;
  const redacted = { ...problem, detail: redactor.text(problem.detail) };
  if (problem.errors) redacted.errors = problem.errors.map((entry) => ({ field: entry.field, message: redactor.text(entry.message) }));
  return new GatewayError(redacted, { cause: error.cause });
}

/**
 * The Redis-backed limiter, loaded on first use: ioredis (50–80 ms to import) stays off the
 * start-up path of every server, worker and serverless cold start that runs without Redis.
 * Calls made before it loaded wait for it, in order.
 */
function sharedLimiter(
  options: NonNullable<GatewayDeps["sharedRateLimits"]>,
  config: NonNullable<GatewayDeps["rateLimits"]>,
  clock: () => number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  onError: (error: unknown) => void,
  random: () => number,
): Limiter {
  const loaded = import("./shared-rate-limit.js").then(({ SharedRateLimiter }) => new SharedRateLimiter(options, config, clock, sleep, onError, random));
  loaded.catch(onError);
  const later = (use: (limiter: Limiter) => void) => void loaded.then(use, () => {});
  return {
    acquire: async (keys, maxWaitMs, signal) => (await loaded).acquire(keys, maxWaitMs, signal),
    learn: (keys, state) => later((limiter) => limiter.learn(keys, state)),
    accept: (keys, sentAt) => later((limiter) => limiter.accept(keys, sentAt)),
    throttled: (keys, retryAfterMs, sentAt) => later((limiter) => limiter.throttled(keys, retryAfterMs, sentAt)),
    close: async () => (await loaded).close?.(),
  };
}
