import { describe, expect, it } from "vitest";
import { globMatch, splitList } from "./select.js";

describe("tool selection", () => {
  it.each([
    ["issues.*", "issues.create", true],
    ["issues.*", "issuesx.create", false],
    ["*.list*", "repos.listForOrg", true],
    ["repos.get", "repos.get", true],
    ["repos.get", "repos.getContent", false],
    ["github.issues.*", "github.issues.create", true],
    ["?e", "me", true],
    ["*", "", true],
  ])("%s matches %s: %s", (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it("stays fast on a pattern made to backtrack", () => {
    const started = performance.now();
    expect(globMatch(`${"*a".repeat(100)}b`, "a".repeat(200))).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("splits comma lists, dropping blanks", () => {
    expect(splitList(" github, slack,,")).toEqual(["github", "slack"]);
    expect(splitList(",")).toBeUndefined();
    expect(splitList(undefined)).toBeUndefined();
  });
});
