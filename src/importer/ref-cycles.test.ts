import { describe, expect, it } from "vitest";
import { SchemaValidator } from "../gateway/schema-validator.js";
import { importDocument } from "./index.js";
import { Warnings } from "./problem.js";
import { SharedRefCycles } from "./ref-cycles.js";
import { NO_DEFS } from "./schema-convert.js";

const spec = {
  openapi: "3.1.0",
  info: { title: "Cycles", version: "1" },
  servers: [{ url: "https://api.example.com" }],
  paths: {
    "/loop": { get: { operationId: "loop", responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/A" } } } } } } },
    "/tree": { get: { operationId: "tree", responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Comment" } } } } } } },
    "/mixed": {
      post: {
        operationId: "mixed",
        requestBody: { content: { "application/json": { schema: { type: "object", properties: { shape: { $ref: "#/components/schemas/Shape" } } } } } },
        responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/A" } } } } },
      },
    },
  },
  components: {
    schemas: {
      A: { $ref: "#/components/schemas/B" },
      B: { $ref: "#/components/schemas/A" },
      Comment: { type: "object", properties: { body: { type: "string" }, replies: { type: "array", items: { $ref: "#/components/schemas/Comment" } } } },
      Shape: { type: "object", allOf: [{ $ref: "#/components/schemas/Outline" }] },
      Outline: { anyOf: [{ $ref: "#/components/schemas/Shape" }, { required: ["sides"] }] },
    },
  },
};

async function importSpec() {
  const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec), filename: "cycles.json" });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  return outcome;
}

describe("$ref cycles at import", () => {
  it("reports each unresolvable cycle once, with the JSON pointers of its schemas, and keeps a legitimate recursive schema", async () => {
    const { definition, warnings } = await importSpec();
    const cycles = warnings.filter((warning) => warning.code === "ref_cycle");
    expect(cycles.map((warning) => warning.message)).toEqual([
      expect.stringContaining("/components/schemas/A → /components/schemas/B → /components/schemas/A"),
      expect.stringContaining("/components/schemas/Outline → /components/schemas/Outline/anyOf/0 → /components/schemas/Shape → /components/schemas/Shape/allOf/0 → /components/schemas/Outline"),
    ]);
    expect(cycles[0]!.location).toEqual({ source: "cycles.json", pointer: "/components/schemas/A" });
    const tree = definition.actions.find((action) => action.name === "tree")!;
    expect(tree.outputSchema).toEqual({
      $ref: "#/$defs/Comment",
      $defs: { Comment: { type: "object", properties: { body: { type: "string" }, replies: { type: "array", items: { $ref: "#/$defs/Comment" } } } } },
    });
  });

  it("drops the $refs that close a cycle (the cycle accepts any value) so every action schema compiles and validates", async () => {
    const { definition } = await importSpec();
    const loop = definition.actions.find((action) => action.name === "loop")!;
    expect(loop.outputSchema!["$defs"]).toEqual({ A: {}, B: {} });
    const mixed = definition.actions.find((action) => action.name === "mixed")!;
    const defs = mixed.inputSchema["$defs"] as Record<string, Record<string, unknown>>;
    expect(defs["Shape"]).toEqual({ type: "object", allOf: [{}] });
    expect(defs["Outline"]).toEqual({ anyOf: [{}, { required: ["sides"] }] });
    const validator = new SchemaValidator();
    for (const action of definition.actions) {
      for (const schema of [action.inputSchema, action.outputSchema]) {
        if (!schema) continue;
        const compiled = validator.compile(schema);
        expect(compiled.warnings).toEqual([]);
        expect(compiled.validate({ shape: { sides: 3 } }, "input").valid).toBe(true);
      }
    }
  });

  it("still finds a cycle in a schema's own part beside shared $defs (a $ref outside $defs), and leaves the shared members alone", () => {
    const members = { Leaf: { type: "string" } };
    const looping = { anyOf: [{ $ref: "#" }, { $ref: "#/$defs/Leaf" }], $defs: members };
    const plain = { type: "object", properties: { leaf: { $ref: "#/$defs/Leaf" } }, $defs: members };
    const warnings = new Warnings();
    const cycles = new SharedRefCycles([looping, plain], NO_DEFS, warnings, new Set());
    expect(cycles.break(looping)).toEqual({ anyOf: [{}, { $ref: "#/$defs/Leaf" }], $defs: members });
    expect(cycles.break(plain)).toBe(plain);
    expect(warnings.toArray().map((warning) => warning.code)).toEqual(["ref_cycle"]);
  });
});
