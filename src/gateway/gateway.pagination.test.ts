import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { PageTokens } from "./page-token.js";
import { PROBLEM_COLLECTION_TOO_LARGE, PROBLEM_INVALID_PAGE_TOKEN } from "./problems.js";
import { actionOf, acmeIntegration, githubIntegration, startUpstream } from "./test-upstream.js";
import type { Received, Upstream } from "./test-upstream.js";
import type { InvokeOptions } from "./types.js";
import { problemOf } from "./test-problem.js";

const ITEMS = Array.from({ length: 7 }, (_, index) => ({ id: index + 1 }));
const KEY = "test-page-token-key";
let upstream: Upstream;
let gateway: Gateway;

function int(request: Received, name: string, fallback: number): number {
  const value = request.query.get(name);
  return value === null ? fallback : Number(value);
}

beforeAll(async () => {
  upstream = await startUpstream({
    "GET /api/list/cursor": (request) => {
      const start = request.query.get("cursor") ? Number(request.query.get("cursor")!.slice(1)) : 0;
      const end = start + int(request, "limit", 3);
      return { body: { data: ITEMS.slice(start, end), next_cursor: end < ITEMS.length ? `c${end}` : null } };
    },
    "GET /api/list/offset": (request) => {
      const offset = int(request, "offset", 0);
      return { body: ITEMS.slice(offset, offset + int(request, "limit", 3)) };
    },
    "GET /api/list/page": (request) => {
      const size = int(request, "per_page", 3);
      const page = int(request, "page", 1);
      return { body: { results: ITEMS.slice((page - 1) * size, page * size) } };
    },
    "GET /api/list/link": (request) => {
      const page = int(request, "page", 1);
      const last = Math.ceil(ITEMS.length / 3);
      const links = [page < last ? `<${page === 1 ? `${upstream.url}/api/list/link?page=2` : `/api/list/link?page=${page + 1}`}>; rel="next"` : null, `<${upstream.url}/api/list/link?page=${last}>; rel="last"`];
      return { headers: { link: links.filter(Boolean).join(", ") }, body: ITEMS.slice((page - 1) * 3, page * 3) };
    },
  });
  gateway = new Gateway({ upstreams: "loopback", pageTokenKey: KEY });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function invoke(action: string, input: unknown, options: InvokeOptions = {}) {
  const definition = acmeIntegration(upstream.url);
  return gateway.invoke({ integration: { slug: "acme", version: 1, baseUrl: definition.baseUrl, authSchemes: [] }, action: actionOf(definition, action), input, connection: null, options });
}

function queriesSince(route: string, before: number): string[] {
  return upstream
    .hits(route)
    .slice(before)
    .map((request) => request.rawQuery);
}

describe("collecting pages", () => {
  it("follows a cursor from the body until it runs out", async () => {
    const before = upstream.hits("GET /api/list/cursor").length;
    const result = await invoke("items.listCursor", { limit: 3 }, { paginate: {} });
    expect(result).toMatchObject({ body: ITEMS, attempts: 3, nextPage: null });
    expect(queriesSince("GET /api/list/cursor", before)).toEqual(["limit=3", "limit=3&cursor=c3", "limit=3&cursor=c6"]);
  });

  it("advances offset by the items received and stops on a short page", async () => {
    const before = upstream.hits("GET /api/list/offset").length;
    const result = await invoke("items.listOffset", { limit: 3 }, { paginate: {} });
    expect(result.body).toEqual(ITEMS);
    expect(queriesSince("GET /api/list/offset", before)).toEqual(["limit=3", "limit=3&offset=3", "limit=3&offset=6"]);
  });

  it("counts pages from 1 and uses the schema's default page size to spot the last page", async () => {
    const before = upstream.hits("GET /api/list/page").length;
    const result = await invoke("items.listPage", {}, { paginate: {} });
    expect(result.body).toEqual(ITEMS);
    expect(queriesSince("GET /api/list/page", before)).toEqual(["", "page=2", "page=3"]);
  });

  it("follows absolute and relative RFC 8288 next links", async () => {
    const before = upstream.hits("GET /api/list/link").length;
    const result = await invoke("items.listLink", {}, { paginate: {} });
    expect(result.body).toEqual(ITEMS);
    expect(queriesSince("GET /api/list/link", before)).toEqual(["", "page=2", "page=3"]);
  });

  it("stops at maxPages and returns a token for the rest", async () => {
    const first = await invoke("items.listLink", {}, { paginate: { maxPages: 2 } });
    expect(first.body).toEqual(ITEMS.slice(0, 6));
    expect(first.nextPage).toEqual(expect.any(String));
    const rest = await invoke("items.listLink", {}, { paginate: {}, page: first.nextPage! });
    expect(rest).toMatchObject({ body: ITEMS.slice(6), nextPage: null });
  });

  it("cuts the result at maxItems and says so", async () => {
    const result = await invoke("items.listCursor", { limit: 3 }, { paginate: { maxItems: 4 } });
    expect(result.body).toEqual(ITEMS.slice(0, 4));
    expect(result.warnings).toEqual(["2 item(s) beyond maxItems were dropped from the last page"]);
    expect(result.nextPage).not.toBeNull();
  });

  it("collects GitHub's repos.listForOrg (real importer definition) through Link headers", async () => {
    upstream.route("GET /orgs/octo/repos", (request) => {
      const page = int(request, "page", 1);
      const next = page < 2 ? `<${upstream.url}/organizations/9/repos?per_page=2&page=2>; rel="next", ` : "";
      return { headers: { link: `${next}<${upstream.url}/organizations/9/repos?per_page=2&page=2>; rel="last"`, "x-ratelimit-remaining": "4999" }, body: [{ id: 1 }, { id: 2 }] };
    });
    upstream.route("GET /organizations/9/repos", { headers: { "x-ratelimit-remaining": "4998" }, body: [{ id: 3 }] });
    const github = githubIntegration(upstream.url);
    const result = await gateway.invoke({
      integration: { slug: "github", version: 1, baseUrl: github.baseUrl, authSchemes: github.authSchemes },
      action: actionOf(github, "repos.listForOrg"),
      input: { org: "octo", per_page: 2 },
      connection: null,
      options: { paginate: {}, validation: "off" },
    });
    expect(result).toMatchObject({ body: [{ id: 1 }, { id: 2 }, { id: 3 }], attempts: 2, nextPage: null });
    expect(result.headers["x-ratelimit-remaining"]).toBe("4998");
    expect(upstream.hits("GET /orgs/octo/repos").at(-1)?.rawQuery).toBe("per_page=2");
  });
});

describe("one page at a time", () => {
  it("returns one page and an opaque token that fetches the next", async () => {
    const first = await invoke("items.listCursor", { limit: 5 });
    expect(first.body).toEqual({ data: ITEMS.slice(0, 5), next_cursor: "c5" });
    expect(first.nextPage).not.toContain("c5");
    const second = await invoke("items.listCursor", { limit: 5 }, { page: first.nextPage! });
    expect(second).toMatchObject({ body: { data: ITEMS.slice(5), next_cursor: null }, nextPage: null });
  });

  it("refuses a token issued for another action", async () => {
    const first = await invoke("items.listCursor", { limit: 5 });
    const problem = await problemOf(invoke("items.listOffset", {}, { page: first.nextPage! }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_PAGE_TOKEN, status: 400 });
  });

  it("refuses a tampered or forged token", async () => {
    const first = await invoke("items.listLink", {});
    const [body, tag] = first.nextPage!.split(".");
    const forged = Buffer.from(JSON.stringify({ v: 2, s: ["", "acme"], a: "items.listLink", c: { kind: "url", url: "http://169.254.169.254/latest/meta-data" } })).toString("base64url");
    expect((await problemOf(invoke("items.listLink", {}, { page: `${forged}.${tag}` }))).type).toBe(PROBLEM_INVALID_PAGE_TOKEN);
    expect((await problemOf(invoke("items.listLink", {}, { page: `${body}x.${tag}` }))).type).toBe(PROBLEM_INVALID_PAGE_TOKEN);
  });

  it("refuses a validly signed link token whose URL leaves the baseUrl (SSRF)", async () => {
    const before = upstream.received.length;
    for (const url of [`${upstream.url}/other/path`, "http://169.254.169.254/latest/meta-data", `http://user:pw@${new URL(upstream.url).host}/api/list/link`]) {
      const token = new PageTokens(KEY).encode(["", "acme"], "items.listLink", { kind: "url", url });
      const problem = await problemOf(invoke("items.listLink", {}, { page: token }));
      expect(problem).toMatchObject({ type: PROBLEM_INVALID_PAGE_TOKEN, detail: "the page token points outside the integration's baseUrl" });
    }
    expect(upstream.received.length).toBe(before);
  });

  it("does not follow a next link that leaves the baseUrl", async () => {
    upstream.route("GET /api/list/link", { headers: { link: '<http://example.invalid/steal>; rel="next"' }, body: [] });
    const result = await invoke("items.listLink", {}, { paginate: {} });
    expect(result).toMatchObject({ body: [], nextPage: null, warnings: ["the upstream's next link leaves the integration's baseUrl and was not followed"] });
  });

  it("keeps an API key the upstream echoes in its Link header out of the token and the returned headers", async () => {
    upstream.route("GET /api/list/link", (request) => ({ headers: { link: `</api/list/link?page=2&api_key=${request.query.get("api_key")}>; rel="next"` }, body: [{ id: 1 }] }));
    const definition = acmeIntegration(upstream.url);
    const result = await gateway.invoke({
      integration: { slug: "acme", version: 1, baseUrl: definition.baseUrl, authSchemes: [{ type: "apiKey", name: "api_key", in: "query" }] },
      action: actionOf(definition, "items.listLink"),
      input: {},
      connection: { id: "c-key", credentials: { type: "apiKey", key: "sekrit-key-1" } },
      options: {},
    });
    expect(result.headers["link"]).toBe("</api/list/link?page=2&api_key=[redacted]>; rel=\"next\"");
    const payload = Buffer.from(result.nextPage!.split(".")[0]!, "base64url").toString();
    expect(payload).not.toContain("sekrit-key-1");
    expect(payload).toContain("page=2");
  });
});

describe("collecting is bounded by bytes", () => {
  it("stops with collection-too-large before holding more than maxCollectedBytes, with the token that continues", async () => {
    // The cursor list's pages are 55, 55 and 38 bytes: a 120-byte limit holds two.
    const small = new Gateway({ upstreams: "loopback", pageTokenKey: KEY, maxCollectedBytes: 120 });
    try {
      const definition = acmeIntegration(upstream.url);
      const request = (options: InvokeOptions) =>
        small.invoke({ integration: { slug: "acme", version: 1, baseUrl: definition.baseUrl, authSchemes: [] }, action: actionOf(definition, "items.listCursor"), input: {}, connection: null, options });
      const before = upstream.hits("GET /api/list/cursor").length;
      const problem = await problemOf(request({ paginate: {} }));
      expect(problem).toMatchObject({ type: PROBLEM_COLLECTION_TOO_LARGE, status: 507, collected: { pages: 2, items: 6 } });
      expect(problem.detail).toMatch(/paginate\.maxPages/);
      // The third page was fetched, found too big to hold, and dropped: nothing beyond it.
      expect(upstream.hits("GET /api/list/cursor").length - before).toBe(3);
      // What the problem says to do works: collect those pages, then continue from nextPage.
      const firstTwo = await request({ paginate: { maxPages: 2 } });
      expect(firstTwo.body).toEqual(ITEMS.slice(0, 6));
      expect(firstTwo.nextPage).toBe(problem.nextPage);
      const rest = await request({ paginate: { maxPages: 1 }, page: problem.nextPage! });
      expect(rest.body).toEqual(ITEMS.slice(6));
      expect(rest.nextPage).toBeNull();
    } finally {
      await small.close();
    }
  });
});
