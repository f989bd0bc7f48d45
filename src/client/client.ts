import type { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { ProblemSchema, type Problem, type RouteOutput, type RouteRequest, type RouteSpec } from "../contract/index.js";
import { ApiError, NetworkError, UnexpectedResponseError } from "./errors.js";

export interface ClientOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  dispatcher?: Dispatcher | undefined;
  userAgent?: string;
  /** Per-request timeout for headers and body, in ms. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Typed client for the Waygate API. Requests are built from the contract's route table
 * and responses are parsed with its schemas, so a wire-format drift fails loudly here
 * instead of surfacing as undefined fields later.
 */
export class WaygateClient {
  readonly baseUrl: string;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Calls a route and parses its answer with the contract: the value, or ApiError for an error status. */
  async call<R extends RouteSpec>(route: R, input: RouteRequest<R> = {}): Promise<RouteOutput<R>> {
    return this.parse(route, await this.send(route, input));
  }

  /**
   * Sends a document as the raw, streamed body of a route that takes one (`rawBody`:
   * `uploadImport`) and parses the answer with the contract, as call() does. call() sends
   * JSON only, which would hold the document as an escaped string on both sides.
   *
   * @example
   * await client.upload(routes.uploadImport, { query: { slug: "github" } }, { body: createReadStream(file), length: size, contentType: "application/json" });
   */
  async upload<R extends RouteSpec>(route: R, input: Omit<RouteRequest<R>, "body">, document: UploadDocument): Promise<RouteOutput<R>> {
    return this.parse(route, await this.send(route, input, { document }));
  }

  /** The route's value from its answer, checked against the contract; ApiError for an error status. */
  private parse<R extends RouteSpec>(route: R, answer: RawAnswer): RouteOutput<R> {
    if (answer.status >= 400) throw new ApiError(answer.status, toProblem(answer.status, answer.text()));
    if (route.response === null || answer.status === 204) return undefined as RouteOutput<R>;
    let json: unknown;
    try {
      json = JSON.parse(answer.text());
    } catch {
      throw new UnexpectedResponseError(`${route.operationId}: the server at ${this.baseUrl} did not answer with JSON (status ${answer.status})`);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UnexpectedResponseError(
        `${route.operationId}: the server's response does not match this client's contract` +
          (issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : "") +
          "; are the CLI and server versions compatible?",
      );
    }
    return parsed.data as RouteOutput<R>;
  }

  /**
   * Sends a route's request (path, query, declared headers, body) and hands back the answer
   * as it came: status, headers and body bytes, whatever the status. For routes whose answer
   * is not a contract shape (the gateway's: the upstream's own status and body).
   */
  async send<R extends RouteSpec>(route: R, input: RouteRequest<R> = {}, options: { signal?: AbortSignal; document?: UploadDocument } = {}): Promise<RawAnswer> {
    const url = new URL(this.baseUrl + expandPath(route.path, (input.params ?? {}) as Record<string, unknown>));
    for (const [name, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json, application/problem+json, */*;q=0.5",
      "user-agent": this.options.userAgent ?? "waygate-client",
    };
    for (const [name, value] of Object.entries((input.headers ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) headers[name] = String(value);
    }
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let body: string | Readable | undefined;
    if (input.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(input.body);
    } else if (options.document) {
      headers["content-type"] = options.document.contentType;
      headers["content-length"] = String(options.document.length);
      body = options.document.body;
    }

    let response: Dispatcher.ResponseData;
    let bytes: Buffer;
    try {
      const timeout = this.options.timeoutMs ?? 30_000;
      response = await request(url, {
        method: route.method.toUpperCase() as Dispatcher.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // An upload's answer comes once the whole document is up: its wait starts with the upload.
        headersTimeout: options.document ? Math.max(timeout, UPLOAD_ANSWER_TIMEOUT_MS) : timeout,
        bodyTimeout: timeout,
      });
      bytes = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      throw toNetworkError(error, this.baseUrl);
    }
    const answered = response.headers;
    return {
      status: response.statusCode,
      header: (name) => {
        const value = answered[name.toLowerCase()];
        return Array.isArray(value) ? value.join(", ") : value;
      },
      headerValues: (name) => {
        const value = answered[name.toLowerCase()];
        return Array.isArray(value) ? value : value === undefined ? [] : [value];
      },
      bytes,
      text: () => bytes.toString("utf8"),
    };
  }
}

/** A document sent as a request body, streamed (a file): `length` bytes of `contentType`. */
export interface UploadDocument {
  body: Readable;
  length: number;
  contentType: string;
}

/** How long an upload may take before its answer starts: 10 minutes (64 MiB at ~110 kB/s). */
const UPLOAD_ANSWER_TIMEOUT_MS = 10 * 60_000;

/** An answer as it came off the wire. */
export interface RawAnswer {
  status: number;
  /** One header; repeated fields joined with ", ". */
  header(name: string): string | undefined;
  /** Every value of a repeated header, in order. */
  headerValues(name: string): string[];
  bytes: Buffer;
  text(): string;
}

function expandPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** Any error body becomes a problem: non-JSON answers (a proxy's HTML page) keep their status and a snippet. */
function toProblem(status: number, text: string): Problem {
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: fall through
  }
  return {
    type: "about:blank",
    title: `HTTP ${status}`,
    status,
    ...(text.trim() ? { detail: text.trim().slice(0, 300) } : {}),
  };
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no response in time",
  UND_ERR_BODY_TIMEOUT: "response stalled",
  UND_ERR_SOCKET: "connection closed unexpectedly",
};

function toNetworkError(error: unknown, baseUrl: string): Error {
  const code = findCode(error);
  // Without a system or undici error code this is not a transport failure but a bug: keep it as it is.
  if (code === undefined) return error instanceof Error ? error : new Error(String(error));
  const reason = NETWORK_REASONS[code] ?? (error instanceof Error && error.message ? error.message : code);
  return new NetworkError(`cannot reach the Waygate API at ${baseUrl}: ${reason}`, code, { cause: error });
}

function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    // AggregateError (IPv4 + IPv6 attempts) carries the codes on its members.
    const inner = (current as { errors?: unknown[] }).errors?.[0];
    current = inner ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}
