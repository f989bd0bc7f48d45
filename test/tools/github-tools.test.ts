import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActionDefinition } from "../../src/contract/index.js";
import { buildTools, type ToolDescriptor, type ToolSource } from "../../src/tools/descriptor.js";
import { formatTool } from "../../src/tools/formats.js";
import { MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN, toolName } from "../../src/tools/names.js";
import { githubManifest } from "../codegen/support/github-manifest.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The GitHub REST spec (1 223 actions) as tools: the big real case for names and schemas. */
describe("GitHub's actions as tools", () => {
  let source: ToolSource;
  let tools: ToolDescriptor[];

  beforeAll(async () => {
    const integration = (await githubManifest()).integrations[0]!;
    source = { slug: integration.slug, name: integration.name, version: integration.version, actions: integration.actions };
    tools = buildTools([source]).tools;
  }, 120_000);

  it("names all 1 223 actions with valid, unique names of at most 64 characters, each mapping back to its action", () => {
    expect(source.actions).toHaveLength(1223);
    expect(tools).toHaveLength(1223);
    const names = tools.map((tool) => tool.name);
    for (const name of names) {
      expect(name).toMatch(TOOL_NAME_PATTERN);
      expect(name.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
    }
    expect(new Set(names).size).toBe(1223);
    const { names: reverse } = buildTools([source]);
    for (const tool of tools) expect(reverse.resolve(tool.name)).toEqual({ integration: "github", action: tool.action });
    expect(names).toContain("github__issues_create");
    expect(names).toEqual([...names].sort());
  });

  it("gives the same names in another run, whatever the order or company of the actions", () => {
    const shuffled: ActionDefinition[] = [...source.actions].reverse().filter((_, index) => index % 3 !== 0);
    const again = buildTools([{ ...source, actions: shuffled }]).tools;
    const before = new Map(tools.map((tool) => [tool.action, tool.name]));
    for (const tool of again) expect(tool.name).toBe(before.get(tool.action));
    expect(toolName("github", "issues.create")).toBe("github__issues_create");
  });

  it("inlines every $ref: no input schema has one, and each is valid JSON Schema that Ajv compiles without unknown keywords or formats", () => {
    // strictSchema refuses unknown keywords and formats. Ajv's type/required/tuple lints flag valid schemas
    // (GitHub's `oneOf` branches list in `required` properties their parent declares), so they are off.
    const ajv = addFormats(new Ajv2020({ strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, validateFormats: true }));
    let withFallback = 0;
    for (const tool of tools) {
      const text = JSON.stringify(tool.inputSchema);
      expect(text, tool.name).not.toContain('"$ref"');
      expect(text, tool.name).not.toContain('"x-waygate-');
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(ajv.validateSchema(tool.inputSchema), `${tool.name}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
      if (tool.inputFallback !== "none") withFallback++;
      for (const format of ["openai", "anthropic", "mcp"] as const) expect(JSON.stringify(formatTool(tool, format))).not.toContain('"$ref"');
    }
    // The bound is a fallback for the odd giant, not the rule.
    expect(withFallback).toBeLessThan(tools.length / 20);
  });

  it("inlines the schemas the spec reaches through $defs (review-custom-gates bodies keep their fields)", () => {
    const tool = tools.find((candidate) => candidate.action === "actions.reviewCustomGatesForRun")!;
    const body = (tool.inputSchema.properties as Record<string, { anyOf: Array<{ required: string[] }> }>).body!;
    expect(body.anyOf.map((branch) => branch.required)).toEqual([["environment_name", "comment"], ["environment_name", "state"]]);
  });

  it("derives annotations from the HTTP method", () => {
    const byAction = new Map(tools.map((tool) => [tool.action, tool]));
    expect(byAction.get("issues.get")!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(byAction.get("issues.create")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(byAction.get("repos.delete")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(byAction.get("repos.replaceAllTopics")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
  });

  it("keeps descriptions short, without markdown links, and says where the call goes", () => {
    for (const tool of tools) expect(tool.description.length, tool.name).toBeLessThanOrEqual(1_000);
    const create = tools.find((tool) => tool.action === "issues.create")!;
    expect(create.description).toMatch(/^Create an issue\. Any user with pull access/);
    expect(create.description).not.toContain("](https://");
    expect(create.description).toContain("POST /repos/{owner}/{repo}/issues");
  });
});
