import { describe, expect, it } from "vitest";
import { boundedSchema, type SchemaLimits } from "./schema.js";

const limits: SchemaLimits = { maxRefDepth: 6, maxNesting: 24, maxBytes: 24_000, maxDescription: 300 };

describe("bounded tool schemas", () => {
  it("inlines local $refs and drops Waygate's keywords, $defs and unknown formats", () => {
    const { schema, fallback } = boundedSchema({
      type: "object",
      properties: { owner: { $ref: "#/$defs/login", "x-waygate-in": "path" }, repo: { type: "string", format: "repo.nwo" }, at: { type: "string", format: "date-time" } },
      $defs: { login: { type: "string", description: "A login" } },
    });
    expect(fallback).toBe("none");
    expect(schema).toEqual({
      type: "object",
      properties: { owner: { type: "string", description: "A login" }, repo: { type: "string" }, at: { type: "string", format: "date-time" } },
    });
  });

  it("ends a recursive $ref with an any-value schema that says so", () => {
    const { schema } = boundedSchema({
      type: "object",
      properties: { root: { $ref: "#/$defs/node" } },
      $defs: { node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } } } },
    });
    const items = (schema as { properties: { root: { properties: { children: { items: Record<string, unknown> } } } } }).properties.root.properties.children.items;
    expect(items).toEqual({ description: expect.stringContaining("nested schema omitted") });
    expect(JSON.stringify(schema)).not.toContain("$ref");
  });

  it("never fetches a remote $ref", () => {
    const { schema } = boundedSchema({ type: "object", properties: { x: { $ref: "http://169.254.169.254/latest" } } });
    expect((schema.properties as Record<string, unknown>).x).toEqual({ description: expect.stringContaining("omitted") });
  });

  it("keeps a property named __proto__ as a property", () => {
    const input = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}') as Record<string, unknown>;
    const { schema } = boundedSchema(input);
    expect(Object.keys(schema.properties as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it("falls back to fewer ref levels, then to the top-level properties, when the schema is too big", () => {
    const wide = { type: "object", properties: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, { type: "string", description: "d".repeat(100) }])) };
    const input = { type: "object", required: ["a"], properties: { a: { $ref: "#/$defs/wide" }, b: { type: "integer", enum: [1, 2] } }, $defs: { wide } };
    expect(boundedSchema(input, { ...limits, maxBytes: 4_000 }).fallback).toBe("depth");
    const { schema, fallback } = boundedSchema(input, { ...limits, maxBytes: 100 });
    expect(fallback).toBe("shallow");
    expect(schema).toEqual({
      type: "object",
      required: ["a"],
      properties: { a: { description: expect.stringContaining("structure not shown") }, b: { type: "integer", enum: [1, 2], description: expect.any(String) } },
    });
  });
});
