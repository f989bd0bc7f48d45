import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startServer as startDocs, type TestServer } from "../importer/test-server.js";
import { startServer, type RunningServer } from "../server/start.js";
import type { Store } from "../store/index.js";

const PAGES = {
  "/docs/": `<html><body><h1>Notes API</h1><p>Base URL: https://api.notes.example.com/v1</p><p>GET /notes</p><a href="/docs/create.html">Create</a></body></html>`,
  "/docs/create.html": "<html><body><h1>Creating a note</h1><p>Post a title to the notes collection.</p></body></html>",
};
const CREATE = { name: "notes.create", method: "POST", path: "/notes", inputSchema: { type: "object", properties: { title: { type: "string", "x-waygate-in": "body" } } } };

/**
 * A crawl with an LLM through the real server, worker and store: what the LLM read is kept
 * (migration 014) so the next import of the same docs sends nothing that did not change, the
 * result says what it cost, and a failing LLM leaves no version behind.
 */
describe.each(storeBackends)("LLM imports on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let key: string;
  let docs: TestServer;
  let llm: TestServer;
  let llmStatus = 200;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    const tenant = await store.tenants.create("Acme");
    key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    docs = await startDocs(Object.fromEntries(Object.entries(PAGES).map(([path, body]) => [path, { body, type: "text/html" }])));
    llmStatus = 200;
    llm = await startDocs({
      "/v1/chat/completions": (_request, body) => {
        if (llmStatus !== 200) return { status: llmStatus, type: "application/json", body: JSON.stringify({ error: { message: "Incorrect API key provided" } }) };
        const create = body.includes("create.html");
        const content = JSON.stringify({ baseUrl: "https://api.notes.example.com/v1", actions: create ? [CREATE] : [] });
        return { type: "application/json", body: JSON.stringify({ choices: [{ message: { role: "assistant", content } }], usage: { prompt_tokens: 1000, completion_tokens: 200 } }) };
      },
    });
    const env = { WAYGATE_LLM_URL: `${llm.url}/v1`, WAYGATE_LLM_MODEL: "test-model", WAYGATE_LLM_API_KEY: "sk-test", WAYGATE_LLM_INPUT_COST: "3", WAYGATE_LLM_OUTPUT_COST: "15" };
    server = await startServer({ store, version: "0.0.0-test", host: "127.0.0.1", port: 0, allowPrivateImports: true, upstreams: "loopback", worker: { pollMs: 50, retryBaseMs: 50 }, env });
  });
  afterEach(async () => {
    await server.close();
    await docs.close();
    await llm.close();
    await dispose();
  });

  const importDocs = async () => {
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const started = (await (await fetch(`${server.url}/v1/imports`, { method: "POST", headers, body: JSON.stringify({ source: { url: `${docs.url}/docs/` }, slug: "notes" }) })).json()) as { id: string };
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
      const job = (await (await fetch(`${server.url}/v1/jobs/${started.id}`, { headers })).json()) as { status: string; result: Record<string, unknown> | null; error: Record<string, unknown> | null };
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    }
    throw new Error("the import did not finish");
  };
  const llmCalls = () => llm.hits.filter((path) => path === "/v1/chat/completions").length;

  it("keeps what the LLM read, so importing the same docs again sends no unchanged page", async () => {
    const first = await importDocs();
    expect(first.status, JSON.stringify(first.error)).toBe("succeeded");
    expect(first.result).toMatchObject({ status: "draft", actionCount: 2, llm: { model: "test-model", pagesSent: 2, pagesCached: 0, inputTokens: 2000, outputTokens: 400, costUsd: 0.012 } });
    expect(llmCalls()).toBe(2);

    const second = await importDocs();
    expect(second.status, JSON.stringify(second.error)).toBe("succeeded");
    expect(second.result).toMatchObject({ created: false, llm: { pagesSent: 0, pagesCached: 2, inputTokens: 0 } });
    expect(llmCalls()).toBe(2);
  });

  it("fails the import with a clear error and saves nothing when the LLM refuses the key", async () => {
    llmStatus = 401;
    const job = await importDocs();
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "llm_failed", detail: expect.stringContaining("refused the API key (HTTP 401") });
    expect(await store.integrations.find((await store.tenants.list())[0]!.id, "notes")).toBeUndefined();
  });
});
