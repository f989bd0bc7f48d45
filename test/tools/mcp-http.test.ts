import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Upstream } from "../../src/gateway/test-upstream.js";
import { PinnedRevision, startCrmToolsFixture } from "../support/mcp.js";
import type { TestServer } from "../support/server.js";

/** Remote MCP at /v1/mcp: the official SDK's Streamable HTTP client against the real server and a real upstream. */
describe("remote MCP at /v1/mcp (the official MCP SDK's HTTP client, the real server and upstream)", () => {
  let fixture: Awaited<ReturnType<typeof startCrmToolsFixture>>;
  let server: TestServer;
  let upstream: Upstream;
  let appKey: string;
  let otherAppKey: string;
  const clients: Client[] = [];

  const connect = async (key: string, headers: Record<string, string> = {}, revision?: string) => {
    const http = new StreamableHTTPClientTransport(new URL(`${server.url}/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } });
    const transport = revision ? new PinnedRevision(http, revision) : http;
    const client = new Client({ name: "waygate-test", version: "1.0.0" });
    clients.push(client);
    await client.connect(transport);
    return { client, transport };
  };
  const text = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  const post = async (path: string, body: unknown, key = server.tenantKey) => {
    const response = await fetch(server.url + path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.status, path).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    fixture = await startCrmToolsFixture(["assistant", "worker"]);
    ({ server, upstream } = fixture);
    [appKey, otherAppKey] = fixture.appKeys as [string, string];
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it("lists the tools and calls one with the end user's connection named by X-Waygate-User", async () => {
    const { client } = await connect(appKey, { "x-waygate-user": "user_42" });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["crm__contacts_create", "crm__contacts_delete", "crm__contacts_list"]);
    const result = (await client.callTool({ name: "crm__contacts_create", arguments: { name: "Grace" } })) as CallToolResult;
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toEqual({ id: 9, name: "Grace" });
    expect(upstream.hits("POST /api/contacts").at(-1)!.headers["x-api-key"]).toBe("ada-secret");
  });

  it("answers bad arguments and a user without a connection with tool errors a model can act on", async () => {
    const { client } = await connect(appKey, { "x-waygate-user": "user_42" });
    const bad = (await client.callTool({ name: "crm__contacts_create", arguments: { name: 7 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain("Invalid arguments for crm__contacts_create: name:");
    const stranger = await connect(appKey, { "x-waygate-user": "user_7" });
    const missing = (await stranger.client.callTool({ name: "crm__contacts_list", arguments: {} })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('No usable crm connection for "user_7"');
  });

  it("keeps another app's key to its own app: the user's connection is not its to use, whatever header it sends", async () => {
    const { client } = await connect(otherAppKey, { "x-waygate-user": "user_42", "x-waygate-app": "assistant" });
    const before = upstream.hits("GET /api/contacts").length;
    const result = (await client.callTool({ name: "crm__contacts_list", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("No usable crm connection");
    expect(upstream.hits("GET /api/contacts").length).toBe(before);
  });

  it("goes compact above 40 tools", async () => {
    const actions = Array.from({ length: 45 }, (_, index) => ({ name: `items.get${index}`, method: "GET", path: `/items/${index}`, summary: `Get item ${index}` }));
    await post("/v1/integrations", { slug: "bulk", name: "Bulk", baseUrl: `${upstream.url}/bulk`, actions });
    const { client } = await connect(appKey);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["search_actions", "describe_action", "call_action"]);
    const found = (await client.callTool({ name: "search_actions", arguments: { query: "list contacts" } })) as CallToolResult;
    expect(text(found).split("\n")[0]).toBe("crm__contacts_list: List contacts (GET /contacts)");
  });

  it("speaks the previous protocol revision to a client that asks for it", async () => {
    const { client, transport } = await connect(appKey, { "x-waygate-user": "user_42" }, "2025-06-18");
    expect((transport as PinnedRevision).negotiated).toBe("2025-06-18");
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const current = await connect(appKey, {}, LATEST_PROTOCOL_VERSION);
    expect((current.transport as PinnedRevision).negotiated).toBe(LATEST_PROTOCOL_VERSION);
  });

  it("refuses a request without a key, pointing at the RFC 9728 metadata, which names the resource", async () => {
    const response = await fetch(`${server.url}/v1/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(response.headers.get("www-authenticate") ?? "")?.[1];
    expect(metadataUrl).toBe(`${server.url}/.well-known/oauth-protected-resource/v1/mcp`);
    const metadata = await fetch(metadataUrl!);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({ resource: `${server.url}/v1/mcp`, resource_name: "Waygate", bearer_methods_supported: ["header"] });
    await expect(connect("wg_app_not_a_key")).rejects.toThrow();
  });

  it("refuses a browser page from another origin (DNS rebinding) and answers GET with 405", async () => {
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "page", version: "1" } } };
    const headers = { authorization: `Bearer ${appKey}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
    const evil = await fetch(`${server.url}/v1/mcp`, { method: "POST", headers: { ...headers, origin: "https://evil.example" }, body: JSON.stringify(init) });
    expect(evil.status).toBe(403);
    const same = await fetch(`${server.url}/v1/mcp`, { method: "POST", headers: { ...headers, origin: server.url }, body: JSON.stringify(init) });
    expect(same.status).toBe(200);
    expect(((await same.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect((await fetch(`${server.url}/v1/mcp`, { headers: { authorization: `Bearer ${appKey}` } })).status).toBe(405);
  });
});
