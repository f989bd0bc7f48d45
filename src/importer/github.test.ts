import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinition } from "../contract/integrations.js";
import { definitionHash } from "../lib/definition-hash.js";
import { importDocument } from "./index.js";
import type { ImportOutcome } from "./index.js";

const SPEC = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** The big real case: the GitHub REST API description (OpenAPI 3.0.3, 1 200+ operations). */
describe("GitHub REST spec (@octokit/openapi)", () => {
  let outcome: Extract<ImportOutcome, { kind: "imported" }>;
  let operations = 0;
  const byName = new Map<string, ActionDefinition>();

  beforeAll(async () => {
    const bytes = await readFile(SPEC);
    const spec = JSON.parse(bytes.toString("utf8")) as { paths: Record<string, Record<string, unknown>> };
    for (const item of Object.values(spec.paths)) for (const key of Object.keys(item)) if (METHODS.has(key)) operations++;
    const result = await importDocument({ kind: "content", content: bytes, filename: "api.github.com.json" });
    if (result.kind !== "imported") throw new Error(JSON.stringify(result.error));
    outcome = result;
    for (const action of result.definition.actions) byName.set(action.name, action);
  }, 60_000);

  it("has one action per operation and passes the contract schema", () => {
    expect(operations).toBeGreaterThan(1000);
    expect(outcome.definition.actions).toHaveLength(operations);
    expect(outcome.stats).toMatchObject({ operations, actions: operations, documents: 1 });
    IntegrationDefinitionSchema.parse(outcome.definition);
    expect(outcome.contentHash).toBe(definitionHash(JSON.parse(JSON.stringify(outcome.definition))));
  });

  it("names actions from GitHub's operationIds", () => {
    expect(byName.has("issues.create")).toBe(true);
    expect(byName.has("repos.listForOrg")).toBe(true);
    expect(byName.has("pulls.merge")).toBe(true);
    expect(outcome.warnings.filter((w) => w.code === "name_collision" && w.message.startsWith("action name"))).toEqual([]);
  });

  it("imports issues.create exactly", () => {
    const create = byName.get("issues.create")!;
    expect(create).toMatchObject({ method: "POST", path: "/repos/{owner}/{repo}/issues", summary: "Create an issue", tags: ["issues"], pagination: null });
    const properties = create.inputSchema["properties"] as Record<string, Record<string, unknown>>;
    expect(create.inputSchema["required"]).toEqual(["owner", "repo", "title"]);
    expect(properties["owner"]).toMatchObject({ type: "string", "x-waygate-in": "path" });
    expect(properties["repo"]).toMatchObject({ type: "string", "x-waygate-in": "path" });
    expect(properties["title"]).toMatchObject({ oneOf: [{ type: "string" }, { type: "integer" }], "x-waygate-in": "body" });
    expect(properties["assignee"]).toMatchObject({ type: ["string", "null"], "x-waygate-in": "body" });
    expect(properties["labels"]).toMatchObject({ type: "array", "x-waygate-in": "body" });
    expect(create.outputSchema).toMatchObject({ $ref: "#/$defs/issue" });
    expect(Object.keys(create.outputSchema!["$defs"] as object)).toContain("issue");
    expect(Object.keys(create.errors).sort()).toEqual(["400", "403", "404", "410", "422", "503"]);
  });

  it("imports a GET with query parameters (repos.listForOrg) with Link pagination", () => {
    const list = byName.get("repos.listForOrg")!;
    expect(list).toMatchObject({ method: "GET", path: "/orgs/{org}/repos" });
    expect(list.inputSchema["properties"]).toMatchObject({
      org: { "x-waygate-in": "path" },
      type: { enum: ["all", "public", "private", "forks", "sources", "member"], "x-waygate-in": "query" },
      per_page: { type: "integer", default: 30, "x-waygate-in": "query" },
      page: { type: "integer", default: 1, "x-waygate-in": "query" },
    });
    // GitHub declares a Link response header on list endpoints: the gateway follows rel="next".
    expect(list.pagination).toEqual({ strategy: "link", itemsPath: "" });
    expect(list.outputSchema).toMatchObject({ type: "array", items: { $ref: "#/$defs/minimal-repository" } });
  });

  it("paginates list endpoints: Link where declared, page/per_page otherwise", () => {
    expect(byName.get("issues.listForRepo")!.pagination).toEqual({ strategy: "link", itemsPath: "" });
    // search.repos declares no Link header in the spec: page/per_page, items under /items.
    expect(byName.get("search.repos")!.pagination).toEqual({ strategy: "page", pageParam: "page", sizeParam: "per_page", itemsPath: "/items" });
    const counts = new Map<string, number>();
    for (const action of outcome.definition.actions) {
      const strategy = action.pagination?.strategy ?? "none";
      counts.set(strategy, (counts.get(strategy) ?? 0) + 1);
    }
    expect(counts.get("link")).toBeGreaterThan(150);
    expect(counts.get("page")).toBeGreaterThan(10);
    expect(byName.get("issues.get")!.pagination).toBeNull();
  });

  it("declares no security schemes, so auth is unverified rather than 'none'", () => {
    expect(outcome.definition.authSchemes).toEqual([]);
    expect(outcome.definition.authTypeUnverified).toBe(true);
    expect(outcome.definition.baseUrl).toBe("https://api.github.com");
  });

  it("keeps recursive GitHub schemas finite: every $ref in an action points into its own $defs", () => {
    for (const action of outcome.definition.actions.slice(0, 300)) {
      for (const schema of [action.inputSchema, action.outputSchema]) {
        if (!schema) continue;
        const defs = (schema["$defs"] ?? {}) as Record<string, unknown>;
        for (const ref of JSON.stringify(schema).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)) expect(defs).toHaveProperty([ref[1]!]);
      }
    }
  });
});
