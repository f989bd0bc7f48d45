import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { createApp } from "./app.js";

const petstore = {
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  actions: [
    { name: "pets.list", method: "GET", path: "/pets" },
    { name: "pets.get", method: "GET", path: "/pets/{id}" },
  ],
};

interface Answer {
  status: number;
  type: string | null;
  body: Record<string, unknown> & { errors?: Array<{ field: string; message: string }>; data?: Array<Record<string, unknown>> };
}

/**
 * Postgres refuses text with NUL (a 500 before this check) and SQLite cuts it off there (three
 * different users stored as one), so a NUL in anything that is stored or looked up is a 400
 * naming the field; what an invoke passes through to the upstream API is not ours to refuse.
 */
describe.each(storeBackends)("request text the store cannot take, on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let api: ReturnType<typeof createApp>;
  let key: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    api = createApp({ store, version: "test" });
    const tenantId = (await store.tenants.create("Acme")).id;
    key = (await store.keys.issue({ tenantId, kind: "tenant" })).secret;
  });
  afterEach(async () => dispose());

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get("content-type"), body: text ? (JSON.parse(text) as Answer["body"]) : {} };
  };
  const expectRefused = (answer: Answer, field: string) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.type).toBe("application/problem+json");
    expect(answer.body).toMatchObject({ type: "https://waygate.dev/problems/validation" });
    expect(answer.body.errors?.map((error) => error.field)).toContain(field);
  };

  describe("NUL", () => {
    it("refuses NUL in an integration's names and texts, naming the field", async () => {
      expectRefused(await call("POST", "/v1/integrations", { ...petstore, name: "Pet\u0000store" }), "body.name");
      expectRefused(await call("POST", "/v1/integrations", { ...petstore, description: "a\u0000b" }), "body.description");
      const actions = [{ ...petstore.actions[0], summary: "List\u0000pets" }];
      expectRefused(await call("POST", "/v1/integrations", { ...petstore, actions }), "body.actions.0.summary");
      expect((await call("GET", "/v1/integrations")).body.data).toEqual([]);
    });

    it("keeps three end users with NUL in their ids from being stored as one", async () => {
      await call("POST", "/v1/integrations", petstore);
      for (const user of ["u\u0000a", "u\u0000b", "u\u0000c"]) {
        expectRefused(await call("POST", "/v1/connections", { integration: "petstore", externalUserId: user, credentials: { type: "bearer", token: "t" } }), "body.externalUserId");
      }
      expect((await call("GET", "/v1/connections")).body.data).toEqual([]);
      expectRefused(await call("GET", "/v1/connections?user=u%00a"), "query.user");
    });

    it("refuses NUL in path parameters, query parameters and key names", async () => {
      expectRefused(await call("GET", "/v1/apps/we%00b"), "params.app");
      expectRefused(await call("DELETE", "/v1/keys/key%00x"), "params.keyId");
      expectRefused(await call("GET", "/v1/integrations?search=pet%00"), "query.search");
      expectRefused(await call("POST", "/v1/keys", { name: "ci\u0000" }), "body.name");
      expectRefused(await call("GET", "/v1/connections/con%00x"), "params.connectionId");
    });

    it("passes NUL inside an invoke's input through to the gateway, but not in its connection", async () => {
      const passed = await call("POST", "/v1/invoke/nope/pets.list", { input: { q: "a\u0000b", nested: ["\u0000"] } });
      expect(passed.status, JSON.stringify(passed.body)).toBe(404);
      expectRefused(await call("POST", "/v1/invoke/nope/pets.list", { input: {}, connection: "u\u0000a" }), "body.connection");
    });
  });

  describe("cursors", () => {
    it("refuses a cursor this server could not have issued (400 on query.cursor) instead of answering the first page", async () => {
      for (const slug of ["alpha", "bravo", "charlie"]) await call("POST", "/v1/integrations", { ...petstore, slug });
      const first = await call("GET", "/v1/integrations?limit=2");
      expect(first.body.data?.map((integration) => integration.slug)).toEqual(["alpha", "bravo"]);
      expect((await call("GET", `/v1/integrations?limit=2&cursor=${first.body.nextCursor as string}`)).body.data?.map((i) => i.slug)).toEqual(["charlie"]);

      const nul = Buffer.from("alpha\u0000", "utf8").toString("base64url");
      const invalidUtf8 = Buffer.from([0xff, 0xfe]).toString("base64url");
      for (const cursor of ["!!!!", "%25%25", "not-a-cursor", nul, invalidUtf8, "YWxwaGE="]) {
        expectRefused(await call("GET", `/v1/integrations?cursor=${cursor}`), "query.cursor");
      }
      expectRefused(await call("GET", "/v1/integrations/alpha/actions?cursor=!!!!"), "query.cursor");
      expectRefused(await call("GET", "/v1/jobs?cursor=!!!!"), "query.cursor");
    });
  });
});
