import type { AuthScheme } from "../contract/integrations.js";
import { applyAuth } from "./auth.js";
import type { AuthPlan } from "./auth.js";
import { decodeBody } from "./response.js";
import { credentialsFromTokenResponse, isExpired, refreshGrant, tokenEndpoint } from "./oauth.js";
import type { OAuthRefresher, Refresh, TokenResponse } from "./oauth.js";
import { aborted, oauthRefreshFailed, upstreamResponseTooLarge, upstreamTimeout, upstreamUnreachable } from "./problems.js";
import type { GatewayError } from "./problems.js";
import { parseRateLimitHeaders } from "./rate-limit-headers.js";
import type { Limiter, RateLimitKeys } from "./rate-limit.js";
import type { PreparedRequest } from "./request.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry.js";
import { TransportFailure } from "./transport.js";
import type { RawResponse, Transport } from "./transport.js";
import type { Connection, Credentials, GatewayDeps, OAuth2Credentials } from "./types.js";

export interface ExchangeOptions {
  request: PreparedRequest;
  plan: AuthPlan;
  connection: Connection | null;
  schemes: readonly AuthScheme[];
  keys: RateLimitKeys;
  retrySafe: boolean;
  maxAttempts: number;
  timeoutMs: number;
  maxRateLimitWaitMs: number;
  signal: AbortSignal | undefined;
}

export interface ExchangeDeps {
  transport: Transport;
  limiter: Limiter;
  refresher: OAuthRefresher;
  refreshOAuth: GatewayDeps["refreshOAuth"];
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

/**
 * One logical request: waits for rate-limit budget, authenticates (refreshing an OAuth
 * token that is expired, or that the upstream answered 401 to — once), sends, and retries
 * network failures, 408, 429 and 5xx when the request is retry-safe. A Retry-After
 * (RFC 9110 §10.2.3) on a 429 or 503 becomes the learned budget, so the wait before the
 * retry (and before other invokes on the same connection) is the rate limiter's.
 * Resolves with the last response, whatever its status.
 */
export async function exchange(deps: ExchangeDeps, options: ExchangeOptions): Promise<{ response: RawResponse; attempts: number; credentials: Credentials | null }> {
  const { connection, keys, signal } = options;
  const refresh = connection ? refreshFor(deps, connection, options.schemes) : undefined;
  let credentials: Credentials | null = connection ? deps.refresher.current(connection) : null;
  if (connection && credentials?.type === "oauth2" && refresh && isExpired(credentials, deps.clock())) {
    credentials = await deps.refresher.refreshFrom(connection, credentials, refresh);
  }
  let refreshedAfter401 = false;
  let failures = 0;
  let sends = 0;
  for (;;) {
    await deps.limiter.acquire(keys, options.maxRateLimitWaitMs, signal);
    const outgoing = applyAuth(options.request, options.plan, credentials);
    sends++;
    const sentAt = deps.clock();
    let response: RawResponse;
    try {
      response = await deps.transport.send(outgoing, options.timeoutMs, signal);
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      failures++;
      const transient = error.kind === "timeout" || error.kind === "unreachable";
      if (transient && options.retrySafe && failures < options.maxAttempts) {
        await deps.sleep(backoffDelay(failures, deps.random), signal);
        continue;
      }
      throw failureProblem(error);
    }
    const now = deps.clock();
    deps.limiter.learn(keys, parseRateLimitHeaders(response.headers, now));
    const throttled = response.status === 429 || response.status === 503;
    const retryAfter = isRetryableStatus(response.status) ? parseRetryAfter(response.headers["retry-after"], now) : null;
    // Retry-After on a 429 or 503 becomes the learned budget: this retry and every other
    // invoke on the connection wait it out in the limiter, and are then paced.
    if (throttled && retryAfter !== null) deps.limiter.throttled(keys, retryAfter, sentAt);
    else if (response.status < 400) deps.limiter.accept(keys, sentAt);

    // RFC 6750 §3.1: 401 invalid_token — the token may have been revoked or expired early.
    if (response.status === 401 && connection && credentials?.type === "oauth2" && refresh && !refreshedAfter401) {
      refreshedAfter401 = true;
      credentials = await deps.refresher.refreshFrom(connection, credentials, refresh);
      continue;
    }
    if (isRetryableStatus(response.status)) {
      failures++;
      if (options.retrySafe && failures < options.maxAttempts && (retryAfter ?? 0) <= options.maxRateLimitWaitMs) {
        if (retryAfter === null) await deps.sleep(backoffDelay(failures, deps.random), signal);
        else if (!throttled) await deps.sleep(retryAfter, signal);
        continue;
      }
    }
    return { response, attempts: sends, credentials };
  }
}

export function failureProblem(failure: TransportFailure): GatewayError {
  switch (failure.kind) {
    case "timeout":
      return upstreamTimeout(failure.detail, failure);
    case "too-large":
      return upstreamResponseTooLarge(failure.detail);
    case "aborted":
      return aborted();
    case "refused-address":
    case "unreachable":
      return upstreamUnreachable(failure.detail, failure);
  }
}

/** deps.refreshOAuth when given; else the gateway's own refresh_token grant when the connection can do one. */
function refreshFor(deps: ExchangeDeps, connection: Connection, schemes: readonly AuthScheme[]): Refresh | undefined {
  if (connection.credentials.type !== "oauth2") return undefined;
  const atTokenEndpoint = (stale: Connection) => refreshAtTokenEndpoint(deps, stale.credentials as OAuth2Credentials, schemes);
  const custom = deps.refreshOAuth;
  if (custom) {
    return (stale) => custom(stale, { refreshAtTokenEndpoint: (from) => refreshAtTokenEndpoint(deps, from ?? (stale.credentials as OAuth2Credentials), schemes) });
  }
  if (!connection.credentials.refreshToken) return undefined;
  return atTokenEndpoint;
}

/** RFC 6749 §6 against the token endpoint, through the same transport (and private-network guard) as every upstream call. */
async function refreshAtTokenEndpoint(deps: ExchangeDeps, credentials: OAuth2Credentials, schemes: readonly AuthScheme[]): Promise<OAuth2Credentials> {
  const endpoint = tokenEndpoint(credentials, schemes);
  if (!endpoint || !URL.canParse(endpoint)) throw oauthRefreshFailed("no token endpoint is known for this connection");
  const grant = refreshGrant(credentials);
  let response: RawResponse;
  try {
    response = await deps.transport.send(
      { method: "POST", url: new URL(endpoint), headers: grant.headers, cookies: [], body: { kind: "bytes", contentType: "application/x-www-form-urlencoded", data: grant.body } },
      30_000,
    );
  } catch (error) {
    // Whatever failed (refused address, timeout, connection reset), the caller learns no more than that.
    throw oauthRefreshFailed("the token endpoint could not be reached; the connection may need to be authorised again", error);
  }
  const decoded = decodeBody(response.body, response.headers["content-type"] ?? "application/json");
  const body = typeof decoded.body === "object" && decoded.body !== null ? (decoded.body as TokenResponse) : {};
  return credentialsFromTokenResponse(credentials, response.status, body, deps.clock());
}
