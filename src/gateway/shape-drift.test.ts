import { describe, expect, it } from "vitest";
import { shapeMismatches } from "./shape-drift.js";

describe("shapeMismatches", () => {
  const todo = { type: "object", required: ["id", "title"], properties: { id: { type: "integer" }, title: { type: "string" }, tags: { type: "array", items: { type: "string" } } } };

  it("finds added fields, missing required fields and type changes, by path and JSON type only", () => {
    expect(shapeMismatches(todo, { id: "1", extra: { deep: true }, tags: ["a", 2] })).toEqual([
      { kind: "response-field-missing", pointer: "/title", declared: ["string"] },
      { kind: "response-type-changed", pointer: "/id", declared: ["integer"], seen: "string" },
      { kind: "response-field-added", pointer: "/extra", seen: "object" },
      { kind: "response-type-changed", pointer: "/tags/*", declared: ["string"], seen: "integer" },
    ]);
  });

  it("follows local $refs and array items, accepts integers for numbers and null where nullable", () => {
    const schema = {
      type: "array",
      items: { $ref: "#/$defs/Item" },
      $defs: { Item: { type: "object", properties: { price: { type: "number" }, note: { type: "string", nullable: true }, owner: { $ref: "#/$defs/User" } } }, User: { type: "object", properties: { login: { type: "string" } } } },
    };
    expect(shapeMismatches(schema, [{ price: 3, note: null, owner: { login: "a" } }])).toEqual([]);
    expect(shapeMismatches(schema, [{ price: 3, owner: { login: "a", site_admin: false } }])).toEqual([{ kind: "response-field-added", pointer: "/*/owner/site_admin", seen: "boolean" }]);
  });

  it("does not judge composite or untyped schemas, nor names an open map declares", () => {
    expect(shapeMismatches({ oneOf: [{ type: "string" }, { type: "object" }] }, 42)).toEqual([]);
    expect(shapeMismatches({}, { anything: 1 })).toEqual([]);
    expect(shapeMismatches({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "integer" } }, { a: "x", b: 1 })).toEqual([]);
  });

  it("stays bounded: mismatches per response, depth, array items", () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    expect(shapeMismatches({ type: "object", properties: {} }, wide)).toHaveLength(50);
    let deep: Record<string, unknown> = { leaf: 1 };
    let schema: Record<string, unknown> = { type: "object", properties: {} };
    for (let i = 0; i < 50; i++) {
      deep = { next: deep };
      schema = { type: "object", properties: { next: schema } };
    }
    expect(shapeMismatches(schema, deep)).toEqual([]);
    expect(shapeMismatches({ type: "array", items: { type: "string" } }, ["a", "b", "c", 4])).toEqual([]);
  });
});
