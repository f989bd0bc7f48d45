import type { Page } from "../contract/index.js";

/**
 * Keyset paging on a unique, sorted text column. The cursor is the last key of the
 * previous page, base64url-encoded so clients treat it as opaque.
 */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, "utf8").toString("base64url");
}

/** A cursor as a list query reads it: the key to continue after, or why it is not one this server issued. */
export type CursorRead = { kind: "key"; key: string } | { kind: "invalid"; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a cursor that encodeCursor made. Anything else (other characters, padding, bits
 * beyond the last byte, bytes that are not UTF-8, a NUL no database can compare) is
 * refused rather than read as some key: Buffer's decoder skips what it does not
 * understand, and "!!!!" would otherwise silently mean the first page.
 */
export function readCursor(cursor: string): CursorRead {
  if (!BASE64URL.test(cursor)) return { kind: "invalid", reason: "is not base64url" };
  const bytes = Buffer.from(cursor, "base64url");
  // Decoding ignores stray trailing bits; re-encoding shows whether the text was exactly what encodeCursor writes.
  if (bytes.length === 0 || bytes.toString("base64url") !== cursor) return { kind: "invalid", reason: "is not a cursor this server issued" };
  let key: string;
  try {
    key = UTF8.decode(bytes);
  } catch {
    return { kind: "invalid", reason: "is not a cursor this server issued" };
  }
  if (key.includes("\u0000")) return { kind: "invalid", reason: "is not a cursor this server issued" };
  return { kind: "key", key };
}

/** A cursor reached a list query unread: the API reads every `cursor` with readCursor first and answers 400. */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

/** The key in a cursor the caller already knows to be valid (one the store issued, or one readCursor accepted). */
export function cursorKey(cursor: string): string {
  const read = readCursor(cursor);
  if (read.kind === "invalid") throw new InvalidCursorError(`cursor ${read.reason}`);
  return read.key;
}

/**
 * The key in a cursor, or "" for one readCursor refuses. Only the job queue still reads
 * cursors this way (the server refuses invalid cursors before a list runs); new callers
 * use readCursor and answer an invalid cursor as such.
 */
export function decodeCursor(cursor: string): string {
  const read = readCursor(cursor);
  return read.kind === "key" ? read.key : "";
}

/** Rows were fetched with `limit + 1`: the extra row only says whether a next page exists. */
export function toPage<Row, Item>(rows: Row[], limit: number, key: (row: Row) => string, map: (row: Row) => Item): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}

/** A LIKE pattern matching `term` literally anywhere (with `ESCAPE '\'`). */
export function containsPattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
