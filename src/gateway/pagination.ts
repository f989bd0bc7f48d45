import type { ActionDefinition, Pagination } from "../contract/integrations.js";
import { nextLink } from "./link-header.js";
import type { PageCursor } from "./page-token.js";
import { invalidPageToken } from "./problems.js";
import { getAt } from "./pointer.js";
import type { BaseUrl, PreparedRequest } from "./request.js";
import { isUnderBase, setQueryParam } from "./request.js";

export interface PageResponse {
  /** The URL the page was fetched from (relative Link targets resolve against it). */
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export type NextPage = { cursor: PageCursor } | { cursor: null; warning?: string };

/** The items of one page: at `itemsPath` ("" is the whole body), else the body when it is an array; null when there is no list. */
export function pageItems(pagination: Pagination | null, body: unknown): unknown[] | null {
  let items: unknown = body;
  try {
    if (pagination?.itemsPath !== undefined) items = getAt(body, pagination.itemsPath);
  } catch {
    return null;
  }
  return Array.isArray(items) ? items : null;
}

/** The request for a page: the first page's request with the cursor's query parameters set, or the Link URL in place of its URL. */
export function applyCursor(request: PreparedRequest, cursor: PageCursor, base: BaseUrl): PreparedRequest {
  if (cursor.kind === "url") {
    let url: URL;
    try {
      url = new URL(cursor.url);
    } catch {
      throw invalidPageToken("the page token holds no valid URL");
    }
    if (!isUnderBase(url, base)) throw invalidPageToken("the page token points outside the integration's baseUrl");
    return { ...request, url };
  }
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(cursor.params)) setQueryParam(url, name, value);
  return { ...request, url };
}

/** Query parameters a cursor of this strategy may set; a decoded token setting anything else is refused. */
export function cursorParams(pagination: Pagination): string[] {
  switch (pagination.strategy) {
    case "cursor":
      return [pagination.cursorParam];
    case "offset":
      return [pagination.offsetParam];
    case "page":
      return [pagination.pageParam];
    case "lastItemId":
      return [pagination.cursorParam];
    case "link":
    case "nextUrl":
      return [];
  }
}

/** Strategies whose cursor is a whole URL (signed into the page token, checked against the baseUrl on use). */
const URL_STRATEGIES = new Set<Pagination["strategy"]>(["link", "nextUrl"]);

export function checkCursor(pagination: Pagination | null, cursor: PageCursor): void {
  if (!pagination) throw invalidPageToken("this action is not paginated");
  if ((cursor.kind === "url") !== URL_STRATEGIES.has(pagination.strategy)) throw invalidPageToken("the page token does not match the action's pagination");
  if (cursor.kind === "query") {
    const allowed = cursorParams(pagination);
    if (Object.keys(cursor.params).some((name) => !allowed.includes(name))) throw invalidPageToken("the page token sets parameters the pagination does not use");
  }
}

/**
 * Where the page after `page` is, by strategy; null when this was the last page:
 * - cursor: the value at `nextCursorPath`, sent as `cursorParam` (empty, null or unchanged ends);
 * - offset: offset + items received (an empty or short page ends);
 * - page: page + 1, counting from 1 (an empty or short page ends);
 * - link: the RFC 8288 `rel="next"` target, followed only under the baseUrl;
 * - nextUrl: the URL at `nextUrlPath` in the body, resolved against the page's URL, followed only under the baseUrl;
 * - lastItemId: the last item's id (at `idPath`) sent as `cursorParam`, while the body's
 *   `hasMorePath` is true (without one, until a page comes back empty).
 */
export function nextPage(action: ActionDefinition, base: BaseUrl, sent: URL, page: PageResponse): NextPage {
  const pagination = action.pagination;
  if (!pagination) return { cursor: null };
  const items = pageItems(pagination, page.body);
  const query = sent.searchParams;
  switch (pagination.strategy) {
    case "cursor": {
      let next: unknown;
      try {
        next = getAt(page.body, pagination.nextCursorPath);
      } catch {
        return { cursor: null, warning: `the action's nextCursorPath "${pagination.nextCursorPath}" is not a JSON pointer` };
      }
      if ((typeof next !== "string" && typeof next !== "number") || next === "" || String(next) === query.get(pagination.cursorParam)) return { cursor: null };
      return { cursor: { kind: "query", params: { [pagination.cursorParam]: String(next) } } };
    }
    case "offset": {
      if (!items || items.length === 0) return { cursor: null };
      const limit = numberParam(query.get(pagination.limitParam)) ?? schemaDefault(action, pagination.limitParam);
      if (limit !== undefined && items.length < limit) return { cursor: null };
      const offset = numberParam(query.get(pagination.offsetParam)) ?? 0;
      return { cursor: { kind: "query", params: { [pagination.offsetParam]: String(offset + items.length) } } };
    }
    case "page": {
      if (!items || items.length === 0) return { cursor: null };
      const size = pagination.sizeParam === undefined ? undefined : (numberParam(query.get(pagination.sizeParam)) ?? schemaDefault(action, pagination.sizeParam));
      if (size !== undefined && items.length < size) return { cursor: null };
      const current = numberParam(query.get(pagination.pageParam)) ?? schemaDefault(action, pagination.pageParam) ?? 1;
      return { cursor: { kind: "query", params: { [pagination.pageParam]: String(current + 1) } } };
    }
    case "link": {
      const url = nextLink(page.headers["link"], page.url);
      if (!url) return { cursor: null };
      if (!isUnderBase(url, base)) return { cursor: null, warning: "the upstream's next link leaves the integration's baseUrl and was not followed" };
      return { cursor: { kind: "url", url: url.href } };
    }
    case "nextUrl": {
      let next: unknown;
      try {
        next = getAt(page.body, pagination.nextUrlPath);
      } catch {
        return { cursor: null, warning: `the action's nextUrlPath "${pagination.nextUrlPath}" is not a JSON pointer` };
      }
      if (typeof next !== "string" || next === "") return { cursor: null };
      let url: URL;
      try {
        url = new URL(next, page.url);
      } catch {
        return { cursor: null, warning: "the upstream's next-page URL is not a URL and was not followed" };
      }
      if (!isUnderBase(url, base)) return { cursor: null, warning: "the upstream's next-page URL leaves the integration's baseUrl and was not followed" };
      if (url.href === sent.href) return { cursor: null };
      return { cursor: { kind: "url", url: url.href } };
    }
    case "lastItemId": {
      if (!items || items.length === 0) return { cursor: null };
      if (pagination.hasMorePath !== undefined) {
        let more: unknown;
        try {
          more = getAt(page.body, pagination.hasMorePath);
        } catch {
          return { cursor: null, warning: `the action's hasMorePath "${pagination.hasMorePath}" is not a JSON pointer` };
        }
        if (more !== true) return { cursor: null };
      }
      let id: unknown;
      try {
        id = getAt(items[items.length - 1], pagination.idPath);
      } catch {
        return { cursor: null, warning: `the action's idPath "${pagination.idPath}" is not a JSON pointer` };
      }
      if ((typeof id !== "string" && typeof id !== "number") || id === "" || String(id) === query.get(pagination.cursorParam)) {
        return { cursor: null, warning: "the last item has no id to continue from; pagination stopped" };
      }
      return { cursor: { kind: "query", params: { [pagination.cursorParam]: String(id) } } };
    }
  }
}

function numberParam(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** The input schema's default for the query parameter with this wire name (GitHub: `per_page` defaults to 30). */
function schemaDefault(action: ActionDefinition, wireName: string): number | undefined {
  const properties = (action.inputSchema["properties"] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, schema] of Object.entries(properties)) {
    const name = typeof schema["x-waygate-name"] === "string" ? schema["x-waygate-name"] : key;
    if (name === wireName && schema["x-waygate-in"] === "query") return typeof schema["default"] === "number" ? schema["default"] : undefined;
  }
  return undefined;
}
