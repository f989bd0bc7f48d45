import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_SCHEMA_LIMITS, SchemaCompileError, SchemaValidator } from "./schema-validator.js";

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
    const validator = new SchemaValidator({ ...DEFAULT_SCHEMA_LIMITS, maxNodes: 1_000, maxDepth: 40, maxCached: 10, maxErrors: 10 });
    expect(() => validator.compile(nested(50))).toThrow(SchemaCompileError);
    const wide = { type: "object", properties: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`p${i}`, { type: "string" }])) };
    expect(() => validator.compile(wide)).toThrow(/more than 1000 nodes/);
  });

  it("turns an Ajv compile failure into SchemaCompileError", () => {
    expect(() => new SchemaValidator().compile({ type: "object", properties: { a: { $ref: "#/$defs/missing" } } })).toThrow(SchemaCompileError);
  });

  it("caps the number of reported errors", () => {
    const validator = new SchemaValidator({ ...DEFAULT_SCHEMA_LIMITS, maxNodes: 1_000, maxDepth: 40, maxCached: 10, maxErrors: 3 });
    const result = validator.compile({ type: "array", items: { type: "string" } }).validate([1, 2, 3, 4, 5], "input");
    expect(result.valid === false && result.errors).toHaveLength(3);
  });
});

const stringSchema = (extra: Record<string, unknown>) => ({ type: "object", properties: { name: { type: "string", ...extra } } });

/** Validates and says how long it took, in milliseconds. */
function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}

describe("SchemaValidator patterns", () => {
  it.each([
    ["^(\\w|\\d)+$", "1".repeat(30) + "!", "abc123"],
    ["^(a|a)*$", "a".repeat(30) + "!", "aaaa"],
    ["^(?:a+){1,10}$", "a".repeat(30) + "!", "aaa"],
    ["^(.*a){10}$", "a".repeat(30) + "!", "a".repeat(10)],
    ["a*".repeat(15) + "b", "a".repeat(30), "aab"],
    ["^(a+)+$", "a".repeat(50) + "!", "aa"],
  ])("enforces %s on a hostile 30–50 character value in linear time", (pattern, hostile, good) => {
    const compiled = new SchemaValidator().compile(stringSchema({ pattern }));
    expect(compiled.warnings).toEqual([]);
    const { result, ms } = timed(() => compiled.validate({ name: hostile }, "input"));
    expect(result).toEqual({ valid: false, errors: [{ field: "input.name", message: `must match pattern "${pattern}"` }] });
    expect(ms).toBeLessThan(100);
    expect(compiled.validate({ name: good }, "input")).toEqual({ valid: true });
  });

  it("enforces the patterns schema authors write: slugs, unicode classes, anchors, digits, bounded repeats", () => {
    const compiled = new SchemaValidator().compile({
      type: "object",
      properties: {
        slug: { type: "string", pattern: "^[a-z0-9-]+$" },
        name: { type: "string", pattern: "^\\p{Lu}\\p{Ll}+$" },
        phone: { type: "string", pattern: "^\\d{3}-\\d{4}$" },
        code: { type: "string", pattern: "^[A-Z]{2,3}$" },
        word: { type: "string", pattern: "cat" },
      },
      patternProperties: { "^x-[a-z]+$": { type: "string" } },
    });
    expect(compiled.validate({ slug: "my-repo", name: "Émile", phone: "555-1234", code: "GBR", word: "concatenate", "x-trace": "t" }, "input")).toEqual({ valid: true });
    const invalid = compiled.validate({ slug: "My Repo", name: "émile", phone: "5551234", code: "G", word: "dog", "x-trace": 1 }, "input");
    expect(invalid.valid === false && invalid.errors.map((error) => error.field)).toEqual(["input.slug", "input.name", "input.phone", "input.code", "input.word", 'input["x-trace"]']);
  });

  it("does not enforce a pattern RE2 cannot run (lookaround, backreferences), says so, and never backtracks", () => {
    const compiled = new SchemaValidator().compile(stringSchema({ pattern: "^(?!admin$)(a+)+\\1$" }));
    expect(compiled.warnings).toEqual(["pattern at /properties/name is not enforced: lookahead cannot run in linear time"]);
    const { result, ms } = timed(() => compiled.validate({ name: "a".repeat(40) + "!" }, "input"));
    expect(result).toEqual({ valid: true });
    expect(ms).toBeLessThan(100);
  });

  it("drops a patternProperties entry it cannot run with the additionalProperties beside it, so the properties it allowed are not refused", () => {
    const compiled = new SchemaValidator().compile({ type: "object", patternProperties: { "^(x)-\\1$": { type: "integer" }, "^n-": { type: "integer" } }, additionalProperties: false });
    expect(compiled.warnings).toEqual([
      "additionalProperties at / is not enforced either, since it depends on the patternProperties that are not",
      'patternProperties "^(x)-\\\\1$" at / is not enforced: a backreference cannot run in linear time',
    ]);
    expect(compiled.validate({ "x-x": "anything", other: true, "n-1": 1 }, "input")).toEqual({ valid: true });
    expect(compiled.validate({ "n-1": "one" }, "input").valid).toBe(false);
  });

  it("runs ajv-formats' expressions on the linear engine: url (quadratic when backtracking) answers at once on a hostile value", () => {
    const compiled = new SchemaValidator().compile({ type: "object", properties: { site: { type: "string", format: "url" }, mail: { type: "string", format: "email" }, host: { type: "string", format: "hostname" } } });
    expect(compiled.validate({ site: "https://example.com/a?b=c", mail: "ada@example.com", host: "api.example.com" }, "input")).toEqual({ valid: true });
    const { result, ms } = timed(() => compiled.validate({ site: "http://a." + "::".repeat(10_000) + "!" }, "input"));
    expect(result.valid).toBe(false);
    expect(ms).toBeLessThan(100);
  });
});

describe("SchemaValidator work bounds", () => {
  const tree = { $defs: { node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } } } }, $ref: "#/$defs/node" };
  const deep = (levels: number) => {
    let value: Record<string, unknown> = { children: [] };
    for (let i = 0; i < levels; i++) value = { children: [value] };
    return value;
  };

  it("refuses a value nested deeper than maxValueDepth before Ajv recurses into it, and validates a shallower one", () => {
    const compiled = new SchemaValidator().compile(tree);
    expect(compiled.validate(deep(10_000), "input")).toEqual({ valid: false, errors: [{ field: "input", message: "is nested more than 128 levels deep, deeper than this schema is validated" }] });
    expect(compiled.validate(deep(60), "input")).toEqual({ valid: true });
  });

  it("stops a validation that would spend more than maxMatchUnits on patterns and formats", () => {
    const validator = new SchemaValidator({ ...DEFAULT_SCHEMA_LIMITS, maxMatchUnits: 100_000 });
    const compiled = validator.compile({ type: "array", items: { type: "string", pattern: "^[a-z.]+$", format: "hostname" } });
    expect(compiled.validate(["abc", "def"], "output")).toEqual({ valid: true });
    const names = Array.from({ length: 5_000 }, () => "a".repeat(60) + ".example.com");
    const { result, ms } = timed(() => compiled.validate(names, "output"));
    expect(result).toEqual({ valid: false, errors: [{ field: "output", message: "needs more pattern and format matching than one validation may do (100000 units); not validated" }] });
    expect(ms).toBeLessThan(200);
  });

  it("lists every error of a small value but only the first of a huge one", () => {
    const compiled = new SchemaValidator().compile({ type: "array", items: { type: "string" } });
    const small = compiled.validate([1, "a", 2], "input");
    expect(small.valid === false && small.errors.map((error) => error.field)).toEqual(["input[0]", "input[2]"]);
    const huge = Array.from({ length: 500_000 }, () => 1);
    compiled.validate(huge, "input");
    const { result, ms } = timed(() => compiled.validate(huge, "input"));
    expect(result).toEqual({ valid: false, errors: [{ field: "input[0]", message: "must be string" }] });
    expect(ms).toBeLessThan(150);
  });
});

describe("SchemaValidator $ref cycles and compile once", () => {
  it("compiles an unresolvable $ref cycle with a warning naming its pointers; without its $refs the cycle accepts any value", () => {
    const compiled = new SchemaValidator().compile({ type: "object", properties: { a: { $ref: "#/$defs/A" } }, $defs: { A: { $ref: "#/$defs/B" }, B: { $ref: "#/$defs/A" } } });
    expect(compiled.warnings).toEqual(["$ref cycle /$defs/A → /$defs/B → /$defs/A never reaches a value; the $refs that close it are ignored"]);
    expect(compiled.validate({ a: 1 }, "input")).toEqual({ valid: true });
    expect(compiled.validate({ a: { deep: [1] } }, "input")).toEqual({ valid: true });
  });

  it("finds cycles through allOf, anyOf and the root, but not through properties or items (legitimate recursion)", () => {
    const validator = new SchemaValidator();
    const viaComposition = validator.compile({ allOf: [{ $ref: "#" }], type: "object", anyOf: [{ $ref: "#/$defs/S" }], $defs: { S: { anyOf: [{ $ref: "#/$defs/S" }, { required: ["s"] }] } } });
    expect(viaComposition.warnings).toEqual([
      "$ref cycle / → /allOf/0 → / never reaches a value; the $refs that close it are ignored",
      "$ref cycle /$defs/S → /$defs/S/anyOf/0 → /$defs/S never reaches a value; the $refs that close it are ignored",
    ]);
    expect(viaComposition.validate({}, "input")).toEqual({ valid: true });
    expect(viaComposition.validate("x", "input").valid).toBe(false);
    const recursive = validator.compile({ type: "object", properties: { self: { $ref: "#" }, list: { type: "array", items: { $ref: "#" } } } });
    expect(recursive.warnings).toEqual([]);
    expect(recursive.validate({ self: { list: [{ self: 1 }] } }, "input").valid).toBe(false);
  });

  it("compiles each schema once per process, a schema Ajv refuses included", () => {
    const compile = vi.spyOn(Ajv2020.prototype, "compile");
    try {
      const validator = new SchemaValidator();
      const refused = { type: "object", properties: { a: { $ref: "#/$defs/missing" } } };
      expect(() => validator.compile(refused)).toThrow(SchemaCompileError);
      expect(() => validator.compile({ ...refused })).toThrow(SchemaCompileError);
      const schema = { type: "array", items: { type: "integer" } };
      validator.compile(schema).validate(["x"], "input");
      validator.compile({ ...schema }).validate(["y"], "input");
      // One compile for the refused schema; one for the other, and one for its every-error variant.
      expect(compile).toHaveBeenCalledTimes(3);
    } finally {
      compile.mockRestore();
    }
  });
});
