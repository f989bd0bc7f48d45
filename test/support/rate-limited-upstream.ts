import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RateLimitedUpstream {
  url: string;
  /** Requests answered 429. */
  throttled: number;
  /** Times (ms) of the 429 answers. */
  throttledAt: number[];
  /** Requests accepted (not 429) per Idempotency-Key. */
  accepted: Map<string, number>;
  /** Contacts created per Idempotency-Key: a repeated key replays the first answer and creates nothing. */
  created: Map<string, number>;
  /** Requests without an Idempotency-Key. */
  unkeyed: number;
  close(): Promise<void>;
}

/**
 * An API that enforces a fixed-window rate limit (`perSecond` requests per wall-clock
 * second, 429 with `Retry-After: 1` beyond it), deduplicates on `Idempotency-Key`, and
 * refuses contacts whose name starts with "bad" (422). `POST /contacts` answers 201 with
 * the contact after `latencyMs`.
 */
export async function startRateLimitedUpstream(options: { perSecond: number; latencyMs?: number }): Promise<RateLimitedUpstream> {
  let window = 0;
  let inWindow = 0;
  const replies = new Map<string, { status: number; body: string }>();
  const state: Omit<RateLimitedUpstream, "url" | "close"> = { throttled: 0, throttledAt: [], accepted: new Map(), created: new Map(), unkeyed: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const now = Date.now();
      const current = Math.floor(now / 1000);
      if (current !== window) {
        window = current;
        inWindow = 0;
      }
      if (++inWindow > options.perSecond) {
        state.throttled++;
        state.throttledAt.push(now);
        response.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
        response.end(JSON.stringify({ error: "rate limited" }));
        return;
      }
      const key = request.headers["idempotency-key"];
      const reply = () => {
        if (typeof key !== "string") state.unkeyed++;
        else state.accepted.set(key, (state.accepted.get(key) ?? 0) + 1);
        const seen = typeof key === "string" ? replies.get(key) : undefined;
        if (seen) {
          response.writeHead(seen.status, { "content-type": "application/json", "idempotent-replayed": "true" });
          response.end(seen.body);
          return;
        }
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { name?: string };
        const answer = input.name?.startsWith("bad") ? { status: 422, body: JSON.stringify({ error: `name "${input.name}" refused` }) } : { status: 201, body: JSON.stringify({ id: state.created.size + 1, name: input.name }) };
        if (answer.status === 201 && typeof key === "string") state.created.set(key, (state.created.get(key) ?? 0) + 1);
        if (typeof key === "string") replies.set(key, answer);
        response.writeHead(answer.status, { "content-type": "application/json" });
        response.end(answer.body);
      };
      if (options.latencyMs) setTimeout(reply, options.latencyMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The integration the upstream serves: `contacts.create` (POST, name required) and `contacts.get` (GET). */
export function contactsIntegration(baseUrl: string, slug = "crm") {
  return {
    slug,
    name: "CRM",
    baseUrl,
    authSchemes: [],
    actions: [
      {
        name: "contacts.create",
        method: "POST",
        path: "/contacts",
        inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, "x-waygate-in": "body" }, age: { type: "integer", "x-waygate-in": "body" } } },
      },
    ],
  };
}

/**
 * The idempotency keys the upstream has accepted, read once it stopped receiving for half a
 * second: requests a killed process had already written may still be read by the upstream on
 * a loaded machine, and they were sent before the kill.
 */
export async function acceptedOnceSettled(upstream: RateLimitedUpstream): Promise<Set<string>> {
  let last = upstream.accepted.size;
  for (let stableFor = 0; stableFor < 500; stableFor += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (upstream.accepted.size !== last) stableFor = -100;
    last = upstream.accepted.size;
  }
  return new Set(upstream.accepted.keys());
}
