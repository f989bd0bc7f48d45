import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { startServer as startDocs, type TestServer as DocsServer } from "../importer/test-server.js";
import { startServer, type RunningServer } from "../server/start.js";
import type { Store } from "../store/index.js";
import type { Database } from "../store/schema.js";

const todo = readFileSync(fileURLToPath(new URL("../../fixtures/scrape/todo-v1.yaml", import.meta.url)), "utf8");

/** A spec whose schemas live in a same-origin file and in a file on another origin. */
function specWithRefs(otherOrigin: string): string {
  return JSON.stringify({
    openapi: "3.1.0",
    info: { title: "Refs", version: "1" },
    servers: [{ url: "https://refs.example.com" }],
    paths: {
      "/pets": { get: { operationId: "listPets", responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: "./pet.json" } } } } } } },
      "/things": { get: { operationId: "listThings", responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: `${otherOrigin}/thing.json` } } } } } } },
    },
  });
}

/**
 * Imports through the real server (HTTP, worker, store) on each backend: one tenant's
 * imports must not hold back another's, and credentials given for a docs URL must never be
 * shown or kept in clear.
 */
describe.each(storeBackends)("imports on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let acme: string;
  let globex: string;
  const docs: DocsServer[] = [];

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    const a = await store.tenants.create("Acme");
    const b = await store.tenants.create("Globex");
    acme = (await store.keys.issue({ tenantId: a.id, kind: "tenant" })).secret;
    globex = (await store.keys.issue({ tenantId: b.id, kind: "tenant" })).secret;
    server = await startServer({ store, version: "0.0.0-test", host: "127.0.0.1", port: 0, allowPrivateImports: true, upstreams: "loopback", worker: { pollMs: 50, retryBaseMs: 50 } });
  });
  afterEach(async () => {
    await server.close();
    await Promise.all(docs.splice(0).map((d) => d.close()));
    await dispose();
  });

  const serveDocs = async (...args: Parameters<typeof startDocs>) => {
    const started = await startDocs(...args);
    docs.push(started);
    return started;
  };
  const api = async (path: string, init: { key?: string; method?: string; body?: unknown } = {}) => {
    const response = await fetch(server.url + path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${init.key ?? acme}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const startImport = async (body: unknown, key = acme) => {
    const response = await api("/v1/imports", { key, body });
    expect(response.status, response.text).toBe(202);
    return JSON.parse(response.text) as { id: string; summary: string };
  };
  const finished = async (id: string, key = acme, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = JSON.parse((await api(`/v1/jobs/${id}`, { key })).text) as { status: string; result: Record<string, unknown> | null; error: Record<string, unknown> | null };
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const db = () => (store as unknown as { handle: { db: Kysely<Database> } }).handle.db;
  /** Everything the database keeps about jobs, as text. */
  const storedJobs = async () => JSON.stringify(await db().selectFrom("jobs").selectAll().execute());

  it("finishes another tenant's tiny import promptly while one tenant's slow URL imports fill the queue", async () => {
    // From the sources, imports run in-process (the built server runs them in a child process): load
    // the importer now, so that compiling it is not counted as waiting.
    await import("../importer/index.js");
    const slow = await serveDocs({ "/slow.yaml": { delayMs: 8_000, body: todo, type: "application/yaml" } });
    for (let i = 0; i < 4; i++) await startImport({ source: { url: `${slow.url}/slow.yaml` }, slug: `slow-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the worker has taken Acme's first job
    const began = Date.now();
    const quick = await startImport({ source: { content: todo, filename: "todo.yaml" }, slug: "quick" }, globex);
    expect(await finished(quick.id, globex)).toMatchObject({ status: "succeeded", result: { integration: "quick" } });
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it("never shows or stores credentials written into a docs URL", async () => {
    const secrets = ["pa55w0rd-secret", "tok_SECRET_123", "key_SECRET_456"];
    const seen: string[] = [];
    const host = await serveDocs({
      "/openapi.yaml": (request: IncomingMessage) => {
        seen.push(`${request.headers.authorization ?? ""} ${request.url}`);
        return request.url?.includes("access_token=tok_SECRET_123") && request.headers.authorization === `Basic ${Buffer.from("reader:pa55w0rd-secret").toString("base64")}`
          ? { body: todo, type: "application/yaml" }
          : { status: 401, body: "no" };
      },
      // The URL is fetched as given, even where what is shown differs only by a redacted empty value.
      "/empty.yaml": (request: IncomingMessage) => (request.url === "/empty.yaml?token=" ? { body: todo, type: "application/yaml" } : { status: 400, body: request.url ?? "" }),
    });
    const empty = await startImport({ source: { url: `${host.url}/empty.yaml?token=` }, slug: "empty-token" });
    expect(await finished(empty.id)).toMatchObject({ status: "succeeded" });
    const url = new URL(`${host.url}/openapi.yaml?access_token=tok_SECRET_123&api_key=key_SECRET_456&v=2`);
    url.username = "reader";
    url.password = "pa55w0rd-secret";
    const job = await startImport({ source: { url: url.href }, slug: "private-docs" });
    expect(job.summary).toContain(`${host.url}/openapi.yaml`);
    const whileQueued = [JSON.stringify(job), await storedJobs()];
    expect(await finished(job.id)).toMatchObject({ status: "succeeded", result: { integration: "private-docs", actionCount: 3 } });
    expect(seen).toHaveLength(1);

    // A failing URL: the error names the URL, without its secrets.
    const failing = await startImport({ source: { url: url.href.replace("/openapi.yaml", "/missing.yaml") }, slug: "missing" });
    expect(await finished(failing.id)).toMatchObject({ status: "failed", error: { code: "fetch_refused" } });

    const shown = [...whileQueued, (await api("/v1/jobs")).text, (await api(`/v1/jobs/${job.id}`)).text, (await api(`/v1/jobs/${failing.id}`)).text, await storedJobs()];
    for (const text of shown) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(shown[2]).toContain("/missing.yaml");
  });

  it("sends header values to the docs origin only, never across origins or redirects, and keeps them sealed", async () => {
    const carried: string[] = [];
    const record = (reply: () => { body: string; type: string }) => (request: IncomingMessage) => {
      carried.push(`${request.url} ${request.headers["x-docs-key"] ?? "-"}`);
      return reply();
    };
    const other = await serveDocs({
      "/thing.json": record(() => ({ body: JSON.stringify({ type: "object", properties: { id: { type: "integer" } } }), type: "application/json" })),
      "/moved.json": record(() => ({ body: todo, type: "application/yaml" })),
    });
    const guarded = (reply: () => { body: string; type: string }) => (request: IncomingMessage) =>
      request.headers["x-docs-key"] === "hdr_SECRET_789" ? record(reply)(request) : { status: 403, body: "forbidden" };
    const home = await serveDocs({
      "/openapi.json": guarded(() => ({ body: specWithRefs(other.url), type: "application/json" })),
      "/pet.json": guarded(() => ({ body: JSON.stringify({ type: "object", properties: { name: { type: "string" } } }), type: "application/json" })),
    });
    const job = await startImport({ source: { url: `${home.url}/openapi.json`, headers: { "X-Docs-Key": "hdr_SECRET_789" } }, slug: "with-header" });
    const whileQueued = await storedJobs();
    expect(await finished(job.id)).toMatchObject({ status: "succeeded", result: { integration: "with-header", actionCount: 2 } });
    expect(carried.sort()).toEqual(["/openapi.json hdr_SECRET_789", "/pet.json hdr_SECRET_789", "/thing.json -"]);

    // A redirect to another origin: the header stays behind.
    carried.length = 0;
    const redirecting = await serveDocs({ "/spec.yaml": { status: 302, headers: { location: `${other.url}/moved.json` } } });
    const redirected = await startImport({ source: { url: `${redirecting.url}/spec.yaml`, headers: { "X-Docs-Key": "hdr_SECRET_789" } }, slug: "redirected" });
    expect(await finished(redirected.id)).toMatchObject({ status: "succeeded" });
    expect(carried).toEqual(["/moved.json -"]);

    for (const text of [whileQueued, await storedJobs(), (await api("/v1/jobs")).text]) expect(text).not.toContain("hdr_SECRET_789");
  });

  it("imports a document uploaded as a raw body, and deletes it when the job ends", async () => {
    const response = await fetch(`${server.url}/v1/imports/upload?slug=raw-todo&filename=todo.yaml`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme}`, "content-type": "application/yaml" },
      body: todo,
    });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string; summary: string };
    expect(job.summary).toBe("import todo.yaml as raw-todo");
    expect(await finished(job.id)).toMatchObject({ status: "succeeded", result: { integration: "raw-todo", actionCount: 3 } });
    expect(await db().selectFrom("jobs").select("payload").where("id", "=", job.id).executeTakeFirst()).toEqual({ payload: "null" });
    expect(await db().selectFrom("job_documents").select("seq").where("job_id", "=", job.id).execute()).toEqual([]);
  });

  it("answers health promptly while a large document is being uploaded", async () => {
    await server.worker?.stop(); // only the upload is measured here, not the import
    const total = 48;
    let sent = 0;
    // node:http, writing 1 MiB buffers: a client that costs this process next to nothing.
    const upload = new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/v1/imports/upload?slug=big&filename=big.yaml`, {
        method: "POST",
        headers: { authorization: `Bearer ${acme}`, "content-type": "application/yaml", "content-length": String(total * 1024 * 1024) },
      });
      request.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      const chunk = Buffer.alloc(1024 * 1024, `# ${"x".repeat(61)}\n`);
      const write = () => {
        while (sent < total) {
          sent++;
          if (!request.write(chunk)) return void request.once("drain", write);
        }
        request.end();
      };
      write();
    });
    let slowest = 0;
    let checks = 0;
    while (sent < total) {
      const began = performance.now();
      expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
      slowest = Math.max(slowest, performance.now() - began);
      checks++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await upload).toBe(202);
    expect(checks).toBeGreaterThan(3);
    // SQLite's synchronous commits of 1 MiB chunks still block for tens of ms each (up to
    // ~250 ms on a busy disk); the JSON form of the same document stalls for 2-4 s.
    expect(slowest).toBeLessThan(1_000);
  });
});
