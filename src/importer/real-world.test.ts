import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntegrationDefinition } from "../contract/integrations.js";
import { Gateway } from "../gateway/gateway.js";
import { actionOf, startUpstream } from "../gateway/test-upstream.js";
import type { Upstream } from "../gateway/test-upstream.js";
import type { Connection } from "../gateway/types.js";
import { importDocument } from "./index.js";
import type { ImportOptions, ImportOutcome, ImportSource } from "./index.js";
import { swaggerUiUrls } from "./html/discover.js";
import { exampleIdsAsParams, parseCurl } from "./html/heuristics.js";
import { fixture, startServer } from "./test-server.js";
import type { TestServer } from "./test-server.js";

/**
 * Documents shaped like the ones vendors publish (fixtures/importer/real-world, see its README):
 * relative servers, server variables, Swagger 2.0 without host, Postman collections with every
 * path-variable spelling and header-only auth, saved docs pages, broken documents.
 */
const real = (name: string) => fixture(`real-world/${name}`);

function imported(outcome: ImportOutcome) {
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  return outcome;
}

function summary(definition: IntegrationDefinition): string[] {
  return definition.actions.map((action) => `${action.method} ${action.path}`).sort();
}

function required(definition: IntegrationDefinition, method: string, path: string): unknown {
  const action = definition.actions.find((candidate) => candidate.method === method && candidate.path === path);
  if (!action) throw new Error(`no ${method} ${path} in ${summary(definition).join(", ")}`);
  return action.inputSchema["required"];
}

let docs: TestServer;
beforeAll(async () => {
  const yaml = "application/yaml";
  docs = await startServer({
    // Swagger Petstore v3 as deployed: the spec and the stock Swagger UI under /api/v3.
    "/api/v3/openapi.json": { body: await real("petstore3-relative-servers.yaml"), type: yaml },
    "/api/v3/docs/index.html": { body: await real("html/swagger-ui-dist-index.html"), type: "text/html" },
    "/api/v3/docs/swagger-initializer.js": { body: await real("html/swagger-initializer.js"), type: "application/javascript" },
    "/uber/v1/swagger.json": { body: await real("swagger2-no-host.json"), type: "application/json" },
    "/uber/v1/docs/rapidoc.html": { body: await real("html/rapidoc.html"), type: "text/html" },
    "/reference/index.html": { body: await real("html/scalar.html"), type: "text/html" },
    "/reference/openapi.yaml": { body: await real("petstore3-relative-servers.yaml"), type: yaml },
    "/docs/jira.html": { body: await real("html/stoplight-elements.html"), type: "text/html" },
    "/static/jira/openapi.yaml": { body: await real("jira-server-variables.yaml"), type: yaml },
    // Swagger UI as Springdoc serves it: the initializer names a config document, which names the spec.
    "/springdoc/swagger-ui/index.html": { body: await real("html/swagger-ui-dist-index.html"), type: "text/html" },
    "/springdoc/swagger-ui/swagger-initializer.js": { body: 'window.onload = () => { window.ui = SwaggerUIBundle({ configUrl: "/springdoc/v3/api-docs/swagger-config", dom_id: "#swagger-ui" }); };', type: "application/javascript" },
    "/springdoc/v3/api-docs/swagger-config": { body: JSON.stringify({ urls: [{ url: "/api/v3/openapi.json", name: "petstore" }], validatorUrl: "" }), type: "application/json" },
    "/gone.yaml": { status: 404, body: "no such spec" },
    "/private.yaml": { status: 401, body: "log in" },
    "/busy.yaml": { status: 429, body: "slow down" },
  });
});
afterAll(async () => docs.close());

const fromUrl = (path: string, options: ImportOptions = {}) => importDocument({ kind: "url", url: `${docs.url}${path}` }, { allowPrivateNetwork: true, ...options });
const fromContent = async (name: string, options: ImportOptions = {}) => importDocument({ kind: "content", content: await real(name), filename: name }, options);

describe("specs without an absolute server URL", () => {
  it("resolves relative servers (/api/v3) against the URL the document was fetched from", async () => {
    const outcome = imported(await fromUrl("/api/v3/openapi.json"));
    expect(outcome.definition.baseUrl).toBe(`${docs.url}/api/v3`);
    expect(outcome.stats.actions).toBe(outcome.stats.operations);
    expect(summary(outcome.definition)).toEqual(["DELETE /pet/{petId}", "GET /pet/findByStatus", "GET /pet/{petId}", "GET /store/order/{orderId}", "POST /pet", "PUT /pet"]);
    expect(outcome.definition.authSchemes.map((scheme) => scheme.type)).toEqual(["oauth2", "apiKey"]);
  });

  it("refuses relative servers in a document given as content, naming --server-url and the pointer; takes --server-url", async () => {
    const refused = await fromContent("petstore3-relative-servers.yaml");
    expect(refused).toMatchObject({ kind: "failed", error: { code: "no_base_url", message: expect.stringContaining("--server-url"), location: { pointer: "/servers/0/url" } } });
    const outcome = imported(await fromContent("petstore3-relative-servers.yaml", { serverUrl: "https://petstore3.swagger.io/api/v3/" }));
    expect(outcome.definition.baseUrl).toBe("https://petstore3.swagger.io/api/v3");
  });

  it("fills server variables from --server-var over the defaults, and names the variable without a default", async () => {
    const refused = await fromContent("jira-server-variables.yaml");
    expect(refused).toMatchObject({
      kind: "failed",
      error: { code: "no_base_url", message: expect.stringContaining("--server-var host=VALUE"), location: { pointer: "/servers/0/url" } },
    });
    if (refused.kind === "failed") expect(refused.error.message).toContain("--server-url");
    const plain = imported(await fromContent("jira-server-variables.yaml", { serverVariables: { host: "jira.acme.internal" } }));
    expect(plain.definition.baseUrl).toBe("https://jira.acme.internal/rest/api/2");
    expect(plain.definition.authSchemes).toEqual([{ type: "bearer" }]);
    expect(plain.stats.actions).toBe(3);
    const context = imported(await fromContent("jira-server-variables.yaml", { serverVariables: { host: "acme.example.com", contextPath: "/jira" } }));
    expect(context.definition.baseUrl).toBe("https://acme.example.com/jira/rest/api/2");
  });

  it("falls back to a later absolute server when the first is relative and cannot be resolved", async () => {
    const spec = (await real("petstore3-relative-servers.yaml")).replace("  - url: /api/v3\n", "  - url: /api/v3\n  - url: https://petstore3.swagger.io/api/v3\n");
    const outcome = imported(await importDocument({ kind: "content", content: spec, filename: "petstore.yaml" }));
    expect(outcome.definition.baseUrl).toBe("https://petstore3.swagger.io/api/v3");
    expect(outcome.warnings.map((warning) => warning.code)).toContain("relative_server");
  });

  it("warns, but takes it, when a server variable's value is outside the document's enum", async () => {
    const spec = (await real("jira-server-variables.yaml")).replace('        default: ""\n', '        default: ""\n        enum: ["", /jira]\n');
    const outcome = imported(await importDocument({ kind: "content", content: spec, filename: "jira.yaml" }, { serverVariables: { host: "h.example", contextPath: "/tools/jira" } }));
    expect(outcome.definition.baseUrl).toBe("https://h.example/tools/jira/rest/api/2");
    expect(outcome.warnings.find((warning) => warning.code === "server_variable")?.message).toContain('contextPath="/tools/jira" is not one of');
  });

  it("rejects a server variable name that could not be one", async () => {
    expect(await fromContent("jira-server-variables.yaml", { serverVariables: { "a b": "x" } })).toMatchObject({ kind: "failed", error: { code: "invalid_option" } });
  });

  it("takes a Swagger 2.0 document's missing host from the URL it came from, else asks for --server-url", async () => {
    const fetched = imported(await fromUrl("/uber/v1/swagger.json"));
    expect(fetched.definition.baseUrl).toBe(`https://${new URL(docs.url).host}/v1`);
    expect(fetched.stats.actions).toBe(3);
    expect(fetched.definition.authSchemes).toEqual([{ type: "apiKey", name: "server_token", in: "query" }]);
    expect(await fromContent("swagger2-no-host.json")).toMatchObject({ kind: "failed", error: { code: "no_base_url", message: expect.stringContaining("--server-url") } });
    expect(imported(await fromContent("swagger2-no-host.json", { serverUrl: "https://api.uber.com/v1" })).definition.baseUrl).toBe("https://api.uber.com/v1");
  });
});

describe("Postman collections: path variables in every spelling, auth from headers", () => {
  let upstream: Upstream;
  let gateway: Gateway;
  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /v1/pages/abc%201": { body: { object: "page", id: "abc 1" } },
      "DELETE /v1/blocks/b-9": { status: 200, body: { object: "block", id: "b-9", archived: true } },
      "GET /v2/tickets/1042/comments": { body: { comments: [] } },
      "GET /v2/users/7.json": { body: { user: { id: 7 } } },
    });
    gateway = new Gateway({ upstreams: "loopback" });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const call = (definition: IntegrationDefinition, name: string, input: unknown, connection: Connection) =>
    gateway.invoke({ integration: { slug: definition.slug, version: 1, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes }, action: actionOf(definition, name), input, connection, options: {} });

  const nameOf = (definition: IntegrationDefinition, method: string, path: string) => definition.actions.find((action) => action.method === method && action.path === path)!.name;

  it("reads {id} and <id> as required path inputs and bearer from the requests' Authorization headers (majority over one basic token endpoint)", async () => {
    const source: ImportSource = { kind: "content", content: await real("postman/workspace-api-bearer-headers.postman_collection.json") };
    const { definition, stats } = imported(await importDocument(source));
    expect(stats.actions).toBe(6);
    expect(stats.operations).toBe(6);
    expect(summary(definition)).toEqual([
      "DELETE /v1/blocks/{block_id}",
      "GET /v1/blocks/{block_id}/children",
      "GET /v1/pages/{page_id}",
      "PATCH /v1/pages/{page_id}",
      "POST /v1/databases/{database_id}/query",
      "POST /v1/oauth/token",
    ]);
    expect(required(definition, "GET", "/v1/pages/{page_id}")).toEqual(["page_id"]);
    expect(required(definition, "DELETE", "/v1/blocks/{block_id}")).toEqual(["block_id"]);
    expect(definition.authSchemes).toEqual([{ type: "bearer" }, { type: "basic" }]);
    // Requests disagree (36-to-1 in the real collection, 5-to-1 here): bearer, but say it was inferred.
    expect(definition.authTypeUnverified).toBe(true);
    for (const action of definition.actions) expect(Object.keys((action.inputSchema["properties"] ?? {}) as object)).not.toContain("Authorization");
  });

  it("invokes the {id} and <id> actions with the path filled, the bearer token from the connection", async () => {
    const { definition } = imported(await importDocument({ kind: "content", content: await real("postman/workspace-api-bearer-headers.postman_collection.json") }, { serverUrl: upstream.url }));
    const connection: Connection = { id: "c1", credentials: { type: "bearer", token: "secret-token" } };
    const page = await call(definition, nameOf(definition, "GET", "/v1/pages/{page_id}"), { page_id: "abc 1" }, connection);
    expect(page).toMatchObject({ status: 200, body: { id: "abc 1" } });
    const [sent] = upstream.hits("GET /v1/pages/abc%201");
    expect(sent?.headers.authorization).toBe("Bearer secret-token");
    const block = await call(definition, nameOf(definition, "DELETE", "/v1/blocks/{block_id}"), { block_id: "b-9" }, connection);
    expect(block).toMatchObject({ status: 200, body: { archived: true } });
    expect(upstream.hits("DELETE /v1/blocks/b-9")).toHaveLength(1);
  });

  it("reads :id with url.variable, {{id}} segments and {{id}}.json, and an X-API-Key header as the API key", async () => {
    const { definition, stats } = imported(await importDocument({ kind: "content", content: await real("postman/helpdesk-api-key-header.postman_collection.json") }));
    expect(stats.actions).toBe(5);
    expect(definition.baseUrl).toBe("https://api.helpdesk.example.com/v2");
    expect(summary(definition)).toEqual(["GET /tickets", "GET /tickets/{ticketId}", "GET /tickets/{ticketId}/comments", "GET /users/{userId}.json", "PUT /tickets/{ticketId}"]);
    const view = definition.actions.find((action) => action.method === "GET" && action.path === "/tickets/{ticketId}")!;
    expect(view.inputSchema["properties"]).toMatchObject({ ticketId: { type: "string", description: "The ticket's numeric id", "x-waygate-in": "path" } });
    expect(required(definition, "GET", "/users/{userId}.json")).toEqual(["userId"]);
    expect(definition.authSchemes).toEqual([{ type: "apiKey", name: "X-API-Key", in: "header" }]);
    expect(definition.authTypeUnverified).toBe(false);
    for (const action of definition.actions) expect(Object.keys((action.inputSchema["properties"] ?? {}) as object)).not.toContain("X-API-Key");
  });

  it("names the {{baseUrl}} variable a collection leaves to a Postman environment, and takes --server-url for it", async () => {
    const collection = JSON.parse(await real("postman/helpdesk-api-key-header.postman_collection.json")) as Record<string, unknown>;
    delete collection["variable"];
    const content = JSON.stringify(collection);
    expect(await importDocument({ kind: "content", content, filename: "helpdesk.json" })).toMatchObject({
      kind: "failed",
      error: { code: "no_base_url", message: expect.stringMatching(/\{\{baseUrl\}\}.*--server-url/), location: { source: "helpdesk.json", pointer: "/item/0/item/0" } },
    });
    const outcome = imported(await importDocument({ kind: "content", content, filename: "helpdesk.json" }, { serverUrl: "https://helpdesk.acme.example/api/v2" }));
    expect(outcome.definition.baseUrl).toBe("https://helpdesk.acme.example/api/v2");
    expect(summary(outcome.definition)).toContain("GET /tickets/{ticketId}/comments");
  });

  it("invokes the {{id}} actions with the path filled and the key in X-API-Key", async () => {
    const { definition } = imported(await importDocument({ kind: "content", content: await real("postman/helpdesk-api-key-header.postman_collection.json") }, { serverUrl: `${upstream.url}/v2` }));
    const connection: Connection = { id: "c2", credentials: { type: "apiKey", key: "hd-key" } };
    expect(await call(definition, nameOf(definition, "GET", "/tickets/{ticketId}/comments"), { ticketId: "1042" }, connection)).toMatchObject({ status: 200, body: { comments: [] } });
    expect(upstream.hits("GET /v2/tickets/1042/comments")[0]?.headers["x-api-key"]).toBe("hd-key");
    expect(await call(definition, nameOf(definition, "GET", "/users/{userId}.json"), { userId: "7" }, connection)).toMatchObject({ status: 200, body: { user: { id: 7 } } });
    expect(upstream.hits("GET /v2/users/7.json")).toHaveLength(1);
  });
});

describe("saved docs pages", () => {
  it("stock Swagger UI: reads the spec URL from swagger-initializer.js, then resolves the spec's relative server", async () => {
    const outcome = imported(await fromUrl("/api/v3/docs/index.html"));
    expect(outcome.discoveredFrom).toBe(`${docs.url}/api/v3/openapi.json`);
    expect(outcome.definition.baseUrl).toBe(`${docs.url}/api/v3`);
    expect(outcome.stats.actions).toBe(6);
    expect(docs.hits).toContain("/api/v3/docs/swagger-initializer.js");
  });

  it("Swagger UI with configUrl (Springdoc): follows the config document to the spec", async () => {
    const outcome = imported(await fromUrl("/springdoc/swagger-ui/index.html"));
    expect(outcome.discoveredFrom).toBe(`${docs.url}/api/v3/openapi.json`);
    expect(outcome.stats.actions).toBe(6);
  });

  it("RapiDoc: follows <rapi-doc spec-url> relative to the page", async () => {
    const outcome = imported(await fromUrl("/uber/v1/docs/rapidoc.html"));
    expect(outcome.discoveredFrom).toBe(`${docs.url}/uber/v1/swagger.json`);
    expect(outcome.format).toBe("swagger");
    expect(outcome.stats.actions).toBe(3);
  });

  it("Scalar: follows Scalar.createApiReference({ url })", async () => {
    const outcome = imported(await fromUrl("/reference/index.html"));
    expect(outcome.discoveredFrom).toBe(`${docs.url}/reference/openapi.yaml`);
    expect(outcome.stats.actions).toBe(6);
  });

  it("Stoplight Elements: follows apiDescriptionUrl, and the server variables given apply to the spec found", async () => {
    const refused = await fromUrl("/docs/jira.html");
    expect(refused).toMatchObject({ kind: "failed", error: { code: "no_base_url", message: expect.stringContaining("--server-var host=VALUE") } });
    const outcome = imported(await fromUrl("/docs/jira.html", { serverVariables: { host: "jira.acme.internal" } }));
    expect(outcome.discoveredFrom).toBe(`${docs.url}/static/jira/openapi.yaml`);
    expect(outcome.definition.baseUrl).toBe("https://jira.acme.internal/rest/api/2");
  });

  it("prose page: example ids, <ID>, :id and {id} are one path parameter, auth comes from the curl examples", async () => {
    const outcome = imported(await importDocument({ kind: "content", content: await real("html/kittn-prose.html"), filename: "kittn.html" }));
    expect(outcome.format).toBe("html");
    expect(outcome.definition.baseUrl).toBe("https://api.kittn.example.com/v1");
    expect(summary(outcome.definition)).toEqual(["DELETE /kittens/{id}", "GET /kittens", "GET /kittens/{id}", "GET /kittens/{id}/toys"]);
    expect(required(outcome.definition, "GET", "/kittens/{id}")).toEqual(["id"]);
    expect(outcome.definition.authSchemes).toEqual([{ type: "bearer" }]);
    expect(outcome.definition.authTypeUnverified).toBe(true);
  });

  it("says that the LLM settings belong to the server's environment when a page has nothing to extract", async () => {
    const outcome = await importDocument({ kind: "content", content: "<html><body><p>Nothing to see.</p></body></html>", filename: "empty.html" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "no_spec_found", message: expect.stringContaining("environment of the Waygate server") } });
  });
});

describe("broken documents", () => {
  it("refuses dangling $refs, naming the first pointer, the count and --allow-dangling-refs; imports with it", async () => {
    const refused = await fromContent("truncated-dangling-refs.yaml");
    expect(refused).toMatchObject({
      kind: "failed",
      error: {
        code: "dangling_ref",
        message: expect.stringMatching(/#\/components\/schemas\/Charge.*and 1 more.*--allow-dangling-refs/),
        location: { source: "truncated-dangling-refs.yaml", pointer: "/paths/~1charges/get/responses/200/content/application~1json/schema/items/$ref" },
      },
    });
    const allowed = imported(await fromContent("truncated-dangling-refs.yaml", { allowDanglingRefs: true }));
    expect(allowed.stats.actions).toBe(2);
    expect(allowed.warnings.filter((warning) => warning.code === "unresolved_ref")).toHaveLength(2);
  });

  it("warns on a discriminator mapping into another file and imports", async () => {
    const outcome = imported(await fromContent("discriminator-external-mapping.yaml"));
    const warning = outcome.warnings.find((candidate) => candidate.code === "discriminator_mapping");
    expect(warning).toMatchObject({ message: expect.stringContaining("./events.yaml"), location: { pointer: "/components/schemas/Event/discriminator/mapping/deleted" } });
    const schema = outcome.definition.actions[0]!.outputSchema!;
    expect(JSON.stringify(schema)).toContain('"created":"#/$defs/Created"');
    expect(JSON.stringify(schema)).not.toContain("events.yaml");
  });

  it("does not retry a 4xx document answer (fetch_refused), but does a 429", async () => {
    expect(await fromUrl("/gone.yaml")).toMatchObject({ kind: "failed", error: { code: "fetch_refused", message: expect.stringContaining("HTTP 404") } });
    expect(await fromUrl("/private.yaml")).toMatchObject({ kind: "failed", error: { code: "fetch_refused", message: expect.stringContaining("--header") } });
    expect(await fromUrl("/busy.yaml")).toMatchObject({ kind: "failed", error: { code: "fetch_failed", message: expect.stringContaining("HTTP 429") } });
  });
});

describe("Swagger UI configuration scripts", () => {
  it("puts the urls.primaryName definition first", () => {
    const script = `SwaggerUIBundle({ urls: [{ url: "/v1/openapi.json", name: "v1" }, { name: "v2", url: "/v2/openapi.json" }], "urls.primaryName": "v2", dom_id: "#swagger-ui" })`;
    expect(swaggerUiUrls(script)).toEqual(["/v2/openapi.json", "/v1/openapi.json"]);
    expect(swaggerUiUrls(script.replace('"urls.primaryName": "v2", ', ""))).toEqual(["/v1/openapi.json", "/v2/openapi.json"]);
    expect(swaggerUiUrls('const config = { url: "/not-swagger.json" }')).toEqual([]);
  });
});

describe("prose-page heuristics", () => {
  it("reads auth from curl examples: bearer and API-key headers, and Stripe's -u key:", () => {
    expect(parseCurl('curl https://api.stripe.com/v1/charges -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: -d amount=2000')?.auth).toEqual({ type: "basic" });
    expect(parseCurl("curl -H 'Authorization: Bearer $TOKEN' https://api.example.com/v1/me")?.auth).toEqual({ type: "bearer" });
    expect(parseCurl('curl --header "X-API-Key: abc" https://api.example.com/v1/me')?.auth).toEqual({ type: "apiKey", name: "X-API-Key", in: "header" });
    expect(parseCurl('curl -H "Accept: application/json" https://api.example.com/v1/me')?.auth).toBeUndefined();
  });

  it("turns example ids after a noun into parameters, but not a leading version number", () => {
    expect(exampleIdsAsParams("/kittens/2")).toBe("/kittens/{id}");
    expect(exampleIdsAsParams("/users/42/posts/7")).toBe("/users/{userId}/posts/{id}");
    expect(exampleIdsAsParams("/categories/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items")).toBe("/categories/{categoryId}/items");
    expect(exampleIdsAsParams("/2/tweets")).toBe("/2/tweets");
    expect(exampleIdsAsParams("/v1/kittens")).toBe("/v1/kittens");
  });
});
