import { describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinition } from "../contract/integrations.js";
import { importDocument } from "./index.js";
import { fixture } from "./test-server.js";

async function crm() {
  const outcome = await importDocument({ kind: "content", content: await fixture("postman-2.1.json"), filename: "postman-2.1.json" });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  const byName = (name: string): ActionDefinition => outcome.definition.actions.find((a) => a.name === name)!;
  return { ...outcome, byName };
}

describe("Postman Collection v2.1", () => {
  it("names actions by folder and request name, base URL from the {{baseUrl}} variable", async () => {
    const { definition, format, formatVersion } = await crm();
    expect(format).toBe("postman");
    expect(formatVersion).toBe("2.1.0");
    IntegrationDefinitionSchema.parse(definition);
    expect(definition.baseUrl).toBe("https://crm.example.com/api/v1");
    expect(definition.slug).toBe("acme-crm");
    expect(definition.actions.map((a) => `${a.name} ${a.method} ${a.path}`)).toEqual([
      "contacts.createContact POST /contacts",
      "contacts.getContact GET /contacts/{contactId}",
      "contacts.listContacts GET /contacts",
      "deals.attachFile POST /deals/{dealId}/files",
      "deals.updateDealStage PUT /deals/{dealId}/stage",
    ]);
  });

  it("collects collection and folder auth", async () => {
    const { definition } = await crm();
    expect(definition.authSchemes).toEqual([{ type: "bearer" }, { type: "apiKey", name: "X-Deals-Key", in: "header" }]);
    expect(definition.authTypeUnverified).toBe(false);
  });

  it("turns :param and {{var}} path segments into path parameters", async () => {
    const { byName } = await crm();
    expect(byName("contacts.getContact").inputSchema).toEqual({
      type: "object",
      properties: { contactId: { type: "string", examples: ["42"], description: "Contact id", "x-waygate-in": "path" } },
      required: ["contactId"],
    });
    expect(byName("deals.updateDealStage").inputSchema["required"]).toEqual(["dealId"]);
  });

  it("reads query params, headers (not Content-Type/Authorization) and a saved JSON response", async () => {
    const { byName } = await crm();
    const list = byName("contacts.listContacts");
    expect(list.inputSchema["properties"]).toEqual({
      page: { type: "string", examples: ["1"], "x-waygate-in": "query" },
      per_page: { type: "string", examples: ["20"], "x-waygate-in": "query" },
      search: { type: "string", description: "Free-text search", "x-waygate-in": "query" },
      Accept: { type: "string", default: "application/json", "x-waygate-in": "header" },
    });
    expect(list.outputSchema).toEqual({
      type: "object",
      properties: { data: { type: "array", items: { type: "object", properties: { id: { type: "integer" }, email: { type: "string" } } } }, total: { type: "integer" } },
    });
    expect(list.pagination).toEqual({ strategy: "page", pageParam: "page", sizeParam: "per_page", itemsPath: "/data" });
  });

  it("infers a raw JSON body (with {{variables}}) and puts urlencoded/formdata fields beside the path params", async () => {
    const { byName } = await crm();
    expect(byName("contacts.createContact").inputSchema).toEqual({
      type: "object",
      properties: {
        email: { type: "string", "x-waygate-in": "body" },
        age: { "x-waygate-in": "body" },
        tags: { type: "array", items: { type: "string" }, "x-waygate-in": "body" },
      },
      "x-waygate-content-type": "application/json",
    });
    const stage = byName("deals.updateDealStage").inputSchema;
    expect((stage["properties"] as Record<string, unknown>)["stage"]).toEqual({ type: "string", "x-waygate-in": "body" });
    expect(stage["x-waygate-content-type"]).toBe("application/x-www-form-urlencoded");
    expect(byName("deals.attachFile").inputSchema["x-waygate-content-type"]).toBe("multipart/form-data");
  });

  it("declares unverified auth when the collection says nothing about auth", async () => {
    const collection = JSON.parse(await fixture("postman-2.1.json")) as Record<string, unknown>;
    delete collection["auth"];
    collection["item"] = (collection["item"] as Record<string, unknown>[]).slice(0, 1);
    const outcome = await importDocument({ kind: "content", content: JSON.stringify(collection) });
    expect(outcome).toMatchObject({ kind: "imported", definition: { authSchemes: [], authTypeUnverified: true } });
  });
});
