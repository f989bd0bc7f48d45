import { describe, expect, it } from "vitest";
import { remember } from "./bounded-map.js";

describe("remember", () => {
  it("keeps at most `limit` entries, dropping the one set longest ago", () => {
    const map = new Map<string, number>();
    for (const [key, value] of [["a", 1], ["b", 2], ["a", 3], ["c", 4]] as const) remember(map, key, value, 2);
    expect([...map]).toEqual([["a", 3], ["c", 4]]);
  });

  it("replaces an existing key without dropping another", () => {
    const map = new Map([["a", 1], ["b", 2]]);
    remember(map, "a", 9, 2);
    expect([...map]).toEqual([["b", 2], ["a", 9]]);
  });
});
