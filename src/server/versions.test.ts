import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { createApp } from "./app.js";

const v1 = {
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  actions: [
    { name: "pets.list", method: "GET", path: "/pets" },
    { name: "pets.get", method: "GET", path: "/pets/{id}", inputSchema: { type: "object", required: ["id"], properties: { id: { type: "string", "x-waygate-in": "path" } } } },
    { name: "pets.delete", method: "DELETE", path: "/pets/{id}" },
  ],
};
/** v2 adds an action: non-breaking. */
const v2 = { ...v1, actions: [...v1.actions, { name: "pets.count", method: "GET", path: "/pets/count" }] };
/** v3 removes an action and adds a required input: breaking. */
const v3 = {
  ...v2,
  actions: [
    v2.actions[0],
    { ...v2.actions[1], inputSchema: { type: "object", required: ["id", "owner"], properties: { id: { type: "string", "x-waygate-in": "path" }, owner: { type: "string", "x-waygate-in": "query" } } } },
    v2.actions[3],
  ],
};

describe.each(storeBackends)("versions, apps and pins on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let api: ReturnType<typeof createApp>;
  let key: string;
  let tenantId: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    api = createApp({ store, version: "test" });
    tenantId = (await store.tenants.create("Acme")).id;
    key = (await store.keys.issue({ tenantId, kind: "tenant" })).secret;
  });
  afterEach(async () => dispose());

  const call = async (method: string, path: string, body?: unknown, presented = key) => {
    const response = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${presented}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as Record<string, unknown> & { data?: Array<Record<string, unknown>> }) };
  };

  it("numbers versions, skips identical content, records diffs and a changelog", async () => {
    expect((await call("POST", "/v1/integrations", v1)).body).toMatchObject({ version: 1, created: true });
    expect((await call("POST", "/v1/integrations", v1)).body).toMatchObject({ version: 1, created: false });
    expect((await call("POST", "/v1/integrations", v2)).body).toMatchObject({ version: 2, created: true, integration: { currentVersion: 2, versionCount: 2 } });
    const list = await call("GET", "/v1/integrations/petstore/versions");
    expect(list.body?.data).toMatchObject([
      { version: 2, status: "published", current: true, actionCount: 4, changelog: "actions: 1 added", diffSummary: { added: 1, removed: 0, breaking: 0 } },
      { version: 1, status: "published", current: false, actionCount: 3, changelog: "first version", diffSummary: null },
    ]);
    expect((await call("GET", "/v1/integrations/petstore/versions/1")).body).toMatchObject({ version: 1, current: false });
    expect((await call("GET", "/v1/integrations/petstore/versions/9")).status).toBe(404);
  });

  it("classifies a diff between any two versions", async () => {
    for (const definition of [v1, v2, v3]) await call("POST", "/v1/integrations", definition);
    const diff = (await call("GET", "/v1/integrations/petstore/diff?from=2&to=3")).body!;
    expect(diff).toMatchObject({ from: 2, to: 3, breaking: true, summary: { removed: 1, changed: 1 } });
    expect(JSON.stringify(diff)).toContain("pets.delete");
    const backwards = (await call("GET", "/v1/integrations/petstore/diff?from=1&to=2")).body!;
    expect(backwards).toMatchObject({ breaking: false, summary: { added: 1, breaking: 0 } });
  });

  it("keeps a draft out of use until it is published, and refuses a breaking publish when asked", async () => {
    await call("POST", "/v1/integrations", v1);
    await call("POST", "/v1/integrations", v2);
    const draft = await call("POST", "/v1/integrations?draft=true", v3);
    expect(draft.body).toMatchObject({ version: 3, created: true, integration: { currentVersion: 2 } });
    expect((await call("GET", "/v1/integrations/petstore/actions")).body?.data).toHaveLength(4);

    const refused = await call("POST", "/v1/integrations/petstore/versions/3/publish", { failOnBreaking: true });
    expect(refused.status).toBe(409);
    expect(refused.body?.detail).toMatch(/version 3 has \d+ breaking change\(s\) against current version 2: .*pets\.delete/);
    expect((await call("GET", "/v1/integrations/petstore")).body).toMatchObject({ currentVersion: 2 });

    const rollbackToDraft = await call("POST", "/v1/integrations/petstore/rollback", { to: 3 });
    expect(rollbackToDraft.status).toBe(409);

    const published = await call("POST", "/v1/integrations/petstore/versions/3/publish", {});
    expect(published.body).toMatchObject({ version: 3, status: "published", current: true });
  });

  it("rolls back by moving the current pointer, and records it in the history", async () => {
    for (const definition of [v1, v2, v3]) await call("POST", "/v1/integrations", definition);
    const rolled = await call("POST", "/v1/integrations/petstore/rollback", { to: 1 });
    expect(rolled.body).toMatchObject({ version: 1, current: true });
    expect((await call("GET", "/v1/integrations/petstore")).body).toMatchObject({ currentVersion: 1, versionCount: 3, actionCount: 3 });
    const history = (await call("GET", "/v1/integrations/petstore/history")).body?.data;
    expect(history?.[0]).toMatchObject({ kind: "rollback", version: 1, previousVersion: 3 });
    expect(history?.map((event) => `${event.kind}:${event.version}`)).toEqual(["rollback:1", "published:3", "created:3", "published:2", "created:2", "published:1", "created:1"]);
    expect((await call("POST", "/v1/integrations/petstore/rollback", { to: 7 })).status).toBe(404);
  });

  it("pins apps to published versions; unpinned apps follow the current version, pinned ones do not", async () => {
    for (const definition of [v1, v2]) await call("POST", "/v1/integrations", definition);
    const web = (await call("POST", "/v1/apps", { name: "web" })).body!;
    const worker = (await call("POST", "/v1/apps", { name: "worker" })).body!;
    expect((await call("POST", "/v1/apps", { name: "web" })).status).toBe(409);

    expect((await call("PUT", "/v1/apps/web/pins/petstore", { version: 1 })).body).toMatchObject({ integration: "petstore", version: 1, currentVersion: 2 });
    expect((await call("PUT", "/v1/apps/web/pins/petstore", { version: 9 })).status).toBe(404);
    expect((await call("PUT", "/v1/apps/web/pins/nope", { version: 1 })).status).toBe(404);

    const integration = await store.integrations.resolveVersion(tenantId, "petstore");
    if (integration.kind !== "found") throw new Error("expected integration");
    const id = integration.ref.integrationId;
    expect(await store.apps.resolvedVersion(web.id as string, id)).toEqual({ version: 1, pinned: true });
    expect(await store.apps.resolvedVersion(worker.id as string, id)).toEqual({ version: 2, pinned: false });

    await call("POST", "/v1/integrations/petstore/rollback", { to: 1 });
    expect(await store.apps.resolvedVersion(worker.id as string, id)).toEqual({ version: 1, pinned: false });

    await call("POST", "/v1/integrations?draft=true", v3);
    expect((await call("PUT", "/v1/apps/web/pins/petstore", { version: 3 })).status).toBe(409);

    expect((await call("GET", "/v1/apps/web/pins")).body?.data).toMatchObject([{ integration: "petstore", version: 1 }]);
    expect((await call("DELETE", "/v1/apps/web/pins/petstore")).status).toBe(204);
    expect((await call("DELETE", "/v1/apps/web/pins/petstore")).status).toBe(404);
    expect(await store.apps.resolvedVersion(web.id as string, id)).toEqual({ version: 1, pinned: false });
  });

  it("manages app keys; deleting an app revokes its keys and removes its pins and connections", async () => {
    await call("POST", "/v1/integrations", v1);
    await call("POST", "/v1/apps", { name: "web" });
    const created = (await call("POST", "/v1/apps/web/keys", { name: "prod" })).body as { key: { id: string }; secret: string };
    expect(created.secret).toMatch(/^wg_app_/);
    expect((await call("GET", "/v1/me", undefined, created.secret)).body).toMatchObject({ app: { name: "web" } });
    expect((await call("GET", "/v1/apps/web/keys")).body?.data).toMatchObject([{ id: created.key.id, kind: "app", name: "prod" }]);
    await call("PUT", "/v1/apps/web/pins/petstore", { version: 1 });
    expect((await call("GET", "/v1/apps/web")).body).toMatchObject({ keyCount: 1, pinCount: 1 });

    expect((await call("PATCH", "/v1/apps/web", { name: "website" })).body).toMatchObject({ name: "website" });
    expect((await call("GET", "/v1/apps/web")).status).toBe(404);

    const connection = await call("POST", "/v1/connections", { integration: "petstore", app: "website", externalUserId: "u1", credentials: { type: "bearer", token: "t" } });
    expect(connection.status).toBe(201);
    expect((await call("DELETE", "/v1/apps/website")).status).toBe(204);
    expect((await call("GET", `/v1/connections/${connection.body?.id as string}`)).status).toBe(404);
    expect(await store.connections.list({ tenantId, appId: connection.body?.app ? (connection.body.app as { id: string }).id : "" })).toEqual([]);
    expect((await call("GET", "/v1/me", undefined, created.secret)).status).toBe(401);
    expect((await call("GET", "/v1/apps")).body?.data).toEqual([]);
  });

  it("revokes one app key without touching the others", async () => {
    await call("POST", "/v1/apps", { name: "web" });
    const a = (await call("POST", "/v1/apps/web/keys", { name: "a" })).body as { key: { id: string }; secret: string };
    const b = (await call("POST", "/v1/apps/web/keys", { name: "b" })).body as { key: { id: string }; secret: string };
    expect((await call("DELETE", `/v1/apps/web/keys/${a.key.id}`)).body).toMatchObject({ id: a.key.id, revokedAt: expect.any(String) });
    expect((await call("GET", "/v1/me", undefined, a.secret)).status).toBe(401);
    expect((await call("GET", "/v1/me", undefined, b.secret)).status).toBe(200);
  });
});
