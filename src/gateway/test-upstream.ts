/** Test support: a loopback upstream API that records what it received. Not used by the gateway itself. */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinition, IntegrationDefinition } from "../contract/integrations.js";

export interface Received {
  method: string;
  path: string;
  /** Everything after `?`, exactly as sent. */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  cookies: Record<string, string>;
  body: Buffer;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string or Buffer. */
  body?: unknown;
  delayMs?: number;
  /** Drop the connection without answering. */
  hangUp?: boolean;
}

/** `hit` counts this route's requests, from 1. */
export type Handler = (request: Received, hit: number) => Reply | Promise<Reply>;

export interface Upstream {
  /** http://127.0.0.1:<port> */
  url: string;
  received: Received[];
  /** Requests to one "METHOD /path". */
  hits(route: string): Received[];
  /** Replaces the route's handler and restarts its hit count. */
  route(route: string, handler: Handler | Reply): void;
  close(): Promise<void>;
}

/** Routes are keyed "METHOD /path" (query ignored); anything else answers 404. */
export async function startUpstream(routes: Record<string, Handler | Reply> = {}): Promise<Upstream> {
  const table = new Map(Object.entries(routes));
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const [path = "/", rawQuery = ""] = (request.url ?? "/").split(/\?(.*)/s);
        const entry: Received = {
          method: request.method ?? "GET",
          path,
          rawQuery,
          query: new URLSearchParams(rawQuery),
          headers: request.headers,
          cookies: parseCookies(request.headers.cookie),
          body: Buffer.concat(chunks),
        };
        received.push(entry);
        const key = `${entry.method} ${path}`;
        const hit = (counts.get(key) ?? 0) + 1;
        counts.set(key, hit);
        const route = table.get(key);
        const reply: Reply = typeof route === "function" ? await route(entry, hit) : (route ?? { status: 404, body: { message: "no such route" } });
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (response.destroyed) return;
        if (reply.hangUp) {
          request.socket.destroy();
          return;
        }
        const raw = typeof reply.body === "string" || Buffer.isBuffer(reply.body);
        const headers = { ...(reply.body !== undefined && !raw ? { "content-type": "application/json" } : {}), ...reply.headers };
        response.writeHead(reply.status ?? 200, headers);
        response.end(reply.body === undefined ? "" : raw ? (reply.body as string | Buffer) : JSON.stringify(reply.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    hits: (route) => received.filter((entry) => `${entry.method} ${entry.path}` === route),
    route: (route, handler) => {
      table.set(route, handler);
      counts.delete(route);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const index = pair.indexOf("=");
    if (index > 0) cookies[pair.slice(0, index).trim()] = pair.slice(index + 1).trim();
  }
  return cookies;
}

/** The acme fixture, parsed by the contract (defaults filled in), with its baseUrl pointed at `upstreamUrl`. */
export function acmeIntegration(upstreamUrl: string): IntegrationDefinition {
  return loadDefinition("acme.definition.json", upstreamUrl + "/api");
}

/** Real importer output for a few GitHub actions, pointed at `upstreamUrl`. */
export function githubIntegration(upstreamUrl: string): IntegrationDefinition {
  return loadDefinition("github-actions.json", upstreamUrl);
}

function loadDefinition(file: string, baseUrl: string): IntegrationDefinition {
  const raw = JSON.parse(readFileSync(new URL(`../../fixtures/gateway/${file}`, import.meta.url), "utf8")) as Record<string, unknown>;
  return IntegrationDefinitionSchema.parse({ name: raw["slug"], ...raw, baseUrl });
}

export function actionOf(definition: IntegrationDefinition, name: string): ActionDefinition {
  const action = definition.actions.find((candidate) => candidate.name === name);
  if (!action) throw new Error(`no action ${name}`);
  return action;
}

/** A fake clock whose sleep advances it, so retry and rate-limit waits take no real time and are recorded. */
export function fakeTime(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: () => now,
    advance: (ms: number) => void (now += ms),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}
