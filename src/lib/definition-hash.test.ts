import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash } from "./canonical-json.js";
import { DEFINITION_HASH_PREFIX, definitionHash, isCurrentDefinitionHash, legacyDefinitionHash } from "./definition-hash.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Format 2 the slow, obvious way: every `$defs` object replaced by the digest of { name: digest of the member } (inner ones first). */
function reference(value: unknown): string {
  const digestDefs = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(digestDefs);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, member]) => {
        if (key !== "$defs" || member === null || typeof member !== "object" || Array.isArray(member)) return [key, digestDefs(member)];
        const digests = Object.entries(member).map(([name, schema]) => [name, schema === undefined ? undefined : sha256(canonicalJson(digestDefs(schema)))]);
        return [key, sha256(canonicalJson(Object.fromEntries(digests)))];
      }),
    );
  };
  return "sha256:v2:" + sha256(canonicalJson(digestDefs(value)));
}

const shared = { type: "object", properties: { b: { type: "string" }, a: { enum: [1, "2", null] } }, $defs: { Inner: { type: "integer" } } };

function definition(schema: Record<string, unknown>, other: Record<string, unknown>) {
  return {
    slug: "x",
    name: "X",
    baseUrl: "https://x.example.com",
    authSchemes: [],
    authTypeUnverified: true,
    description: undefined,
    actions: [
      {
        name: "a.b",
        method: "GET",
        path: "/a",
        deprecated: false,
        tags: ["t"],
        inputSchema: { type: "object", properties: { "10": {}, "9": {}, z: {}, "01": {}, "": {} }, $defs: { S: schema, Gone: undefined } },
        outputSchema: { $ref: "#/$defs/S", $defs: { S: other } },
        errors: { "404": { description: "nope \u2028 \"q\" \ud800" }, "4XX": {}, default: {}, "200": {} },
        pagination: null,
      },
    ],
  };
}

describe("definitionHash", () => {
  it("is SHA-256 of the canonical JSON with each $defs object replaced by the digest of its members' digests, including index-like keys and undefined members", () => {
    const value = definition(shared, shared);
    expect(definitionHash(value)).toBe(reference(value));
    expect(definitionHash(value).startsWith(DEFINITION_HASH_PREFIX)).toBe(true);
  });

  it("depends on content only: shared $defs objects and members, copies of them and another key order hash alike", () => {
    const copy = JSON.parse(JSON.stringify(shared)) as Record<string, unknown>;
    const reordered = { $defs: { Inner: { type: "integer" } }, properties: { a: { enum: [1, "2", null] }, b: { type: "string" } }, type: "object" };
    const hash = definitionHash(definition(shared, shared));
    expect(definitionHash(definition(copy, shared))).toBe(hash);
    expect(definitionHash(definition(reordered, copy))).toBe(hash);
    // One $defs object under two schemas, as the importer shares them, against two copies of it.
    const sharing = definition(shared, shared);
    const defs = { S: shared };
    sharing.actions[0]!.inputSchema.$defs = defs as never;
    sharing.actions[0]!.outputSchema.$defs = defs;
    const copies = JSON.parse(JSON.stringify(sharing)) as typeof sharing;
    expect(definitionHash(sharing)).toBe(definitionHash(copies));
    expect(definitionHash(sharing)).toBe(reference(copies));
  });

  it("changes when a shared definition changes, at any depth", () => {
    const hash = definitionHash(definition(shared, shared));
    const deeper = { ...shared, $defs: { Inner: { type: "number" } } };
    expect(definitionHash(definition(shared, deeper))).not.toBe(hash);
    expect(definitionHash(definition(shared, { ...shared, type: "array" }))).not.toBe(hash);
    // A member renamed is another definition too.
    const renamed = definition(shared, shared);
    renamed.actions[0]!.outputSchema = { $ref: "#/$defs/T", $defs: { T: shared } } as never;
    expect(definitionHash(renamed)).not.toBe(hash);
  });

  it("tells apart one name standing for different members in different $defs objects, whichever it met first", () => {
    // The hash remembers the text of each name's entry by member: `S` here alternates between two members (and a shared one).
    const other = { type: "array", items: { $ref: "#/$defs/Inner" }, $defs: { Inner: { type: "integer" } } };
    const first = { S: shared, Inner: { type: "integer" } };
    const value = definition(shared, other);
    value.actions.push(
      { ...value.actions[0]!, name: "c.d", inputSchema: { type: "object", properties: {}, $defs: { S: other } } as never, outputSchema: { $ref: "#/$defs/S", $defs: first } as never },
      { ...value.actions[0]!, name: "e.f", inputSchema: { type: "object", properties: {}, $defs: first } as never, outputSchema: { $ref: "#/$defs/S", $defs: { S: shared, Inner: { type: "number" } } } as never },
    );
    expect(definitionHash(value)).toBe(reference(value));
    expect(definitionHash(value)).toBe(definitionHash(JSON.parse(JSON.stringify(value))));
  });

  it("tells its format from format 1, which legacyDefinitionHash still computes", () => {
    const value = definition(shared, shared);
    expect(isCurrentDefinitionHash(definitionHash(value))).toBe(true);
    expect(legacyDefinitionHash(value)).toBe(contentHash(value));
    expect(isCurrentDefinitionHash(legacyDefinitionHash(value))).toBe(false);
  });
});
