import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { Agent, request } from "undici";
import type { Dispatcher } from "undici";
import { findNonPublicAddress, publicOnlyLookup } from "./net-guard.js";
import { ImportFailure, fail } from "./problem.js";
import type { ImportLimits } from "./types.js";

export interface Fetched {
  /** Final URL after redirects: relative references resolve against it. */
  url: string;
  bytes: Uint8Array;
  contentType: string | undefined;
}

export interface FetcherOptions {
  limits: ImportLimits;
  allowPrivateNetwork: boolean;
  dispatcher?: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Headers for one origin (authenticated docs): sent with every GET whose URL has exactly
   * that origin (RFC 6454), checked again on each redirect hop, so they never reach
   * another host, not even one the docs host redirects to.
   */
  credentials?: { origin: string; headers: Record<string, string> } | undefined;
}

const ACCEPT = "application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, text/yaml;q=0.9, text/html;q=0.8, */*;q=0.5";

/** All HTTP of one import: address checks, redirects, timeouts and size caps in one place. */
export class Fetcher {
  private readonly options: FetcherOptions;
  private ownAgent: Agent | null = null;
  /** Documents fetched so far; bounded by maxDocuments. */
  count = 0;
  bytes = 0;

  constructor(options: FetcherOptions) {
    this.options = options;
  }

  private dispatcher(): Dispatcher {
    if (this.options.dispatcher) return this.options.dispatcher;
    this.ownAgent ??= new Agent({
      // Checked again at connect time: DNS may answer differently than it did for our check.
      connect: this.options.allowPrivateNetwork ? {} : { lookup: publicOnlyLookup },
      headersTimeout: this.options.limits.requestTimeoutMs,
      bodyTimeout: this.options.limits.requestTimeoutMs,
    });
    return this.ownAgent;
  }

  async close(): Promise<void> {
    const agent = this.ownAgent;
    this.ownAgent = null;
    if (agent) await agent.close();
  }

  /** Refuses URLs the import may not touch; returns the parsed URL. */
  async checkUrl(raw: string, what: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      fail("unsupported_url", `${what} is not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`, { source: raw.slice(0, 200) });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      fail("unsupported_url", `${what} uses ${url.protocol} — only http: and https: URLs are fetched`, { source: url.href });
    }
    if (!this.options.allowPrivateNetwork) {
      let address: string | null;
      try {
        address = await findNonPublicAddress(url);
      } catch (error) {
        fail("fetch_failed", `cannot resolve ${url.hostname} for ${what}: ${(error as Error).message}`, { source: url.href });
      }
      if (address !== null) {
        fail(
          "private_network",
          `${what} ${url.href} resolves to ${address}, a loopback/private/link-local address; pass allowPrivateNetwork to allow it`,
          { source: url.href },
        );
      }
    }
    return url;
  }

  /** GET with manual redirects (each hop re-checked), a timeout per request and a byte cap. */
  async get(raw: string, what: string, accept = ACCEPT): Promise<Fetched> {
    const { limits } = this.options;
    if (this.count >= limits.maxDocuments) {
      fail("document_limit", `more than ${limits.maxDocuments} documents would be loaded (maxDocuments) while fetching ${what}`, { source: raw });
    }
    this.count++;
    let url = await this.checkUrl(raw, what);
    for (let hop = 0; ; hop++) {
      const response = await this.send(url, what, accept);
      if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location !== undefined) {
        await response.body.dump().catch(() => undefined);
        if (hop >= limits.maxRedirects) fail("too_many_redirects", `more than ${limits.maxRedirects} redirects fetching ${what}`, { source: url.href });
        const location = header(response.headers.location);
        let next: string;
        try {
          next = new URL(location ?? "", url).href;
        } catch {
          fail("fetch_failed", `invalid redirect location ${JSON.stringify(location)} fetching ${what}`, { source: url.href });
        }
        url = await this.checkUrl(next, `redirect target of ${what}`);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump().catch(() => undefined);
        failOnStatus(response.statusCode, url, what);
      }
      const bytes = await this.readBody(response, url, what);
      this.bytes += bytes.byteLength;
      return { url: url.href, bytes, contentType: header(response.headers["content-type"]) };
    }
  }

  /**
   * POST JSON to the LLM endpoint, which the operator configured (so no address check). The
   * answer comes back whatever its status: the LLM client tells a bad key from a rate limit.
   */
  async postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    try {
      const response = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: JSON.stringify(body),
        dispatcher: this.options.dispatcher ?? this.llmAgent(),
        signal,
      });
      const bytes = await this.readBody(response, new URL(url), "LLM response");
      return { status: response.statusCode, retryAfter: header(response.headers["retry-after"]), text: new TextDecoder().decode(bytes) };
    } catch (error) {
      throw this.translate(error, url, "LLM request", timeout);
    }
  }

  private llmAgent(): Dispatcher {
    // The LLM may well run on this machine (a local model server): plain agent.
    return (this.llmAgentInstance ??= new Agent({ headersTimeout: this.options.limits.llmTimeoutMs, bodyTimeout: this.options.limits.llmTimeoutMs }));
  }
  private llmAgentInstance: Agent | null = null;

  async closeAll(): Promise<void> {
    await this.close();
    const agent = this.llmAgentInstance;
    this.llmAgentInstance = null;
    if (agent) await agent.close();
  }

  private async send(url: URL, what: string, accept: string): Promise<Dispatcher.ResponseData> {
    const timeout = AbortSignal.timeout(this.options.limits.requestTimeoutMs);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    try {
      return await request(url, {
        method: "GET",
        headers: this.headersFor(url, accept),
        dispatcher: this.dispatcher(),
        signal,
        headersTimeout: this.options.limits.requestTimeoutMs,
        bodyTimeout: this.options.limits.requestTimeoutMs,
      });
    } catch (error) {
      throw this.translate(error, url.href, what, timeout);
    }
  }

  private headersFor(url: URL, accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept, "user-agent": "waygate-importer" };
    const credentials = this.options.credentials;
    if (credentials && url.origin === credentials.origin) {
      for (const [name, value] of Object.entries(credentials.headers)) headers[name.toLowerCase()] = value;
    }
    // We decode what comes back ourselves, under the byte cap: always ask for identity.
    headers["accept-encoding"] = "identity";
    return headers;
  }

  private async readBody(response: Dispatcher.ResponseData, url: URL, what: string): Promise<Uint8Array> {
    const max = this.options.limits.maxDocumentBytes;
    const declared = Number(header(response.headers["content-length"]));
    if (Number.isFinite(declared) && declared > max) {
      response.body.destroy();
      fail("too_large", `${what} is ${declared} bytes, over the ${max}-byte limit (maxDocumentBytes)`, { source: url.href });
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        total += buffer.byteLength;
        if (total > max) {
          response.body.destroy();
          fail("too_large", `${what} is over the ${max}-byte limit (maxDocumentBytes)`, { source: url.href });
        }
        chunks.push(buffer);
      }
    } catch (error) {
      throw this.translate(error, url.href, what, null);
    }
    const raw = Buffer.concat(chunks, total);
    return decodeContent(raw, header(response.headers["content-encoding"]), max, url.href, what);
  }

  private translate(error: unknown, source: string, what: string, timeout: AbortSignal | null): ImportFailure | unknown {
    if (error instanceof ImportFailure) return error;
    if (this.options.signal?.aborted) return new ImportFailure({ code: "aborted", message: `import aborted while fetching ${what}`, location: { source } });
    const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = err.code ?? err.cause?.code;
    if (code === "EWAYGATE_PRIVATE_ADDRESS") {
      return new ImportFailure({ code: "private_network", message: `${what}: ${err.cause?.message ?? err.message}`, location: { source } });
    }
    if (timeout?.aborted || /Timeout/.test(err.name ?? "") || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
      return new ImportFailure({ code: "timeout", message: `fetching ${what} timed out after ${this.options.limits.requestTimeoutMs} ms (requestTimeoutMs)`, location: { source } });
    }
    if (error instanceof Error) {
      return new ImportFailure({ code: "fetch_failed", message: `fetching ${what} failed: ${err.message ?? String(error)}${err.cause?.message ? ` (${err.cause.message})` : ""}`, location: { source } });
    }
    return error;
  }
}

/**
 * A 4xx answer is about the request (RFC 9110 §15.5): asking again gets the same answer, so
 * it is `fetch_refused`, which the import job does not retry. 408 and 429 say "later" and
 * stay `fetch_failed` (retried), as do 5xx.
 */
function failOnStatus(status: number, url: URL, what: string): never {
  const source = { source: url.href };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    const hint =
      status === 401 || status === 403
        ? '; docs behind authentication need --header "Authorization: …" (the API\'s source.headers)'
        : status === 404 || status === 410
          ? "; check the URL"
          : "";
    fail("fetch_refused", `fetching ${what} failed: HTTP ${status} (not retried)${hint}`, source);
  }
  fail("fetch_failed", `fetching ${what} failed: HTTP ${status}`, source);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** We ask for identity; a server that compresses anyway is decoded with the same byte cap (no decompression bombs). */
function decodeContent(raw: Buffer, encoding: string | undefined, max: number, source: string, what: string): Uint8Array {
  const kind = (encoding ?? "identity").trim().toLowerCase();
  if (kind === "identity" || kind === "") return raw;
  try {
    if (kind === "gzip" || kind === "x-gzip") return gunzipSync(raw, { maxOutputLength: max });
    if (kind === "deflate") return inflateSync(raw, { maxOutputLength: max });
    if (kind === "br") return brotliDecompressSync(raw, { maxOutputLength: max });
  } catch (error) {
    if (error instanceof RangeError) fail("too_large", `${what} decompresses past the ${max}-byte limit (maxDocumentBytes)`, { source });
    fail("fetch_failed", `cannot decode ${kind} content of ${what}: ${(error as Error).message}`, { source });
  }
  fail("fetch_failed", `unsupported content-encoding ${JSON.stringify(kind)} for ${what}`, { source });
}
