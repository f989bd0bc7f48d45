import { describe, expect, it } from "vitest";
import { readItems } from "./items.js";

describe("batch items from files", () => {
  it("reads JSON Lines, skipping blank lines, and takes the end user from --user-field", () => {
    const text = '{"name":"a","userId":"u1"}\n\n{"name":"b","userId":7}\r\n';
    expect(readItems(text, { format: "jsonl", userField: "userId" })).toEqual({ kind: "items", items: [{ input: { name: "a" }, connection: "u1" }, { input: { name: "b" }, connection: "7" }] });
  });

  it("reports every malformed JSONL line with its number", () => {
    const text = '{"name":"a"}\n{"name":\n[1,2]\n{"name":"d"}\n"text"';
    const read = readItems(text, { format: "jsonl" });
    expect(read.kind).toBe("malformed");
    if (read.kind !== "malformed") return;
    expect(read.errors.map((error) => error.line)).toEqual([2, 3, 5]);
    expect(read.errors[0]!.message).toMatch(/^is not JSON/);
    expect(read.errors[1]!.message).toMatch(/not a JSON object/);
  });

  it("reads CSV with quotes, doubled quotes, commas and line breaks in fields, and typed scalars", () => {
    const text = 'name,age,note,vip\n"Doe, Jane",42,"said ""hi""\nand left",true\nBob,,x,false\n';
    expect(readItems(text, { format: "csv" })).toEqual({
      kind: "items",
      items: [{ input: { name: "Doe, Jane", age: 42, note: 'said "hi"\nand left', vip: true } }, { input: { name: "Bob", note: "x", vip: false } }],
    });
  });

  it("reports CSV records with the wrong field count or a broken quote at the line they start", () => {
    const text = 'name,age\nann,1\nbob\n"multi\nline",2\ncarl,3,extra\n"open,4\n';
    const read = readItems(text, { format: "csv" });
    expect(read).toMatchObject({ kind: "malformed", errors: [{ line: 3, message: "has 1 fields; the header has 2" }, { line: 6, message: "has 3 fields; the header has 2" }, { line: 7 }] });
  });

  it("refuses a CSV header that names a column twice, and items without the user field", () => {
    expect(readItems("a,a\n1,2\n", { format: "csv" })).toMatchObject({ kind: "malformed", errors: [{ line: 1, message: 'the header row names "a" twice' }] });
    expect(readItems('{"name":"x"}\n', { format: "jsonl", userField: "userId" })).toMatchObject({ kind: "malformed", errors: [{ line: 1 }] });
  });
});
