import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { importDocument } from "../index.js";
import type { ImportOptions, ImportOutcome, LlmConfig } from "../index.js";

/**
 * The crawl's LLM path against a fake model server started by the test: scripted structured
 * output, malformed output, a refusal, rate limits, a refused key, Anthropic's Messages API.
 * An import either completes or fails with a clear `llm_failed`; pages read before are not sent again.
 */
type Script = (request: { path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown>; page: string }) => { status?: number; headers?: Record<string, string>; body: unknown };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(handler: (path: string, headers: Record<string, string | string[] | undefined>, body: string) => { status?: number; headers?: Record<string, string>; type?: string; body: string }) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const reply = handler((request.url ?? "/").split("?")[0]!, request.headers, Buffer.concat(chunks).toString("utf8"));
      response.writeHead(reply.status ?? 200, { "content-type": reply.type ?? "application/json", ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Three docs pages: one the heuristics read, two in prose only a model understands. */
const DOCS: Record<string, string> = {
  "/docs/": `<html><body><h1>Notes API</h1><p>Base URL: https://api.notes.example.com/v1</p><h2>List notes</h2><p>GET /notes</p><nav>Site navigation: <a href="/docs/create.html">Create</a><a href="/docs/archive.html">Archive</a></nav><footer>© Notes Inc.</footer></body></html>`,
  "/docs/create.html": "<html><body><h1>Creating a note</h1><p>To make a note, post its title and body to the notes collection.</p></body></html>",
  "/docs/archive.html": "<html><body><h1>Archiving</h1><p>Archive a note by posting to its archive sub-resource.</p></body></html>",
};
const ACTIONS: Record<string, unknown[]> = {
  "/docs/": [{ name: "notes.list", method: "GET", path: "/notes", inputSchema: { type: "object", properties: { limit: { type: "integer", "x-waygate-in": "query" } } } }],
  "/docs/create.html": [{ name: "notes.create", method: "POST", path: "/notes", inputSchema: { type: "object", properties: { title: { type: "string", "x-waygate-in": "body" } }, required: ["title"] } }],
  "/docs/archive.html": [{ name: "notes.archive", method: "POST", path: "/notes/{noteId}/archive", inputSchema: { type: "object", properties: { noteId: { type: "string", "x-waygate-in": "path" } } } }],
};

async function setUp(script: Script, docs = DOCS) {
  const docsUrl = await listen((path) => (docs[path] === undefined ? { status: 404, type: "text/plain", body: "no" } : { type: "text/html", body: docs[path]! }));
  const requests: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown>; page: string }> = [];
  const llmUrl = await listen((path, headers, text) => {
    const body = JSON.parse(text) as Record<string, unknown>;
    const page = /Page URL: http:\/\/127\.0\.0\.1:\d+(\/[^\s\\]*)/.exec(JSON.stringify(body["messages"]))?.[1] ?? "";
    const request = { path, headers, body, page };
    requests.push(request);
    const reply = script(request);
    return { ...(reply.status ? { status: reply.status } : {}), ...(reply.headers ? { headers: reply.headers } : {}), body: typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body) };
  });
  return { docsUrl, llmUrl, requests };
}

const completion = (content: unknown, extra: Record<string, unknown> = {}) => ({
  choices: [{ index: 0, message: { role: "assistant", content: typeof content === "string" ? content : JSON.stringify(content), ...extra }, finish_reason: "stop" }],
  usage: { prompt_tokens: 100, completion_tokens: 20 },
});
const scripted: Script = ({ page }) => ({ body: completion({ baseUrl: "https://api.notes.example.com/v1", actions: ACTIONS[page] ?? [] }) });

function run(docsUrl: string, llm: LlmConfig, more: Partial<ImportOptions> = {}): Promise<ImportOutcome> {
  return importDocument({ kind: "url", url: `${docsUrl}/docs/` }, { allowPrivateNetwork: true, crawl: { delayMs: 0 }, llm, ...more });
}
function imported(outcome: ImportOutcome): Extract<ImportOutcome, { kind: "imported" }> {
  if (outcome.kind !== "imported") throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome;
}

describe("a crawl with an LLM", () => {
  it("asks for structured output per page, merges it with the heuristics, counts tokens, and does not send unchanged pages again", async () => {
    const { docsUrl, llmUrl, requests } = await setUp(scripted);
    const llm = { url: `${llmUrl}/v1`, model: "test-model", apiKey: "sk-test" };
    const first = imported(await run(docsUrl, llm));
    expect(first.definition.actions.map((action) => `${action.method} ${action.path}`).sort()).toEqual(["GET /notes", "POST /notes", "POST /notes/{noteId}/archive"]);
    expect(requests.map((request) => request.page).sort()).toEqual(["/docs/", "/docs/archive.html", "/docs/create.html"]);
    expect(requests[0]!.headers["authorization"]).toBe("Bearer sk-test");
    // Only the page's content: its headings, text, code and tables, not the site's navigation or footer.
    expect(JSON.stringify(requests.map((request) => request.body["messages"]))).not.toMatch(/Site navigation|Notes Inc/);
    expect(JSON.stringify(requests.find((request) => request.page === "/docs/")!.body["messages"])).toContain("## List notes");
    expect(requests[0]!.body["response_format"]).toMatchObject({ type: "json_schema", json_schema: { name: "api_operations", schema: { required: ["baseUrl", "actions"] } } });
    expect(first.stats.llm).toEqual({ model: "test-model", pagesSent: 3, pagesCached: 0, requests: 3, inputTokens: 300, outputTokens: 60 });
    // The heuristics' provenance stays on the operation both found; the LLM-only ones say so.
    const archive = first.definition.actions.find((action) => action.path === "/notes/{noteId}/archive");
    expect(archive?.provenance).toMatchObject({ source: `${docsUrl}/docs/archive.html`, confidence: 0.7, doubts: ["found by the LLM (test-model) only"] });
    expect(Object.keys(first.llmCache ?? {})).toHaveLength(3);

    // Again, with one page changed: only that page is sent.
    requests.length = 0;
    const changed = { ...DOCS, "/docs/archive.html": DOCS["/docs/archive.html"]!.replace("Archive a note", "Archive any note") };
    const site = await setUp(scripted, changed);
    const second = imported(await run(site.docsUrl, { ...llm, url: `${llmUrl}/v1` }, { llmCache: first.llmCache }));
    expect(requests.map((request) => request.page)).toEqual(["/docs/archive.html"]);
    expect(second.stats.llm).toMatchObject({ pagesSent: 1, pagesCached: 2, requests: 1 });
    expect(second.definition.actions).toHaveLength(3);
  });

  it("sends a page longer than maxLlmInputChars in chunks cut at its headings, and puts their actions together", async () => {
    const sections = Array.from({ length: 6 }, (_, index) => `<h2>Section ${index}</h2><p>${"Words about notes. ".repeat(20)}</p>`).join("");
    const docs = { "/docs/": `<html><body><h1>Notes API</h1><p>Base URL: https://api.notes.example.com/v1</p>${sections}</body></html>` };
    const { docsUrl, llmUrl, requests } = await setUp((request) => {
      const text = JSON.stringify(request.body["messages"]);
      const section = /## Section (\d)/.exec(text)?.[1] ?? "x";
      return { body: completion({ baseUrl: "https://api.notes.example.com/v1", actions: [{ name: `notes.section${section}`, method: "GET", path: `/sections/${section}`, inputSchema: { type: "object" } }] }) };
    }, docs);
    const outcome = imported(await run(docsUrl, { url: llmUrl, model: "m" }, { limits: { maxLlmInputChars: 1000 } }));
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(JSON.stringify(request.body["messages"]).length).toBeLessThan(1000 + 2500);
    expect(outcome.definition.actions.length).toBe(requests.length);
    expect(outcome.stats.llm).toMatchObject({ pagesSent: 1, requests: requests.length });
  });

  it("retries a 429 after Retry-After and completes", async () => {
    let limited = 2;
    const { docsUrl, llmUrl, requests } = await setUp((request) => (limited-- > 0 ? { status: 429, headers: { "retry-after": "0" }, body: { error: { message: "slow down" } } } : scripted(request)));
    const outcome = imported(await run(docsUrl, { url: llmUrl, model: "m" }));
    expect(outcome.definition.actions).toHaveLength(3);
    expect(requests).toHaveLength(5);
    expect(outcome.stats.llm?.requests).toBe(5);
  });

  it("fails clearly when the rate limit outlasts the retries", async () => {
    const { docsUrl, llmUrl, requests } = await setUp(() => ({ status: 429, headers: { "retry-after": "0" }, body: { error: { message: "slow down" } } }));
    const outcome = await run(docsUrl, { url: llmUrl, model: "m" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "llm_failed", message: expect.stringContaining("kept answering HTTP 429 (rate limited) after 3 retries") } });
    expect(requests).toHaveLength(4);
  });

  it("fails clearly on malformed output (asked twice), a refusal, a refused key, and a model without structured output", async () => {
    const cases: Array<[Script, RegExp]> = [
      [() => ({ body: completion("Sure! Here are the endpoints: GET /notes") }), /answered .*docs\/ 2 times with something that is not the JSON object asked for/],
      [() => ({ body: completion("", { content: null, refusal: "I can't help with that." }) }), /refused to read .*: I can't help with that\./],
      [() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }), /refused the API key \(HTTP 401: .*Incorrect API key.*\); check WAYGATE_LLM_API_KEY/],
      [() => ({ status: 400, body: { error: { message: "response_format json_schema is not supported by this model" } } }), /model m does not take structured output/],
    ];
    for (const [script, message] of cases) {
      const { docsUrl, llmUrl } = await setUp(script);
      const outcome = await run(docsUrl, { url: llmUrl, model: "m" });
      expect(outcome.kind).toBe("failed");
      if (outcome.kind === "failed") {
        expect(outcome.error.code).toBe("llm_failed");
        expect(outcome.error.message).toMatch(message);
      }
    }
  });

  it("speaks Anthropic's Messages API: the schema as a forced tool, x-api-key, tokens from usage", async () => {
    const { docsUrl, llmUrl, requests } = await setUp(({ page }) => ({
      body: { type: "message", stop_reason: "tool_use", content: [{ type: "tool_use", name: "record_operations", input: { baseUrl: "https://api.notes.example.com/v1", actions: ACTIONS[page] ?? [] } }], usage: { input_tokens: 50, output_tokens: 10 } },
    }));
    const outcome = imported(await run(docsUrl, { url: llmUrl, model: "claude-test", apiKey: "ak-test", provider: "anthropic" }));
    expect(outcome.definition.actions).toHaveLength(3);
    expect(requests[0]).toMatchObject({ path: "/v1/messages", headers: { "x-api-key": "ak-test", "anthropic-version": "2023-06-01" }, body: { tool_choice: { type: "tool", name: "record_operations" } } });
    expect(outcome.stats.llm).toMatchObject({ inputTokens: 150, outputTokens: 30 });
  });
});
