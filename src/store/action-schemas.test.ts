import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { IntegrationDefinitionSchema, type IntegrationDefinition } from "../contract/index.js";
import { definitionHash } from "../lib/definition-hash.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { StoredDataError } from "./decode.js";
import type { Database } from "./schema.js";
import type { Store } from "./store.js";

function db(store: Store): Kysely<Database> {
  return (store as unknown as { handle: { db: Kysely<Database> } }).handle.db;
}

/** Three actions whose schemas carry the same `$defs` members (one object each, as the importer shares them). */
function sharingDefinition(): IntegrationDefinition {
  const customer = { type: "object", properties: { id: { type: "string" }, address: { $ref: "#/$defs/address" } } };
  const address = { type: "object", properties: { city: { type: "string" } } };
  const error = { type: "object", properties: { message: { type: "string" } } };
  const defs = { customer, address };
  return IntegrationDefinitionSchema.parse({
    slug: "shop",
    name: "Shop",
    baseUrl: "https://shop.example.com",
    authSchemes: [],
    actions: [
      { name: "customers.get", method: "GET", path: "/customers/{id}", inputSchema: { type: "object", properties: { id: { type: "string", "x-waygate-in": "path" } } }, outputSchema: { $ref: "#/$defs/customer", $defs: defs }, errors: { "404": { $ref: "#/$defs/error", $defs: { error } } } },
      { name: "customers.list", method: "GET", path: "/customers", outputSchema: { type: "array", items: { $ref: "#/$defs/customer" }, $defs: defs } },
      { name: "customers.update", method: "POST", path: "/customers/{id}", inputSchema: { type: "object", properties: { address: { $ref: "#/$defs/address", "x-waygate-in": "body" } }, $defs: { address } }, outputSchema: { $ref: "#/$defs/customer", $defs: defs } },
    ],
  });
}

describe.each(storeBackends)("shared action schemas on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
  });
  afterEach(async () => dispose());

  async function saved() {
    const tenant = await store.tenants.create("Acme");
    const definition = sharingDefinition();
    await store.versions.save(tenant.id, definition, { contentHash: definitionHash(definition), createdBy: "test" });
    return { tenant, definition };
  }

  it("stores each distinct $defs object and member once per version, and reads the definition back equal, shared again", async () => {
    const { tenant, definition } = await saved();
    const rows = await db(store).selectFrom("action_schemas").selectAll().execute();
    // $defs objects: { customer, address } (three outputs), { error }, { address } (an input); members: customer, address, error.
    expect(rows).toHaveLength(6);
    const stored = await db(store).selectFrom("actions").select(["name", "definition"]).where("name", "=", "customers.list").executeTakeFirstOrThrow();
    expect(stored.definition).not.toContain('"city"');
    const loaded = await store.versions.definition(tenant.id, "shop", 1);
    expect(loaded).toEqual(definition);
    expect(definitionHash(loaded)).toBe(definitionHash(definition));
    const [get, list, update] = loaded!.actions;
    expect(get!.outputSchema!["$defs"]).toBe(list!.outputSchema!["$defs"]);
    const address = (get!.outputSchema!["$defs"] as Record<string, unknown>)["address"];
    expect((update!.inputSchema["$defs"] as Record<string, unknown>)["address"]).toBe(address);
  });

  it("shows one action with its shared schemas filled in", async () => {
    const { tenant, definition } = await saved();
    const lookup = await store.integrations.resolveVersion(tenant.id, "shop");
    if (lookup.kind !== "found") throw new Error("expected the current version");
    const action = await store.integrations.getAction(lookup.ref, "customers.update");
    expect(action).toMatchObject({ inputSchema: definition.actions[2]!.inputSchema, outputSchema: definition.actions[2]!.outputSchema });
  });

  it("reads rows written before shared schemas (inline $defs, no flag) as before", async () => {
    const { tenant, definition } = await saved();
    const inline = definition.actions[0]!;
    await db(store)
      .updateTable("actions")
      .set({ definition: JSON.stringify({ tags: inline.tags, inputSchema: inline.inputSchema, outputSchema: inline.outputSchema, errors: inline.errors, pagination: inline.pagination }) })
      .where("name", "=", inline.name)
      .execute();
    expect((await store.versions.definition(tenant.id, "shop", 1))!.actions[0]).toEqual(inline);
  });

  it("fails loudly when a stored $defs object or member is gone, and deletes them with the integration", async () => {
    const { tenant } = await saved();
    const rows = await db(store).selectFrom("action_schemas").selectAll().execute();
    const errorDefs = rows.find((row) => row.schema.startsWith('{"error":'))!;
    await db(store).deleteFrom("action_schemas").where("digest", "=", errorDefs.digest).execute();
    await expect(store.versions.definition(tenant.id, "shop", 1)).rejects.toBeInstanceOf(StoredDataError);
    await expect(store.versions.definition(tenant.id, "shop", 1)).rejects.toThrow(/^action_schemas: action customers\.get of shop names the shared \$defs [0-9a-f]{64}, which is not stored$/);
    await db(store).insertInto("action_schemas").values(errorDefs).execute();
    const city = rows.find((row) => row.schema.includes('"city"'))!;
    await db(store).deleteFrom("action_schemas").where("digest", "=", city.digest).execute();
    await expect(store.versions.definition(tenant.id, "shop", 1)).rejects.toThrow(/^action_schemas: the shared schema [0-9a-f]{64} of version ver_[\w-]+ is not stored$/);
    expect(await store.integrations.delete(tenant.id, "shop")).toBe(true);
    expect(await db(store).selectFrom("action_schemas").selectAll().execute()).toEqual([]);
  });
});
