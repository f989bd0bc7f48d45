import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Upstream } from "../../src/gateway/test-upstream.js";
import { BIN, isolatedEnv, runCli } from "../support/cli.js";
import { PinnedRevision, startCrmToolsFixture } from "../support/mcp.js";
import type { TestServer } from "../support/server.js";

/**
 * `waygate mcp` as Claude Desktop or Cursor run it: the built CLI spawned over stdio by the
 * official SDK's client, talking to the real server, which calls a real upstream.
 */
describe("waygate mcp over stdio (the official MCP SDK's client, the built CLI, the real server and upstream)", () => {
  let fixture: Awaited<ReturnType<typeof startCrmToolsFixture>>;
  let server: TestServer;
  let upstream: Upstream;
  let appKey: string;
  const clients: Client[] = [];

  const connect = async (args: string[], revision?: string) => {
    const stdio = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp", ...args],
      env: isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: appKey }) as Record<string, string>,
      stderr: "pipe",
    });
    const transport = revision ? new PinnedRevision(stdio, revision) : stdio;
    const client = new Client({ name: "waygate-test", version: "1.0.0" });
    clients.push(client);
    await client.connect(transport);
    return { client, transport };
  };
  const text = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("");

  beforeAll(async () => {
    fixture = await startCrmToolsFixture();
    ({ server, upstream } = fixture);
    [appKey] = fixture.appKeys as [string];
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it("lists one tool per action with annotations, and calls one with the end user's connection", async () => {
    const { client } = await connect(["--user", "user_42"]);
    expect(client.getServerVersion()?.name).toBe("waygate");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["crm__contacts_create", "crm__contacts_delete", "crm__contacts_list"]);
    expect(tools[1]!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true, readOnlyHint: false });
    expect(tools[2]!.annotations).toMatchObject({ readOnlyHint: true });

    const result = (await client.callTool({ name: "crm__contacts_create", arguments: { name: "Grace", age: 36 } })) as CallToolResult;
    expect(result.isError).toBe(false);
    expect(JSON.parse(text(result))).toEqual({ id: 9, name: "Grace", age: 36 });
    expect(result.structuredContent).toEqual({ id: 9, name: "Grace", age: 36 });
    const received = upstream.hits("POST /api/contacts").at(-1)!;
    expect(received.headers["x-api-key"]).toBe("ada-secret");
  });

  it("answers bad arguments with a tool error naming the fields, and never calls the upstream", async () => {
    const { client } = await connect(["--user", "user_42"]);
    const before = upstream.hits("POST /api/contacts").length;
    const result = (await client.callTool({ name: "crm__contacts_create", arguments: { age: "old" } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Invalid arguments for crm__contacts_create: .*name.*age/);
    expect(upstream.hits("POST /api/contacts").length).toBe(before);
  });

  it("answers a user without a connection with a tool error saying they must connect", async () => {
    const { client } = await connect(["--user", "user_7"]);
    const result = (await client.callTool({ name: "crm__contacts_list", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('No usable crm connection for "user_7"');
    expect(text(result)).toContain("has to connect their crm account");
  });

  it("offers three meta-tools in compact mode: search, describe and call an action", async () => {
    const { client } = await connect(["--user", "user_42", "--compact-threshold", "2"]);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["search_actions", "describe_action", "call_action"]);

    const found = (await client.callTool({ name: "search_actions", arguments: { query: "create contact" } })) as CallToolResult;
    expect(text(found).split("\n")[0]).toBe("crm__contacts_create: Create a contact (POST /contacts)");
    const described = (await client.callTool({ name: "describe_action", arguments: { name: "crm__contacts_create" } })) as CallToolResult;
    expect(described.structuredContent).toMatchObject({ name: "crm__contacts_create", inputSchema: { required: ["name"] } });

    const called = (await client.callTool({ name: "call_action", arguments: { name: "crm__contacts_list", arguments: {} } })) as CallToolResult;
    expect(called.isError).toBe(false);
    expect(JSON.parse(text(called))).toEqual({ data: [{ id: 1, name: "Ada" }] });
    expect(upstream.hits("GET /api/contacts").at(-1)!.headers["x-api-key"]).toBe("ada-secret");

    const bad = (await client.callTool({ name: "call_action", arguments: { name: "crm__contacts_create", arguments: {} } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain("name: is required");
  });

  it("offers each integration's actions, and any tool's descriptor, as resources", async () => {
    const { client } = await connect(["--compact", "on"]);
    const { resources } = await client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: "waygate://integrations/crm", mimeType: "application/json" })]);
    const index = await client.readResource({ uri: "waygate://integrations/crm" });
    expect(JSON.parse((index.contents[0] as { text: string }).text)).toMatchObject({
      integration: "crm",
      version: 1,
      actions: [{ tool: "crm__contacts_create", method: "POST", path: "/contacts", readOnly: false }, { tool: "crm__contacts_delete" }, { tool: "crm__contacts_list", readOnly: true }],
    });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(["waygate://tools/{name}"]);
    const tool = await client.readResource({ uri: "waygate://tools/crm__contacts_create" });
    expect(JSON.parse((tool.contents[0] as { text: string }).text)).toMatchObject({ name: "crm__contacts_create", inputSchema: { required: ["name"] } });
    await expect(client.readResource({ uri: "waygate://tools/crm__nope" })).rejects.toThrow(/no resource waygate:\/\/tools\/crm__nope/);
  });

  it("serves a client on the previous protocol revision (2025-06-18) as well as the current one", async () => {
    expect(LATEST_PROTOCOL_VERSION).toBe("2025-11-25");
    const { client, transport } = await connect(["--user", "user_42"], "2025-06-18");
    expect((transport as PinnedRevision).negotiated).toBe("2025-06-18");
    expect((await client.listTools()).tools).toHaveLength(3);
    const result = (await client.callTool({ name: "crm__contacts_list", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(false);
    const current = await connect(["--user", "user_42"], LATEST_PROTOCOL_VERSION);
    expect((current.transport as PinnedRevision).negotiated).toBe(LATEST_PROTOCOL_VERSION);
  });

  it("exits 0 when the client closes its stdin, writing nothing but protocol to stdout", async () => {
    const result = await runCli(["mcp"], { env: isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: appKey }), stdin: "", timeoutMs: 15_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("waygate MCP server on stdio");
  });

  it("fails to list with a clear error when the key is refused", async () => {
    const stdio = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp"],
      env: isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: "wg_live_not_a_key" }) as Record<string, string>,
      stderr: "pipe",
    });
    const client = new Client({ name: "waygate-test", version: "1.0.0" });
    clients.push(client);
    await client.connect(stdio);
    await expect(client.listTools()).rejects.toThrow(/key|unauthori[sz]ed|401/i);
  });
});
