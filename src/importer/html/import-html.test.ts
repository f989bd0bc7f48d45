import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../../contract/integrations.js";
import { importDocument, llmConfigFromEnv } from "../index.js";
import type { ImportOutcome } from "../index.js";
import { fixture, startServer } from "../test-server.js";
import type { TestServer } from "../test-server.js";

let server: TestServer;
let llmRequests: Record<string, unknown>[] = [];

/** An OpenAI-compatible chat-completions endpoint answering with canned action definitions. */
const llmReply = {
  baseUrl: "https://api.gizmo.example.com",
  actions: [
    {
      name: "gizmos.get",
      method: "get",
      path: "/gizmos/:gizmoId",
      summary: "Fetch a gizmo",
      inputSchema: { type: "object", properties: { gizmoId: { type: "string" } }, required: ["gizmoId"] },
      outputSchema: { type: "object", properties: { id: { type: "string" } } },
    },
    {
      name: "gizmos.archive",
      method: "POST",
      path: "/gizmos/{gizmoId}/archive",
      inputSchema: { type: "object", properties: { gizmoId: { type: "string", "x-waygate-in": "path" }, reason: { type: "string", "x-waygate-in": "body" } }, required: ["gizmoId"] },
    },
    { name: "not valid!", method: "FETCH", path: 42 },
    { name: "gizmos.bad", method: "GET", path: "/x", inputSchema: { type: "object", properties: { q: { type: "string", "x-waygate-in": "nowhere" } } } },
  ],
};

beforeAll(async () => {
  server = await startServer({
    "/v1/chat/completions": (request, body) => {
      llmRequests.push({ authorization: request.headers["authorization"], ...(JSON.parse(body) as Record<string, unknown>) });
      return { type: "application/json", body: JSON.stringify({ id: "c1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "```json\n" + JSON.stringify(llmReply) + "\n```" }, finish_reason: "stop" }] }) };
    },
    "/broken/chat/completions": { status: 500, body: "model overloaded" },
  });
});
afterAll(() => server.close());

const fromPage = (page: string, options = {}) => importDocument({ kind: "url", url: `${server.url}/html/${page}` }, { allowPrivateNetwork: true, ...options });

function imported(outcome: ImportOutcome): Extract<ImportOutcome, { kind: "imported" }> {
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  IntegrationDefinitionSchema.parse(outcome.definition);
  return outcome;
}

describe("HTML pages that embed a spec", () => {
  it.each([
    ["redoc.html", "/specs/petstore-3.0.yaml", "petstore-3-0", "openapi"],
    ["swagger-ui.html", "/specs/petstore-3.1.json", "petstore-3-1", "openapi"],
    ["scalar.html", "/specs/swagger-2.0.json", "legacy-store", "swagger"],
    ["stoplight.html", "/html/specs/petstore-3.0.yaml", "petstore-3-0", "openapi"],
    ["readme.html", "/specs/petstore-3.1.json", "petstore-3-1", "openapi"],
    ["spec-link.html", "/specs/swagger-2.0.json", "legacy-store", "swagger"],
  ])("%s → imports the spec it loads (%s)", async (page, specPath, slug, format) => {
    if (page === "stoplight.html") {
      // Stoplight's URL is relative to the page: serve it there.
      const stoplight = await startServer({ "/html/specs/petstore-3.0.yaml": { body: await fixture("petstore-3.0.yaml"), type: "application/yaml" } });
      try {
        const outcome = imported(await importDocument({ kind: "url", url: `${stoplight.url}/html/${page}` }, { allowPrivateNetwork: true }));
        expect(outcome).toMatchObject({ format, discoveredFrom: `${stoplight.url}${specPath}`, definition: { slug } });
      } finally {
        await stoplight.close();
      }
      return;
    }
    const outcome = imported(await fromPage(page));
    expect(outcome).toMatchObject({ format, discoveredFrom: `${server.url}${specPath}`, definition: { slug }, stats: { documents: 2 } });
  });

  it("resolves a relative spec link in HTML content only with baseUrl, and says so otherwise", async () => {
    const html = await fixture("html/redoc.html");
    const without = await importDocument({ kind: "content", content: html, filename: "redoc.html" });
    expect(without).toMatchObject({ kind: "failed", error: { code: "no_spec_found" }, warnings: [{ code: "spec_link_unresolved" }] });
    const withBase = await importDocument({ kind: "content", content: html, filename: "redoc.html" }, { baseUrl: `${server.url}/docs/`, allowPrivateNetwork: true });
    expect(withBase).toMatchObject({ kind: "imported", format: "openapi", definition: { slug: "petstore-3-0" } });
  });

  it("imports a spec embedded in the page itself (JSON script)", async () => {
    const spec = await fixture("petstore-3.1.json");
    const html = `<html><head><title>Inline</title></head><body><script id="api-reference" type="application/json">${spec}</script></body></html>`;
    const outcome = imported(await importDocument({ kind: "content", content: html, filename: "inline.html" }));
    expect(outcome).toMatchObject({ format: "openapi", discoveredFrom: "inline.html#inline", definition: { slug: "petstore-3-1" } });
  });

  it("still refuses a private spec URL found on a public-looking page", async () => {
    const html = `<html><body><redoc spec-url="http://127.0.0.1:9/openapi.json"></redoc><p>nothing else</p></body></html>`;
    const outcome = await importDocument({ kind: "content", content: html });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "private_network" } });
  });
});

describe("HTML pages without a spec", () => {
  it("extracts endpoints, parameter tables, curl bodies and example responses", async () => {
    const outcome = imported(await fromPage("no-spec.html"));
    expect(outcome.format).toBe("html");
    expect(outcome.warnings.map((w) => w.code)).toContain("extracted_from_html");
    const { definition } = outcome;
    expect(definition).toMatchObject({ slug: "widgets-api", name: "Widgets API", baseUrl: "https://api.widgets.example.com/v2", authTypeUnverified: true });
    expect(definition.actions.map((a) => `${a.name} ${a.method} ${a.path}`)).toEqual(["widgets.create POST /widgets", "widgets.delete DELETE /widgets/{widget_id}", "widgets.list GET /widgets"]);
    const [create, remove, list] = definition.actions;
    expect(list!.inputSchema["properties"]).toEqual({
      color: { type: "string", description: "Filter by colour", "x-waygate-in": "query" },
      limit: { type: "integer", description: "Page size", "x-waygate-in": "query" },
    });
    expect(list!.outputSchema).toMatchObject({ type: "object", properties: { widgets: { type: "array" } } });
    expect(create!.inputSchema).toMatchObject({
      properties: { name: { type: "string", "x-waygate-in": "body" }, color: { "x-waygate-in": "body" }, size: { type: "integer", "x-waygate-in": "body" } },
      required: ["name"],
    });
    expect(remove!.inputSchema).toMatchObject({ properties: { widget_id: { "x-waygate-in": "path" } }, required: ["widget_id"] });
  });

  it("fails with no_spec_found on prose when no LLM is configured", async () => {
    const outcome = await fromPage("prose.html");
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "no_spec_found", message: expect.stringContaining("WAYGATE_LLM_URL") } });
  });

  it("asks the configured LLM, validates its actions and drops invalid ones with warnings", async () => {
    llmRequests = [];
    const outcome = imported(await fromPage("prose.html", { llm: { url: `${server.url}/v1`, apiKey: "sk-test", model: "test-model" } }));
    expect(llmRequests).toHaveLength(1);
    const request = llmRequests[0]!;
    expect(request).toMatchObject({ authorization: "Bearer sk-test", model: "test-model", response_format: { type: "json_schema", json_schema: { name: "api_operations" } } });
    expect(JSON.stringify(request["messages"])).toContain("archive sub-resource");
    const { definition } = outcome;
    expect(definition.baseUrl).toBe("https://api.gizmo.example.com");
    expect(definition.actions.map((a) => `${a.name} ${a.method} ${a.path}`)).toEqual(["gizmos.archive POST /gizmos/{gizmoId}/archive", "gizmos.get GET /gizmos/{gizmoId}"]);
    expect(definition.actions[1]!.inputSchema).toEqual({ type: "object", properties: { gizmoId: { type: "string", "x-waygate-in": "path" } }, required: ["gizmoId"] });
    expect(definition.actions[1]!.outputSchema).toEqual({ type: "object", properties: { id: { type: "string" } } });
    expect(definition.actions[0]!.inputSchema).toMatchObject({ properties: { reason: { "x-waygate-in": "body" } }, "x-waygate-content-type": "application/json" });
    const codes = outcome.warnings.map((w) => w.code);
    expect(codes.filter((c) => c === "llm_invalid_action")).toHaveLength(2);
    expect(codes).toContain("llm_used");
  });

  it("merges LLM actions with the heuristics, and survives a failing LLM", async () => {
    const merged = imported(await fromPage("no-spec.html", { llm: { url: `${server.url}/v1/chat/completions`, model: "m" } }));
    // The LLM's gizmos live on another base URL than the page's widgets: not mixed in.
    expect(merged.definition.actions.map((a) => a.name)).toEqual(["widgets.create", "widgets.delete", "widgets.list"]);
    expect(merged.warnings.find((w) => w.code === "skipped_operation")?.message).toContain("LLM actions are relative to https://api.gizmo.example.com");
    const failing = imported(await fromPage("no-spec.html", { llm: { url: `${server.url}/broken`, model: "m" } }));
    expect(failing.definition.actions).toHaveLength(3);
    expect(failing.warnings.find((w) => w.code === "llm_failed")?.message).toContain("HTTP 500");
  });
});

describe("llmConfigFromEnv", () => {
  it("reads WAYGATE_LLM_* and needs URL and model", () => {
    expect(llmConfigFromEnv({ WAYGATE_LLM_URL: "https://llm.example.com/v1", WAYGATE_LLM_MODEL: "m", WAYGATE_LLM_API_KEY: "k" })).toEqual({ url: "https://llm.example.com/v1", model: "m", apiKey: "k" });
    expect(llmConfigFromEnv({ WAYGATE_LLM_URL: "https://llm.example.com/v1", WAYGATE_LLM_MODEL: "m" })).toEqual({ url: "https://llm.example.com/v1", model: "m" });
    expect(llmConfigFromEnv({ WAYGATE_LLM_URL: "https://llm.example.com/v1" })).toBeNull();
    expect(llmConfigFromEnv({})).toBeNull();
  });
});
