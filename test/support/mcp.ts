import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { startTestServer, type TestServer } from "./server.js";

/** A client-side transport that asks for another protocol revision than the SDK's newest, and records the answer. */
export class PinnedRevision implements Transport {
  negotiated: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  constructor(
    private readonly inner: Transport,
    private readonly revision: string,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message) => {
      const result = (message as { result?: { protocolVersion?: string } }).result;
      if (result?.protocolVersion) this.negotiated = result.protocolVersion;
      this.onmessage?.(message);
    };
  }
  /** The HTTP transport sends the negotiated revision as MCP-Protocol-Version on later requests. */
  setProtocolVersion(version: string) {
    this.inner.setProtocolVersion?.(version);
  }
  start() {
    return this.inner.start();
  }
  close() {
    return this.inner.close();
  }
  send(message: JSONRPCMessage) {
    const request = message as { method?: string; params?: { protocolVersion?: string } };
    if (request.method === "initialize" && request.params) request.params.protocolVersion = this.revision;
    return this.inner.send(message);
  }
}


/**
 * What the MCP tests serve: the real server, a CRM upstream (`GET`/`POST /api/contacts`, `DELETE
 * /api/contacts/{id}`), its integration (three actions, API key auth), the apps named (default
 * "assistant"), a key for each, and user_42's connection made with the first app's key.
 */
export async function startCrmToolsFixture(apps: string[] = ["assistant"]): Promise<{ server: TestServer; upstream: Upstream; appKeys: string[]; close(): Promise<void> }> {
  const upstream = await startUpstream({
    "GET /api/contacts": { body: { data: [{ id: 1, name: "Ada" }] } },
    "POST /api/contacts": (request) => ({ status: 201, body: { id: 9, ...(JSON.parse(request.body.toString()) as object) } }),
  });
  const server = await startTestServer();
  const post = async (path: string, body: unknown, key = server.tenantKey) => {
    const response = await fetch(server.url + path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.status, path).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
  await post("/v1/integrations", {
    slug: "crm",
    name: "CRM",
    baseUrl: `${upstream.url}/api`,
    authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
    actions: [
      { name: "contacts.list", method: "GET", path: "/contacts", summary: "List contacts" },
      {
        name: "contacts.create",
        method: "POST",
        path: "/contacts",
        summary: "Create a contact",
        inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string", "x-waygate-in": "body" }, age: { type: "integer", minimum: 0, "x-waygate-in": "body" } } },
      },
      { name: "contacts.delete", method: "DELETE", path: "/contacts/{id}", summary: "Delete a contact", inputSchema: { type: "object", required: ["id"], properties: { id: { type: "integer", "x-waygate-in": "path" } } } },
    ],
  });
  const appKeys: string[] = [];
  for (const name of apps) {
    await post("/v1/apps", { name });
    appKeys.push((await post(`/v1/apps/${name}/keys`, { name: "mcp" })).secret as string);
  }
  await post("/v1/connections", { integration: "crm", externalUserId: "user_42", credentials: { type: "apiKey", key: "ada-secret" } }, appKeys[0]);
  return {
    server,
    upstream,
    appKeys,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}
