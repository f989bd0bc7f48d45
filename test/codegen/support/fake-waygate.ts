/**
 * A small fake Waygate: a real node:http server on 127.0.0.1 that speaks the invoke
 * protocol (client-protocol.md, src/contract/invoke.ts) the way the server does, records
 * every request, and answers each call through a handler the test sets per route.
 *
 * What it does without being told: checks the bearer key (401 `unauthorized`), keeps a
 * well-formed `x-request-id` or makes one, says which integration version ran
 * (`x-waygate-version-executed`), flags a mismatch with the expected version
 * (`x-waygate-version-mismatch`) or, under the strict policy, refuses it (409
 * `version-mismatch`), and marks every error with `x-waygate-error-source`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeProblemTypes, InvokeRequestHeaders, InvokeResponseHeaders, REQUEST_ID_PATTERN } from "../../../src/contract/invoke.js";

export interface Received {
  method: string;
  /** `/v1/invoke/slack/chat.postMessage` */
  url: string;
  /** `invoke` or `proxy`; `other` for any other path. */
  route: "invoke" | "proxy" | "other";
  integration: string;
  /** The action (invoke) or "" (proxy). */
  action: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  /** JSON unless a string (sent as text/plain unless `headers` says otherwise) or bytes. */
  body?: unknown;
  /** Milliseconds to wait before answering. */
  delay?: number;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
}

export type Handler = (request: Received, index: number) => Answer | Promise<Answer>;

export interface FakeWaygate {
  readonly url: string;
  readonly key: string;
  /** Every request received since the last `reset`. */
  readonly received: Received[];
  /** The integration version that runs, per slug (default: the version the caller expects). */
  readonly deployed: Map<string, number>;
  /** Answers calls of `integration`/`action` (`"*"` for any); `index` counts that route's calls from 0. */
  on(integration: string, action: string, handler: Handler): void;
  /** Answers raw calls to `/v1/proxy/{integration}`. */
  onProxy(integration: string, handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

/** An error from the upstream API, as Waygate passes it on (problem `upstream-error`). */
export function upstreamError(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { "x-waygate-error-source": "upstream", ...headers },
    body: { type: InvokeProblemTypes.upstreamError, title: "The upstream API answered with an error", status, upstream: { status, headers, body } },
  };
}

/** One of Waygate's own refusals. */
export function waygateProblem(type: string, status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "x-waygate-error-source": "waygate", ...headers }, body: { type, title: detail, status, detail, ...extra } };
}

export async function startFakeWaygate(key = "wg_test_key"): Promise<FakeWaygate> {
  const received: Received[] = [];
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const deployed = new Map<string, number>();
  let made = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const url = req.url ?? "";
        const invoke = /^\/v1\/invoke\/([^/]+)\/([^/?]+)$/.exec(url);
        const proxy = /^\/v1\/proxy\/([^/?]+)$/.exec(url);
        const request: Received = {
          method: req.method ?? "",
          url,
          route: invoke ? "invoke" : proxy ? "proxy" : "other",
          integration: decodeURIComponent(invoke?.[1] ?? proxy?.[1] ?? ""),
          action: decodeURIComponent(invoke?.[2] ?? ""),
          headers: req.headers,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          at: Date.now(),
        };
        received.push(request);
        const given = req.headers[InvokeRequestHeaders.requestId];
        const requestId = typeof given === "string" && REQUEST_ID_PATTERN.test(given) ? given : `req_fake_${++made}`;
        const headers: Record<string, string | string[]> = { [InvokeResponseHeaders.requestId]: requestId };
        const refuse = (answer: Answer): void => send(res, answer, headers);
        if (req.headers.authorization !== `Bearer ${key}`) return refuse(waygateProblem("https://waygate.dev/problems/unauthorized", 401, "Unknown API key"));
        if (request.route === "other") return refuse(waygateProblem("https://waygate.dev/problems/not-found", 404, `No route ${url}`));
        if (request.route === "invoke") {
          const expected = Number(req.headers[InvokeRequestHeaders.expectedVersion] ?? NaN);
          const running = deployed.get(request.integration) ?? (Number.isInteger(expected) ? expected : 1);
          if (Number.isInteger(expected) && expected !== running) {
            if (req.headers[InvokeRequestHeaders.versionPolicy] === "strict") {
              return refuse(waygateProblem(InvokeProblemTypes.versionMismatch, 409, `Version ${running} of ${request.integration} runs, not ${expected}`));
            }
            headers[InvokeResponseHeaders.versionMismatch] = String(expected);
          }
          headers[InvokeResponseHeaders.versionExecuted] = String(running);
        }
        const route = request.route === "invoke" ? `${request.integration}/${request.action}` : `proxy ${request.integration}`;
        const fallback: Handler = () => ({ body: {} });
        const handler = handlers.get(route) ?? handlers.get(request.route === "invoke" ? `${request.integration}/*` : "") ?? fallback;
        const index = counts.get(route) ?? 0;
        counts.set(route, index + 1);
        const answer = await handler(request, index);
        if (answer.hangUp) return void req.socket.destroy();
        const reply = (): void => send(res, answer, headers);
        if (answer.delay) setTimeout(reply, answer.delay);
        else reply();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    received,
    deployed,
    on: (integration, action, handler) => void handlers.set(`${integration}/${action}`, handler),
    onProxy: (integration, handler) => void handlers.set(`proxy ${integration}`, handler),
    reset() {
      received.length = 0;
      handlers.clear();
      counts.clear();
      deployed.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, answer: Answer, protocolHeaders: Record<string, string | string[]>): void {
  if (res.destroyed) return;
  const status = answer.status ?? 200;
  const body = answer.body;
  const bytes = body === undefined ? undefined : body instanceof Uint8Array ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const contentType =
    body === undefined ? undefined : body instanceof Uint8Array ? "application/octet-stream" : typeof body === "string" ? "text/plain; charset=utf-8" : status >= 400 ? "application/problem+json" : "application/json";
  res.writeHead(status, { ...(contentType ? { "content-type": contentType } : {}), ...protocolHeaders, ...answer.headers });
  res.end(bytes);
}
