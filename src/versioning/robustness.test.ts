import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { VersionChangeSchema, VersionDiffSchema } from "../contract/versioning.js";
import { diffDefinitions, diffSchemas, type DiffableIntegration } from "./index.js";

const cyclic: Record<string, unknown> = { type: "object", properties: {} };
(cyclic.properties as Record<string, unknown>).self = cyclic;
/** Shares itself twice per level: any walk without a budget is exponential in depth. */
function branchy(type: string): Record<string, unknown> {
  const node: Record<string, unknown> = { type: ["object", type], enum: [] };
  node.properties = { a: node, b: node };
  (node.enum as unknown[]).push(node, node);
  return node;
}

const garbage: [string, unknown][] = [
  ["null", null],
  ["number", 42],
  ["string", "object"],
  ["array", [{ type: "string" }]],
  ["true", true],
  ["false", false],
  ["type is a number", { type: 42 }],
  ["properties is a string", { properties: "x" }],
  ["required is a string", { type: "object", required: "title" }],
  ["enum is a string", { enum: "a" }],
  ["items is a number", { type: "array", items: 5 }],
  ["oneOf is an object", { oneOf: { a: 1 } }],
  ["allOf holds garbage", { allOf: [null, 3, "x", { type: "string" }] }],
  ["$ref is a number", { $ref: 5 }],
  ["dangling $ref", { $ref: "#/$defs/nope" }],
  ["external $ref", { $ref: "https://example.com/schema.json" }],
  ["malformed percent-encoding", { $ref: "#/%zz" }],
  ["$ref into an array", { $ref: "#/allOf/0", allOf: [{ type: "string" }] }],
  ["draft-04 boolean exclusiveMaximum", { type: "number", maximum: 5, exclusiveMaximum: true }],
  ["bigint const", { const: 10n }],
  ["in-memory cycle", cyclic],
  ["branching in-memory cycle", branchy("string")],
  ["another branching in-memory cycle", branchy("integer")],
];

describe("robustness", () => {
  it("never throws on garbage schemas, in any pairing and direction, and returns valid changes", () => {
    for (const [, from] of garbage) {
      for (const [, to] of garbage) {
        for (const direction of ["input", "output"] as const) {
          const changes = diffSchemas(from, to, { direction, pointer: "/inputSchema" });
          for (const change of changes) VersionChangeSchema.parse(change);
        }
      }
    }
  });

  it("never throws on garbage definitions", () => {
    const junk = [
      { actions: [] },
      { actions: [null, 3, { name: 5 }, { name: "a" }, { name: "a", method: "GET" }] },
      { actions: "nope", authSchemes: "nope", baseUrl: 7 },
      { actions: [{ name: "a", method: null, path: null, tags: "x", pagination: 3, inputSchema: cyclic, outputSchema: cyclic }], authSchemes: [null, { type: 4 }] },
    ] as unknown as DiffableIntegration[];
    for (const from of junk) {
      for (const to of junk) VersionDiffSchema.parse(diffDefinitions(from, to, { fromVersion: 1, toVersion: 2 }));
    }
  });

  it("compares deep nesting up to the depth limit and flags a difference beyond it as breaking", () => {
    const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { type: "object", properties: { n: nest(depth - 1, leaf) } });
    expect(diffSchemas(nest(200, { type: "string" }), nest(200, { type: "string" }), { direction: "output", pointer: "" })).toEqual([]);
    const changes = diffSchemas(nest(500, { type: "string" }), nest(500, { type: "integer" }), { direction: "output", pointer: "", maxDepth: 10 });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: "schema-changed", severity: "breaking" });
    expect(changes[0]?.pointer.split("/properties/n")).toHaveLength(12);
  });

  it("stops after the node budget with one conservative breaking change", () => {
    const wide = (type: string) => ({ type: "object", properties: Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`p${index}`, { type }])) });
    const changes = diffSchemas(wide("string"), wide("integer"), { direction: "input", pointer: "", maxNodes: 50 });
    expect(changes.filter((change) => change.kind === "schema-changed")).toHaveLength(1);
    expect(changes.length).toBeLessThan(60);
  });
});

describe("real schemas: GitHub's REST components as $defs", () => {
  // Every component schema of a GitHub spec becomes a $def, so each comparison walks
  // real-world $ref graphs: nullable allOf wrappers, oneOf payloads, shared definitions.
  const require = createRequire(import.meta.url);
  const load = (file: string): Record<string, unknown> => {
    const text = readFileSync(require.resolve(`@octokit/openapi/generated/${file}`), "utf8");
    return (JSON.parse(text.replaceAll("#/components/schemas/", "#/$defs/")) as { components: { schemas: Record<string, unknown> } }).components.schemas;
  };
  const ghes = load("ghes-3.17.json");
  const dotcom = load("api.github.com.json");
  const rooted = (defs: Record<string, unknown>, name: string) => ({ $defs: defs, $ref: `#/$defs/${name}` });

  it("walks a whole definition graph and finds nothing when only an unused $def was added", () => {
    for (const name of ["issue", "pull-request", "repository", "event"]) {
      const changes = diffSchemas(rooted(dotcom, name), rooted({ ...dotcom, unused: { type: "string" } }, name), { direction: "output", pointer: "/outputSchema" });
      expect(changes, name).toEqual([]);
    }
  });

  it("diffs GHES 3.17 against api.github.com deterministically and symmetrically", () => {
    const names = ["event", "issue", "pull-request", "repository", "workflow-run", "code-scanning-alert"];
    for (const name of names) {
      const forward = diffSchemas(rooted(ghes, name), rooted(dotcom, name), { direction: "output", pointer: "/outputSchema" });
      const again = diffSchemas(rooted(ghes, name), rooted(dotcom, name), { direction: "output", pointer: "/outputSchema" });
      const backward = diffSchemas(rooted(dotcom, name), rooted(ghes, name), { direction: "output", pointer: "/outputSchema" });
      expect(again).toEqual(forward);
      expect(forward.some((change) => change.kind === "schema-changed"), `${name} hit a limit`).toBe(false);
      const count = (changes: typeof forward, kind: string) => changes.filter((change) => change.kind === kind).length;
      expect(count(forward, "property-added"), name).toBe(count(backward, "property-removed"));
      expect(count(forward, "enum-values-added"), name).toBe(count(backward, "enum-values-removed"));
    }
  });

  it("reports the fields dotcom's event payloads dropped as breaking output changes", () => {
    const changes = diffSchemas(rooted(ghes, "event"), rooted(dotcom, "event"), { direction: "output", pointer: "/outputSchema" });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((change) => change.kind === "property-removed").every((change) => change.severity === "breaking")).toBe(true);
  });
});
