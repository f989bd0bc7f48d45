import { describe, expect, it } from "vitest";
import { findJsonErrorOffset, lineColumn } from "./json-locate.js";

describe("findJsonErrorOffset", () => {
  it.each([
    ['{"a": 1}', -1],
    ['[1, 2, {"b": [true, null, "x\\u0041"]}]', -1],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['{"a": tru}', 6],
    ["[1, 2", 5],
    ['{"a": 1} x', 9],
    ['{"a": "\\q"}', 8], // the bad escape letter
    ["", 0],
  ])("%j → %d", (text, offset) => expect(findJsonErrorOffset(text)).toBe(offset));

  it("handles deep nesting without recursion", () => {
    expect(findJsonErrorOffset("[".repeat(200_000) + "]".repeat(200_000))).toBe(-1);
  });

  it("agrees with JSON.parse on validity", () => {
    for (const text of ['{"x": [1, {"y": {}}]}', '{"x": [1, {"y": {}]}', '"str"', "01", "-", "1.5e3", "{}{}"]) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(findJsonErrorOffset(text) === -1, text).toBe(valid);
    }
  });
});

describe("lineColumn", () => {
  it("is 1-based", () => {
    expect(lineColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
