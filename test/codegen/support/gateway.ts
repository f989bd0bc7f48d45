/**
 * A stand-in for the Waygate gateway: a real node:http server on 127.0.0.1 whose
 * answers each test scripts, recording every request it receives.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless a string. */
  body?: unknown;
  /** Milliseconds to wait before answering. */
  delay?: number;
}

export interface FakeGateway {
  readonly url: string;
  readonly requests: Recorded[];
  /** Answers the next requests in order; the last answer repeats. */
  reply(...replies: (Reply | ((request: Recorded) => Reply))[]): void;
  close(): Promise<void>;
}

export async function startGateway(): Promise<FakeGateway> {
  const requests: Recorded[] = [];
  let script: (Reply | ((request: Recorded) => Reply))[] = [{ body: {} }];
  let served = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, at: Date.now() };
      requests.push(recorded);
      const step = script[Math.min(served++, script.length - 1)] ?? { body: {} };
      const reply = typeof step === "function" ? step(recorded) : step;
      const send = (): void => {
        if (res.destroyed) return;
        const isText = typeof reply.body === "string";
        res.writeHead(reply.status ?? 200, {
          "content-type": reply.status && reply.status >= 400 ? "application/problem+json" : isText ? "text/plain" : "application/json",
          ...reply.headers,
        });
        res.end(reply.body === undefined ? "" : isText ? (reply.body as string) : JSON.stringify(reply.body));
      };
      if (reply.delay) setTimeout(send, reply.delay);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(...replies) {
      script = replies;
      served = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
