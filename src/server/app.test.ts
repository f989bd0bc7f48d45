import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { createApp } from "./app.js";

const petstore = {
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  authSchemes: [{ type: "bearer" }],
  actions: [
    { name: "pets.list", method: "GET", path: "/pets", summary: "List pets" },
    { name: "pets.create", method: "POST", path: "/pets", inputSchema: { type: "object", properties: { name: { type: "string" } } } },
  ],
};

describe.each(storeBackends)("API on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: ReturnType<typeof createApp>;
  let key: string;
  let otherTenantKey: string;
  const unexpected: unknown[] = [];

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    app = createApp({ store, version: "0.0.0-test", maxBodyBytes: 64 * 1024, onUnexpectedError: (e) => unexpected.push(e) });
    const tenant = await store.tenants.create("Acme");
    key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    const other = await store.tenants.create("Globex");
    otherTenantKey = (await store.keys.issue({ tenantId: other.id, kind: "tenant" })).secret;
  });
  afterEach(async () => {
    await dispose();
    expect(unexpected).toEqual([]);
  });

  const call = (method: string, path: string, init: { body?: unknown; raw?: string; key?: string | null; type?: string } = {}) => {
    const headers: Record<string, string> = {};
    const presented = init.key === undefined ? key : init.key;
    if (presented) headers.authorization = `Bearer ${presented}`;
    let body: string | undefined;
    if (init.raw !== undefined || init.body !== undefined) {
      headers["content-type"] = init.type ?? "application/json";
      body = init.raw ?? JSON.stringify(init.body);
    }
    return app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  };

  it("serves health and the OpenAPI document without a key", async () => {
    expect(await (await call("GET", "/v1/health", { key: null })).json()).toEqual({ status: "ok", version: "0.0.0-test" });
    const doc = (await (await call("GET", "/v1/openapi.json", { key: null })).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((op) => op.operationId));
    expect(operations).toEqual(expect.arrayContaining(["getMe", "listIntegrations", "getIntegration", "deleteIntegration", "listActions", "getAction", "createKey"]));
    expect(doc.components.schemas).toHaveProperty("Integration");
    expect(doc.components.schemas).toHaveProperty("Problem");
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });

  it("answers 401 problem+json without a key, with a malformed one and with an unknown one", async () => {
    for (const presented of [null, "garbage", "wg_tenant_" + "A".repeat(43)]) {
      const response = await call("GET", "/v1/me", { key: presented });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ type: "https://waygate.dev/problems/unauthorized", status: 401, title: "Authentication required" });
    }
  });

  it("tells who the key is on /v1/me, without the secret", async () => {
    const response = await call("GET", "/v1/me");
    const me = (await response.json()) as Record<string, unknown>;
    expect(me).toMatchObject({ tenant: { name: "Acme" }, key: { kind: "tenant", prefix: key.slice(0, 16), revokedAt: null }, app: null });
    expect(JSON.stringify(me)).not.toContain(key);
  });

  it("creates, lists and revokes tenant keys, and a revoked key stops working", async () => {
    const created = (await (await call("POST", "/v1/keys", { body: { name: "ci" } })).json()) as { key: { id: string }; secret: string };
    expect(created.secret).toMatch(/^wg_tenant_/);
    const list = (await (await call("GET", "/v1/keys")).json()) as { data: Array<{ name: string }> };
    expect(list.data.map((k) => k.name)).toEqual(["default", "ci"]);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect((await call("DELETE", `/v1/keys/${created.key.id}`)).status).toBe(200);
    expect((await call("GET", "/v1/me", { key: created.secret })).status).toBe(401);
  });

  it("refuses to revoke the tenant's last active key (409) and hides other tenants' keys (404)", async () => {
    const mine = (await (await call("GET", "/v1/keys")).json()) as { data: Array<{ id: string }> };
    const only = mine.data[0]!.id;
    expect((await call("DELETE", `/v1/keys/${only}`)).status).toBe(409);
    expect((await call("DELETE", `/v1/keys/${only}`, { key: otherTenantKey })).status).toBe(404);
    expect((await call("GET", "/v1/me")).status).toBe(200);
  });

  it("creates an integration, then lists, shows and deletes it", async () => {
    const created = await call("POST", "/v1/integrations", { body: petstore });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ created: true, version: 1, integration: { slug: "petstore", actionCount: 2, authType: "bearer" } });
    const again = await call("POST", "/v1/integrations", { body: petstore });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, version: 1 });

    const list = (await (await call("GET", "/v1/integrations?limit=1")).json()) as { data: unknown[]; nextCursor: string | null };
    expect(list).toMatchObject({ data: [{ slug: "petstore", currentVersion: 1, versionCount: 1 }], nextCursor: null });
    expect(await (await call("GET", "/v1/integrations/petstore")).json()).toMatchObject({ authSchemes: [{ type: "bearer" }] });

    expect((await call("DELETE", "/v1/integrations/petstore")).status).toBe(204);
    expect((await call("GET", "/v1/integrations/petstore")).status).toBe(404);
    expect((await call("DELETE", "/v1/integrations/petstore")).status).toBe(404);
  });

  it("lists, searches and shows actions at the current or a named version", async () => {
    await call("POST", "/v1/integrations", { body: petstore });
    await call("POST", "/v1/integrations", { body: { ...petstore, actions: [petstore.actions[0]] } });
    const current = (await (await call("GET", "/v1/integrations/petstore/actions")).json()) as { data: Array<{ name: string }> };
    expect(current.data.map((a) => a.name)).toEqual(["pets.list"]);
    const v1 = (await (await call("GET", "/v1/integrations/petstore/actions?version=1&search=CREATE")).json()) as { data: Array<{ name: string }> };
    expect(v1.data.map((a) => a.name)).toEqual(["pets.create"]);
    expect(await (await call("GET", "/v1/integrations/petstore/actions/pets.create?version=1")).json()).toMatchObject({
      version: 1,
      method: "POST",
      inputSchema: { properties: { name: { type: "string" } } },
    });
    const missing = await call("GET", "/v1/integrations/petstore/actions/pets.create");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ detail: 'action "pets.create" in petstore version 2 not found' });
    expect((await call("GET", "/v1/integrations/petstore/actions?version=7")).status).toBe(404);
  });

  it("keeps tenants apart: another tenant's key sees none of this tenant's integrations", async () => {
    await call("POST", "/v1/integrations", { body: petstore });
    for (const path of ["/v1/integrations/petstore", "/v1/integrations/petstore/actions", "/v1/integrations/petstore/actions/pets.list"]) {
      expect((await call("GET", path, { key: otherTenantKey })).status).toBe(404);
    }
    expect((await call("DELETE", "/v1/integrations/petstore", { key: otherTenantKey })).status).toBe(404);
    expect(await (await call("GET", "/v1/integrations", { key: otherTenantKey })).json()).toEqual({ data: [], nextCursor: null });
    expect((await call("GET", "/v1/integrations/petstore")).status).toBe(200);
  });

  it("rejects malformed JSON with 400 naming the body, and writes nothing", async () => {
    const response = await call("POST", "/v1/integrations", { raw: '{"slug": "x",' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "https://waygate.dev/problems/bad-request", errors: [{ field: "body" }] });
    expect(await (await call("GET", "/v1/integrations")).json()).toEqual({ data: [], nextCursor: null });
  });

  it("rejects an invalid definition with 400 listing each failing field", async () => {
    const response = await call("POST", "/v1/integrations", {
      body: { ...petstore, slug: "Bad Slug", actions: [...petstore.actions, { ...petstore.actions[0], method: "FETCH" }] },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { type: string; errors: Array<{ field: string }> };
    expect(problem.type).toBe("https://waygate.dev/problems/validation");
    expect(problem.errors.map((e) => e.field)).toEqual(expect.arrayContaining(["body.slug", "body.actions.2.method"]));
    expect((await call("GET", "/v1/integrations/petstore")).status).toBe(404);
  });

  it("rejects duplicate action names in a definition", async () => {
    const response = await call("POST", "/v1/integrations", { body: { ...petstore, actions: [petstore.actions[0], petstore.actions[0]] } });
    expect(await response.json()).toMatchObject({ status: 400, errors: [{ field: "body.actions.1.name", message: 'duplicate action name "pets.list"' }] });
  });

  it("rejects bad query parameters with 400 naming them", async () => {
    const response = await call("GET", "/v1/integrations?limit=0");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ field: "query.limit" }] });
  });

  it("answers 415 for a non-JSON body, 413 for an oversized one and 404 for unknown routes", async () => {
    expect((await call("POST", "/v1/integrations", { raw: "slug=x", type: "application/x-www-form-urlencoded" })).status).toBe(415);
    const big = await call("POST", "/v1/integrations", { body: { ...petstore, description: "x".repeat(70 * 1024) } });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ type: "https://waygate.dev/problems/payload-too-large" });
    const unknown = await call("GET", "/v1/nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: "no route for GET /v1/nope" });
  });

  describe("document uploads", () => {
    const MiB = 1024 * 1024;
    const yaml = "openapi: 3.1.0\ninfo: { title: Tiny, version: '1' }\npaths: {}\n";
    let upload: ReturnType<typeof createApp>;
    beforeEach(() => {
      upload = createApp({ store, version: "0.0.0-test", maxBodyBytes: 64 * 1024, maxDocumentBytes: MiB, maxUploadBytesInFlight: 1.5 * MiB, onUnexpectedError: (e) => unexpected.push(e) });
    });
    /** A body that sends `first` bytes, then waits for `finish()` before sending the rest. */
    const heldBody = (first: number, rest: number) => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const body = new ReadableStream<Uint8Array>({
        start: async (controller) => {
          controller.enqueue(new Uint8Array(first).fill(0x20));
          await finished;
          controller.enqueue(new Uint8Array(rest).fill(0x20));
          controller.enqueue(new TextEncoder().encode(yaml));
          controller.close();
        },
      });
      return { body, finish };
    };
    const send = (path: string, body: string | Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
      upload.request(path, { method: "POST", headers: { authorization: `Bearer ${key}`, ...headers }, body, duplex: "half" } as RequestInit);

    it("takes the document as a raw body and queues its import", async () => {
      for (const [type, filename] of [["application/yaml", "a.yaml"], ["text/plain", "b.yaml"], ["application/octet-stream", "c.yml"], ["application/json", "d.json"]] as const) {
        const content = type === "application/json" ? JSON.stringify({ openapi: "3.1.0", info: { title: "Tiny", version: "1" }, paths: {} }) : yaml;
        const response = await send(`/v1/imports/upload?slug=tiny&filename=${filename}&draft=true`, content, { "content-type": type });
        expect(response.status, await response.clone().text()).toBe(202);
        expect(await response.json()).toMatchObject({ status: "queued", summary: `import ${filename} as tiny` });
      }
      expect((await send("/v1/imports/upload?slug=Not%20A%20Slug", yaml, { "content-type": "application/yaml" })).status).toBe(400);
      expect((await send("/v1/imports/upload", yaml, { "content-type": "image/png" })).status).toBe(415);
      expect((await send("/v1/imports/upload", "", { "content-type": "application/yaml" })).status).toBe(400);
    });

    it("refuses a document over the size limit with 413, whether its length is declared or not", async () => {
      const big = new Uint8Array(MiB + 1).fill(0x20);
      expect((await send("/v1/imports/upload", big, { "content-type": "application/yaml" })).status).toBe(413);
      const streamed = new ReadableStream<Uint8Array>({
        start: (controller) => {
          for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(MiB / 4 + 1));
          controller.close();
        },
      });
      const response = await send("/v1/imports/upload", streamed, { "content-type": "application/yaml" });
      expect(response.status).toBe(413);
      expect(response.headers.get("connection")).toBe("close");
      expect((await (await call("GET", "/v1/jobs")).json()) as { data: unknown[] }).toEqual({ data: [], nextCursor: null });
    });

    it("refuses uploads past the server-wide in-flight budget with 503 and Retry-After; health still answers", async () => {
      const held = heldBody(256 * 1024, 700 * 1024);
      const declared = String(256 * 1024 + 700 * 1024 + yaml.length);
      const first = send("/v1/imports/upload?slug=first", held.body, { "content-type": "application/yaml", "content-length": declared });
      await new Promise((resolve) => setTimeout(resolve, 50));

      const refused = await send("/v1/imports/upload?slug=second", new Uint8Array(700 * 1024).fill(0x20), { "content-type": "application/yaml" });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ type: "https://waygate.dev/problems/server-busy", status: 503 });
      // The JSON form counts against the same budget.
      const json = await upload.request("/v1/imports", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ source: { content: yaml + " ".repeat(700 * 1024) }, slug: "json" }),
      });
      expect(json.status).toBe(503);
      // A body of undeclared length is counted as it arrives.
      const chunked = new ReadableStream<Uint8Array>({
        start: (controller) => {
          for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(100 * 1024).fill(0x20));
          controller.close();
        },
      });
      expect((await send("/v1/imports/upload?slug=chunked", chunked, { "content-type": "application/yaml" })).status).toBe(503);

      const began = performance.now();
      expect((await upload.request("/v1/health")).status).toBe(200);
      expect(performance.now() - began).toBeLessThan(200);

      held.finish();
      expect((await first).status).toBe(202);
      // The budget is free again once the first upload is in.
      expect((await send("/v1/imports/upload?slug=second", new Uint8Array(700 * 1024).fill(0x20), { "content-type": "application/yaml" })).status).toBe(202);
    });
  });
});
