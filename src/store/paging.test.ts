import { describe, expect, it } from "vitest";
import { cursorKey, encodeCursor, InvalidCursorError, readCursor } from "./paging.js";

describe("cursors", () => {
  it("reads back every cursor encodeCursor makes", () => {
    for (const key of ["alpha", "pets.list", "2026-01-01T00:00:00.000Z|job_x", "ünïcødé ✓", "a"]) {
      expect(readCursor(encodeCursor(key))).toEqual({ kind: "key", key });
    }
  });

  it.each([
    ["characters outside base64url", "!!!!"],
    ["padding", "YWxwaGE="],
    ["the standard alphabet", "a+b/"],
    ["bits beyond the last byte", "YWxwaGF"],
    ["bytes that are not UTF-8", Buffer.from([0xff, 0xfe]).toString("base64url")],
    ["a NUL", encodeCursor("alpha\u0000")],
    ["nothing", ""],
  ])("refuses a cursor with %s", (_, cursor) => {
    expect(readCursor(cursor)).toMatchObject({ kind: "invalid" });
    expect(() => cursorKey(cursor)).toThrow(InvalidCursorError);
  });
});
