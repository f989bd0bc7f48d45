import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "./store.js";

const schema = { type: "object", properties: {} };

describe.each(storeBackends)("intent store on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  let otherTenantId: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
    otherTenantId = (await store.tenants.create("Globex")).id;
  });
  afterEach(async () => dispose());

  it("gives concurrent creates of one intent consecutive versions, none lost and none refused", async () => {
    const created = await Promise.all(Array.from({ length: 5 }, (_, i) => store.intents.append(tenantId, { name: "send_message", description: `v${i}`, inputSchema: schema, outputSchema: schema })));
    expect(created.map((record) => record.version).sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await store.intents.get(tenantId, "send_message"))?.version).toBe(5);
    expect(await store.intents.get(otherTenantId, "send_message")).toBeUndefined();
  });

  it("sees its own writes through the read caches: bindings, preferences and pins", async () => {
    await store.intents.append(tenantId, { name: "notify", description: "", inputSchema: schema, outputSchema: schema });
    expect(await store.intents.bindings(tenantId, "notify", 1)).toEqual([]);
    await store.intents.bind(tenantId, "notify", 1, { integration: "slack", action: "chat.postMessage", integrationVersion: 3, mapping: { input: [], output: [] }, unsupported: ["/threadId"] });
    expect(await store.intents.bindings(tenantId, "notify", 1)).toMatchObject([{ integration: "slack", integrationVersion: 3, unsupported: ["/threadId"] }]);
    expect(await store.intents.bindings(otherTenantId, "notify", 1)).toEqual([]);

    expect(await store.intents.preference(tenantId, null, "notify")).toBeUndefined();
    await store.intents.setPreference(tenantId, null, "notify", ["teams", "slack"]);
    expect(await store.intents.preference(tenantId, null, "notify")).toEqual(["teams", "slack"]);
    await store.intents.setPreference(tenantId, null, "notify", ["slack"]);
    expect(await store.intents.preference(tenantId, null, "notify")).toEqual(["slack"]);

    const app = await store.apps.create(tenantId, "web");
    if (app === "name-taken") throw new Error("unexpected");
    expect(await store.intents.pinned(app.id, "notify")).toBeUndefined();
    await store.intents.pin(app.id, "notify", 1);
    expect(await store.intents.pinned(app.id, "notify")).toBe(1);
    expect(await store.intents.unpin(app.id, "notify")).toBe(true);
    expect(await store.intents.pinned(app.id, "notify")).toBeUndefined();
    expect(await store.intents.unbind(tenantId, "notify", 1, "slack")).toBe(true);
    expect(await store.intents.bindings(tenantId, "notify", 1)).toEqual([]);
  });
});
