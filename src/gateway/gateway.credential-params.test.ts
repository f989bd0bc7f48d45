import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionDefinition, IntegrationDefinition } from "../contract/integrations.js";
import { importDocument } from "../importer/index.js";
import type { ImportOutcome } from "../importer/index.js";
import { fixture } from "../importer/test-server.js";
import { Gateway } from "./gateway.js";
import { startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";

/**
 * Slack declares its token twice: an OAuth 2 scheme and a required `token` parameter (in the
 * header, the query or the form body). The action must not ask for it; the gateway sends the
 * connection's token as the scheme says (Authorization: Bearer, which Slack accepts for every method).
 */

let upstream: Upstream;
let gateway: Gateway;
let imported: Extract<ImportOutcome, { kind: "imported" }>;
let definition: IntegrationDefinition;

beforeAll(async () => {
  upstream = await startUpstream({
    "POST /api/chat.postMessage": { body: { ok: true } },
    "POST /api/conversations.create": { body: { ok: true } },
    "GET /api/conversations.list": { body: { ok: true, channels: [] } },
  });
  gateway = new Gateway({ upstreams: "loopback" });
  const outcome = await importDocument({ kind: "content", content: await fixture("shapes/slack-style.json"), filename: "slack-style.json" }, { serverUrl: upstream.url + "/api" });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  imported = outcome;
  definition = outcome.definition;
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function byPath(path: string): ActionDefinition {
  const found = definition.actions.find((action) => action.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found;
}

const inputs = (action: ActionDefinition) => Object.keys(action.inputSchema["properties"] as object).sort();

async function invoke(action: ActionDefinition, input: Record<string, unknown>) {
  return gateway.invoke({
    integration: { slug: definition.slug, version: 1, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes },
    action,
    input,
    connection: { id: "c1", credentials: { type: "oauth2", accessToken: "xoxb-secret" } },
    options: {},
  });
}

describe("a credential declared as a parameter", () => {
  it("is not an input of any action, wherever the document put it (header, query, form body)", () => {
    expect(definition.authSchemes.map((scheme) => scheme.type)).toEqual(["oauth2"]);
    expect(inputs(byPath("/chat.postMessage"))).toEqual(["blocks", "channel", "text"]);
    expect(byPath("/chat.postMessage").inputSchema["required"]).toEqual(["channel"]);
    expect(inputs(byPath("/conversations.list"))).toEqual(["cursor", "limit"]);
    expect(inputs(byPath("/conversations.create"))).toEqual(["is_private", "name"]);
    expect(byPath("/auth.test").inputSchema["required"]).toBeUndefined();
    expect(imported.warnings.filter((warning) => warning.code === "credential_parameter").map((warning) => warning.message)).toEqual([
      'header parameter "token" on 2 operation(s) is the credential of the declared security scheme: not an input; the connection supplies it',
      'query parameter "token" on 1 operation(s) is the credential of the declared security scheme: not an input; the connection supplies it',
      'form field "token" on 1 operation(s) is the credential of the declared security scheme: not an input; the connection supplies it',
    ]);
  });

  it("is sent from the connection: a form POST and a query GET reach the upstream with the bearer token and no token field", async () => {
    await invoke(byPath("/chat.postMessage"), { channel: "C123", text: "hello" });
    const [posted] = upstream.hits("POST /api/chat.postMessage");
    expect(posted?.headers["authorization"]).toBe("Bearer xoxb-secret");
    expect(posted?.headers["token"]).toBeUndefined();
    expect(posted?.body.toString()).toBe("channel=C123&text=hello");

    await invoke(byPath("/conversations.create"), { name: "general-2" });
    const [created] = upstream.hits("POST /api/conversations.create");
    expect(created?.headers["authorization"]).toBe("Bearer xoxb-secret");
    expect(created?.body.toString()).toBe("name=general-2");

    await invoke(byPath("/conversations.list"), { limit: 2 });
    const [listed] = upstream.hits("GET /api/conversations.list");
    expect(listed?.rawQuery).toBe("limit=2");
    expect(listed?.headers["authorization"]).toBe("Bearer xoxb-secret");
  });

  it("keeps a token parameter that is not the credential (one operation, described as something else)", async () => {
    const spec = {
      openapi: "3.0.3",
      info: { title: "Accounts", version: "1" },
      servers: [{ url: "https://accounts.example.com" }],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" }, key: { type: "apiKey", in: "header", name: "X-Api-Key" } } },
      security: [{ bearer: [] }],
      paths: {
        "/users": { get: { operationId: "listUsers", parameters: [{ in: "header", name: "x-api-key", schema: { type: "string" } }], responses: { "200": { description: "ok" } } } },
        "/users/{id}": { get: { operationId: "getUser", parameters: [{ in: "path", name: "id", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } },
        "/teams": { get: { operationId: "listTeams", responses: { "200": { description: "ok" } } } },
        "/verify": { post: { operationId: "verifyEmail", parameters: [{ in: "query", name: "token", required: true, description: "The code from the confirmation e-mail.", schema: { type: "string" } }], responses: { "204": { description: "verified" } } } },
      },
    };
    const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec) });
    if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
    const action = (name: string) => outcome.definition.actions.find((candidate) => candidate.name === name)!;
    expect(Object.keys(action("verifyEmail").inputSchema["properties"] as object)).toEqual(["token"]);
    // The apiKey scheme's own header (names compared case-insensitively) is the credential.
    expect(Object.keys(action("listUsers").inputSchema["properties"] as object)).toEqual([]);
  });
});
