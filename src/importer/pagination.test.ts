import { describe, expect, it } from "vitest";
import type { IntegrationDefinition } from "../contract/integrations.js";
import { importDocument } from "./index.js";
import { fixture } from "./test-server.js";

async function imported(content: string): Promise<IntegrationDefinition> {
  const outcome = await importDocument({ kind: "content", content, filename: "spec.json" });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  return outcome.definition;
}

const paginationOf = (definition: IntegrationDefinition, method: string, path: string) => definition.actions.find((action) => action.method === method && action.path === path)?.pagination;

const list = (properties: Record<string, unknown>) => ({ "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties } } } } });
const query = (...names: string[]) => names.map((name) => ({ in: "query", name, schema: { type: name === "limit" || name === "offset" ? "integer" : "string" } }));
const items = { type: "array", items: { type: "object", properties: { id: { type: "string" } } } };

function spec(paths: Record<string, unknown>) {
  return JSON.stringify({ openapi: "3.0.3", info: { title: "Paged", version: "1" }, servers: [{ url: "https://paged.example.com" }], paths });
}

describe("pagination detection", () => {
  it("reads Stripe's lists as lastItemId (starting_after = the last data[].id while has_more) and its search as a `page` cursor", async () => {
    const stripe = await imported(await fixture("shapes/stripe-style.json"));
    expect(paginationOf(stripe, "GET", "/v1/customers")).toEqual({ strategy: "lastItemId", cursorParam: "starting_after", idPath: "/id", hasMorePath: "/has_more", itemsPath: "/data" });
    expect(paginationOf(stripe, "GET", "/v1/customers/{customer}/tax_ids")).toEqual({ strategy: "lastItemId", cursorParam: "starting_after", idPath: "/id", hasMorePath: "/has_more", itemsPath: "/data" });
    expect(paginationOf(stripe, "GET", "/v1/customers/search")).toEqual({ strategy: "cursor", cursorParam: "page", nextCursorPath: "/next_page", itemsPath: "/data" });
    expect(paginationOf(stripe, "GET", "/v1/customers/{customer}")).toBeNull();
  });

  it.each([
    ["Twilio next_page_uri", { next_page_uri: { type: "string", nullable: true }, messages: items }, "/next_page_uri", "/messages"],
    ["OData @odata.nextLink", { "@odata.nextLink": { type: "string" }, value: items }, "/@odata.nextLink", "/value"],
    ["JSON:API links.next", { links: { type: "object", properties: { next: { type: "string" }, self: { type: "string" } } }, data: items }, "/links/next", "/data"],
    ["HAL _links.next.href", { _links: { type: "object", properties: { next: { type: "object", properties: { href: { type: "string" } } } } }, items }, "/_links/next/href", "/items"],
    ["a URI-valued next", { next: { type: "string", format: "uri" }, results: items }, "/next", "/results"],
  ])("finds the next page's URL in the body: %s", async (_label, properties, nextUrlPath, itemsPath) => {
    const definition = await imported(spec({ "/things": { get: { operationId: "listThings", parameters: query("PageSize"), responses: list(properties) } } }));
    expect(paginationOf(definition, "GET", "/things")).toEqual({ strategy: "nextUrl", nextUrlPath, itemsPath });
  });

  it("paginates only reads: a PATCH bulk update and a POST that creates are not, a POST search is", async () => {
    const page = list({ data: items, next_cursor: { type: "string" } });
    const definition = await imported(
      spec({
        "/things": {
          patch: { operationId: "bulkUpdateThings", summary: "Update many things", parameters: query("cursor", "limit"), responses: page },
          post: { operationId: "createListItem", parameters: query("offset", "limit"), responses: page },
        },
        "/things/search": { post: { operationId: "things/search", parameters: query("cursor"), responses: page } },
        "/things/query": { post: { summary: "List things matching a filter", parameters: query("offset", "limit"), responses: list({ data: items }) } },
      }),
    );
    expect(paginationOf(definition, "PATCH", "/things")).toBeNull();
    expect(paginationOf(definition, "POST", "/things")).toBeNull();
    expect(paginationOf(definition, "POST", "/things/search")).toEqual({ strategy: "cursor", cursorParam: "cursor", nextCursorPath: "/next_cursor", itemsPath: "/data" });
    expect(paginationOf(definition, "POST", "/things/query")).toEqual({ strategy: "offset", offsetParam: "offset", limitParam: "limit", itemsPath: "/data" });
  });

  it("does not take an `after` parameter for lastItemId without a has-more flag, nor a URL-valued next for a cursor", async () => {
    const definition = await imported(
      spec({
        "/a": { get: { parameters: query("after"), responses: list({ data: items }) } },
        "/b": { get: { parameters: query("cursor"), responses: list({ data: items, next: { type: "string", format: "uri" } }) } },
      }),
    );
    expect(paginationOf(definition, "GET", "/a")).toBeNull();
    expect(paginationOf(definition, "GET", "/b")).toEqual({ strategy: "nextUrl", nextUrlPath: "/next", itemsPath: "/data" });
  });
});
