import { describe, expect, it } from "vitest";
import { ActionDefinitionSchema } from "../contract/integrations.js";
import type { ActionDefinitionInput } from "../contract/integrations.js";
import { nextLink, parseLinkHeader } from "./link-header.js";
import { PageTokens } from "./page-token.js";
import { nextPage, pageItems } from "./pagination.js";
import { GatewayError } from "./problems.js";
import { parseBaseUrl } from "./request.js";

const base = parseBaseUrl("https://api.example.com/v1");

function action(pagination: ActionDefinitionInput["pagination"], properties: Record<string, unknown> = {}) {
  return ActionDefinitionSchema.parse({ name: "things.list", method: "GET", path: "/things", pagination, inputSchema: { type: "object", properties } });
}

describe("RFC 8288 Link header", () => {
  it("parses several links with quoted parameters, commas inside targets and multiple rels", () => {
    const header = '<https://a.example/x?q=1,2>; rel="next prefetch"; title="a, b", <https://a.example/last>; REL=last';
    expect(parseLinkHeader(header)).toEqual([
      { target: "https://a.example/x?q=1,2", rels: ["next", "prefetch"] },
      { target: "https://a.example/last", rels: ["last"] },
    ]);
  });

  it("resolves a relative next target against the response URL", () => {
    expect(nextLink('</v1/things?page=2>; rel="next"', new URL("https://api.example.com/v1/things"))?.href).toBe("https://api.example.com/v1/things?page=2");
    expect(nextLink('<https://x/y>; rel="prev"', new URL("https://api.example.com/"))).toBeNull();
  });
});

describe("next page by strategy", () => {
  const sent = (query: string) => new URL(`https://api.example.com/v1/things${query}`);
  const page = (body: unknown, headers: Record<string, string> = {}) => ({ url: sent(""), headers, body });

  it("cursor: takes the next cursor from the body and stops when it is empty or repeats", () => {
    const cursor = action({ strategy: "cursor", cursorParam: "after", nextCursorPath: "/meta/next" });
    expect(nextPage(cursor, base, sent(""), page({ meta: { next: "abc" } }))).toEqual({ cursor: { kind: "query", params: { after: "abc" } } });
    expect(nextPage(cursor, base, sent(""), page({ meta: { next: "" } }))).toEqual({ cursor: null });
    expect(nextPage(cursor, base, sent("?after=abc"), page({ meta: { next: "abc" } }))).toEqual({ cursor: null });
  });

  it("offset: adds the items received and stops on a short page", () => {
    const offset = action({ strategy: "offset", offsetParam: "skip", limitParam: "top", itemsPath: "/value" });
    expect(nextPage(offset, base, sent("?skip=10&top=2"), page({ value: [1, 2] }))).toEqual({ cursor: { kind: "query", params: { skip: "12" } } });
    expect(nextPage(offset, base, sent("?skip=10&top=2"), page({ value: [1] }))).toEqual({ cursor: null });
  });

  it("page: counts from the schema default when the request did not name a page", () => {
    const paged = action({ strategy: "page", pageParam: "p", sizeParam: "n" }, { p: { type: "integer", default: 0, "x-waygate-in": "query" } });
    expect(nextPage(paged, base, sent(""), page([1, 2]))).toEqual({ cursor: { kind: "query", params: { p: "1" } } });
    expect(nextPage(paged, base, sent("?p=4"), page([]))).toEqual({ cursor: null });
  });

  it("link: follows next only under the baseUrl", () => {
    const linked = action({ strategy: "link" });
    expect(nextPage(linked, base, sent(""), page([], { link: '<https://api.example.com/v1/things?page=2>; rel="next"' }))).toEqual({ cursor: { kind: "url", url: "https://api.example.com/v1/things?page=2" } });
    expect(nextPage(linked, base, sent(""), page([], { link: '<https://api.example.com/admin>; rel="next"' }))).toMatchObject({ cursor: null, warning: expect.any(String) });
  });

  it("finds items at itemsPath, the body when it is an array, or nothing", () => {
    expect(pageItems({ strategy: "link", itemsPath: "/data" }, { data: [1] })).toEqual([1]);
    expect(pageItems({ strategy: "link", itemsPath: "" }, [2])).toEqual([2]);
    expect(pageItems({ strategy: "link" }, { data: [1] })).toBeNull();
    expect(pageItems({ strategy: "link", itemsPath: "bad" }, [1])).toBeNull();
  });
});

describe("page tokens", () => {
  it("round-trips a cursor for the same scope and action only", () => {
    const tokens = new PageTokens("k");
    const token = tokens.encode(["tenant-a", "app-1", "acme"], "things.list", { kind: "query", params: { after: "x" } });
    expect(tokens.decode(token, ["tenant-a", "app-1", "acme"], "things.list")).toEqual({ kind: "query", params: { after: "x" } });
    expect(() => tokens.decode(token, ["tenant-a", "app-1", "acme"], "things.other")).toThrow(/another action/);
    expect(() => tokens.decode(token, ["tenant-b", "app-1", "acme"], "things.list")).toThrow(/issued to another caller/);
    expect(() => tokens.decode(token, ["tenant-a", "app-2", "acme"], "things.list")).toThrow(GatewayError);
  });

  it("refuses a token signed with another key", () => {
    const token = new PageTokens("k1").encode(["acme"], "things.list", { kind: "url", url: "https://api.example.com/v1/x" });
    expect(() => new PageTokens("k2").decode(token, ["acme"], "things.list")).toThrow(/not issued by this gateway/);
  });
});
