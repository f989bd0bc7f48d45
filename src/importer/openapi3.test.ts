import { describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinition, IntegrationDefinition } from "../contract/integrations.js";
import { canonicalJson } from "../lib/canonical-json.js";
import { definitionHash } from "../lib/definition-hash.js";
import { importDocument } from "./index.js";
import type { ImportOptions, ImportOutcome } from "./index.js";
import { fixture } from "./test-server.js";

async function importFixture(name: string, options: ImportOptions = {}): Promise<Extract<ImportOutcome, { kind: "imported" }>> {
  const outcome = await importDocument({ kind: "content", content: await fixture(name), filename: name }, options);
  if (outcome.kind !== "imported") throw new Error(`expected an import, got ${JSON.stringify(outcome.error)}`);
  return outcome;
}

function action(definition: IntegrationDefinition, name: string): ActionDefinition {
  const found = definition.actions.find((a) => a.name === name);
  if (!found) throw new Error(`no action ${name}; have ${definition.actions.map((a) => a.name).join(", ")}`);
  return found;
}

describe("OpenAPI 3.0", () => {
  it("produces a definition the contract accepts, actions sorted by name", async () => {
    const { definition, format, formatVersion } = await importFixture("petstore-3.0.yaml");
    expect(format).toBe("openapi");
    expect(formatVersion).toBe("3.0.3");
    expect(IntegrationDefinitionSchema.parse(definition)).toEqual(definition);
    expect(definition.actions.map((a) => a.name)).toEqual(["categories.tree", "owners.list", "pets.create", "pets.delete", "pets.get", "pets.list", "pets.uploadPhoto"]);
    expect(definition.slug).toBe("petstore-3-0");
    expect(definition.name).toBe("Petstore (3.0)");
  });

  it("substitutes server variable defaults into the base URL and warns about the other servers", async () => {
    const { definition, warnings } = await importFixture("petstore-3.0.yaml");
    expect(definition.baseUrl).toBe("https://eu.petstore.example.com/v2");
    expect(warnings.map((w) => w.code)).toContain("multiple_servers");
  });

  it("maps security schemes and warns about OpenID Connect", async () => {
    const { definition, warnings } = await importFixture("petstore-3.0.yaml");
    expect(definition.authTypeUnverified).toBe(false);
    expect(definition.authSchemes).toEqual([
      { type: "bearer", bearerFormat: "JWT" },
      { type: "apiKey", name: "X-API-Key", in: "header" },
      {
        type: "oauth2",
        flows: {
          authorizationCode: {
            authorizationUrl: "https://petstore.example.com/oauth/authorize",
            tokenUrl: "https://petstore.example.com/oauth/token",
            scopes: { "read:pets": "Read pets", "write:pets": "Write pets" },
          },
        },
      },
    ]);
    expect(warnings.find((w) => w.code === "unsupported_auth")).toMatchObject({ location: { pointer: "/components/securitySchemes/oidc" } });
  });

  it("merges path, query and header params (ignoring Authorization) with x-waygate-in", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const list = action(definition, "pets.list");
    expect(list.inputSchema).toEqual({
      type: "object",
      properties: {
        cursor: { type: "string", "x-waygate-in": "query" },
        // OpenAPI 3.0 boolean exclusiveMaximum becomes the 2020-12 number form.
        limit: { type: "integer", minimum: 1, exclusiveMaximum: 100, "x-waygate-in": "query" },
        "X-Request-Id": { type: "string", "x-waygate-in": "header" },
      },
    });
    const get = action(definition, "pets.get");
    expect(get.inputSchema).toMatchObject({ properties: { petId: { type: "integer", "x-waygate-in": "path" } }, required: ["petId"] });
  });

  it("flattens a JSON object body into top-level properties with in=body", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const create = action(definition, "pets.create");
    expect(create.inputSchema["x-waygate-content-type"]).toBe("application/json");
    expect(create.inputSchema["required"]).toEqual(["name", "kind"]);
    const properties = create.inputSchema["properties"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(["name", "tag", "status", "kind"]);
    for (const property of Object.values(properties)) expect(property["x-waygate-in"]).toBe("body");
  });

  it("turns 3.0 nullable into type arrays, enum null, and anyOf for $ref", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const properties = action(definition, "pets.create").inputSchema["properties"] as Record<string, unknown>;
    expect(properties["tag"]).toEqual({ type: ["string", "null"], "x-waygate-in": "body" });
    expect(properties["status"]).toEqual({ type: ["string", "null"], enum: ["available", "sold", null], "x-waygate-in": "body" });
    const defs = action(definition, "pets.get").outputSchema!["$defs"] as Record<string, Record<string, unknown>>;
    const pet = defs["Pet"]!;
    const own = (pet["allOf"] as Record<string, unknown>[])[1]!;
    expect((own["properties"] as Record<string, unknown>)["owner"]).toEqual({ anyOf: [{ $ref: "#/$defs/Owner" }, { type: "null" }] });
  });

  it("keeps oneOf + discriminator with the mapping rewritten to $defs (names and refs alike)", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const create = action(definition, "pets.create");
    const kind = (create.inputSchema["properties"] as Record<string, unknown>)["kind"];
    expect(kind).toEqual({
      oneOf: [{ $ref: "#/$defs/Cat" }, { $ref: "#/$defs/Dog" }],
      discriminator: { propertyName: "petType", mapping: { cat: "#/$defs/Cat", dog: "#/$defs/Dog" } },
      "x-waygate-in": "body",
    });
    expect(Object.keys(create.inputSchema["$defs"] as object)).toEqual(["Cat", "Dog"]);
    expect((create.inputSchema["$defs"] as Record<string, Record<string, Record<string, unknown>>>)["Dog"]!["properties"]!["packSize"]).toEqual({ type: "integer", exclusiveMinimum: 0 });
  });

  it("keeps a circular schema as a $ref into $defs instead of inlining it", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const tree = action(definition, "categories.tree");
    expect(tree.outputSchema).toEqual({
      type: "array",
      items: { $ref: "#/$defs/Category" },
      $defs: { Category: { type: "object", properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Category" } } } } },
    });
  });

  it("puts only reachable definitions under $defs (allOf members, mapping targets)", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const get = action(definition, "pets.get");
    expect(get.outputSchema!["$ref"]).toBe("#/$defs/Pet");
    expect(Object.keys(get.outputSchema!["$defs"] as object)).toEqual(["Cat", "Dog", "NewPet", "Owner", "Pet"]);
  });

  it("collects error responses by status, resolving response $refs", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    expect(action(definition, "pets.list").errors["default"]).toMatchObject({ $ref: "#/$defs/Error", description: "Error" });
    expect(action(definition, "pets.create").errors["422"]).toMatchObject({ $ref: "#/$defs/Error" });
    expect(action(definition, "pets.get").errors["404"]).toEqual({ description: "Not found" });
  });

  it("detects cursor and offset pagination", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    expect(action(definition, "pets.list").pagination).toEqual({ strategy: "cursor", cursorParam: "cursor", nextCursorPath: "/next_cursor", itemsPath: "/data" });
    expect(action(definition, "categories.tree").pagination).toEqual({ strategy: "offset", offsetParam: "offset", limitParam: "limit", itemsPath: "" });
    expect(action(definition, "pets.get").pagination).toBeNull();
  });

  it("puts the fields of a multipart body beside the path parameters, with the body's content type on the root", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml");
    const upload = action(definition, "pets.uploadPhoto");
    expect((upload.inputSchema["properties"] as Record<string, unknown>)["file"]).toEqual({ type: "string", format: "binary", "x-waygate-in": "body" });
    expect(upload.inputSchema["x-waygate-content-type"]).toBe("multipart/form-data");
  });

  it("is deterministic: same document, byte-identical canonical JSON and hash", async () => {
    const first = await importFixture("petstore-3.0.yaml");
    const second = await importFixture("petstore-3.0.yaml");
    expect(canonicalJson(second.definition)).toBe(canonicalJson(first.definition));
    expect(first.contentHash).toBe(definitionHash(JSON.parse(JSON.stringify(first.definition))));
    expect(second.contentHash).toBe(first.contentHash);
  });

  it("applies slug and name overrides and refuses an invalid slug", async () => {
    const { definition } = await importFixture("petstore-3.0.yaml", { slug: "pets", name: "Pets!" });
    expect(definition.slug).toBe("pets");
    expect(definition.name).toBe("Pets!");
    const bad = await importDocument({ kind: "content", content: await fixture("petstore-3.0.yaml") }, { slug: "Not A Slug" });
    expect(bad).toMatchObject({ kind: "failed", error: { code: "invalid_option" } });
  });

  it("reports progress through every stage", async () => {
    const stages: string[] = [];
    await importFixture("petstore-3.0.yaml", { onProgress: (p) => stages.push(p.stage) });
    expect([...new Set(stages)]).toEqual(["parsing", "resolving", "normalising", "done"]);
  });
});

describe("OpenAPI 3.1", () => {
  it("keeps 3.1 types, $ref siblings, and the server path without a trailing slash", async () => {
    const { definition, formatVersion } = await importFixture("petstore-3.1.json");
    expect(formatVersion).toBe("3.1.0");
    expect(definition.baseUrl).toBe("https://api.example.com/v3");
    expect(definition.authSchemes).toEqual([]);
    expect(definition.authTypeUnverified).toBe(true);
    const update = action(definition, "pets.updatePet");
    expect(update.inputSchema["x-waygate-content-type"]).toBe("application/merge-patch+json");
    expect((update.inputSchema["properties"] as Record<string, unknown>)["nickname"]).toEqual({ type: ["string", "null"], examples: ["Rex"], "x-waygate-in": "body" });
    expect(update.outputSchema).toMatchObject({ $ref: "#/$defs/Pet", description: "The updated pet" });
    const pet = (update.outputSchema!["$defs"] as Record<string, Record<string, Record<string, unknown>>>)["Pet"]!;
    expect(pet["properties"]!["parent"]).toEqual({ $ref: "#/$defs/Pet" });
    expect(pet["properties"]!["age"]).toEqual({ type: "integer", exclusiveMinimum: 0 });
  });

  it("keeps an array body under `body`", async () => {
    const { definition } = await importFixture("petstore-3.1.json");
    const bulk = action(definition, "pets.bulkCreate");
    expect((bulk.inputSchema["properties"] as Record<string, unknown>)["body"]).toEqual({
      type: "array",
      items: { $ref: "#/$defs/Pet" },
      "x-waygate-in": "body",
      "x-waygate-content-type": "application/json",
    });
    expect(bulk.outputSchema).toBeNull();
  });
});

describe("naming", () => {
  it("resolves name collisions deterministically and reports them", async () => {
    const spec = {
      openapi: "3.0.0",
      info: { title: "Clash", version: "1" },
      servers: [{ url: "https://clash.example.com" }],
      paths: {
        "/users/{id}": {
          put: { responses: { "204": { description: "" } } },
          patch: { operationId: "users/update", responses: { "204": { description: "" } } },
        },
        "/accounts/{id}/users/{id2}": { put: { operationId: "users/update", responses: { "204": { description: "" } } } },
      },
    };
    const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec) });
    if (outcome.kind !== "imported") throw new Error(outcome.error.message);
    expect(outcome.definition.actions.map((a) => `${a.method} ${a.path} ${a.name}`)).toEqual([
      "PATCH /users/{id} users.updatePatch",
      "PUT /accounts/{id}/users/{id2} users.updatePut",
      "PUT /users/{id} users.updatePut2",
    ]);
    expect(outcome.warnings.filter((w) => w.code === "name_collision")).toHaveLength(1);
  });

  it("keeps a body whole when a body property clashes with a parameter", async () => {
    const spec = {
      openapi: "3.0.0",
      info: { title: "Body clash", version: "1" },
      servers: [{ url: "https://clash.example.com" }],
      paths: {
        "/vars/{name}": {
          patch: {
            operationId: "vars/update",
            parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
            requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" }, value: { type: "string" } } } } } },
            responses: { "204": { description: "" } },
          },
        },
      },
    };
    const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec) });
    if (outcome.kind !== "imported") throw new Error(outcome.error.message);
    const input = outcome.definition.actions[0]!.inputSchema;
    expect(Object.keys(input["properties"] as object)).toEqual(["name", "body"]);
    expect(input["required"]).toEqual(["name", "body"]);
    expect(outcome.warnings.map((w) => w.code)).toContain("name_collision");
  });
});
