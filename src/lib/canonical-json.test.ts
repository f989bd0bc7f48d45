import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("orders keys at every depth so equal content gives equal bytes", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
  });

  it("keeps array order, which is meaningful", () => {
    expect(contentHash([1, 2])).not.toBe(contentHash([2, 1]));
  });

  it("drops undefined members like JSON.stringify", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
