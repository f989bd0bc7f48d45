import { describe, expect, it } from "vitest";
import { importDocument } from "./index.js";
import { fixture } from "./test-server.js";

const minimal = (extra = "") => `openapi: 3.0.0
info: { title: Safety, version: "1" }
servers: [{ url: https://safety.example.com }]
paths:
  /x:
    get:
      responses: { "204": { description: none } }
${extra}`;

describe("hostile and broken documents", () => {
  it("reports JSON syntax errors with line and column", async () => {
    const text = '{\n  "openapi": "3.0.0",\n  "info": { "title": "x" \n  "paths": {}\n}';
    const outcome = await importDocument({ kind: "content", content: text, filename: "broken.json" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "syntax_error", location: { source: "broken.json", line: 4, column: 3 } } });
    const truncated = await importDocument({ kind: "content", content: '{"openapi": "3.0.0", "paths": {', filename: "t.json" });
    expect(truncated).toMatchObject({ kind: "failed", error: { code: "syntax_error", location: { line: 1, column: 32 } } });
  });

  it("reports YAML syntax errors with line and column", async () => {
    const outcome = await importDocument({ kind: "content", content: "openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\n", filename: "broken.yaml" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "syntax_error", location: { source: "broken.yaml", line: expect.any(Number), column: expect.any(Number) } } });
    const duplicate = await importDocument({ kind: "content", content: "openapi: 3.0.0\nopenapi: 3.1.0\n", filename: "dup.yaml" });
    expect(duplicate).toMatchObject({ kind: "failed", error: { code: "syntax_error", location: { line: 2 } } });
  });

  it("stops a YAML billion-laughs expansion at the alias budget", async () => {
    const started = Date.now();
    const outcome = await importDocument({ kind: "content", content: await fixture("adversarial/yaml-bomb.yaml"), filename: "yaml-bomb.yaml" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "yaml_alias_limit" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses cyclic YAML aliases", async () => {
    const outcome = await importDocument({ kind: "content", content: minimal("x-cycle: &a { self: *a }\n"), filename: "cycle.yaml" });
    expect(outcome.kind).toBe("failed");
  });

  it("treats custom YAML tags as plain data, never code", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("adversarial/custom-tags.yaml"), filename: "custom-tags.yaml" });
    expect((globalThis as Record<string, unknown>)["pwned"]).toBeUndefined();
    expect(outcome).toMatchObject({ kind: "imported" });
    if (outcome.kind === "imported") expect(outcome.definition.name).toBe("function () { globalThis.pwned = true }");
  });

  it("does not let __proto__ keys reach any prototype", async () => {
    const content = await fixture("adversarial/proto-pollution.json");
    // "#/constructor/prototype" names nothing in the document: a dangling $ref, refused by default.
    expect(await importDocument({ kind: "content", content, filename: "proto.json" })).toMatchObject({
      kind: "failed",
      error: { code: "dangling_ref", location: { pointer: expect.stringContaining("/properties/constructor/$ref") } },
    });
    const outcome = await importDocument({ kind: "content", content, filename: "proto.json" }, { allowDanglingRefs: true });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
    expect(outcome.warnings.map((w) => w.code)).toContain("unsafe_key");
    const action = outcome.definition.actions[0]!;
    expect(Object.getPrototypeOf(action.inputSchema["properties"])).toBe(Object.prototype);
    // "#/constructor/prototype" must not resolve through Object.prototype.
    expect(outcome.warnings.map((w) => w.code)).toContain("unresolved_ref");
  });

  it("refuses documents over maxDocumentBytes and nesting over maxNestingDepth", async () => {
    const big = await importDocument({ kind: "content", content: minimal() }, { limits: { maxDocumentBytes: 50 } });
    expect(big).toMatchObject({ kind: "failed", error: { code: "too_large" } });
    const deep = '{"openapi":"3.0.0","x":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    const outcome = await importDocument({ kind: "content", content: deep, filename: "deep.json" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "nesting_limit", location: { source: "deep.json" } } });
    const deepYaml = "openapi: 3.0.0\nx: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n";
    expect((await importDocument({ kind: "content", content: deepYaml })).kind).toBe("failed");
  });

  it("names the format problem: unknown document, unsupported versions, forced format mismatch", async () => {
    expect(await importDocument({ kind: "content", content: '{"hello": "world"}' })).toMatchObject({ kind: "failed", error: { code: "unknown_format" } });
    expect(await importDocument({ kind: "content", content: "[1, 2]" })).toMatchObject({ kind: "failed", error: { code: "unknown_format" } });
    expect(await importDocument({ kind: "content", content: '{"openapi": "4.0.0"}' })).toMatchObject({ kind: "failed", error: { code: "unsupported_version", location: { pointer: "/openapi" } } });
    expect(await importDocument({ kind: "content", content: '{"swagger": "1.2"}' })).toMatchObject({ kind: "failed", error: { code: "unsupported_version" } });
    expect(await importDocument({ kind: "content", content: minimal() }, { format: "postman" })).toMatchObject({ kind: "failed", error: { code: "format_mismatch" } });
  });

  it("fails with no_operations for a spec without paths and no_base_url without a server", async () => {
    expect(await importDocument({ kind: "content", content: '{"openapi":"3.1.0","info":{"title":"x","version":"1"},"servers":[{"url":"https://x.example.com"}]}' })).toMatchObject({
      kind: "failed",
      error: { code: "no_operations" },
    });
    const noServer = '{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}';
    expect(await importDocument({ kind: "content", content: noServer })).toMatchObject({ kind: "failed", error: { code: "no_base_url" } });
    expect(await importDocument({ kind: "content", content: noServer }, { serverUrl: "https://api.example.com/" })).toMatchObject({ kind: "imported", definition: { baseUrl: "https://api.example.com" } });
  });

  it("validates its inputs as values, not exceptions", async () => {
    expect(await importDocument({ kind: "bogus" } as never)).toMatchObject({ kind: "failed", error: { code: "invalid_source" } });
    expect(await importDocument({ kind: "content", content: minimal() }, { limits: { maxRefDepth: -1 } })).toMatchObject({ kind: "failed", error: { code: "invalid_option" } });
    expect(await importDocument({ kind: "content", content: minimal() }, { serverUrl: "ftp://x" })).toMatchObject({ kind: "failed", error: { code: "invalid_option" } });
  });
});
