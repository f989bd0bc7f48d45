import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionDefinition, HttpMethod, IntegrationDefinition } from "../contract/integrations.js";
import { importDocument } from "../importer/index.js";
import { fixture } from "../importer/test-server.js";
import { encodeBody } from "./body.js";
import { Gateway } from "./gateway.js";
import { parseMultipart } from "./test-multipart.js";
import { startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";

/**
 * A Stripe-style spec (form bodies whose nested properties are `style: deepObject`) goes
 * through the importer and the gateway to a real upstream. What it receives must be byte
 * for byte what stripe-node sends for the same arguments: `qs.stringify(data)` (arrayFormat
 * "indices", RFC 3986 percent-encoding) with `%5B`/`%5D` turned back into brackets.
 */

/** Decodes bracket notation the way Rack, PHP and qs do: `a[b][0][c]=v` → { a: { b: [{ c: "v" }] } }. */
function decodeBrackets(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of text.split("&").filter(Boolean)) {
    const [rawKey = "", rawValue = ""] = pair.split(/=(.*)/s);
    const key = decodeURIComponent(rawKey);
    const value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    const path = [/^[^[]*/.exec(key)![0], ...[...key.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]!)];
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) container[segment] = value;
      else {
        const nextIsIndex = /^\d+$/.test(path[index + 1]!);
        container[segment] ??= nextIsIndex ? [] : {};
        node = container[segment] as Record<string, unknown>;
      }
    });
  }
  return root;
}

let upstream: Upstream;
let gateway: Gateway;
let definition: IntegrationDefinition;

beforeAll(async () => {
  upstream = await startUpstream({
    "POST /v1/customers": { body: { id: "cus_1", object: "customer" } },
    "GET /v1/customers": { body: { object: "list", data: [], has_more: false, url: "/v1/customers" } },
    "POST /v1/subscriptions": { body: { id: "sub_1", object: "subscription" } },
    "POST /v1/customers/cus_1": { body: { id: "cus_1", object: "customer" } },
  });
  gateway = new Gateway({ upstreams: "loopback" });
  const outcome = await importDocument({ kind: "content", content: await fixture("shapes/stripe-style.json"), filename: "stripe-style.json" }, { serverUrl: upstream.url });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  definition = outcome.definition;
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function byRoute(method: HttpMethod, path: string): ActionDefinition {
  const found = definition.actions.find((action) => action.method === method && action.path === path);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
}

async function invoke(action: ActionDefinition, input: Record<string, unknown>) {
  return gateway.invoke({
    integration: { slug: definition.slug, version: 1, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes },
    action,
    input,
    connection: { id: "c1", credentials: { type: "bearer", token: "sk_test_123" } },
    options: {},
  });
}

describe("Stripe-style form bodies", () => {
  it("imports the form fields as top-level inputs beside the path parameters, with their encodings", () => {
    const update = byRoute("POST", "/v1/customers/{customer}").inputSchema;
    const properties = update["properties"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties).sort()).toEqual(["customer", "email", "expand", "metadata"]);
    expect(properties["metadata"]).toMatchObject({ "x-waygate-in": "body", "x-waygate-style": "deepObject", "x-waygate-explode": true });
    expect(update["x-waygate-content-type"]).toBe("application/x-www-form-urlencoded");
    // Stripe's empty form body on reads is no input at all.
    expect(Object.keys(byRoute("GET", "/v1/customers/{customer}").inputSchema["properties"] as object).sort()).toEqual(["customer", "expand"]);
  });

  it("sends nested objects, arrays and expand in bracket notation, exactly as stripe-node does", async () => {
    const input = { email: "jenny rosen@example.com", metadata: { plan: "pro", "order id": "6735" }, address: { city: "Paris", line1: "1 Rue [A]" }, preferred_locales: ["en", "fr"], expand: ["default_source"] };
    const result = await invoke(byRoute("POST", "/v1/customers"), input);
    expect(result.status).toBe(200);
    const [sent] = upstream.hits("POST /v1/customers");
    expect(sent?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(sent?.headers["authorization"]).toBe("Bearer sk_test_123");
    expect(sent?.body.toString()).toBe(
      "email=jenny%20rosen%40example.com&metadata[plan]=pro&metadata[order%20id]=6735&address[city]=Paris&address[line1]=1%20Rue%20[A]&preferred_locales[0]=en&preferred_locales[1]=fr&expand[0]=default_source",
    );
    expect(decodeBrackets(sent!.body.toString())).toEqual(input);
  });

  it("sends an array of objects as items[0][price] and an empty string to unset metadata", async () => {
    const input = { customer: "cus_1", items: [{ price: "price_1", quantity: 2, metadata: { seat: "a" } }, { price: "price_2" }], metadata: "" };
    await invoke(byRoute("POST", "/v1/subscriptions"), input);
    const [sent] = upstream.hits("POST /v1/subscriptions");
    expect(sent?.body.toString()).toBe("customer=cus_1&items[0][price]=price_1&items[0][quantity]=2&items[0][metadata][seat]=a&items[1][price]=price_2&metadata=");
    expect(decodeBrackets(sent!.body.toString())).toEqual({ ...input, items: [{ price: "price_1", quantity: "2", metadata: { seat: "a" } }, { price: "price_2" }] });
  });

  it("fills the path parameter and sends the rest as the form body", async () => {
    await invoke(byRoute("POST", "/v1/customers/{customer}"), { customer: "cus_1", metadata: { plan: "team" }, expand: ["tax", "invoice_settings"] });
    const [sent] = upstream.hits("POST /v1/customers/cus_1");
    expect(sent?.body.toString()).toBe("metadata[plan]=team&expand[0]=tax&expand[1]=invoice_settings");
  });

  it("sends deepObject query arrays with indices (expand on a list call)", async () => {
    await invoke(byRoute("GET", "/v1/customers"), { limit: 3, expand: ["data.default_source"] });
    const [sent] = upstream.hits("GET /v1/customers");
    expect(sent?.rawQuery.split("&").sort()).toEqual(["expand[0]=data.default_source", "limit=3"]);
    expect(sent?.body.length).toBe(0);
  });
});

describe("multipart bodies by their encoding", () => {
  it("sends a deepObject property as one part per leaf (stripe-node's file_link_data[create]=true) and a part in its declared content type", async () => {
    const body = encodeBody(
      "multipart/form-data",
      { purpose: "dispute_evidence", file_link_data: { create: true, metadata: { case: "7" } }, file: "data:application/pdf;base64,JVBERi0=", options: { a: 1 } },
      { properties: { file: { type: "string", format: "binary" } } },
      "input",
      { file_link_data: { style: "deepObject", explode: true }, options: { contentType: "application/vnd.acme+json" } },
    );
    const parts = await parseMultipart(body.contentType, Buffer.from(body.data));
    expect(parts.map((part) => [part.name, part.filename === undefined ? part.value : `file:${part.headers["content-type"]}`])).toEqual([
      ["purpose", "dispute_evidence"],
      ["file_link_data[create]", "true"],
      ["file_link_data[metadata][case]", "7"],
      ["file", "file:application/pdf"],
      ["options", "file:application/vnd.acme+json"],
    ]);
  });
});
