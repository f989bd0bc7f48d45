import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startServer as startDocs, type TestServer as DocsServer } from "../importer/test-server.js";
import { startServer, type RunningServer } from "../server/start.js";
import type { Store } from "../store/index.js";

const read = (relative: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/${relative}`, import.meta.url)), "utf8");
const todo = read("scrape/todo-v1.yaml");
const jira = read("importer/real-world/jira-server-variables.yaml");
const petstore = read("importer/real-world/petstore3-relative-servers.yaml");
const truncated = read("importer/real-world/truncated-dangling-refs.yaml");

/** todo-v1 without `getTodo`: one action removed, a breaking change for code that calls it. */
const todoWithoutGet = todo.slice(0, todo.indexOf("  /todos/{id}:"));

interface JobView {
  status: string;
  attempts: number;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}

/**
 * Import settings through the real server (HTTP, worker, store) on each backend: server URL
 * and variables, dangling references, docs URLs answering 4xx, re-scrapes that must not
 * silently replace the current version, and base URL changes without a re-import.
 */
describe.each(storeBackends)("import settings and safe re-scrapes on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let key: string;
  let docs: DocsServer | undefined;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    const tenant = await store.tenants.create("Acme");
    key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    server = await startServer({ store, version: "0.0.0-test", host: "127.0.0.1", port: 0, allowPrivateImports: true, upstreams: "loopback", worker: { pollMs: 50, retryBaseMs: 20 } });
  });
  afterEach(async () => {
    await server.close();
    await docs?.close();
    docs = undefined;
    await dispose();
  });

  const api = async (path: string, init: { method?: string; body?: unknown; raw?: string; type?: string } = {}) => {
    const hasBody = init.body !== undefined || init.raw !== undefined;
    const response = await fetch(server.url + path, {
      method: init.method ?? (hasBody ? "POST" : "GET"),
      headers: { authorization: `Bearer ${key}`, ...(hasBody ? { "content-type": init.type ?? "application/json" } : {}) },
      ...(hasBody ? { body: init.raw ?? JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const finished = async (id: string): Promise<JobView> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = (await api(`/v1/jobs/${id}`)).json() as unknown as JobView;
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const importJob = async (body: Record<string, unknown>): Promise<JobView> => {
    const started = await api("/v1/imports", { body });
    expect(started.status, started.text).toBe(202);
    return finished(started.json()["id"] as string);
  };
  const integration = async (slug: string) => (await api(`/v1/integrations/${slug}`)).json();

  it("passes serverVariables and serverUrl to the importer, from JSON requests and from uploads", async () => {
    const refused = await importJob({ source: { content: jira, filename: "jira.yaml" }, slug: "jira" });
    expect(refused).toMatchObject({ status: "failed", attempts: 1, error: { code: "no_base_url", detail: expect.stringContaining("--server-var host=VALUE") } });
    const withVariables = await importJob({ source: { content: jira, filename: "jira.yaml" }, slug: "jira", serverVariables: { host: "jira.acme.internal" } });
    expect(withVariables).toMatchObject({ status: "succeeded", result: { integration: "jira", actionCount: 3 } });
    expect(await integration("jira")).toMatchObject({ baseUrl: "https://jira.acme.internal/rest/api/2" });

    const query = new URLSearchParams({ slug: "petstore", filename: "petstore.yaml", serverUrl: "https://petstore3.swagger.io/api/v3" });
    const uploaded = await api(`/v1/imports/upload?${query}`, { raw: petstore, type: "application/yaml" });
    expect(uploaded.status, uploaded.text).toBe(202);
    expect(await finished(uploaded.json()["id"] as string)).toMatchObject({ status: "succeeded" });
    expect(await integration("petstore")).toMatchObject({ baseUrl: "https://petstore3.swagger.io/api/v3" });

    const variables = new URLSearchParams({ slug: "jira-dc", serverVariables: JSON.stringify({ host: "jira.example.org", contextPath: "/jira" }) });
    const viaUpload = await api(`/v1/imports/upload?${variables}`, { raw: jira, type: "application/yaml" });
    expect(await finished(viaUpload.json()["id"] as string)).toMatchObject({ status: "succeeded" });
    expect(await integration("jira-dc")).toMatchObject({ baseUrl: "https://jira.example.org/jira/rest/api/2" });
  });

  it("refuses bad settings at the door, naming the field", async () => {
    const credentials = await api("/v1/imports", { body: { source: { content: jira }, serverUrl: "https://user:pw@jira.example.org" } });
    expect(credentials.status).toBe(400);
    expect(credentials.text).toContain("serverUrl");
    expect(credentials.text).toContain("credentials");
    const ftp = await api("/v1/imports", { body: { source: { content: jira }, serverUrl: "ftp://jira.example.org" } });
    expect(ftp.status).toBe(400);
    const both = await api("/v1/imports", { body: { source: { content: jira }, draft: true, publish: true } });
    expect(both.status).toBe(400);
    expect(both.text).toContain("publish");
    const badJson = await api(`/v1/imports/upload?serverVariables=${encodeURIComponent("{not json")}`, { raw: jira, type: "application/yaml" });
    expect(badJson.status).toBe(400);
    expect(badJson.text).toContain("serverVariables");
  });

  it("refuses dangling $refs unless allowDanglingRefs, and never keeps a half import", async () => {
    const refused = await importJob({ source: { content: truncated, filename: "payments.yaml" }, slug: "payments" });
    expect(refused).toMatchObject({
      status: "failed",
      error: { code: "dangling_ref", detail: expect.stringContaining("--allow-dangling-refs"), location: { pointer: expect.stringContaining("/paths/~1charges/") } },
    });
    expect((await api("/v1/integrations/payments")).status).toBe(404);
    expect(await importJob({ source: { content: truncated, filename: "payments.yaml" }, slug: "payments", allowDanglingRefs: true })).toMatchObject({
      status: "succeeded",
      result: { actionCount: 2 },
    });
  });

  it("does not retry a docs URL answering 404, but retries a 503", async () => {
    docs = await startDocs({ "/gone.yaml": { status: 404, body: "gone" }, "/down.yaml": { status: 503, body: "down" } });
    expect(await importJob({ source: { url: `${docs.url}/gone.yaml` }, slug: "gone" })).toMatchObject({ status: "failed", attempts: 1, error: { code: "fetch_refused" } });
    expect(docs.hits.filter((path) => path === "/gone.yaml")).toHaveLength(1);
    const down = await importJob({ source: { url: `${docs.url}/down.yaml` }, slug: "down" });
    expect(down).toMatchObject({ status: "failed", error: { code: "fetch_failed" } });
    expect(down.attempts).toBeGreaterThan(1);
  });

  it("keeps a breaking re-scrape, or another API, as a draft with the reasons; --publish makes it current; pins never move", async () => {
    expect(await importJob({ source: { content: todo, filename: "todo.yaml" }, slug: "todo" })).toMatchObject({ status: "succeeded", result: { version: 1, status: "published" } });
    expect((await api("/v1/apps", { body: { name: "pinned-app" } })).status).toBe(201);
    expect((await api("/v1/apps/pinned-app/pins/todo", { method: "PUT", body: { version: 1 } })).status).toBe(200);

    const breaking = await importJob({ source: { content: todoWithoutGet, filename: "todo.yaml" }, slug: "todo" });
    expect(breaking).toMatchObject({ status: "succeeded", result: { version: 2, status: "draft", heldAsDraft: { current: 1, diff: { removed: 1 } } } });
    const reasons = (breaking.result!["heldAsDraft"] as { reasons: string[] }).reasons;
    expect(reasons.join("\n")).toMatch(/1 breaking change/);
    expect(await integration("todo")).toMatchObject({ currentVersion: 1 });

    const other = await importJob({ source: { content: petstore, filename: "petstore.yaml" }, slug: "todo", serverUrl: "https://petstore3.swagger.io/api/v3" });
    expect(other).toMatchObject({ status: "succeeded", result: { version: 3, status: "draft" } });
    const otherReasons = (other.result!["heldAsDraft"] as { reasons: string[] }).reasons.join("\n");
    expect(otherReasons).toContain('the title changed from "Todo API" to "Swagger Petstore - OpenAPI 3.0"');
    expect(otherReasons).toContain("3 of the current version's 3 actions are removed");
    expect(await integration("todo")).toMatchObject({ currentVersion: 1 });

    // A compatible change (a summary) still goes live at once.
    const compatible = await importJob({ source: { content: todo.replace("summary: Get a todo", "summary: Fetch one todo"), filename: "todo.yaml" }, slug: "todo" });
    expect(compatible).toMatchObject({ status: "succeeded", result: { version: 4, status: "published" } });
    expect(compatible.result).not.toHaveProperty("heldAsDraft");

    const published = await importJob({ source: { content: todoWithoutGet, filename: "todo.yaml" }, slug: "todo", publish: true });
    expect(published).toMatchObject({ status: "succeeded", result: { version: 5, status: "published" } });
    expect(await integration("todo")).toMatchObject({ currentVersion: 5 });
    expect((await api("/v1/apps/pinned-app/pins")).json()).toMatchObject({ data: [{ integration: "todo", version: 1 }] });
  });

  it("changes the base URL as a new current version, validates it, and leaves pins alone", async () => {
    expect(await importJob({ source: { content: jira, filename: "jira.yaml" }, slug: "jira", serverVariables: { host: "jira.acme.internal" } })).toMatchObject({ status: "succeeded" });
    expect((await api("/v1/apps", { body: { name: "pinned-app" } })).status).toBe(201);
    expect((await api("/v1/apps/pinned-app/pins/jira", { method: "PUT", body: { version: 1 } })).status).toBe(200);

    const moved = await api("/v1/integrations/jira/base-url", { body: { baseUrl: "https://jira.globex.example/rest/api/2" } });
    expect(moved.status, moved.text).toBe(201);
    expect(moved.json()).toMatchObject({ version: 2, created: true, integration: { baseUrl: "https://jira.globex.example/rest/api/2", currentVersion: 2, actionCount: 3 } });
    const versions = (await api("/v1/integrations/jira/versions")).json() as { data: Array<{ version: number; changelog: string }> };
    expect(versions.data[0]).toMatchObject({ version: 2, changelog: "base URL changed from https://jira.acme.internal/rest/api/2 to https://jira.globex.example/rest/api/2" });
    expect((await api("/v1/apps/pinned-app/pins")).json()).toMatchObject({ data: [{ integration: "jira", version: 1 }] });

    const again = await api("/v1/integrations/jira/base-url", { body: { baseUrl: "https://jira.globex.example/rest/api/2" } });
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ version: 2, created: false });

    for (const [baseUrl, words] of [
      ["ftp://jira.globex.example", "http"],
      ["https://admin:secret@jira.globex.example", "credentials"],
      ["not a url", "baseUrl"],
    ] as const) {
      const refused = await api("/v1/integrations/jira/base-url", { body: { baseUrl } });
      expect(refused.status, baseUrl).toBe(400);
      expect(refused.text).toContain(words);
      expect(refused.text).not.toContain("secret");
    }
    expect((await api("/v1/integrations/nope/base-url", { body: { baseUrl: "https://x.example.com" } })).status).toBe(404);
    expect(await integration("jira")).toMatchObject({ currentVersion: 2 });
  });
});
