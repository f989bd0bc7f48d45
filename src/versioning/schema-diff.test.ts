import { describe, expect, it } from "vitest";
import { VersionChangeSchema } from "../contract/versioning.js";
import { diffSchemas } from "./schema-diff.js";
import type { Direction } from "./severity.js";

const B = "breaking";
const N = "non-breaking";

/** `kind severity pointer`, pointer relative to the schema root, for compact tables. */
function run(direction: Direction, from: unknown, to: unknown): string[] {
  const root = direction === "input" ? "/inputSchema" : "/outputSchema";
  const changes = diffSchemas(from, to, { direction, pointer: root });
  for (const change of changes) VersionChangeSchema.parse(change);
  return changes.map((change) => `${change.kind} ${change.severity === B ? B : N} ${change.pointer.slice(root.length) || "/"}`);
}

const str = { type: "string" };
const int = { type: "integer" };
function obj(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "object", properties, required, ...extra };
}
/** The value schema under a one-property object, so pointers read `/properties/v/...`. */
function prop(schema: unknown) {
  return obj({ v: schema });
}

interface Rule {
  rule: string;
  from: unknown;
  to: unknown;
  input: string[];
  output: string[];
}

const rules: Rule[] = [
  // properties and requiredness
  { rule: "new required property", from: obj({ a: str }), to: obj({ a: str, b: str }, ["b"]), input: [`property-added ${B} /properties/b`], output: [`property-added ${N} /properties/b`] },
  { rule: "new optional property", from: obj({ a: str }), to: obj({ a: str, b: str }), input: [`property-added ${N} /properties/b`], output: [`property-added ${N} /properties/b`] },
  { rule: "optional property removed from an open object", from: obj({ a: str, b: str }), to: obj({ a: str }), input: [`property-removed ${N} /properties/b`], output: [`property-removed ${B} /properties/b`] },
  { rule: "required property removed", from: obj({ a: str, b: str }, ["b"]), to: obj({ a: str }), input: [`property-removed ${B} /properties/b`], output: [`property-removed ${B} /properties/b`] },
  {
    rule: "optional property removed from a closed object",
    from: obj({ a: str, b: str }, [], { additionalProperties: false }),
    to: obj({ a: str }, [], { additionalProperties: false }),
    input: [`property-removed ${B} /properties/b`],
    output: [`property-removed ${B} /properties/b`],
  },
  { rule: "property became required", from: obj({ a: str }), to: obj({ a: str }, ["a"]), input: [`became-required ${B} /properties/a`], output: [`became-required ${N} /properties/a`] },
  { rule: "property became optional", from: obj({ a: str }, ["a"]), to: obj({ a: str }), input: [`became-optional ${N} /properties/a`], output: [`became-optional ${B} /properties/a`] },
  // types
  { rule: "type changed string → integer", from: prop(str), to: prop(int), input: [`type-changed ${B} /properties/v/type`], output: [`type-changed ${B} /properties/v/type`] },
  { rule: "type widened integer → number", from: prop(int), to: prop({ type: "number" }), input: [`type-changed ${N} /properties/v/type`], output: [`type-changed ${B} /properties/v/type`] },
  { rule: "type list shrank", from: prop({ type: ["string", "integer"] }), to: prop(str), input: [`type-changed ${B} /properties/v/type`], output: [`type-changed ${N} /properties/v/type`] },
  { rule: "untyped value got a type", from: prop({}), to: prop(str), input: [`type-changed ${B} /properties/v/type`], output: [`type-changed ${N} /properties/v/type`] },
  { rule: "number and integer listed together equal number", from: prop({ type: ["number", "integer"] }), to: prop({ type: "number" }), input: [], output: [] },
  { rule: "redundant `type: object` dropped", from: obj({ a: str }), to: { properties: { a: str }, required: [] }, input: [], output: [] },
  { rule: "became nullable (2020-12 type list)", from: prop(str), to: prop({ type: ["string", "null"] }), input: [`became-nullable ${N} /properties/v/type`], output: [`became-nullable ${B} /properties/v/type`] },
  { rule: "no longer nullable (OpenAPI 3.0 nullable)", from: prop({ type: "string", nullable: true }), to: prop(str), input: [`became-non-nullable ${B} /properties/v/type`], output: [`became-non-nullable ${N} /properties/v/type`] },
  // enums
  { rule: "enum values removed", from: prop({ type: "string", enum: ["open", "closed"] }), to: prop({ type: "string", enum: ["open"] }), input: [`enum-values-removed ${B} /properties/v/enum`], output: [`enum-values-removed ${N} /properties/v/enum`] },
  { rule: "enum values added", from: prop({ type: "string", enum: ["open"] }), to: prop({ type: "string", enum: ["open", "draft"] }), input: [`enum-values-added ${N} /properties/v/enum`], output: [`enum-values-added ${B} /properties/v/enum`] },
  { rule: "free value became an enum", from: prop(str), to: prop({ type: "string", enum: ["a"] }), input: [`became-enum ${B} /properties/v/enum`], output: [`became-enum ${N} /properties/v/enum`] },
  { rule: "enum lifted", from: prop({ type: "string", enum: ["a"] }), to: prop(str), input: [`became-not-enum ${N} /properties/v/enum`], output: [`became-not-enum ${B} /properties/v/enum`] },
  { rule: "const counts as a one-value enum", from: prop({ const: "a" }), to: prop({ enum: ["a", "b"] }), input: [`enum-values-added ${N} /properties/v/enum`], output: [`enum-values-added ${B} /properties/v/enum`] },
  { rule: "enum reordered", from: prop({ enum: ["a", "b", { x: 1 }] }), to: prop({ enum: [{ x: 1 }, "b", "a"] }), input: [], output: [] },
  // constraints
  { rule: "maxLength lowered", from: prop({ type: "string", maxLength: 10 }), to: prop({ type: "string", maxLength: 5 }), input: [`constraint-changed ${B} /properties/v/maxLength`], output: [`constraint-changed ${N} /properties/v/maxLength`] },
  { rule: "minimum removed", from: prop({ type: "integer", minimum: 1 }), to: prop(int), input: [`constraint-changed ${N} /properties/v/minimum`], output: [`constraint-changed ${B} /properties/v/minimum`] },
  { rule: "format added", from: prop(str), to: prop({ type: "string", format: "date-time" }), input: [`format-changed ${B} /properties/v/format`], output: [`format-changed ${N} /properties/v/format`] },
  { rule: "pattern changed", from: prop({ type: "string", pattern: "^a" }), to: prop({ type: "string", pattern: "^b" }), input: [`constraint-changed ${B} /properties/v/pattern`], output: [`constraint-changed ${B} /properties/v/pattern`] },
  // annotations
  {
    rule: "parameter moved from query to body (x-waygate-in)",
    from: prop({ type: "string", "x-waygate-in": "query" }),
    to: prop({ type: "string", "x-waygate-in": "body" }),
    input: [`location-changed ${B} /properties/v/x-waygate-in`],
    output: [`location-changed ${B} /properties/v/x-waygate-in`],
  },
  { rule: "description and title are documentation only", from: prop({ type: "string", description: "a", title: "A" }), to: prop({ type: "string", description: "b" }), input: [], output: [] },
  { rule: "property deprecated", from: prop(str), to: prop({ type: "string", deprecated: true }), input: [`deprecated ${N} /properties/v/deprecated`], output: [`deprecated ${N} /properties/v/deprecated`] },
  { rule: "input default changed", from: prop({ type: "integer", default: 30 }), to: prop({ type: "integer", default: 100 }), input: [`default-changed ${N} /properties/v/default`], output: [] },
  // additionalProperties
  { rule: "object closed", from: obj({ a: str }), to: obj({ a: str }, [], { additionalProperties: false }), input: [`additional-properties-changed ${B} /additionalProperties`], output: [`additional-properties-changed ${N} /additionalProperties`] },
  { rule: "object opened", from: obj({ a: str }, [], { additionalProperties: false }), to: obj({ a: str }), input: [`additional-properties-changed ${N} /additionalProperties`], output: [`additional-properties-changed ${N} /additionalProperties`] },
  { rule: "map values lost their type", from: { type: "object", additionalProperties: str }, to: { type: "object" }, input: [`additional-properties-changed ${N} /additionalProperties`], output: [`additional-properties-changed ${B} /additionalProperties`] },
  { rule: "map value type changed", from: { type: "object", additionalProperties: str }, to: { type: "object", additionalProperties: int }, input: [`type-changed ${B} /additionalProperties/type`], output: [`type-changed ${B} /additionalProperties/type`] },
  // nesting
  {
    rule: "nested property became required",
    from: obj({ issue: obj({ title: str }) }),
    to: obj({ issue: obj({ title: str }, ["title"]) }),
    input: [`became-required ${B} /properties/issue/properties/title`],
    output: [`became-required ${N} /properties/issue/properties/title`],
  },
  {
    rule: "enum value added inside array items",
    from: obj({ labels: { type: "array", items: { enum: ["bug"] } } }),
    to: obj({ labels: { type: "array", items: { enum: ["bug", "feature"] } } }),
    input: [`enum-values-added ${N} /properties/labels/items/enum`],
    output: [`enum-values-added ${B} /properties/labels/items/enum`],
  },
  {
    rule: "property removed from objects in an array",
    from: { type: "array", items: obj({ id: int, login: str }) },
    to: { type: "array", items: obj({ id: int }) },
    input: [`property-removed ${N} /items/properties/login`],
    output: [`property-removed ${B} /items/properties/login`],
  },
  { rule: "tuple position type changed", from: { type: "array", prefixItems: [str, int] }, to: { type: "array", prefixItems: [str, str] }, input: [`type-changed ${B} /prefixItems/1/type`], output: [`type-changed ${B} /prefixItems/1/type`] },
  { rule: "draft-07 tuple (items array) compared like prefixItems", from: { type: "array", items: [str] }, to: { type: "array", items: [int] }, input: [`type-changed ${B} /prefixItems/0/type`], output: [`type-changed ${B} /prefixItems/0/type`] },
  { rule: "object became a string: one type change, no property noise", from: prop(obj({ a: str }, ["a"])), to: prop(str), input: [`type-changed ${B} /properties/v/type`], output: [`type-changed ${B} /properties/v/type`] },
  // boolean schemas
  { rule: "property schema true → false", from: prop(true), to: prop(false), input: [`schema-changed ${B} /properties/v`], output: [`schema-changed ${N} /properties/v`] },
  { rule: "property schema false → true", from: prop(false), to: prop(true), input: [`schema-changed ${N} /properties/v`], output: [`schema-changed ${B} /properties/v`] },
];

describe("diffSchemas rule table", () => {
  for (const { rule, from, to, input, output } of rules) {
    it(`${rule}: input`, () => expect(run("input", from, to)).toEqual(input));
    it(`${rule}: output`, () => expect(run("output", from, to)).toEqual(output));
  }
});

describe("$ref and $defs", () => {
  const owner = obj({ login: str, id: int }, ["login"]);
  const withDefs = (defs: Record<string, unknown>, root: unknown) => ({ ...(root as object), $defs: defs });

  it("follows a $ref and reports the change at the referencing path", () => {
    const from = withDefs({ owner }, obj({ owner: { $ref: "#/$defs/owner" } }));
    const to = withDefs({ owner: { ...owner, properties: { ...owner.properties, email: str }, required: ["login", "email"] } }, obj({ owner: { $ref: "#/$defs/owner" } }));
    expect(run("input", from, to)).toEqual([`property-added ${B} /properties/owner/properties/email`]);
  });

  it("treats an inlined definition as equal to the $ref it replaced", () => {
    const from = withDefs({ owner }, obj({ owner: { $ref: "#/$defs/owner" } }));
    const to = obj({ owner });
    expect(run("input", from, to)).toEqual([]);
    expect(run("output", to, from)).toEqual([]);
  });

  it("resolves draft-07 `definitions` and percent-encoded pointers", () => {
    const from = { definitions: { "a b": str }, ...obj({ v: { $ref: "#/definitions/a%20b" } }) };
    const to = { definitions: { "a b": int }, ...obj({ v: { $ref: "#/definitions/a%20b" } }) };
    expect(run("output", from, to)).toEqual([`type-changed ${B} /properties/v/type`]);
  });

  it("applies $ref siblings (2020-12) without reporting a description beside it", () => {
    const from = withDefs({ owner }, obj({ owner: { $ref: "#/$defs/owner" } }));
    const to = withDefs({ owner }, obj({ owner: { $ref: "#/$defs/owner", description: "The owner" } }));
    expect(run("output", from, to)).toEqual([]);
  });

  it("reports a change in a shared definition once, at the first path that reaches it", () => {
    const changed = { ...owner, properties: { login: str } };
    const shape = obj({ assignee: { $ref: "#/$defs/owner" }, user: { $ref: "#/$defs/owner" } });
    expect(run("output", withDefs({ owner }, shape), withDefs({ owner: changed }, shape))).toEqual([`property-removed ${B} /properties/assignee/properties/id`]);
  });

  it("still compares what sits beside a shared $ref at each use", () => {
    const param = (where: string) => ({ $ref: "#/$defs/id", "x-waygate-in": where });
    const from = withDefs({ id: int }, obj({ a: param("path"), b: param("path") }));
    const to = withDefs({ id: int }, obj({ a: param("path"), b: param("query") }));
    expect(run("input", from, to)).toEqual([`location-changed ${B} /properties/b/x-waygate-in`]);
  });

  it("terminates on a self-referencing tree and still finds the change inside it", () => {
    const node = (valueType: string) => obj({ value: { type: valueType }, children: { type: "array", items: { $ref: "#/$defs/node" } } });
    const from = { $defs: { node: node("string") }, $ref: "#/$defs/node" };
    const to = { $defs: { node: node("integer") }, $ref: "#/$defs/node" };
    expect(run("input", from, to)).toEqual([`type-changed ${B} /properties/value/type`]);
  });

  it("terminates on mutually recursive definitions", () => {
    const defs = (extra: Record<string, unknown>) => ({
      user: obj({ org: { $ref: "#/$defs/org" } }),
      org: obj({ owner: { $ref: "#/$defs/user" }, ...extra }),
    });
    const from = { $defs: defs({}), $ref: "#/$defs/user" };
    const to = { $defs: defs({ plan: str }), $ref: "#/$defs/user" };
    expect(run("output", from, to)).toEqual([`property-added ${N} /properties/org/properties/plan`]);
  });

  it("terminates on a $ref to itself and on an allOf that includes itself", () => {
    const selfRef = { $defs: { a: { $ref: "#/$defs/a" } }, $ref: "#/$defs/a" };
    const selfAllOf = { $defs: { a: { allOf: [{ $ref: "#/$defs/a" }, obj({ x: str })] } }, $ref: "#/$defs/a" };
    expect(() => run("input", selfRef, { ...selfRef, title: "changed" })).not.toThrow();
    expect(run("input", selfAllOf, { ...selfAllOf, $defs: { a: { allOf: [{ $ref: "#/$defs/a" }, obj({ x: int })] } } })).toContain(`type-changed ${B} /properties/x/type`);
  });

  it("treats an unresolvable $ref whose text changed as a breaking change it cannot prove safe", () => {
    expect(run("output", prop({ $ref: "https://example.com/a.json" }), prop({ $ref: "https://example.com/b.json" }))).toEqual([`schema-changed ${B} /properties/v`]);
    expect(run("output", prop({ $ref: "#/$defs/missing" }), prop({ $ref: "#/$defs/missing" }))).toEqual([]);
  });
});

describe("allOf", () => {
  it("merges members, so moving a property between members is no change", () => {
    const from = { allOf: [obj({ a: str }), obj({ b: int }, ["b"])] };
    const to = { allOf: [obj({ a: str, b: int }, ["b"])] };
    expect(run("input", from, to)).toEqual([]);
  });

  it("sees a required property added by one member", () => {
    const from = { allOf: [obj({ a: str }), obj({ b: int })] };
    const to = { allOf: [obj({ a: str }), obj({ b: int, c: str }, ["c"])] };
    expect(run("input", from, to)).toEqual([`property-added ${B} /properties/c`]);
  });

  it("intersects a property declared by two members", () => {
    const from = { allOf: [obj({ n: { type: "number" } }), obj({ n: { type: "number" } })] };
    const to = { allOf: [obj({ n: { type: "number" } }), obj({ n: { type: "integer" } })] };
    expect(run("input", from, to)).toEqual([`type-changed ${B} /properties/n/type`]);
  });
});

describe("oneOf / anyOf", () => {
  const a = obj({ kind: { const: "a" }, x: str }, ["kind"]);
  const b = obj({ kind: { const: "b" }, y: int }, ["kind"]);
  const c = { type: "string" };

  it.each([
    ["input", [`variant-added ${N} /oneOf/2`]],
    ["output", [`variant-added ${B} /oneOf/2`]],
  ] as const)("variant added (%s)", (direction, expected) => {
    expect(run(direction, { oneOf: [a, b] }, { oneOf: [a, b, c] })).toEqual(expected);
  });

  it.each([
    ["input", [`variant-removed ${B} /oneOf/1`]],
    ["output", [`variant-removed ${N} /oneOf/1`]],
  ] as const)("variant removed (%s)", (direction, expected) => {
    expect(run(direction, { oneOf: [a, c] }, { oneOf: [a] })).toEqual(expected);
  });

  it("ignores reordered variants", () => {
    expect(run("output", { anyOf: [a, b, c] }, { anyOf: [c, a, b] })).toEqual([]);
  });

  it("compares a changed variant field by field when it is the only one of its type", () => {
    const changed = obj({ kind: { const: "a" }, x: str, z: str }, ["kind"]);
    expect(run("output", { oneOf: [a, c] }, { oneOf: [changed, c] })).toEqual([`property-added ${N} /oneOf/0/properties/z`]);
  });

  it("pairs changed variants by position when as many remain on both sides", () => {
    const a2 = obj({ kind: { const: "a" }, x: int }, ["kind"]);
    expect(run("input", { oneOf: [a, b] }, { oneOf: [a2, b] })).toEqual([`type-changed ${B} /oneOf/0/properties/x/type`]);
  });

  it.each([
    ["input", [`variant-added ${N} /properties/v/oneOf/1`]],
    ["output", [`variant-added ${B} /properties/v/oneOf/1`]],
  ] as const)("plain schema became a union that includes it (%s)", (direction, expected) => {
    const from = prop({ type: "string", description: "an id", "x-waygate-in": "query" });
    const to = prop({ oneOf: [str, int], "x-waygate-in": "query" });
    expect(run(direction, from, to)).toEqual(expected);
  });

  it("finds a change inside a $ref variant of a nullable anyOf", () => {
    const shape = prop({ anyOf: [{ $ref: "#/$defs/user" }, { type: "null" }] });
    const from = { ...shape, $defs: { user: obj({ login: str }, ["login"]) } };
    const to = { ...shape, $defs: { user: obj({ login: str }) } };
    expect(run("output", from, to)).toEqual([`became-optional ${B} /properties/v/anyOf/0/properties/login`]);
  });
});

describe("messages", () => {
  it("names the field the way a caller writes it", () => {
    const from = obj({ issue: obj({ labels: { type: "array", items: obj({ name: str }) } }) });
    const to = obj({ issue: obj({ labels: { type: "array", items: obj({ name: str }, ["name"]) } }) });
    const [change] = diffSchemas(from, to, { direction: "input", pointer: "/inputSchema" });
    expect(change?.message).toBe("input.issue.labels[].name became required");
  });

  it("escapes JSON pointer segments and keeps hostile names printable", () => {
    const name = "a/b~c\n\u001b[31mred\u202e";
    const changes = diffSchemas(obj({}), obj({ [name]: str }), { direction: "output", pointer: "/outputSchema" });
    expect(changes[0]?.pointer).toBe("/outputSchema/properties/a~1b~0c\n\u001b[31mred\u202e");
    expect(changes[0]?.message).toBe("output.a/b~c\\u000a\\u001b[31mred\\u202e was added");
  });

  it("lists enum values in the message and the removed values in `before`", () => {
    const [change] = diffSchemas(prop({ enum: ["a", "b", "c"] }), prop({ enum: ["a"] }), { direction: "input", pointer: "/inputSchema" });
    expect(change).toMatchObject({ message: 'input.v lost enum values "b", "c"', before: ["b", "c"] });
  });
});
