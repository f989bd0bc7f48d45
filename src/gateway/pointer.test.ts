import { describe, expect, it } from "vitest";
import { applyMappings, compileMappings } from "./mappings.js";
import { GatewayError } from "./problems.js";
import { PointerError, getAt, parsePointer, setAt } from "./pointer.js";

describe("RFC 6901 pointers", () => {
  const document = { foo: ["bar", "baz"], "": 0, "a/b": 1, "m~n": 8, list: [{ id: 1 }] };

  it.each([
    ["", document],
    ["/foo", ["bar", "baz"]],
    ["/foo/0", "bar"],
    ["/", 0],
    ["/a~1b", 1],
    ["/m~0n", 8],
    ["/list/0/id", 1],
    ["/foo/01", undefined],
    ["/foo/-", undefined],
    ["/missing/deeper", undefined],
  ])("resolves %j (§5 examples)", (pointer, expected) => {
    expect(getAt(document, pointer)).toEqual(expected);
  });

  it("refuses pointers without a leading slash and bad escapes", () => {
    expect(() => parsePointer("foo")).toThrow(PointerError);
    expect(() => parsePointer("/a~2")).toThrow(PointerError);
    expect(() => parsePointer("/a~")).toThrow(PointerError);
  });

  it.each(["/__proto__", "/a/constructor", "/prototype", "/x/__proto__/y"])("refuses the prototype segment in %s", (pointer) => {
    expect(() => parsePointer(pointer)).toThrow(/is refused/);
  });

  it("does not read inherited members", () => {
    expect(getAt({}, "/toString")).toBeUndefined();
  });

  it("creates missing objects and appends with -", () => {
    const target: Record<string, unknown> = { list: [1] };
    setAt(target, ["a", "b"], 1);
    setAt(target, ["list", "-"], 2);
    expect(target).toEqual({ a: { b: 1 }, list: [1, 2] });
  });
});

describe("field mappings", () => {
  it("leaves the caller's body untouched", () => {
    const body = { a: 1, b: { c: 2 } };
    const mapped = applyMappings(body, compileMappings([{ op: "move", from: "/b/c", to: "/c" }]));
    expect(mapped).toEqual({ a: 1, b: {}, c: 2 });
    expect(body).toEqual({ a: 1, b: { c: 2 } });
  });

  it("refuses an unknown op and the whole-body pointer", () => {
    expect(() => compileMappings([{ op: "copy", from: "/a", to: "/b" } as never])).toThrow(GatewayError);
    expect(() => compileMappings([{ op: "drop", path: "" }])).toThrow(/whole body/);
  });

  it("refuses pollution through a JSON key named __proto__ in the body itself", () => {
    const body = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const mapped = applyMappings(body, compileMappings([{ op: "rename", from: "/a", to: "/b" }])) as Record<string, unknown>;
    expect(mapped["b"]).toBe(1);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
