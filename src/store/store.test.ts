import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema, type IntegrationDefinitionInput } from "../contract/index.js";
import { contentHash } from "../lib/canonical-json.js";
import { openTestStore, rawDb as db, storeBackends } from "../../test/support/stores.js";
import { StoredDataError } from "./decode.js";
import type { Store } from "./store.js";

function definition(overrides: Partial<IntegrationDefinitionInput> = {}) {
  return IntegrationDefinitionSchema.parse({
    slug: "petstore",
    name: "Petstore",
    baseUrl: "https://petstore.example.com/v1",
    authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
    actions: [
      { name: "pets.list", method: "GET", path: "/pets", summary: "List pets", pagination: { strategy: "page", pageParam: "page" } },
      { name: "pets.create", method: "POST", path: "/pets", summary: "Create a pet", inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string", "x-waygate-in": "body" } } } },
      { name: "pets.get", method: "GET", path: "/pets/{petId}", deprecated: true },
    ],
    ...overrides,
  });
}

async function save(store: Store, tenantId: string, def = definition()) {
  return store.versions.save(tenantId, def, { contentHash: contentHash(def), createdBy: "test" });
}

describe.each(storeBackends)("store on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let clock = new Date("2026-01-01T00:00:00.000Z");

  beforeEach(async () => {
    clock = new Date("2026-01-01T00:00:00.000Z");
    ({ store, dispose } = await openTestStore(backend, { now: () => clock }));
  });
  afterEach(async () => dispose());

  describe("tenants", () => {
    it("creates and lists tenants in creation order", async () => {
      const a = await store.tenants.create("Acme");
      clock = new Date("2026-01-02T00:00:00.000Z");
      const b = await store.tenants.create("Globex");
      expect(a.id).toMatch(/^ten_/);
      expect(await store.tenants.list()).toEqual([a, b]);
      expect(await store.tenants.count()).toBe(2);
      expect(await store.tenants.get(b.id)).toEqual(b);
      expect(await store.tenants.get("ten_missing")).toBeUndefined();
    });
  });

  describe("keys", () => {
    it("issues a prefixed 256-bit key, stores only its hash and authenticates it", async () => {
      const tenant = await store.tenants.create("Acme");
      const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant" });
      expect(issued.secret).toMatch(/^wg_tenant_[A-Za-z0-9_-]{43}$/);
      expect(issued.key.prefix).toBe(issued.secret.slice(0, 16));
      const auth = await store.keys.authenticate(issued.secret);
      expect(auth).toEqual({ tenantId: tenant.id, key: { ...issued.key, lastUsedAt: clock.toISOString() } });
    });

    it("rejects unknown, malformed and revoked keys alike", async () => {
      const tenant = await store.tenants.create("Acme");
      const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant" });
      expect(await store.keys.authenticate(issued.secret.slice(0, -1) + "x")).toBeUndefined();
      expect(await store.keys.authenticate("not-a-key")).toBeUndefined();
      const revoked = await store.keys.revoke(tenant.id, issued.key.id);
      expect(revoked?.revokedAt).toBe(clock.toISOString());
      expect(await store.keys.authenticate(issued.secret)).toBeUndefined();
    });

    it("stamps keys and connections as used at most once a minute", async () => {
      const tenant = await store.tenants.create("Acme");
      const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant" });
      await save(store, tenant.id);
      const integrationId = (await store.integrations.find(tenant.id, "petstore"))!.id;
      const scope = { tenantId: tenant.id, appId: null };
      const connection = await store.connections.create(scope, { integrationId, externalUserId: null, credentials: { type: "bearer", token: "t" } });
      if (connection === "exists") throw new Error("unexpected");
      const stamps = async () => [(await store.keys.get(tenant.id, issued.key.id))?.lastUsedAt, (await store.connections.get(scope, connection.id))?.lastUsedAt];
      const first = clock.toISOString();
      await store.keys.authenticate(issued.secret);
      await store.connections.touch(connection.id);
      expect(await stamps()).toEqual([first, first]);
      clock = new Date(clock.getTime() + 30_000);
      await store.keys.authenticate(issued.secret);
      await store.connections.touch(connection.id);
      expect(await stamps()).toEqual([first, first]);
      clock = new Date(clock.getTime() + 31_000);
      await store.keys.authenticate(issued.secret);
      await store.connections.touch(connection.id);
      expect(await stamps()).toEqual([clock.toISOString(), clock.toISOString()]);
    });

    it("revokes admin keys down to the last active one, also when two revokes race", async () => {
      const tenant = await store.tenants.create("Acme");
      const [a, b, c] = [
        await store.keys.issue({ tenantId: tenant.id, kind: "tenant" }),
        await store.keys.issue({ tenantId: tenant.id, kind: "tenant" }),
        await store.keys.issue({ tenantId: tenant.id, kind: "tenant" }),
      ];
      expect(await store.keys.revokeAdminKey(tenant.id, a.key.id)).toMatchObject({ id: a.key.id, revokedAt: clock.toISOString() });
      // Revoking a revoked key again answers it as it is.
      expect(await store.keys.revokeAdminKey(tenant.id, a.key.id)).toMatchObject({ id: a.key.id, revokedAt: clock.toISOString() });
      const raced = await Promise.all([store.keys.revokeAdminKey(tenant.id, b.key.id), store.keys.revokeAdminKey(tenant.id, c.key.id)]);
      expect(raced.filter((outcome) => outcome === "last-active")).toHaveLength(1);
      expect((await store.keys.list(tenant.id)).filter((key) => key.revokedAt === null)).toHaveLength(1);
      const app = await store.apps.create(tenant.id, "web");
      if (app === "name-taken") throw new Error("unexpected");
      const appKey = await store.keys.issue({ tenantId: tenant.id, kind: "app", appId: app.id });
      expect(await store.keys.revokeAdminKey(tenant.id, appKey.key.id)).toBeUndefined();
      expect(await store.keys.revokeAdminKey(tenant.id, "key_missing")).toBeUndefined();
    });

    it("never revokes or shows another tenant's key", async () => {
      const acme = await store.tenants.create("Acme");
      const globex = await store.tenants.create("Globex");
      const issued = await store.keys.issue({ tenantId: acme.id, kind: "tenant" });
      expect(await store.keys.revoke(globex.id, issued.key.id)).toBeUndefined();
      expect(await store.keys.get(globex.id, issued.key.id)).toBeUndefined();
      expect(await store.keys.list(globex.id)).toEqual([]);
      expect(await store.keys.authenticate(issued.secret)).toBeDefined();
    });
  });

  describe("integrations", () => {
    it("saves a definition as version 1 with its actions and summary counts", async () => {
      const tenant = await store.tenants.create("Acme");
      const result = await save(store, tenant.id);
      expect(result).toMatchObject({ created: true, version: 1 });
      expect(result.integration).toMatchObject({
        slug: "petstore",
        authType: "apiKey",
        authTypeUnverified: false,
        currentVersion: 1,
        versionCount: 1,
        actionCount: 3,
        authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
      });
    });

    it("writes nothing for identical content and adds version 2 for changed content", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id);
      expect(await save(store, tenant.id)).toMatchObject({ created: false, version: 1 });
      const changed = definition({ actions: [{ name: "pets.list", method: "GET", path: "/pets" }] });
      const second = await save(store, tenant.id, changed);
      expect(second).toMatchObject({ created: true, version: 2, integration: { currentVersion: 2, versionCount: 2, actionCount: 1 } });
      const v1 = await store.integrations.resolveVersion(tenant.id, "petstore", 1);
      expect(v1.kind === "found" && (await store.integrations.listActions(v1.ref, { limit: 10 })).data).toHaveLength(3);
    });

    it("pages integrations by slug with an opaque cursor and searches slug and name", async () => {
      const tenant = await store.tenants.create("Acme");
      for (const slug of ["delta", "alpha", "charlie", "bravo", "echo"]) {
        await save(store, tenant.id, definition({ slug, name: `API ${slug.toUpperCase()}` }));
      }
      const first = await store.integrations.list(tenant.id, { limit: 2 });
      expect(first.data.map((i) => i.slug)).toEqual(["alpha", "bravo"]);
      const second = await store.integrations.list(tenant.id, { limit: 2, cursor: first.nextCursor! });
      expect(second.data.map((i) => i.slug)).toEqual(["charlie", "delta"]);
      const last = await store.integrations.list(tenant.id, { limit: 2, cursor: second.nextCursor! });
      expect(last).toMatchObject({ data: [{ slug: "echo" }], nextCursor: null });
      expect((await store.integrations.list(tenant.id, { limit: 10, search: "api c" })).data.map((i) => i.slug)).toEqual(["charlie"]);
    });

    it("treats LIKE wildcards in a search term literally", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id, definition({ slug: "one", name: "100% uptime" }));
      await save(store, tenant.id, definition({ slug: "two", name: "1000 things" }));
      expect((await store.integrations.list(tenant.id, { limit: 10, search: "0%" })).data.map((i) => i.slug)).toEqual(["one"]);
      expect((await store.integrations.list(tenant.id, { limit: 10, search: "_" })).data).toEqual([]);
    });

    it("lists, searches and shows actions of a version", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id);
      const lookup = await store.integrations.resolveVersion(tenant.id, "petstore");
      if (lookup.kind !== "found") throw new Error("expected the current version");
      const page = await store.integrations.listActions(lookup.ref, { limit: 2 });
      expect(page.data).toEqual([
        { name: "pets.create", method: "POST", path: "/pets", summary: "Create a pet", deprecated: false, paginated: false },
        { name: "pets.get", method: "GET", path: "/pets/{petId}", summary: null, deprecated: true, paginated: false },
      ]);
      const rest = await store.integrations.listActions(lookup.ref, { limit: 2, cursor: page.nextCursor! });
      expect(rest.data.map((a) => a.name)).toEqual(["pets.list"]);
      expect((await store.integrations.listActions(lookup.ref, { limit: 10, search: "{petid}" })).data.map((a) => a.name)).toEqual(["pets.get"]);
      const action = await store.integrations.getAction(lookup.ref, "pets.create");
      expect(action).toMatchObject({
        integration: "petstore",
        version: 1,
        inputSchema: { required: ["name"], properties: { name: { "x-waygate-in": "body" } } },
        outputSchema: null,
        pagination: null,
      });
      expect(await store.integrations.getAction(lookup.ref, "pets.nope")).toBeUndefined();
    });

    it("reports which part of a version lookup is missing", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id);
      expect(await store.integrations.resolveVersion(tenant.id, "nope")).toEqual({ kind: "missing", what: "integration" });
      expect(await store.integrations.resolveVersion(tenant.id, "petstore", 9)).toEqual({ kind: "missing", what: "version" });
    });

    it("isolates tenants: same slug, separate integrations", async () => {
      const acme = await store.tenants.create("Acme");
      const globex = await store.tenants.create("Globex");
      await save(store, acme.id);
      expect(await store.integrations.get(globex.id, "petstore")).toBeUndefined();
      expect(await store.integrations.delete(globex.id, "petstore")).toBe(false);
      expect((await save(store, globex.id)).version).toBe(1);
      expect((await store.integrations.list(acme.id, { limit: 10 })).data).toHaveLength(1);
    });

    it("deletes an integration with all its versions and actions", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id);
      expect(await store.integrations.delete(tenant.id, "petstore")).toBe(true);
      expect(await store.integrations.get(tenant.id, "petstore")).toBeUndefined();
      expect((await save(store, tenant.id)).version).toBe(1);
    });

    it("fails loudly, naming the column, on stored JSON of the wrong shape", async () => {
      const tenant = await store.tenants.create("Acme");
      await save(store, tenant.id);
      await db(store).updateTable("integration_versions").set({ config: JSON.stringify({ name: "x" }) }).execute();
      await expect(store.versions.definition(tenant.id, "petstore", 1)).rejects.toThrow(/integration_versions\.config: stored JSON has an unexpected shape/);
      await expect(store.versions.definition(tenant.id, "petstore", 1)).rejects.toBeInstanceOf(StoredDataError);
    });

    it("numbers the versions of 20 concurrent saves 1..20, one integration row, one history", async () => {
      const tenant = await store.tenants.create("Acme");
      const saved = await Promise.all(Array.from({ length: 20 }, (_, i) => save(store, tenant.id, definition({ name: `Petstore ${i}` }))));
      expect(saved.map((result) => result.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store.integrations.list(tenant.id, { limit: 10 })).data).toHaveLength(1);
      expect((await store.versions.history(tenant.id, "petstore"))!.filter((event) => event.kind === "created")).toHaveLength(20);
    });

    it("saves a large definition (2,000 actions) in one transaction", async () => {
      const tenant = await store.tenants.create("Acme");
      const actions = Array.from({ length: 2000 }, (_, i) => ({ name: `ops.op${i}`, method: "GET" as const, path: `/ops/${i}` }));
      const result = await save(store, tenant.id, definition({ actions }));
      expect(result.integration.actionCount).toBe(2000);
    });
  });
});
