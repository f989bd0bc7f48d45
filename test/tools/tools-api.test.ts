import { isStructuredToolParams, tool, ToolInputParsingException } from "@langchain/core/tools";
import { ToolSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InvokeProblemTypes, type ToolCallResult, type ToolList } from "../../src/contract/index.js";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * The providers' tool-definition structures, as their API references document them:
 * OpenAI Chat Completions `tools[]` (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools)
 * and Anthropic Messages `tools[]` (https://docs.anthropic.com/en/docs/build-with-claude/tool-use).
 * Both refuse names outside `^[a-zA-Z0-9_-]{1,64}$` and need an object schema for the input.
 * MCP's is the official SDK's own schema.
 */
const ProviderName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/);
const ObjectSchema = z.looseObject({ type: z.literal("object"), properties: z.record(z.string(), z.unknown()).optional() });
const OpenAITool = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({ name: ProviderName, description: z.string().max(1024).optional(), parameters: ObjectSchema.optional(), strict: z.boolean().optional() }),
});
const AnthropicTool = z.strictObject({ name: ProviderName, description: z.string().optional(), input_schema: ObjectSchema });

describe("GET /v1/tools and POST /v1/tools/call on the real server", () => {
  let server: TestServer;
  let upstream: Upstream;
  let appKey: string;
  let otherAppKey: string;

  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, key = server.tenantKey) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/contacts": { body: { data: [{ id: 1, name: "Ada" }] } },
      "POST /api/contacts": (request) => ({ status: 201, body: { id: 9, ...(JSON.parse(request.body.toString()) as object) } }),
      "DELETE /api/contacts/404": { status: 404, body: { message: "no contact 404" } },
    });
    server = await startTestServer();
    const crm = {
      slug: "crm",
      name: "CRM",
      baseUrl: `${upstream.url}/api`,
      authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
      actions: [
        { name: "contacts.list", method: "GET", path: "/contacts", summary: "List contacts", tags: ["contacts"], outputSchema: { type: "object", properties: { data: { type: "array", items: { $ref: "#/$defs/contact" } } }, $defs: { contact: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } } } } },
        {
          name: "contacts.create",
          method: "POST",
          path: "/contacts",
          summary: "Create a contact",
          tags: ["contacts"],
          inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string", "x-waygate-in": "body" }, age: { $ref: "#/$defs/age" } }, $defs: { age: { type: "integer", minimum: 0, "x-waygate-in": "body" } } },
        },
        { name: "contacts.delete", method: "DELETE", path: "/contacts/{id}", tags: ["contacts"], inputSchema: { type: "object", required: ["id"], properties: { id: { type: "integer", "x-waygate-in": "path" } } } },
        { name: "me", method: "GET", path: "/me", tags: ["account"] },
      ],
    };
    expect((await call("POST", "/v1/integrations", crm)).status).toBe(201);
    for (const name of ["web", "worker"]) expect((await call("POST", "/v1/apps", { name })).status).toBe(201);
    appKey = (await call<{ secret: string }>("POST", "/v1/apps/web/keys", { name: "k" })).body.secret;
    otherAppKey = (await call<{ secret: string }>("POST", "/v1/apps/worker/keys", { name: "k" })).body.secret;
    expect((await call("POST", "/v1/connections", { integration: "crm", externalUserId: "user_42", credentials: { type: "apiKey", key: "ada-secret" } }, appKey)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("lists the app's tools in every format, ordered by name, with $refs inlined", async () => {
    const list = await call<ToolList>("GET", "/v1/tools?format=jsonschema", undefined, appKey);
    expect(list.status).toBe(200);
    expect(list.body.tools.map((tool) => tool.name)).toEqual(["crm__contacts_create", "crm__contacts_delete", "crm__contacts_list", "crm__me"]);
    const create = list.body.tools[0]!;
    expect(create.inputSchema).toEqual({ type: "object", required: ["name"], properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } } });
    expect(create.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(JSON.stringify(list.body.tools[2]!.outputSchema)).not.toContain("$ref");

    const openai = await call<ToolList>("GET", "/v1/tools?format=openai", undefined, appKey);
    for (const tool of openai.body.tools) OpenAITool.parse(tool);
    const anthropic = await call<ToolList>("GET", "/v1/tools?format=anthropic", undefined, appKey);
    for (const tool of anthropic.body.tools) AnthropicTool.parse(tool);
    const mcp = await call<ToolList>("GET", "/v1/tools?format=mcp", undefined, appKey);
    for (const tool of mcp.body.tools) ToolSchema.parse(tool);
    expect(mcp.body.tools.find((tool) => tool.name === "crm__contacts_delete")!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
  });

  it("exports LangChain tool params that @langchain/core loads, validates and runs against the upstream", async () => {
    const exported = await call<ToolList>("GET", "/v1/tools?format=langchain&actions=contacts.create", undefined, appKey);
    const params = exported.body.tools[0] as { name: string; description: string; schema: Record<string, unknown> };
    expect(isStructuredToolParams(params)).toBe(true);
    // The loader the README shows: each tool's function posts its arguments to /v1/tools/call.
    const loaded = tool(async (args: unknown) => {
      const result = await call<ToolCallResult>("POST", "/v1/tools/call", { name: params.name, arguments: args, connection: "user_42" }, appKey);
      return result.body.content;
    }, params);
    expect(loaded.name).toBe("crm__contacts_create");
    const answer = (await loaded.invoke({ name: "Lin", age: 5 })) as string;
    expect(JSON.parse(answer)).toEqual({ id: 9, name: "Lin", age: 5 });
    expect(JSON.parse(upstream.hits("POST /api/contacts").at(-1)!.body.toString())).toEqual({ name: "Lin", age: 5 });
    // LangChain checks the arguments against the exported schema before the function runs.
    await expect(loaded.invoke({ age: 5 })).rejects.toBeInstanceOf(ToolInputParsingException);
  });

  it("selects by integration, action glob and tag, and refuses an unknown integration", async () => {
    const byGlob = await call<ToolList>("GET", "/v1/tools?actions=contacts.c*,me", undefined, appKey);
    expect(byGlob.body.tools.map((tool) => tool.name)).toEqual(["crm__contacts_create", "crm__me"]);
    const byTag = await call<ToolList>("GET", "/v1/tools?integrations=crm&tags=account", undefined, appKey);
    expect(byTag.body.tools.map((tool) => tool.name)).toEqual(["crm__me"]);
    const unknown = await call("GET", "/v1/tools?integrations=nope", undefined, appKey);
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.detail)).toContain('"nope"');
    expect((await call("GET", "/v1/tools?format=yaml", undefined, appKey)).status).toBe(400);
  });

  it("calls a tool as the end user: the upstream gets the user's credentials, the model gets the body", async () => {
    const result = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__contacts_create", arguments: { name: "Grace", age: 36 }, connection: "user_42" }, appKey);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ tool: "crm__contacts_create", isError: false, status: 201, structured: { id: 9, name: "Grace", age: 36 }, version: 1, truncated: false });
    expect(JSON.parse(result.body.content)).toEqual({ id: 9, name: "Grace", age: 36 });
    const received = upstream.hits("POST /api/contacts").at(-1)!;
    expect(received.headers["x-api-key"]).toBe("ada-secret");
    expect(JSON.parse(received.body.toString())).toEqual({ name: "Grace", age: 36 });
  });

  it("answers bad arguments with text naming each field, without calling the upstream", async () => {
    const before = upstream.hits("POST /api/contacts").length;
    const result = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__contacts_create", arguments: { age: -1 }, connection: "user_42" }, appKey);
    expect(result.body).toMatchObject({ isError: true, status: 400, errorType: InvokeProblemTypes.invalidInput });
    expect(result.body.content).toMatch(/^Invalid arguments for crm__contacts_create: .*name.*age.*Fix the arguments/);
    const notObject = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__contacts_create", arguments: ["Grace"], connection: "user_42" }, appKey);
    expect(notObject.body).toMatchObject({ isError: true, status: 400 });
    expect(notObject.body.content).toContain("must be a JSON object");
    expect(upstream.hits("POST /api/contacts").length).toBe(before);
  });

  it("tells the model when the user has no connection, and when no tool has the name", async () => {
    const noConnection = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__me", connection: "user_7" }, appKey);
    expect(noConnection.body).toMatchObject({ isError: true, status: 404, errorType: InvokeProblemTypes.connectionNotFound });
    expect(noConnection.body.content).toContain('No usable crm connection for "user_7"');
    expect(noConnection.body.content).toContain("has to connect");
    // The other app has no connection at all: the user's connection of app "web" is not its to use.
    const otherApp = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__me", connection: "user_42" }, otherAppKey);
    expect(otherApp.body).toMatchObject({ isError: true, status: 404 });
    const unknown = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__contacts_merge", arguments: {} }, appKey);
    expect(unknown.body).toMatchObject({ isError: true, status: null });
    expect(unknown.body.content).toContain('no tool named "crm__contacts_merge"');
  });

  it("passes the upstream's error on as text with its status", async () => {
    const result = await call<ToolCallResult>("POST", "/v1/tools/call", { name: "crm__contacts_delete", arguments: { id: 404 }, connection: "user_42" }, appKey);
    expect(result.body).toMatchObject({ isError: true, status: 404, errorType: InvokeProblemTypes.upstreamError });
    expect(result.body.content).toContain("crm answered 404 to DELETE /contacts/{id}");
    expect(result.body.content).toContain("no contact 404");
  });

  it("finds a tool whose name had to cut a long integration slug", async () => {
    const slug = `crm-${"x".repeat(56)}`;
    const created = await call("POST", "/v1/integrations", { slug, name: "Long", baseUrl: `${upstream.url}/api`, actions: [{ name: "contacts.list", method: "GET", path: "/contacts" }] });
    expect(created.status).toBe(201);
    const list = await call<ToolList>("GET", `/v1/tools?integrations=${slug}`, undefined, appKey);
    const name = list.body.tools[0]!.name as string;
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name.startsWith(slug)).toBe(false);
    const result = await call<ToolCallResult>("POST", "/v1/tools/call", { name }, appKey);
    expect(result.body).toMatchObject({ tool: name, isError: false, status: 200, structured: { data: [{ id: 1, name: "Ada" }] } });
  });

  it("refuses a call without a key", async () => {
    const response = await fetch(`${server.url}/v1/tools/call`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "crm__me" }) });
    expect(response.status).toBe(401);
  });
});
