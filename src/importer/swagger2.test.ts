import { describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinition } from "../contract/integrations.js";
import { importDocument } from "./index.js";
import { fixture } from "./test-server.js";

async function legacy() {
  const outcome = await importDocument({ kind: "content", content: await fixture("swagger-2.0.json"), filename: "swagger-2.0.json" });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  const byName = (name: string): ActionDefinition => outcome.definition.actions.find((a) => a.name === name)!;
  return { ...outcome, byName };
}

describe("Swagger 2.0", () => {
  it("builds the base URL from schemes (https preferred), host and basePath", async () => {
    const { definition, format, formatVersion } = await legacy();
    expect(format).toBe("swagger");
    expect(formatVersion).toBe("2.0");
    IntegrationDefinitionSchema.parse(definition);
    expect(definition.baseUrl).toBe("https://legacy.example.com/api");
    expect(definition.actions.map((a) => a.name)).toEqual(["orders.create", "orders.list", "orders.setNote", "orders.uploadAttachment"]);
  });

  it("maps securityDefinitions: basic, apiKey in query, oauth2 accessCode → authorizationCode", async () => {
    const { definition } = await legacy();
    expect(definition.authSchemes).toEqual([
      { type: "basic" },
      { type: "apiKey", name: "api_key", in: "query" },
      {
        type: "oauth2",
        flows: {
          authorizationCode: {
            authorizationUrl: "https://legacy.example.com/oauth/authorize",
            tokenUrl: "https://legacy.example.com/oauth/token",
            scopes: { "orders:read": "Read orders" },
          },
        },
      },
    ]);
    expect(definition.authTypeUnverified).toBe(false);
  });

  it("flattens a body parameter with a JSON schema; x-nullable and boolean exclusive bounds converted", async () => {
    const { byName } = await legacy();
    const create = byName("orders.create");
    expect(create.inputSchema).toEqual({
      type: "object",
      properties: {
        id: { type: "integer", readOnly: true, "x-waygate-in": "body" },
        item: { type: "string", "x-waygate-in": "body" },
        coupon: { type: ["string", "null"], "x-waygate-in": "body" },
        quantity: { type: "integer", exclusiveMinimum: 0, "x-waygate-in": "body" },
      },
      "x-waygate-content-type": "application/json",
      required: ["item"],
    });
    expect(create.outputSchema).toMatchObject({ $ref: "#/$defs/Order", $defs: { Order: { type: "object" } } });
    expect(create.errors).toEqual({ "400": { description: "bad request" } });
  });

  it("turns collectionFormat multi into form/explode and detects page pagination", async () => {
    const { byName } = await legacy();
    const list = byName("orders.list");
    expect((list.inputSchema["properties"] as Record<string, unknown>)["status"]).toEqual({
      type: "array",
      items: { type: "string", enum: ["open", "closed"] },
      "x-waygate-in": "query",
      "x-waygate-style": "form",
      "x-waygate-explode": true,
    });
    expect(list.pagination).toEqual({ strategy: "page", pageParam: "page", sizeParam: "page_size", itemsPath: "" });
  });

  it("turns formData into a multipart body (file) or urlencoded body (consumes), with path params from the path item", async () => {
    const { byName } = await legacy();
    const upload = byName("orders.uploadAttachment");
    expect(upload.inputSchema).toEqual({
      type: "object",
      properties: {
        orderId: { type: "string", "x-waygate-in": "path" },
        file: { type: "string", format: "binary", "x-waygate-in": "body" },
        note: { type: "string", "x-waygate-in": "body" },
      },
      required: ["orderId", "file"],
      "x-waygate-content-type": "multipart/form-data",
    });
    const note = byName("orders.setNote");
    expect(note.inputSchema["x-waygate-content-type"]).toBe("application/x-www-form-urlencoded");
    expect(note.outputSchema).toEqual({ type: "string" });
  });

  it("takes a missing host from the URL the document came from", async () => {
    const spec = JSON.parse(await fixture("swagger-2.0.json")) as Record<string, unknown>;
    delete spec["host"];
    delete spec["schemes"];
    const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec) }, { baseUrl: "http://docs.legacy.example.com/swagger.json" });
    expect(outcome).toMatchObject({ kind: "imported", definition: { baseUrl: "http://docs.legacy.example.com/api" } });
    const without = await importDocument({ kind: "content", content: JSON.stringify(spec) });
    expect(without).toMatchObject({ kind: "failed", error: { code: "no_base_url" } });
  });
});
