import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SdkManifestSchema, type IntentResult } from "../../src/contract/index.js";
import { loadGeneratedClient } from "../codegen/support/load-client.js";
import {
  discordIntegration,
  SEND_MESSAGE_MAPPINGS,
  slackIntegration,
  startDiscordLike,
  startSlackLike,
  startTeamsLike,
  teamsIntegration,
  type MessagingUpstream,
} from "../support/messaging-upstreams.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { storeBackends } from "../support/stores.js";

/**
 * Intents end to end: the real server on a loopback port, and three messaging APIs of
 * different shapes (Slack-like, Teams-like, Discord-like) started here. One canonical
 * `send_message` call reaches each provider by the end user's connection, by preference and
 * by explicit choice, mapped to that provider's shape and mapped back.
 */
describe.each(storeBackends)("intents (server on %s)", (backend) => {
  let server: TestServer;
  let slack: MessagingUpstream;
  let teams: MessagingUpstream;
  let discord: MessagingUpstream;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    // A header given as "" is left out: `{ "x-waygate-app": "" }` acts as the tenant itself.
    const all = Object.entries({ authorization: `Bearer ${server.tenantKey}`, "x-waygate-app": "web", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }).filter(([, value]) => value !== "");
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: Object.fromEntries(all),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const send = async (body: Record<string, unknown>, headers?: Record<string, string>) => api("POST", "/v1/intents/send_message/invoke", body, headers);
  const last = (upstream: MessagingUpstream) => upstream.received[upstream.received.length - 1];

  beforeAll(async () => {
    [slack, teams, discord] = await Promise.all([startSlackLike(), startTeamsLike(), startDiscordLike()]);
    server = await startTestServer(backend);
    for (const definition of [slackIntegration(slack.url), teamsIntegration(teams.url), discordIntegration(discord.url)]) {
      expect((await api("POST", "/v1/integrations", definition)).status).toBe(201);
    }
    expect((await api("POST", "/v1/apps", { name: "web" })).status).toBe(201);
    const connect = async (user: string, integration: string) => {
      const created = await api("POST", "/v1/connections", { integration, app: "web", externalUserId: user, credentials: { type: "bearer", token: `${user}-${integration}` } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    };
    await connect("ann", "slack");
    await connect("bob", "teams");
    await connect("cat", "discord");
    await connect("dan", "slack");
    await connect("dan", "discord");
    for (const provider of ["slack", "teams", "discord"]) await connect("eve", provider);

    expect((await api("POST", "/v1/intents", { name: "send_message", template: "messages" })).status).toBe(201);
    const actions = { slack: "chat.postMessage", teams: "chats.sendMessage", discord: "messages.create" } as const;
    for (const provider of ["slack", "teams", "discord"] as const) {
      const bound = await api("PUT", `/v1/intents/send_message/bindings/${provider}`, { action: actions[provider], mapping: SEND_MESSAGE_MAPPINGS[provider] });
      expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all([slack?.close(), teams?.close(), discord?.close()]);
  });

  it("sends the same call to the provider each end user connected, mapped to its shape and back", async () => {
    const ann = await send({ input: { to: "C1", text: "hello" }, user: "ann" });
    expect(ann.status, JSON.stringify(ann.body)).toBe(200);
    expect(ann.body).toMatchObject({ provider: "slack", action: "chat.postMessage", selectedBy: "connection", output: { id: "1700000000.000100" }, unsupported: [], raw: { ok: true, ts: "1700000000.000100" } });
    expect(last(slack)).toMatchObject({ method: "POST", path: "/api/chat.postMessage", authorization: "Bearer ann-slack", body: { channel: "C1", text: "hello" } });

    const bob = await send({ input: { to: "19:chat", text: "hello" }, user: "bob" });
    expect(bob.body).toMatchObject({ provider: "teams", action: "chats.sendMessage", output: { id: "teams-msg-1", url: "https://teams.example.com/m/1" } });
    expect(last(teams)).toMatchObject({ path: "/chats/19%3Achat/messages", authorization: "Bearer bob-teams", body: { body: { contentType: "text", content: "hello" } } });

    const cat = await send({ input: { to: "555", text: "hello" }, user: "cat" });
    expect(cat.body).toMatchObject({ provider: "discord", output: { id: "discord-msg-1" } });
    expect(last(discord)).toMatchObject({ path: "/channels/555/messages", authorization: "Bearer cat-discord", body: { content: "hello" } });
  });

  it("picks by the tenant's preference, then the app's, among the user's connected providers", async () => {
    const before = await send({ input: { to: "C1", text: "x" }, user: "dan" });
    expect(before.body).toMatchObject({ provider: "discord", selectedBy: "connection" }); // no preference: by name

    // The tenant's preference (set without X-Waygate-App) applies to every app without one of its own…
    expect((await api("PUT", "/v1/intents/send_message/preference", { providers: ["slack", "discord"] }, { "x-waygate-app": "" })).status).toBe(200);
    const bySlack = await send({ input: { to: "C1", text: "x" }, user: "dan" });
    expect(bySlack.body).toMatchObject({ provider: "slack", selectedBy: "preference" });
    expect((await api("GET", "/v1/intents/send_message")).body).toMatchObject({ preference: ["slack", "discord"] });
    // …and an app's own preference comes first.
    expect((await api("PUT", "/v1/intents/send_message/preference", { providers: ["discord"] })).status).toBe(200);
    const byDiscord = await send({ input: { to: "C1", text: "x" }, user: "dan" });
    expect(byDiscord.body).toMatchObject({ provider: "discord", selectedBy: "preference" });
  });

  it("runs the provider the caller names, whatever the preference", async () => {
    const result = await send({ input: { to: "19:chat", text: "x" }, user: "eve", provider: "teams" });
    expect(result.body).toMatchObject({ provider: "teams", selectedBy: "explicit" });
    const unbound = await send({ input: { to: "1", text: "x" }, user: "eve", provider: "github" });
    expect(unbound.status).toBe(404);
    expect(unbound.body["detail"]).toContain("bound: discord, slack, teams");
  });

  it("lists the canonical fields a provider cannot honour instead of dropping them silently", async () => {
    const teamsReply = await send({ input: { to: "19:chat", text: "re", threadId: "t1" }, user: "bob" });
    expect(teamsReply.body).toMatchObject({ provider: "teams", unsupported: ["/threadId"] });
    expect(last(teams)?.body).toEqual({ body: { contentType: "text", content: "re" } });
    const slackReply = await send({ input: { to: "C1", text: "re", threadId: "t1" }, user: "ann" });
    expect(slackReply.body).toMatchObject({ provider: "slack", unsupported: [] });
    expect(last(slack)?.body).toMatchObject({ thread_ts: "t1" });
  });

  it("passes provider-specific extras through, checked against that provider's schema", async () => {
    const ok = await send({ input: { to: "C1", text: "x" }, user: "ann", extras: { slack: { unfurl_links: false } } });
    expect(ok.status).toBe(200);
    expect(last(slack)?.body).toMatchObject({ unfurl_links: false });
    const sent = slack.received.length;
    const wrong = await send({ input: { to: "C1", text: "x" }, user: "ann", extras: { slack: { unfurl_links: "no" } } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body["errors"])).toContain("unfurl_links");
    expect(slack.received.length).toBe(sent);
  });

  it("refuses a call the canonical schema refuses, and a user with no connected provider", async () => {
    const missing = await send({ input: { to: "C1" }, user: "ann" });
    expect(missing.status).toBe(400);
    expect(missing.body["detail"]).toContain("text");
    const nobody = await send({ input: { to: "C1", text: "x" }, user: "zed" });
    expect(nobody.status).toBe(400);
    expect(nobody.body["detail"]).toContain('end user "zed" has no connection to any provider of intent "send_message" (discord, slack, teams)');
  });

  it("falls back on a 5xx for a read, but not for a write without an idempotency key", async () => {
    await api("POST", "/v1/intents", { name: "get_channel", inputSchema: { type: "object", required: ["channel"], properties: { channel: { type: "string" } } }, outputSchema: { type: "object", required: ["name"], properties: { name: { type: "string" } } } });
    expect((await api("PUT", "/v1/intents/get_channel/bindings/slack", { action: "conversations.info", mapping: { input: [{ op: "move", from: "/channel", to: "/channel" }], output: [{ op: "move", from: "/channel/name", to: "/name" }] } })).status).toBe(200);
    expect((await api("PUT", "/v1/intents/get_channel/bindings/discord", { action: "channels.get", mapping: { input: [{ op: "move", from: "/channel", to: "/channel_id" }], output: [{ op: "move", from: "/name", to: "/name" }] } })).status).toBe(200);
    await api("PUT", "/v1/intents/get_channel/preference", { providers: ["slack", "discord"] });
    await api("PUT", "/v1/intents/send_message/preference", { providers: ["slack", "discord"] });
    slack.failWith = 503;
    try {
      const read = await api("POST", "/v1/intents/get_channel/invoke", { input: { channel: "C1" }, user: "dan", fallback: true, retries: 0 });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body).toMatchObject({ provider: "discord", selectedBy: "fallback", output: { name: "general" }, fallbacks: [{ provider: "slack", status: 503 }] });

      const discordBefore = discord.received.length;
      const write = await send({ input: { to: "C1", text: "once" }, user: "dan", fallback: true, retries: 0 });
      expect(write.status).toBe(503);
      expect(discord.received.length).toBe(discordBefore);

      const keyed = await send({ input: { to: "C1", text: "once" }, user: "dan", fallback: true, retries: 0 }, { "idempotency-key": "msg-1" });
      expect(keyed.body).toMatchObject({ provider: "discord", selectedBy: "fallback" });
    } finally {
      slack.failWith = null;
    }
  });

  it("refuses at definition time a binding that cannot fill a required field, naming it", async () => {
    const noContent = await api("PUT", "/v1/intents/send_message/bindings/teams", {
      action: "chats.sendMessage",
      mapping: { input: [{ op: "move", from: "/to", to: "/chatId" }, { op: "move", from: "/text", to: "/body/contentType" }], output: [{ op: "move", from: "/id", to: "/id" }] },
    });
    expect(noContent.status).toBe(400);
    expect(noContent.body["detail"]).toContain("requires /body/content");

    const fromOptional = await api("PUT", "/v1/intents/send_message/bindings/discord", {
      action: "messages.create",
      mapping: { input: [{ op: "move", from: "/to", to: "/channel_id" }, { op: "move", from: "/threadId", to: "/content" }], output: [{ op: "move", from: "/id", to: "/id" }] },
    });
    expect(fromOptional.status).toBe(400);
    expect(fromOptional.body["detail"]).toContain("/content, which is filled only from an optional field");

    const typo = await api("PUT", "/v1/intents/send_message/bindings/slack", {
      action: "chat.postMessage",
      mapping: { input: [{ op: "move", from: "/to", to: "/channel" }, { op: "move", from: "/txt", to: "/text" }], output: [] },
    });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body["errors"])).toContain('\\"/txt\\" is not a field of the canonical input of send_message');
    expect(JSON.stringify(typo.body["errors"])).toContain("requires /id"); // nothing fills the canonical output's id

    // The refused bindings left the working ones as they were.
    expect((await send({ input: { to: "19:chat", text: "still" }, user: "bob" })).body).toMatchObject({ provider: "teams" });
  });

  it("appears as one AI tool that runs on the user's provider", async () => {
    const listed = await api("GET", "/v1/tools?format=jsonschema");
    const tools = listed.body["tools"] as { name: string; description: string }[];
    const tool = tools.find((candidate) => candidate.name === "intent_send_message");
    expect(tool?.description).toContain("discord, slack, teams");
    const called = await api("POST", "/v1/tools/call", { name: "intent_send_message", arguments: { to: "19:chat", text: "from a model", threadId: "t" }, connection: "bob" });
    expect(called.body).toMatchObject({ isError: false, structured: { provider: "teams", unsupported: ["/threadId"] } });
    expect(called.body["content"]).toContain("teams could not honour: /threadId");
    // replace: each intent's one tool instead of its providers' actions (every action here is bound to send_message or get_channel).
    const replaced = ((await api("GET", "/v1/tools?intents=replace")).body["tools"] as { name: string }[]).map((candidate) => candidate.name);
    expect(replaced).toEqual(["intent_get_channel", "intent_send_message"]);
    expect(tools.map((candidate) => candidate.name)).toEqual(expect.arrayContaining(["slack__chat_postMessage", "teams__chats_sendMessage", "discord__messages_create", "intent_send_message"]));
    const excluded = ((await api("GET", "/v1/tools?intents=exclude")).body["tools"] as { name: string }[]).map((candidate) => candidate.name);
    expect(excluded.filter((name) => name.startsWith("intent_"))).toEqual([]);
    expect(last(teams)?.body).toEqual({ body: { contentType: "text", content: "from a model" } });
  });

  it("runs through the generated client: wg.intents.sendMessage(input, { user, provider })", async () => {
    const manifest = SdkManifestSchema.parse((await api("GET", "/v1/sdk/manifest")).body);
    expect(manifest.intents?.find((intent) => intent.name === "send_message")).toMatchObject({ version: 1, providers: ["discord", "slack", "teams"] });
    const { module } = await loadGeneratedClient(manifest);
    const wg = module.createWaygate({ apiKey: server.tenantKey, baseUrl: server.url, app: "web" }) as { intents: Record<string, (input: unknown, options?: unknown) => Promise<IntentResult>> };
    const viaUser = await wg.intents["sendMessage"]!({ to: "C9", text: "typed" }, { user: "ann" });
    expect(viaUser).toMatchObject({ provider: "slack", output: { id: "1700000000.000100" }, unsupported: [] });
    expect(last(slack)?.body).toMatchObject({ channel: "C9", text: "typed" });
    const named = await wg.intents["sendMessage"]!({ to: "C9", text: "typed", threadId: "t" }, { user: "eve", provider: "teams" });
    expect(named).toMatchObject({ provider: "teams", selectedBy: "explicit", unsupported: ["/threadId"] });
  }, 60_000);

  it("versions intents immutably, classifies breaking changes, and runs an app's pinned version", async () => {
    const template = (await api("GET", "/v1/intents/templates")).body["data"] as { template: string; inputSchema: { properties: Record<string, unknown>; required: string[] } }[];
    const messages = template.find((entry) => entry.template === "messages")!;
    const v2Input = { ...messages.inputSchema, required: [...messages.inputSchema.required, "priority"], properties: { ...messages.inputSchema.properties, priority: { type: "string" } } };
    const refused = await api("POST", "/v1/intents", { name: "send_message", template: "messages", inputSchema: v2Input, failOnBreaking: true });
    expect(refused.status).toBe(409);
    expect(refused.body["detail"]).toContain("priority");

    const v2 = await api("POST", "/v1/intents", { name: "send_message", template: "messages", inputSchema: v2Input });
    expect(v2.body).toMatchObject({ version: 2, created: true, bindings: [] });
    expect((v2.body["changes"] as { severity: string }[]).some((change) => change.severity === "breaking")).toBe(true);
    const diff = await api("GET", "/v1/intents/send_message/diff?from=1&to=2");
    expect(diff.body).toMatchObject({ breaking: true });

    // Version 2 is what unpinned apps run: it wants a priority, and has no bindings yet.
    expect((await send({ input: { to: "C1", text: "x" }, user: "ann" })).status).toBe(400);
    const unbound = await send({ input: { to: "C1", text: "x", priority: "high" }, user: "ann" });
    expect(unbound.status).toBe(404);
    expect(unbound.body["detail"]).toContain("version 2 has no provider bound");
    // The app pinned to version 1 keeps working as before.
    expect((await api("PUT", "/v1/apps/web/intent-pins/send_message", { version: 1 })).status).toBe(200);
    const pinned = await send({ input: { to: "C1", text: "x" }, user: "ann" });
    expect(pinned.body as unknown as IntentResult).toMatchObject({ version: 1, provider: "slack" });
  });
});
