import { describe, expect, test } from "vitest";
import { exampleFromSchema, generateClient } from "../../src/codegen/index.js";
import type { ManifestIntegration, SdkManifest } from "../../src/contract/sdk.js";
import { ActionDefinitionSchema, type ActionDefinitionInput } from "../../src/contract/integrations.js";

function manifestWith(actions: ActionDefinitionInput[]): SdkManifest {
  const integration: ManifestIntegration = {
    slug: "demo",
    name: "Demo",
    description: null,
    version: 1,
    contentHash: "sha256:demo",
    baseUrl: "https://demo.test",
    authSchemes: [],
    authTypeUnverified: false,
    actions: actions.map((action) => ActionDefinitionSchema.parse(action)),
  };
  return { hash: "sha256:m", apiUrl: "https://api.waygate.test", tenantId: "t", appId: null, integrations: [integration] };
}

/** The integration's types file, where every type is declared. */
function demoModule(actions: ActionDefinitionInput[]): string {
  return generateClient(manifestWith(actions), { generatorVersion: "test" }).get("demo.types.d.ts") ?? "";
}

const user = { type: "object", required: ["login"], properties: { login: { type: "string" } } };

describe("types from schemas", () => {
  test("a $defs entry shared by several actions is emitted once; a different one with the same name is suffixed", () => {
    const text = demoModule([
      { name: "a.get", method: "GET", path: "/a", outputSchema: { $ref: "#/$defs/user", $defs: { user } } },
      { name: "b.get", method: "GET", path: "/b", outputSchema: { type: "array", items: { $ref: "#/$defs/user" }, $defs: { user } } },
      { name: "c.get", method: "GET", path: "/c", outputSchema: { $ref: "#/$defs/user", $defs: { user: { type: "string" } } } },
    ]);
    expect(text).toContain("export type AGetOutput = User;");
    expect(text).toContain("export type BGetOutput = User[];");
    expect(text).toContain("export type CGetOutput = User2;");
    expect(text.match(/^export type User = /gm)).toHaveLength(1);
    expect(text).toContain("export type User2 = string;");
  });

  test("a definition is shared only when what it references is equal too", () => {
    const text = demoModule([
      { name: "a", method: "GET", path: "/a", outputSchema: { $ref: "#/$defs/box", $defs: { box: { type: "object", properties: { v: { $ref: "#/$defs/v" } } }, v: { type: "string" } } } },
      { name: "b", method: "GET", path: "/b", outputSchema: { $ref: "#/$defs/box", $defs: { box: { type: "object", properties: { v: { $ref: "#/$defs/v" } } }, v: { type: "number" } } } },
    ]);
    const a = /export type AOutput = (Box2?);/.exec(text)?.[1];
    const b = /export type BOutput = (Box2?);/.exec(text)?.[1];
    expect(new Set([a, b])).toEqual(new Set(["Box", "Box2"]));
  });

  test("reference cycles TypeScript cannot express become unknown; object cycles stay recursive", () => {
    const text = demoModule([
      {
        name: "cycles",
        method: "GET",
        path: "/c",
        outputSchema: {
          type: "object",
          properties: { a: { $ref: "#/$defs/a" }, tree: { $ref: "#/$defs/tree" }, self: { $ref: "#" } },
          $defs: {
            a: { anyOf: [{ $ref: "#/$defs/b" }, { type: "string" }] },
            b: { allOf: [{ $ref: "#/$defs/a" }] },
            tree: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/tree" } } } },
          },
        },
      },
    ]);
    expect(text).toContain("export type A = B | string;");
    expect(text).toContain("export type B = unknown;");
    expect(text).toMatch(/children\?: Tree\[\];/);
    expect(text).toMatch(/self\?: CyclesOutput;/);
  });

  test("a chain of thousands of aliases ending in a cycle neither overflows the stack nor leaves the cycle", () => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${(i + 1) % 5000}` }] };
    const text = demoModule([{ name: "chain", method: "GET", path: "/c", outputSchema: { $ref: "#/$defs/d0", $defs: defs } }]);
    // Exactly one reference is cut; every other alias still points at the next.
    expect(text.match(/= unknown;/g)).toHaveLength(1);
  });

  test("the item type of a paginated action follows itemsPath through refs and allOf", () => {
    const text = demoModule([
      {
        name: "list",
        method: "GET",
        path: "/l",
        outputSchema: { allOf: [{ $ref: "#/$defs/page" }], $defs: { page: { type: "object", properties: { data: { type: "array", items: { $ref: "#/$defs/row" } } } }, row: user } },
        pagination: { strategy: "cursor", cursorParam: "after", nextCursorPath: "/next", itemsPath: "/data" },
      },
    ]);
    expect(text).toContain("export type ListItem = Row;");
  });

  test("an optional property named like an Object member still accepts plain object literals", () => {
    const text = demoModule([{ name: "x", method: "POST", path: "/x", inputSchema: { type: "object", properties: { constructor: { type: "string" } } } }]);
    expect(text).toMatch(/constructor\?: string \| Object\["constructor"\];/);
  });
});

describe("exampleFromSchema", () => {
  test("fills required properties only, by format, enum, const and name", () => {
    expect(
      exampleFromSchema({
        type: "object",
        required: ["id", "email", "when", "state", "kind", "count", "tags", "owner_url"],
        properties: {
          id: { type: "string" },
          email: { type: "string" },
          when: { type: "string", format: "date-time" },
          state: { type: "string", enum: ["open", "closed"] },
          kind: { const: "user" },
          count: { type: "integer", minimum: 5 },
          tags: { type: "array", items: { type: "string" } },
          owner_url: { type: "string" },
          optional: { type: "string" },
        },
      }),
    ).toEqual({
      id: "id_123",
      email: "user@example.com",
      when: "2024-01-01T00:00:00Z",
      state: "open",
      kind: "user",
      count: 5,
      tags: ["example"],
      owner_url: "https://example.com",
    });
  });

  test("uses spec examples and defaults only when they fit the type", () => {
    expect(exampleFromSchema({ type: "string", examples: ["octocat"] })).toBe("octocat");
    expect(exampleFromSchema({ type: "integer", examples: ["not a number"], default: 30 })).toBe(30);
  });

  test("resolves $defs, prefers the non-null branch, and stops at recursion and depth", () => {
    const schema = {
      type: "object",
      required: ["node", "maybe"],
      properties: { node: { $ref: "#/$defs/node" }, maybe: { anyOf: [{ type: "null" }, { type: "boolean" }] } },
      $defs: { node: { type: "object", required: ["next"], properties: { next: { $ref: "#/$defs/node" } } } },
    };
    expect(exampleFromSchema(schema)).toEqual({ node: { next: null }, maybe: true });
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 20; i++) deep = { type: "object", required: ["n"], properties: { n: deep } };
    expect(JSON.stringify(exampleFromSchema(deep, { maxDepth: 3 }))).toBe('{"n":{"n":{"n":{}}}}');
  });

  test("a __proto__ property becomes an own key, not a prototype", () => {
    const example = exampleFromSchema(JSON.parse('{"type":"object","required":["__proto__"],"properties":{"__proto__":{"type":"string"}}}')) as object;
    expect(Object.keys(example)).toEqual(["__proto__"]);
  });
});
