/**
 * `pages()` and `paginate()` of paginated actions. runtime.js loads this module with
 * `import()` when the first page is asked for, so bundlers give it a chunk of its own.
 *
 * The server decides where the next page is (`x-waygate-next-page`); the client sends the
 * token back and reads the items at the action's `itemsPath`.
 */
import { invoke, type Config, type Page, type PageOptions, type Target } from "./runtime.js";

/** The invoke protocol's header of the next page's token (declared in src/contract/invoke.ts). */
const HEADER_NEXT_PAGE = "x-waygate-next-page";

/** @internal */
export async function* pages(config: Config, target: Target, input: unknown, options: PageOptions | undefined): AsyncGenerator<Page<unknown>, void, undefined> {
  const maxPages = options?.maxPages ?? Infinity;
  const maxItems = options?.maxItems ?? Infinity;
  let token: string | undefined;
  let pageCount = 0;
  let itemCount = 0;
  while (pageCount < maxPages && itemCount < maxItems) {
    const response = await invoke(config, target, input, options, token);
    const found = readPointer(response.data, target.items ?? "");
    const items: unknown[] = Array.isArray(found) ? found.slice(0, maxItems - itemCount) : [];
    const next = response.headers.get(HEADER_NEXT_PAGE) ?? undefined;
    pageCount++;
    itemCount += items.length;
    yield { items, data: response.data, status: response.status, headers: response.headers, requestId: response.requestId, nextPage: next };
    // A token repeated would loop forever.
    if (next === undefined || next === "" || next === token) return;
    token = next;
  }
}

/** @internal */
export async function* paginate(config: Config, target: Target, input: unknown, options: PageOptions | undefined): AsyncGenerator<unknown, void, undefined> {
  for await (const page of pages(config, target, input, options)) yield* page.items;
}

/** RFC 6901 JSON pointer; only own properties, so `/__proto__` finds nothing. */
function readPointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let node = document;
  for (const raw of pointer.replace(/^\//, "").split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(part)) node = node[Number(part)];
    else if (typeof node === "object" && node !== null && !Array.isArray(node) && Object.hasOwn(node, part)) node = (node as Record<string, unknown>)[part];
    else return undefined;
  }
  return node;
}
