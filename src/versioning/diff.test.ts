import { describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema, type IntegrationDefinitionInput } from "../contract/integrations.js";
import { VersionDiffSchema, type VersionChange } from "../contract/versioning.js";
import { diffDefinitions, type DiffableAction, type DiffableIntegration } from "./index.js";

const create: DiffableAction = {
  name: "issues.create",
  method: "POST",
  path: "/repos/{owner}/{repo}/issues",
  summary: "Create an issue",
  tags: ["issues"],
  inputSchema: {
    type: "object",
    properties: {
      owner: { type: "string", "x-waygate-in": "path" },
      repo: { type: "string", "x-waygate-in": "path" },
      title: { type: "string", "x-waygate-in": "body" },
      labels: { type: "array", items: { type: "string" }, "x-waygate-in": "body" },
    },
    required: ["owner", "repo", "title"],
  },
  outputSchema: { type: "object", properties: { id: { type: "integer" }, state: { enum: ["open", "closed"] } }, required: ["id"] },
};
const list: DiffableAction = {
  name: "issues.list",
  method: "GET",
  path: "/repos/{owner}/{repo}/issues",
  pagination: { strategy: "link" },
  outputSchema: { type: "array", items: { type: "object" } },
};
const lock: DiffableAction = { name: "issues.lock", method: "PUT", path: "/repos/{owner}/{repo}/issues/{issue_number}/lock" };

const github: DiffableIntegration = {
  name: "GitHub",
  baseUrl: "https://api.github.com",
  authSchemes: [{ type: "bearer" }],
  actions: [create, list, lock],
};

function withAction(base: DiffableIntegration, name: string, patch: Partial<DiffableAction>): DiffableIntegration {
  return { ...base, actions: base.actions.map((action) => (action.name === name ? { ...action, ...patch } : action)) };
}

function changesOf(to: DiffableIntegration, from: DiffableIntegration = github): string[] {
  const diff = diffDefinitions(from, to, { fromVersion: 1, toVersion: 2 });
  return [...diff.actions.changed.flatMap((action) => action.changes.map((change) => `${action.name} ${line(change)}`)), ...diff.integration.map((change) => `integration ${line(change)}`)];
}
function line(change: VersionChange): string {
  return `${change.kind} ${change.severity} ${change.pointer}`;
}

describe("diffDefinitions: actions", () => {
  it("reports a removed action as breaking and an added one as not", () => {
    const unlock: DiffableAction = { name: "issues.unlock", method: "DELETE", path: "/repos/{owner}/{repo}/issues/{issue_number}/lock", deprecated: false };
    const diff = diffDefinitions(github, { ...github, actions: [create, list, unlock] }, { fromVersion: 3, toVersion: 4 });
    expect(diff).toMatchObject({
      from: 3,
      to: 4,
      breaking: true,
      summary: { added: 1, removed: 1, changed: 0, breaking: 1 },
      actions: {
        added: [{ name: "issues.unlock", method: "DELETE", path: unlock.path, deprecated: false }],
        removed: [{ name: "issues.lock", method: "PUT", path: lock.path, deprecated: false }],
        changed: [],
      },
    });
  });

  it("reports a renamed action as removed plus added: the generated client is keyed by name", () => {
    const diff = diffDefinitions(github, { ...github, actions: [create, list, { ...lock, name: "issues.lockConversation" }] }, { fromVersion: 1, toVersion: 2 });
    expect(diff.actions.removed.map((action) => action.name)).toEqual(["issues.lock"]);
    expect(diff.actions.added.map((action) => action.name)).toEqual(["issues.lockConversation"]);
  });

  it.each<[string, Partial<DiffableAction>, string[]]>([
    ["method changed", { method: "PATCH" }, ["issues.lock method-changed breaking /method"]],
    ["path changed", { path: "/repos/{owner}/{repo}/issues/{issue_number}/locks" }, ["issues.lock path-changed breaking /path"]],
    ["only path placeholder names changed", { path: "/repos/{org}/{repo}/issues/{number}/lock" }, ["issues.lock path-changed non-breaking /path"]],
    ["deprecated", { deprecated: true }, ["issues.lock deprecated non-breaking /deprecated"]],
    ["summary changed", { summary: "Lock an issue" }, ["issues.lock summary-changed non-breaking /summary"]],
    ["description changed", { description: "Locks the conversation." }, ["issues.lock description-changed non-breaking /description"]],
    ["tags changed", { tags: ["issues", "moderation"] }, ["issues.lock tags-changed non-breaking /tags"]],
    ["output schema added", { outputSchema: { type: "object" } }, ["issues.lock schema-added non-breaking /outputSchema"]],
    ["lowercase method is the same method", { method: "put" }, []],
  ])("%s", (_, patch, expected) => {
    expect(changesOf(withAction(github, "issues.lock", patch))).toEqual(expected);
  });

  it("reports the deprecation flag being cleared as undeprecated", () => {
    const deprecated = withAction(github, "issues.lock", { deprecated: true });
    expect(changesOf(github, deprecated)).toEqual(["issues.lock undeprecated non-breaking /deprecated"]);
  });

  it("reports a removed output schema as breaking: responses become untyped", () => {
    expect(changesOf(withAction(github, "issues.create", { outputSchema: null }))).toEqual(["issues.create schema-removed breaking /outputSchema"]);
  });

  it("treats a missing input schema as the contract's default empty object", () => {
    expect(changesOf(withAction(github, "issues.lock", { inputSchema: { type: "object", properties: {} } }))).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["strategy changed", { strategy: "page", pageParam: "page" }, "breaking"],
    ["pagination removed", null, "breaking"],
    ["items path changed", { strategy: "link", itemsPath: "/items" }, "breaking"],
  ])("pagination: %s is %s", (_, pagination, severity) => {
    expect(changesOf(withAction(github, "issues.list", { pagination }))).toEqual([`issues.list pagination-changed ${severity} /pagination`]);
  });

  it("pagination: added where there was none is breaking, renamed parameters are not", () => {
    const cursor = { strategy: "cursor", cursorParam: "after", nextCursorPath: "/next" };
    expect(changesOf(withAction(github, "issues.lock", { pagination: cursor }))).toEqual(["issues.lock pagination-changed breaking /pagination"]);
    const paged = withAction(github, "issues.lock", { pagination: cursor });
    expect(changesOf(withAction(github, "issues.lock", { pagination: { ...cursor, cursorParam: "cursor" } }), paged)).toEqual(["issues.lock pagination-changed non-breaking /pagination"]);
  });

  it("classifies schema changes in the direction of each schema", () => {
    const input = create.inputSchema as { properties: Record<string, unknown>; required: string[] };
    const output = create.outputSchema as { properties: Record<string, unknown>; required: string[] };
    const to = withAction(github, "issues.create", {
      inputSchema: { ...input, required: [...input.required, "labels"] },
      outputSchema: { ...output, properties: { ...output.properties, state: { enum: ["open", "closed", "locked"] } } },
    });
    expect(changesOf(to)).toEqual([
      "issues.create became-required breaking /inputSchema/properties/labels",
      "issues.create enum-values-added breaking /outputSchema/properties/state/enum",
    ]);
  });
});

describe("diffDefinitions: integration", () => {
  it.each<[string, Partial<DiffableIntegration>, string[]]>([
    ["base URL changed is reported but not breaking", { baseUrl: "https://api.github.example.com" }, ["integration base-url-changed non-breaking /baseUrl"]],
    ["a trailing slash on the base URL is no change", { baseUrl: "https://api.github.com/" }, []],
    ["auth scheme removed", { authSchemes: [] }, ["integration auth-scheme-removed breaking /authSchemes/0"]],
    ["auth scheme changed", { authSchemes: [{ type: "bearer", bearerFormat: "JWT" }] }, ["integration auth-scheme-changed breaking /authSchemes/0"]],
    [
      "auth scheme switched type",
      { authSchemes: [{ type: "apiKey", name: "X-Key", in: "header" }] },
      ["integration auth-scheme-added non-breaking /authSchemes/0", "integration auth-scheme-removed breaking /authSchemes/0"],
    ],
    ["auth alternative added", { authSchemes: [{ type: "basic" }, { type: "bearer" }] }, ["integration auth-scheme-added non-breaking /authSchemes/0"]],
    ["name changed", { name: "GitHub REST" }, ["integration name-changed non-breaking /name"]],
    ["description changed", { description: "Where the world builds software" }, ["integration description-changed non-breaking /description"]],
  ])("%s", (_, patch, expected) => {
    expect(changesOf({ ...github, ...patch })).toEqual(expected);
  });

  it("treats auth added where there was none as breaking: calls now need credentials", () => {
    expect(changesOf(github, { ...github, authSchemes: [] })).toEqual(["integration auth-scheme-added breaking /authSchemes/0"]);
  });

  it("ignores reordered auth schemes", () => {
    const two = { ...github, authSchemes: [{ type: "bearer" }, { type: "basic" }] };
    expect(changesOf({ ...two, authSchemes: [{ type: "basic" }, { type: "bearer" }] }, two)).toEqual([]);
  });
});

describe("diffDefinitions: properties", () => {
  const v2: DiffableIntegration = {
    ...withAction(github, "issues.create", {
      method: "PUT",
      deprecated: true,
      inputSchema: { type: "object", properties: { title: { type: "integer" }, body: { type: "string" } }, required: ["title", "body"] },
    }),
    baseUrl: "https://ghe.example.com/api/v3",
    authSchemes: [{ type: "basic" }],
  };
  v2.actions = [...v2.actions.filter((action) => action.name !== "issues.lock"), { name: "issues.unlock", method: "DELETE", path: "/x" }];

  it("finds nothing between a definition and itself (or a deep copy of it)", () => {
    for (const definition of [github, v2]) {
      const diff = diffDefinitions(definition, structuredClone(definition), { fromVersion: 1, toVersion: 1 });
      expect(diff).toEqual({ from: 1, to: 1, breaking: false, summary: { added: 0, removed: 0, changed: 0, breaking: 0 }, actions: { added: [], removed: [], changed: [] }, integration: [] });
    }
  });

  it("mirrors: what a → b adds, b → a removes", () => {
    const forward = diffDefinitions(github, v2, { fromVersion: 1, toVersion: 2 });
    const backward = diffDefinitions(v2, github, { fromVersion: 2, toVersion: 1 });
    expect(forward.actions.added).toEqual(backward.actions.removed);
    expect(forward.actions.removed).toEqual(backward.actions.added);
    const kinds = (diff: typeof forward, kind: string) => diff.actions.changed.flatMap((action) => action.changes.filter((change) => change.kind === kind).map((change) => `${action.name}${change.pointer}`));
    expect(kinds(forward, "property-added")).toEqual(kinds(backward, "property-removed"));
    expect(kinds(forward, "property-removed")).toEqual(kinds(backward, "property-added"));
    expect(forward.actions.changed.map((action) => action.name)).toEqual(backward.actions.changed.map((action) => action.name));
  });

  it("is deterministic: action order in the input does not change the output", () => {
    const shuffled = { ...v2, actions: [...v2.actions].reverse() };
    const a = diffDefinitions(github, v2, { fromVersion: 1, toVersion: 2 });
    const b = diffDefinitions({ ...github, actions: [...github.actions].reverse() }, shuffled, { fromVersion: 1, toVersion: 2 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("sorts actions by name and changes by pointer, and counts breaking items in the summary", () => {
    const diff = diffDefinitions(github, v2, { fromVersion: 1, toVersion: 2 });
    expect(VersionDiffSchema.parse(diff)).toEqual(diff);
    const pointers = diff.actions.changed[0]?.changes.map((change) => change.pointer);
    expect(pointers).toEqual([
      "/deprecated",
      "/inputSchema/properties/body",
      "/inputSchema/properties/labels",
      "/inputSchema/properties/owner",
      "/inputSchema/properties/repo",
      "/inputSchema/properties/title/type",
      "/inputSchema/properties/title/x-waygate-in",
      "/method",
    ]);
    const breaking = [...diff.actions.changed.flatMap((action) => action.changes), ...diff.integration].filter((change) => change.severity === "breaking").length;
    expect(diff.summary.breaking).toBe(diff.actions.removed.length + breaking);
    expect(diff.breaking).toBe(true);
  });

  it("accepts parsed IntegrationDefinitions and their zod input alike", () => {
    const input: IntegrationDefinitionInput = { slug: "github", name: "GitHub", baseUrl: "https://api.github.com", actions: [{ name: "meta.get", method: "GET", path: "/meta" }] };
    const parsed = IntegrationDefinitionSchema.parse(input);
    expect(diffDefinitions(input, parsed, { fromVersion: 1, toVersion: 2 }).summary).toEqual({ added: 0, removed: 0, changed: 0, breaking: 0 });
  });
});
