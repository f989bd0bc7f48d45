import type { Pagination } from "../contract/integrations.js";
import { escapePointerToken } from "../lib/json-pointer.js";
import type { OperationModel } from "./model.js";
import { pickSuccess } from "./responses.js";
import { DEFS_PREFIX } from "./schema-convert.js";
import type { DefProvider } from "./schema-convert.js";
import { objectShape } from "./schema-merge.js";
import { isRecord } from "./util.js";

const CURSOR_PARAMS = ["cursor", "after", "page_token", "pagetoken", "starting_after", "next_token", "nexttoken", "continuation_token", "continuationtoken", "next_cursor", "page_cursor"];
const NEXT_CURSOR_FIELDS = ["next_cursor", "nextcursor", "next_page_token", "nextpagetoken", "end_cursor", "endcursor", "next_token", "nexttoken", "continuation_token", "continuationtoken", "next_page_cursor", "cursor", "next"];
const OFFSET_PARAMS = ["offset", "skip", "start"];
const PAGE_PARAMS = ["page", "page_number", "pagenumber", "page_no", "pageno"];
const SIZE_PARAMS = ["per_page", "perpage", "page_size", "pagesize", "limit", "size", "count", "max_results", "maxresults", "top"];
const ITEM_FIELDS = ["data", "items", "results", "records", "entries", "values", "list", "elements", "nodes"];

/**
 * Pagination is only reported when the document makes it clear; order of checks:
 * 1. `link`: the success response declares a `Link` header (RFC 8288). The gateway follows
 *    rel="next". GitHub's list endpoints land here even though they also take `page`/`per_page`:
 *    the Link header is what GitHub documents as authoritative, and some of its endpoints
 *    page with opaque `before`/`after` cursors inside those links.
 * 2. `cursor`: a cursor-like query parameter and a next-cursor field in the response body.
 * 3. `offset`: offset/skip plus a limit-like query parameter.
 * 4. `page`: a page-number query parameter (size parameter when present).
 */
export function detectPagination(op: OperationModel, defs: DefProvider): Pagination | null {
  const success = pickSuccess(op.responses);
  if (!success) return null;
  const query = new Map<string, string>();
  for (const param of op.params) if (param.in === "query") query.set(param.name.toLowerCase(), param.name);
  const find = (candidates: readonly string[]) => {
    for (const candidate of candidates) {
      const name = query.get(candidate);
      if (name !== undefined) return name;
    }
    return undefined;
  };
  const itemsPath = findItemsPath(success.schema, defs);
  const items = itemsPath === undefined ? {} : { itemsPath };

  if (success.headers.includes("link")) return { strategy: "link", ...items };

  const cursorParam = find(CURSOR_PARAMS);
  if (cursorParam !== undefined) {
    const nextCursorPath = findNextCursor(success.schema, defs);
    if (nextCursorPath !== undefined) return { strategy: "cursor", cursorParam, nextCursorPath, ...items };
  }
  const offsetParam = find(OFFSET_PARAMS);
  const sizeParam = find(SIZE_PARAMS);
  if (offsetParam !== undefined && sizeParam !== undefined) return { strategy: "offset", offsetParam, limitParam: sizeParam, ...items };
  const pageParam = find(PAGE_PARAMS);
  if (pageParam !== undefined) return sizeParam !== undefined ? { strategy: "page", pageParam, sizeParam, ...items } : { strategy: "page", pageParam, ...items };
  return null;
}

/** Follows `$ref`s (bounded) to the schema that says what a value is. */
function resolveSchema(schema: unknown, defs: DefProvider): unknown {
  let current = schema;
  for (let i = 0; i < 20 && isRecord(current) && typeof current["$ref"] === "string" && current["$ref"].startsWith(DEFS_PREFIX); i++) {
    current = defs.get(current["$ref"].slice(DEFS_PREFIX.length));
  }
  return current;
}

function isArraySchema(schema: unknown, defs: DefProvider): boolean {
  const resolved = resolveSchema(schema, defs);
  if (!isRecord(resolved)) return false;
  const type = resolved["type"];
  return type === "array" || (Array.isArray(type) && type.includes("array")) || (type === undefined && resolved["items"] !== undefined);
}

/** JSON pointer to the list of items: "" when the body is the array, else the one obvious array member. */
function findItemsPath(schema: unknown, defs: DefProvider): string | undefined {
  if (schema === null || schema === undefined) return undefined;
  if (isArraySchema(schema, defs)) return "";
  const shape = objectShape(schema, defs, new Set());
  if (!shape) return undefined;
  const arrays = shape.properties.filter(([, sub]) => isArraySchema(sub, defs)).map(([name]) => name);
  if (arrays.length === 1) return "/" + escapePointerToken(arrays[0]!);
  const preferred = ITEM_FIELDS.find((field) => arrays.includes(field));
  return preferred === undefined ? undefined : "/" + preferred;
}

/** Pointer to a next-cursor field at the top level of the body or one object below it (`response_metadata.next_cursor`). */
function findNextCursor(schema: unknown, defs: DefProvider): string | undefined {
  const top = objectShape(schema, defs, new Set());
  if (!top) return undefined;
  const match = (shape: { properties: [string, unknown][] }) => {
    for (const field of NEXT_CURSOR_FIELDS) {
      const hit = shape.properties.find(([name]) => name.toLowerCase() === field);
      if (hit && !isArraySchema(hit[1], defs)) return hit[0];
    }
    return undefined;
  };
  const direct = match(top);
  if (direct !== undefined) return "/" + escapePointerToken(direct);
  for (const [name, sub] of top.properties) {
    const inner = objectShape(sub, defs, new Set());
    const found = inner ? match(inner) : undefined;
    if (found !== undefined) return `/${escapePointerToken(name)}/${escapePointerToken(found)}`;
  }
  return undefined;
}
