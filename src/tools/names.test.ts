import { describe, expect, it } from "vitest";
import { MAX_TOOL_NAME_LENGTH, slugOfToolName, TOOL_NAME_PATTERN, toolName, ToolNames } from "./names.js";

describe("tool names", () => {
  it("spells dotted actions with underscores after the slug", () => {
    expect(toolName("github", "issues.create")).toBe("github__issues_create");
    expect(toolName("crm-key", "contacts.list")).toBe("crm-key__contacts_list");
    expect(slugOfToolName("crm-key__contacts_list")).toBe("crm-key");
  });

  it("keeps actions whose spelling would collide apart with a hash of the exact action", () => {
    const dotted = toolName("api", "a.b_c");
    const underscored = toolName("api", "a_b.c");
    const plain = toolName("api", "a.b.c");
    expect(new Set([dotted, underscored, plain]).size).toBe(3);
    expect(plain).toBe("api__a_b_c");
    expect(dotted).toMatch(/^api__a_b_c__[0-9a-f]{10}$/);
    expect(toolName("api", "$get.items")).toMatch(TOOL_NAME_PATTERN);
  });

  it("cuts long names to 64 characters with a hash, still distinct and stable", () => {
    const long = "segment".repeat(12);
    const first = toolName("integration-with-a-long-slug", `${long}.one`);
    const second = toolName("integration-with-a-long-slug", `${long}.two`);
    for (const name of [first, second]) {
      expect(name.length).toBeLessThanOrEqual(MAX_TOOL_NAME_LENGTH);
      expect(name).toMatch(TOOL_NAME_PATTERN);
    }
    expect(first).not.toBe(second);
    expect(toolName("integration-with-a-long-slug", `${long}.one`)).toBe(first);
    expect(toolName("s".repeat(64), "x")).toMatch(TOOL_NAME_PATTERN);
  });

  it("maps names back to their action", () => {
    const names = new ToolNames();
    const name = names.add({ integration: "github", action: "issues.create" });
    expect(names.resolve(name)).toEqual({ integration: "github", action: "issues.create" });
    expect(names.resolve("github__issues_delete")).toBeUndefined();
  });
});
