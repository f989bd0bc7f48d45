import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionDefinition, HttpMethod, IntegrationDefinition } from "../contract/integrations.js";
import { importDocument } from "../importer/index.js";
import { fixture } from "../importer/test-server.js";
import { Gateway } from "./gateway.js";
import { startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";
import type { InvokeOptions } from "./types.js";

/**
 * The two body-driven strategies, end to end: a spec imported by the real importer, invoked
 * through the gateway against a local upstream that pages through 3 pages.
 * - lastItemId: Stripe's lists (`starting_after` = the last `data[].id` while `has_more`);
 * - nextUrl: Twilio's relative `next_page_uri` and OData's absolute `@odata.nextLink`.
 */

const CUSTOMERS = Array.from({ length: 7 }, (_, index) => ({ id: `cus_${index + 1}`, object: "customer" }));
let upstream: Upstream;
let gateway: Gateway;
let stripe: IntegrationDefinition;
let paged: IntegrationDefinition;

const NEXT_URL_SPEC = {
  openapi: "3.0.3",
  info: { title: "Next URLs", version: "1" },
  servers: [{ url: "https://placeholder.example.com/base" }],
  paths: {
    "/2010-04-01/Accounts/{AccountSid}/Messages.json": {
      get: {
        operationId: "ListMessage",
        parameters: [
          { in: "path", name: "AccountSid", required: true, schema: { type: "string" } },
          { in: "query", name: "PageSize", schema: { type: "integer" } },
        ],
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { messages: { type: "array", items: { type: "object" } }, next_page_uri: { type: "string", nullable: true } } } } } } },
      },
    },
    "/odata/People": {
      get: {
        operationId: "People_List",
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { value: { type: "array", items: { type: "object" } }, "@odata.nextLink": { type: "string" } } } } } } },
      },
    },
    "/escape": {
      get: {
        operationId: "listEscape",
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { data: { type: "array", items: { type: "object" } }, next_page_uri: { type: "string" } } } } } } },
      },
    },
  },
};

beforeAll(async () => {
  upstream = await startUpstream({
    "GET /v1/customers": (request) => {
      const after = request.query.get("starting_after");
      const start = after === null ? 0 : CUSTOMERS.findIndex((customer) => customer.id === after) + 1;
      const limit = Number(request.query.get("limit") ?? "10");
      const data = CUSTOMERS.slice(start, start + limit);
      return { body: { object: "list", url: "/v1/customers", data, has_more: start + limit < CUSTOMERS.length } };
    },
    "GET /base/2010-04-01/Accounts/AC1/Messages.json": (request) => {
      const page = Number(request.query.get("Page") ?? "0");
      const next = page < 2 ? `/base/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=${page + 1}&PageToken=PA${page + 1}` : null;
      return { body: { messages: [{ sid: `SM${page * 2 + 1}` }, { sid: `SM${page * 2 + 2}` }], next_page_uri: next } };
    },
    "GET /base/odata/People": (request) => {
      const skip = Number(request.query.get("$skiptoken") ?? "0");
      const body: Record<string, unknown> = { value: [{ name: `p${skip}` }] };
      if (skip < 2) body["@odata.nextLink"] = `${upstream.url}/base/odata/People?$skiptoken=${skip + 1}`;
      return { body };
    },
    "GET /base/escape": { body: { data: [{ id: 1 }], next_page_uri: "https://elsewhere.example.com/base/escape?page=2" } },
  });
  gateway = new Gateway({ upstreams: "loopback", pageTokenKey: "body-pagination-key" });
  for (const [content, serverUrl, set] of [
    [await fixture("shapes/stripe-style.json"), upstream.url, (definition: IntegrationDefinition) => (stripe = definition)],
    [JSON.stringify(NEXT_URL_SPEC), `${upstream.url}/base`, (definition: IntegrationDefinition) => (paged = definition)],
  ] as const) {
    const outcome = await importDocument({ kind: "content", content, filename: "spec.json" }, { serverUrl });
    if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
    set(outcome.definition);
  }
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function route(definition: IntegrationDefinition, method: HttpMethod, path: string): ActionDefinition {
  const found = definition.actions.find((action) => action.method === method && action.path === path);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
}

function invoke(definition: IntegrationDefinition, action: ActionDefinition, input: unknown, options: InvokeOptions) {
  return gateway.invoke({
    integration: { slug: definition.slug, version: 1, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes },
    action,
    input,
    connection: definition.authSchemes.length > 0 ? { id: "c1", credentials: { type: "bearer", token: "sk_test" } } : null,
    options: { validation: "off", ...options },
  });
}

const queries = (path: string, before: number) =>
  upstream
    .hits(path)
    .slice(before)
    .map((request) => request.rawQuery);

describe("the last item's id as the cursor (Stripe)", () => {
  it("collects 3 pages, sending starting_after = the last id while has_more", async () => {
    const before = upstream.hits("GET /v1/customers").length;
    const result = await invoke(stripe, route(stripe, "GET", "/v1/customers"), { limit: 3 }, { paginate: {} });
    expect(result).toMatchObject({ body: CUSTOMERS, attempts: 3, nextPage: null });
    expect(queries("GET /v1/customers", before)).toEqual(["limit=3", "limit=3&starting_after=cus_3", "limit=3&starting_after=cus_6"]);
  });

  it("returns one page and a token that continues after its last item", async () => {
    const action = route(stripe, "GET", "/v1/customers");
    const first = await invoke(stripe, action, { limit: 3 }, {});
    expect(first.nextPage).toEqual(expect.any(String));
    expect(first.nextPage).not.toContain("cus_3");
    const before = upstream.hits("GET /v1/customers").length;
    const second = await invoke(stripe, action, { limit: 3 }, { page: first.nextPage! });
    expect((second.body as { data: unknown[] }).data).toEqual(CUSTOMERS.slice(3, 6));
    expect(queries("GET /v1/customers", before)).toEqual(["limit=3&starting_after=cus_3"]);
  });
});

describe("the next page's URL in the body", () => {
  it("follows Twilio's relative next_page_uri through 3 pages", async () => {
    const path = "GET /base/2010-04-01/Accounts/AC1/Messages.json";
    const before = upstream.hits(path).length;
    const result = await invoke(paged, route(paged, "GET", "/2010-04-01/Accounts/{AccountSid}/Messages.json"), { AccountSid: "AC1", PageSize: 2 }, { paginate: {} });
    expect(result).toMatchObject({ body: ["SM1", "SM2", "SM3", "SM4", "SM5", "SM6"].map((sid) => ({ sid })), attempts: 3, nextPage: null });
    expect(queries(path, before)).toEqual(["PageSize=2", "PageSize=2&Page=1&PageToken=PA1", "PageSize=2&Page=2&PageToken=PA2"]);
  });

  it("follows OData's absolute @odata.nextLink through 3 pages, and page by page with tokens", async () => {
    const action = route(paged, "GET", "/odata/People");
    const collected = await invoke(paged, action, {}, { paginate: {} });
    expect(collected).toMatchObject({ body: [{ name: "p0" }, { name: "p1" }, { name: "p2" }], attempts: 3, nextPage: null });

    const first = await invoke(paged, action, {}, {});
    const second = await invoke(paged, action, {}, { page: first.nextPage! });
    expect(second.body).toMatchObject({ value: [{ name: "p1" }] });
  });

  it("does not follow a next-page URL that leaves the integration's baseUrl", async () => {
    const result = await invoke(paged, route(paged, "GET", "/escape"), {}, { paginate: {} });
    expect(result).toMatchObject({ body: [{ id: 1 }], attempts: 1, nextPage: null });
    expect(result.warnings).toContain("the upstream's next-page URL leaves the integration's baseUrl and was not followed");
  });
});
