import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a fake received. */
export interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A messaging API fake on a loopback port: answers by route, records every request, and
 * answers `failWith` (a status) to every request while it is set.
 */
export interface MessagingUpstream {
  url: string;
  received: Received[];
  failWith: number | null;
  close(): Promise<void>;
}

type Route = (request: Received) => { status: number; body: unknown } | undefined;

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function startFake(route: Route): Promise<MessagingUpstream> {
  const fake: Omit<MessagingUpstream, "url" | "close"> = { received: [], failWith: null };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const received: Received = { method: request.method ?? "GET", path: request.url ?? "/", authorization: request.headers.authorization, body: await readBody(request) };
      fake.received.push(received);
      const answer = fake.failWith !== null ? { status: fake.failWith, body: { error: "temporarily_unavailable" } } : (route(received) ?? { status: 404, body: { error: "no_route" } });
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Slack-like: RPC-style methods, `channel` + `text` + `thread_ts`, answers `{ ok, ts }`. */
export function startSlackLike(): Promise<MessagingUpstream> {
  return startFake((request) => {
    if (request.method === "POST" && request.path === "/api/chat.postMessage") {
      const body = request.body as { channel: string; text: string };
      return { status: 200, body: { ok: true, channel: body.channel, ts: "1700000000.000100", message: { text: body.text } } };
    }
    if (request.method === "GET" && request.path.startsWith("/api/conversations.info")) return { status: 200, body: { ok: true, channel: { id: "C1", name: "general" } } };
    return undefined;
  });
}

/** Teams-like: REST resource per chat, the text nested as `body.content`, no threads; answers `{ id, webUrl }`. */
export function startTeamsLike(): Promise<MessagingUpstream> {
  return startFake((request) => {
    const match = /^\/chats\/([^/]+)\/messages$/.exec(request.path);
    if (request.method === "POST" && match) return { status: 201, body: { id: "teams-msg-1", chatId: decodeURIComponent(match[1]!), webUrl: "https://teams.example.com/m/1" } };
    return undefined;
  });
}

/** Discord-like: `content`, replies by `message_reference`; answers `{ id, channel_id }`. */
export function startDiscordLike(): Promise<MessagingUpstream> {
  return startFake((request) => {
    const post = /^\/channels\/([^/]+)\/messages$/.exec(request.path);
    if (request.method === "POST" && post) return { status: 200, body: { id: "discord-msg-1", channel_id: decodeURIComponent(post[1]!) } };
    const get = /^\/channels\/([^/]+)$/.exec(request.path);
    if (request.method === "GET" && get) return { status: 200, body: { id: decodeURIComponent(get[1]!), name: "general", type: 0 } };
    return undefined;
  });
}

const text = { type: "string" } as const;

export function slackIntegration(baseUrl: string) {
  return {
    slug: "slack",
    name: "Slack",
    baseUrl,
    authSchemes: [{ type: "bearer" }],
    actions: [
      {
        name: "chat.postMessage",
        method: "POST",
        path: "/api/chat.postMessage",
        inputSchema: { type: "object", required: ["channel", "text"], properties: { channel: text, text, thread_ts: text, unfurl_links: { type: "boolean" } } },
        outputSchema: { type: "object", properties: { ok: { type: "boolean" }, channel: text, ts: text } },
      },
      {
        name: "conversations.info",
        method: "GET",
        path: "/api/conversations.info",
        inputSchema: { type: "object", required: ["channel"], properties: { channel: { type: "string", "x-waygate-in": "query" } } },
        outputSchema: { type: "object", properties: { ok: { type: "boolean" }, channel: { type: "object", properties: { id: text, name: text } } } },
      },
    ],
  };
}

export function teamsIntegration(baseUrl: string) {
  return {
    slug: "teams",
    name: "Teams",
    baseUrl,
    authSchemes: [{ type: "bearer" }],
    actions: [
      {
        name: "chats.sendMessage",
        method: "POST",
        path: "/chats/{chatId}/messages",
        inputSchema: {
          type: "object",
          required: ["chatId", "body"],
          properties: {
            chatId: { type: "string", "x-waygate-in": "path" },
            body: { type: "object", required: ["content"], properties: { contentType: { type: "string", enum: ["text", "html"] }, content: text } },
          },
        },
        outputSchema: { type: "object", properties: { id: text, webUrl: text } },
      },
    ],
  };
}

export function discordIntegration(baseUrl: string) {
  return {
    slug: "discord",
    name: "Discord",
    baseUrl,
    authSchemes: [{ type: "bearer" }],
    actions: [
      {
        name: "messages.create",
        method: "POST",
        path: "/channels/{channel_id}/messages",
        inputSchema: {
          type: "object",
          required: ["channel_id", "content"],
          properties: {
            channel_id: { type: "string", "x-waygate-in": "path" },
            content: { type: "string", maxLength: 2000 },
            tts: { type: "boolean" },
            message_reference: { type: "object", properties: { message_id: text } },
          },
        },
        outputSchema: { type: "object", properties: { id: text, channel_id: text } },
      },
      {
        name: "channels.get",
        method: "GET",
        path: "/channels/{channel_id}",
        inputSchema: { type: "object", required: ["channel_id"], properties: { channel_id: { type: "string", "x-waygate-in": "path" } } },
        outputSchema: { type: "object", properties: { id: text, name: text } },
      },
    ],
  };
}

/** Mappings of the `messages` template's send_message to each fake. */
export const SEND_MESSAGE_MAPPINGS = {
  slack: {
    input: [
      { op: "move", from: "/to", to: "/channel" },
      { op: "move", from: "/text", to: "/text" },
      { op: "move", from: "/threadId", to: "/thread_ts" },
    ],
    output: [{ op: "move", from: "/ts", to: "/id" }],
  },
  teams: {
    input: [
      { op: "move", from: "/to", to: "/chatId" },
      { op: "constant", to: "/body/contentType", value: "text" },
      { op: "move", from: "/text", to: "/body/content" },
      { op: "drop", path: "/threadId" },
    ],
    output: [
      { op: "move", from: "/id", to: "/id" },
      { op: "move", from: "/webUrl", to: "/url" },
    ],
  },
  discord: {
    input: [
      { op: "move", from: "/to", to: "/channel_id" },
      { op: "move", from: "/text", to: "/content" },
      { op: "move", from: "/threadId", to: "/message_reference/message_id" },
    ],
    output: [{ op: "move", from: "/id", to: "/id" }],
  },
} as const;
