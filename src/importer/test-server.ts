/** Test support: a loopback HTTP server serving fixtures and canned responses. Not used by the importer itself. */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/importer/", import.meta.url));

export interface Reply {
  status?: number;
  body?: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export type Handler = (request: IncomingMessage, body: string) => Reply | Promise<Reply>;

export interface TestServer {
  url: string;
  /** Paths requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { json: "application/json", yaml: "application/yaml", yml: "application/yaml", html: "text/html; charset=utf-8" };

/**
 * Serves `routes` (exact path → reply or handler) and, for other paths, files under
 * fixtures/importer (`/specs/x.json` → fixtures/importer/x.json, `/html/x.html` → fixtures/importer/html/x.html).
 */
export async function startServer(routes: Record<string, Reply | Handler> = {}): Promise<TestServer> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const path = (request.url ?? "/").split("?")[0]!;
        hits.push(path);
        const route = routes[path];
        let reply: Reply;
        if (typeof route === "function") reply = await route(request, Buffer.concat(chunks).toString("utf8"));
        else if (route) reply = route;
        else reply = await fixtureReply(path);
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (response.destroyed) return;
        response.writeHead(reply.status ?? 200, { ...(reply.type ? { "content-type": reply.type } : {}), ...reply.headers });
        response.end(reply.body ?? "");
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function fixtureReply(path: string): Promise<Reply> {
  const relative = path.startsWith("/specs/") ? path.slice("/specs/".length) : path.startsWith("/html/") ? "html/" + path.slice("/html/".length) : null;
  if (relative === null || relative.includes("..")) return { status: 404, body: "not found" };
  try {
    const body = await readFile(FIXTURES + relative);
    return { body, type: TYPES[relative.split(".").pop() ?? ""] ?? "application/octet-stream" };
  } catch {
    return { status: 404, body: "not found" };
  }
}

export async function fixture(name: string): Promise<string> {
  return readFile(FIXTURES + name, "utf8");
}
