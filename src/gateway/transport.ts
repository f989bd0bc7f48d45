import { Agent, errors as undiciErrors } from "undici";
import { isIP } from "node:net";
import { bareHostname, guardedLookup, mayReach, type NetworkReach } from "../importer/net-guard.js";
import { VERSION } from "../version.js";
import type { RequestBody } from "./body.js";
import type { HttpMethod } from "../contract/integrations.js";

export interface OutgoingRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  cookies: [string, string][];
  body: RequestBody | null;
}

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
  body: Buffer;
  url: URL;
}

export type FailureKind = "timeout" | "unreachable" | "aborted" | "too-large" | "refused-address";

/** A request that got no usable response. `detail` names the origin and the cause, never the full URL (it may carry an API key). */
export class TransportFailure extends Error {
  override readonly name = "TransportFailure";
  constructor(
    readonly kind: FailureKind,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

export interface TransportOptions {
  /** Addresses upstream requests may go to. */
  reach: NetworkReach;
  maxResponseBytes: number;
}

const USER_AGENT = `waygate-gateway/${VERSION}`;

/**
 * Sends requests with one undici Agent, which keeps a keep-alive Pool per upstream
 * origin. Unless private networks are allowed, every address a host resolves to must be
 * within reach (public, or public and loopback), checked at connect time, so that DNS
 * rebinding cannot slip past.
 * Redirects are not followed: a 3xx goes back to the caller as it came.
 */
export class Transport {
  private readonly agent: Agent;

  constructor(private readonly options: TransportOptions) {
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connections: 64,
      connect: { timeout: 10_000, ...(options.reach === "private" ? {} : { lookup: guardedLookup(options.reach) }) },
    });
  }

  async send(request: OutgoingRequest, timeoutMs: number, signal?: AbortSignal): Promise<RawResponse> {
    const origin = request.url.origin;
    if (signal?.aborted) throw new TransportFailure("aborted", "the caller aborted the request");
    if (this.options.reach !== "private") refuseLiteralOutside(request.url, this.options.reach);
    // One controller, one timer and one listener: AbortSignal.any over AbortSignal.timeout
    // costs about 11 µs a call, more than the rest of this method.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", forward, { once: true });
    try {
      const response = await this.agent.request({
        origin,
        path: request.url.pathname + request.url.search,
        method: request.method,
        headers: outgoingHeaders(request),
        body: bodyOf(request.body),
        signal: controller.signal,
        // Backstops only: undici's own timers are coarse (about 1 s), the deadline signal is exact.
        headersTimeout: timeoutMs + 1_000,
        bodyTimeout: timeoutMs + 1_000,
      });
      const body = await readLimited(response.body, this.options.maxResponseBytes);
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body, url: request.url };
    } catch (error) {
      if (error instanceof TransportFailure) throw error;
      if (signal?.aborted) throw new TransportFailure("aborted", "the caller aborted the request", { cause: error });
      if (timedOut || isTimeout(error)) throw new TransportFailure("timeout", `${origin} did not answer within ${timeoutMs} ms`, { cause: error });
      const code = (error as { code?: unknown }).code;
      // Which address a name resolved to stays unsaid: the answer would map the private network's DNS for the caller.
      if (code === "EWAYGATE_PRIVATE_ADDRESS") throw new TransportFailure("refused-address", `${request.url.hostname} resolves to a non-public address`, { cause: error });
      throw new TransportFailure("unreachable", `${origin} could not be reached${typeof code === "string" ? ` (${code})` : ""}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * An IP-literal host is checked here: sockets skip DNS for those, so the connect-time
 * lookup guard never sees them. Host names are checked by that guard on every new
 * connection (a kept-alive one was checked when it opened), which spares each call a
 * DNS lookup of its own and still holds against rebinding.
 */
function refuseLiteralOutside(url: URL, reach: NetworkReach): void {
  const host = bareHostname(url);
  if (isIP(host) && !mayReach(host, reach)) throw new TransportFailure("refused-address", `${url.hostname} is the non-public address ${host}`);
}

function outgoingHeaders(request: OutgoingRequest): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "application/json, */*;q=0.8", ...request.headers };
  if (request.cookies.length > 0) headers["cookie"] = request.cookies.map(([name, value]) => `${name}=${value}`).join("; ");
  if (request.body) headers["content-type"] = request.body.contentType;
  return headers;
}

function bodyOf(body: RequestBody | null): string | Uint8Array | null {
  return body ? body.data : null;
}

function isTimeout(error: unknown): boolean {
  return error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError;
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new TransportFailure("too-large", `the upstream response body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
