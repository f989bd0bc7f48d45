import type { Pagination } from "../contract/integrations.js";
import { escapePointerToken } from "../lib/json-pointer.js";
import type { OperationModel } from "./model.js";
import { pickSuccess } from "./responses.js";
import { DEFS_PREFIX } from "./schema-convert.js";
import type { DefProvider } from "./schema-convert.js";
import { objectShape } from "./schema-merge.js";
import { isRecord } from "./util.js";

const CURSOR_PARAMS = ["cursor", "after", "page_token", "pagetoken", "starting_after", "next_token", "nexttoken", "continuation_token", "continuationtoken", "next_cursor", "page_cursor"];
const NEXT_CURSOR_FIELDS = ["next_cursor", "nextcursor", "next_page_token", "nextpagetoken", "end_cursor", "endcursor", "next_token", "nexttoken", "continuation_token", "continuationtoken", "next_page_cursor", "next_page", "cursor", "next"];
/** Query parameters that take the id of the last item seen (Stripe `starting_after`). */
const AFTER_ID_PARAMS = ["starting_after", "after_id", "starting_after_id", "after"];
const HAS_MORE_FIELDS = ["has_more", "hasmore", "more"];
/** Body fields that hold the next page's URL: Twilio `next_page_uri`, OData `@odata.nextLink`, Azure `nextLink`. */
const NEXT_URL_FIELDS = ["next_page_uri", "next_page_url", "nextpageurl", "nextpageuri", "@odata.nextlink", "odata.nextlink", "nextlink", "next_link", "next_url", "nexturl"];
/** Objects that hold links (`links.next`, HAL `_links.next.href`, `paging.next`, `meta.next`). */
const LINK_OBJECTS = ["links", "_links", "paging", "pagination", "meta"];
/**
 * A POST is a read when the last part of its operationId, its summary or its last path segment
 * starts with one of these words (`searchIssues`, "List all…", Elasticsearch `_search`,
 * Notion `databases/{id}/query`); `createListItem` is not.
 */
const READ_START = /^_?(?:list|search|query|find|browse|lookup)(?:[^a-z]|$)/i;
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
 * 2. `cursor`: a cursor-like query parameter and a next-cursor field in the response body
 *    (Stripe's search: a string `page` parameter and `next_page`).
 * 3. `lastItemId`: an after-id query parameter (`starting_after`), items that have an `id`, and
 *    a has-more boolean in the body (Stripe's lists).
 * 4. `nextUrl`: the next page's URL in the body (`next_page_uri`, `@odata.nextLink`, `links.next`).
 * 5. `offset`: offset/skip plus a limit-like query parameter.
 * 6. `page`: a page-number query parameter (size parameter when present).
 * Only reads are paginated: GET, or a POST documented as a list or search.
 */
export function detectPagination(op: OperationModel, defs: DefProvider): Pagination | null {
  // Only reads page: a PATCH that takes `limit` and answers a list is a bulk update.
  if (!isRead(op)) return null;
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

  // Stripe's search takes its cursor in `page` (a string) and answers `next_page`.
  const stringPage = op.params.find((param) => param.in === "query" && PAGE_PARAMS.includes(param.name.toLowerCase()) && isStringSchema(param.schema, defs))?.name;
  const cursorParam = find(CURSOR_PARAMS) ?? stringPage;
  if (cursorParam !== undefined) {
    // A URI-valued `next` is a next-page URL, not a cursor value (checked below).
    const nextCursorPath = findField(success.schema, defs, NEXT_CURSOR_FIELDS, (sub) => !isArraySchema(sub, defs) && !isUriSchema(sub, defs));
    if (nextCursorPath !== undefined) return { strategy: "cursor", cursorParam, nextCursorPath, ...items };
  }
  const afterParam = find(AFTER_ID_PARAMS);
  if (afterParam !== undefined && itemsPath !== undefined && itemsPath !== "" && itemHasId(success.schema, itemsPath, defs)) {
    const hasMorePath = findField(success.schema, defs, HAS_MORE_FIELDS, (sub) => isBooleanSchema(sub, defs));
    if (hasMorePath !== undefined) return { strategy: "lastItemId", cursorParam: afterParam, idPath: "/id", hasMorePath, itemsPath };
  }
  const nextUrlPath = findNextUrl(success.schema, defs);
  if (nextUrlPath !== undefined) return { strategy: "nextUrl", nextUrlPath, ...items };
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

/** Pointer to the first of `fields` (case-insensitive) at the top level of the body, or one object below it (`response_metadata.next_cursor`). */
function findField(schema: unknown, defs: DefProvider, fields: readonly string[], accept: (sub: unknown) => boolean): string | undefined {
  const top = objectShape(schema, defs, new Set());
  if (!top) return undefined;
  const match = (shape: { properties: [string, unknown][] }) => {
    for (const field of fields) {
      const hit = shape.properties.find(([name]) => name.toLowerCase() === field);
      if (hit && accept(hit[1])) return hit[0];
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

/**
 * Pointer to the next page's URL: a NEXT_URL_FIELDS string at the top level, or `next` (or
 * `next.href`, HAL) inside a links object. A bare top-level `next` counts only when declared
 * as a URI: elsewhere it is as often a cursor.
 */
function findNextUrl(schema: unknown, defs: DefProvider): string | undefined {
  const top = objectShape(schema, defs, new Set());
  if (!top) return undefined;
  const isString = (sub: unknown) => isStringSchema(sub, defs);
  const direct = findField(schema, defs, NEXT_URL_FIELDS, isString);
  if (direct !== undefined) return direct;
  const bareNext = top.properties.find(([name]) => name.toLowerCase() === "next");
  if (bareNext && isString(bareNext[1]) && isUriSchema(bareNext[1], defs)) return "/" + escapePointerToken(bareNext[0]);
  for (const [name, sub] of top.properties) {
    if (!LINK_OBJECTS.includes(name.toLowerCase())) continue;
    const links = objectShape(sub, defs, new Set());
    const next = links?.properties.find(([key]) => key.toLowerCase() === "next");
    if (!next) continue;
    if (isString(next[1])) return `/${escapePointerToken(name)}/${escapePointerToken(next[0])}`;
    const href = objectShape(next[1], defs, new Set())?.properties.find(([key]) => key === "href");
    if (href && isString(href[1])) return `/${escapePointerToken(name)}/${escapePointerToken(next[0])}/href`;
  }
  return undefined;
}

/** GET, or a POST whose operationId, summary or last path segment says it lists or searches. */
function isRead(op: OperationModel): boolean {
  if (op.method === "GET") return true;
  if (op.method !== "POST") return false;
  const lastSegment = op.path.split("?")[0]!.split("/").filter(Boolean).at(-1) ?? "";
  const operationTail = (op.operationId ?? "").split(/[/.]/).at(-1) ?? "";
  return [operationTail, op.summary?.trim() ?? "", lastSegment].some((text) => READ_START.test(text));
}

function typeIs(schema: unknown, defs: DefProvider, wanted: string): boolean {
  const resolved = resolveSchema(schema, defs);
  if (!isRecord(resolved)) return false;
  const type = resolved["type"];
  if (type === wanted || (Array.isArray(type) && type.includes(wanted))) return true;
  // OpenAPI 3.0 nullable strings arrive as anyOf [string, null] after conversion.
  const members = resolved["anyOf"] ?? resolved["oneOf"];
  return Array.isArray(members) && members.some((member) => typeIs(member, defs, wanted));
}

const isStringSchema = (schema: unknown, defs: DefProvider) => typeIs(schema, defs, "string");
const isBooleanSchema = (schema: unknown, defs: DefProvider) => typeIs(schema, defs, "boolean");

function isUriSchema(schema: unknown, defs: DefProvider): boolean {
  const resolved = resolveSchema(schema, defs);
  return isRecord(resolved) && (resolved["format"] === "uri" || resolved["format"] === "url" || resolved["format"] === "uri-reference");
}

/** True when the items at `itemsPath` are objects with an `id`. */
function itemHasId(schema: unknown, itemsPath: string, defs: DefProvider): boolean {
  const name = itemsPath.slice(1);
  const list = objectShape(schema, defs, new Set())?.properties.find(([key]) => escapePointerToken(key) === name)?.[1];
  const resolved = resolveSchema(list, defs);
  if (!isRecord(resolved)) return false;
  const item = objectShape(resolved["items"], defs, new Set());
  return item !== null && item.properties.some(([key]) => key === "id");
}
