import { describe, expect, it } from "vitest";
import { checkPattern } from "./regex-safety.js";
import { SchemaCompileError, SchemaValidator } from "./schema-validator.js";

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < depth; i++) schema = { type: "object", properties: { a: schema } };
  return schema;
}

describe("SchemaValidator", () => {
  it("validates JSON Schema 2020-12 by default (prefixItems) with formats", () => {
    const validator = new SchemaValidator();
    const compiled = validator.compile({ type: "object", properties: { pair: { prefixItems: [{ type: "string" }, { type: "integer" }] }, mail: { type: "string", format: "email" } } });
    expect(compiled.validate({ pair: ["a", 1], mail: "a@example.com" }, "input")).toEqual({ valid: true });
    expect(compiled.validate({ pair: ["a", "b"], mail: "nope" }, "input")).toEqual({
      valid: false,
      errors: [
        { field: "input.pair[1]", message: "must be integer" },
        { field: "input.mail", message: 'must match format "email"' },
      ],
    });
  });

  it("uses the draft-07 dialect when $schema says so", () => {
    const validator = new SchemaValidator();
    const compiled = validator.compile({ $schema: "http://json-schema.org/draft-07/schema#", type: "array", items: [{ type: "string" }], additionalItems: false });
    expect(compiled.validate(["a", "b"], "input").valid).toBe(false);
  });

  it("ignores x-waygate and OpenAPI keywords such as discriminator with mapping", () => {
    const validator = new SchemaValidator();
    const schema = { type: "object", "x-waygate-content-type": "application/json", properties: { pet: { oneOf: [{ type: "string" }], discriminator: { propertyName: "kind", mapping: { a: "#/x" } }, "x-waygate-in": "body" } } };
    expect(validator.compile(schema).validate({ pet: "cat" }, "input")).toEqual({ valid: true });
  });

  it("compiles recursive schemas and lets two schemas share an $id", () => {
    const validator = new SchemaValidator();
    const tree = { $id: "https://example.com/node", type: "object", properties: { children: { type: "array", items: { $ref: "#" } } } };
    expect(validator.compile(tree).validate({ children: [{ children: [] }] }, "output")).toEqual({ valid: true });
    expect(() => validator.compile({ ...tree, required: ["children"] })).not.toThrow();
  });

  it("compiles a schema once and reuses it for an equal schema", () => {
    const validator = new SchemaValidator();
    const first = validator.compile({ type: "string" });
    expect(validator.compile({ type: "string" })).toBe(first);
  });

  it("refuses schemas that are too deep or too large before Ajv sees them", () => {
    const validator = new SchemaValidator({ maxNodes: 1_000, maxDepth: 40, maxCached: 10, maxErrors: 10 });
    expect(() => validator.compile(nested(50))).toThrow(SchemaCompileError);
    const wide = { type: "object", properties: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`p${i}`, { type: "string" }])) };
    expect(() => validator.compile(wide)).toThrow(/more than 1000 nodes/);
  });

  it("turns an Ajv compile failure into SchemaCompileError", () => {
    expect(() => new SchemaValidator().compile({ type: "object", properties: { a: { $ref: "#/$defs/missing" } } })).toThrow(SchemaCompileError);
  });

  it("does not enforce a catastrophic pattern, and says so, instead of hanging on hostile input", () => {
    const validator = new SchemaValidator();
    const compiled = validator.compile({ type: "object", properties: { name: { type: "string", pattern: "^(a+)+$" } } });
    expect(compiled.warnings).toEqual(["pattern at /properties/name is not enforced: a repeated group contains a repetition (catastrophic backtracking)"]);
    const started = Date.now();
    expect(compiled.validate({ name: "a".repeat(40) + "!" }, "input").valid).toBe(true);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it("caps the number of reported errors", () => {
    const validator = new SchemaValidator({ maxNodes: 1_000, maxDepth: 40, maxCached: 10, maxErrors: 3 });
    const result = validator.compile({ type: "array", items: { type: "string" } }).validate([1, 2, 3, 4, 5], "input");
    expect(result.valid === false && result.errors).toHaveLength(3);
  });
});

describe("checkPattern", () => {
  it.each(["^[a-z]+$", "^\\d{3}-\\d{4}$", "^(ab|cd)$", "^(\\d{1,3}\\.){3}\\d{1,3}$", "[(]+", "^(?:ab)+$", "^(?<word>ab?)+$"])("accepts %s", (pattern) => {
    expect(checkPattern(pattern)).toBeNull();
  });

  it.each(["(a+)+", "(a*)*b", "((ab)+c)*", "(\\w+\\s?)+$", "(x{2,})+", "(?:a+)+"])("refuses the nested quantifier in %s", (pattern) => {
    expect(checkPattern(pattern)).toMatch(/catastrophic/);
  });

  it("refuses unparseable and overlong patterns", () => {
    expect(checkPattern("(")).toBe("not a valid regular expression");
    expect(checkPattern("a".repeat(1_001))).toMatch(/longer than/);
  });
});
