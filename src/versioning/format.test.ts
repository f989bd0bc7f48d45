import { describe, expect, it } from "vitest";
import type { VersionDiff } from "../contract/versioning.js";
import { diffDefinitions, formatDiff, hasBreakingChanges, type DiffableIntegration } from "./index.js";

const v1: DiffableIntegration = {
  baseUrl: "https://api.github.com",
  actions: [
    { name: "issues.create", method: "POST", path: "/issues", inputSchema: { type: "object", properties: { title: { type: "string" } } } },
    { name: "issues.lock", method: "PUT", path: "/lock" },
    { name: "issues.get", method: "GET", path: "/issue" },
  ],
};
const v2: DiffableIntegration = {
  baseUrl: "https://api.github.example.com",
  actions: [
    { name: "issues.create", method: "POST", path: "/issues", inputSchema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] } },
    { name: "issues.get", method: "GET", path: "/issue", deprecated: true },
    { name: "issues.unlock", method: "DELETE", path: "/lock" },
  ],
};

describe("formatDiff", () => {
  it("prints one line per item: integration first, then actions by name, breaking ones marked", () => {
    expect(formatDiff(diffDefinitions(v1, v2, { fromVersion: 1, toVersion: 2 }))).toEqual([
      '~ changed  integration: base URL changed from "https://api.github.com" to "https://api.github.example.com"',
      "~ changed  issues.create: input.title became required (breaking)",
      "~ changed  issues.get: was deprecated",
      "- removed  issues.lock (breaking)",
      "+ added    issues.unlock",
    ]);
  });

  it("prints nothing for an empty diff", () => {
    expect(formatDiff(diffDefinitions(v1, v1, { fromVersion: 1, toVersion: 1 }))).toEqual([]);
  });

  it("keeps control characters from a hand-edited diff off the terminal", () => {
    const diff = diffDefinitions(v1, v1, { fromVersion: 1, toVersion: 1 });
    diff.actions.added.push({ name: "evil\u001b[2J", method: "GET", path: "/", deprecated: false });
    expect(formatDiff(diff)).toEqual(["+ added    evil\\u001b[2J"]);
  });
});

describe("hasBreakingChanges", () => {
  const empty = (): VersionDiff => diffDefinitions(v1, v1, { fromVersion: 1, toVersion: 1 });

  it("is true for a removed action, a breaking action change or a breaking integration change", () => {
    expect(hasBreakingChanges(diffDefinitions(v1, v2, { fromVersion: 1, toVersion: 2 }))).toBe(true);
    expect(hasBreakingChanges(diffDefinitions(v2, v1, { fromVersion: 2, toVersion: 1 }))).toBe(true);
    expect(hasBreakingChanges(diffDefinitions({ ...v1, authSchemes: [{ type: "basic" }] }, v1, { fromVersion: 1, toVersion: 2 }))).toBe(true);
  });

  it("is false when every change is non-breaking", () => {
    const docsOnly = { ...v1, baseUrl: "https://new.example.com", actions: v1.actions.map((action) => ({ ...action, summary: "new words" })) };
    const diff = diffDefinitions(v1, docsOnly, { fromVersion: 1, toVersion: 2 });
    expect(diff.summary.changed).toBe(3);
    expect(hasBreakingChanges(diff)).toBe(false);
    expect(hasBreakingChanges(empty())).toBe(false);
  });

  it("reads the items, not the stored flag", () => {
    const diff = empty();
    diff.actions.removed.push({ name: "x", method: "GET", path: "/", deprecated: false });
    expect(diff.breaking).toBe(false);
    expect(hasBreakingChanges(diff)).toBe(true);
  });
});
