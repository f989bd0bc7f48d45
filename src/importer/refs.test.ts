import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/integrations.js";
import { importDocument } from "./index.js";
import { FIXTURES, fixture, startServer } from "./test-server.js";
import type { TestServer } from "./test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    "/redirect": { status: 302, headers: { location: "/specs/petstore-3.1.json" } },
    "/loop": { status: 302, headers: { location: "/loop" } },
  });
});
afterAll(() => server.close());

describe("external $refs", () => {
  it("follows relative file refs from a URL source (parameters, responses, whole-file schemas, cycles across files)", async () => {
    const outcome = await importDocument({ kind: "url", url: `${server.url}/specs/external/root.yaml` }, { allowPrivateNetwork: true });
    if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
    IntegrationDefinitionSchema.parse(outcome.definition);
    expect(outcome.stats.documents).toBe(4);
    expect(server.hits).toEqual(expect.arrayContaining(["/specs/external/root.yaml", "/specs/external/common.yaml", "/specs/external/schemas/pet.yaml", "/specs/external/schemas/owner.json"]));
    const list = outcome.definition.actions[0]!;
    expect(list.name).toBe("listPets");
    expect(list.inputSchema["properties"]).toEqual({ limit: { type: "integer", "x-waygate-in": "query" } });
    expect(list.outputSchema).toEqual({
      type: "array",
      items: { $ref: "#/$defs/pet" },
      $defs: {
        owner: { type: "object", properties: { name: { type: "string" }, pets: { type: "array", items: { $ref: "#/$defs/pet" } } } },
        pet: { type: "object", properties: { name: { type: "string" }, owner: { $ref: "#/$defs/owner" } } },
      },
    });
    expect(list.errors["500"]).toEqual({ $ref: "#/$defs/Error", $defs: { Error: { type: "object", properties: { message: { type: "string" } } } }, description: "Server error" });
  });

  it("refuses relative file refs in content without baseUrl/baseDir, naming the ref and pointer", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("external/root.yaml"), filename: "root.yaml" });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "ref_not_allowed", location: { source: "root.yaml", pointer: expect.stringMatching(/^\/paths\/~1pets\/get\//) } } });
    if (outcome.kind === "failed") expect(outcome.error.message).toMatch(/\$ref "common\.yaml#\/\w+\/\w+" points to another document/);
  });

  it("resolves content refs against baseUrl", async () => {
    const outcome = await importDocument(
      { kind: "content", content: await fixture("external/root.yaml"), filename: "root.yaml" },
      { baseUrl: `${server.url}/specs/external/root.yaml`, allowPrivateNetwork: true },
    );
    expect(outcome).toMatchObject({ kind: "imported", stats: { documents: 4 } });
  });

  it("reads refs from files under baseDir and refuses to leave it", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("external/root.yaml"), filename: "root.yaml" }, { baseDir: FIXTURES + "external" });
    expect(outcome).toMatchObject({ kind: "imported", stats: { documents: 4 } });
    const escape = `openapi: 3.0.0
info: { title: t, version: "1" }
servers: [{ url: https://x.example.com }]
paths:
  /x:
    get:
      responses:
        "200": { description: ok, content: { application/json: { schema: { $ref: "../petstore-3.0.yaml#/components/schemas/Pet" } } } }
`;
    const refused = await importDocument({ kind: "content", content: escape, filename: "root.yaml" }, { baseDir: FIXTURES + "external" });
    expect(refused).toMatchObject({ kind: "failed", error: { code: "ref_not_allowed" } });
  });

  it("enforces maxDocuments", async () => {
    const outcome = await importDocument({ kind: "url", url: `${server.url}/specs/external/root.yaml` }, { allowPrivateNetwork: true, limits: { maxDocuments: 2 } });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "document_limit" } });
  });

  it("refuses dangling refs by default, naming the first one's pointer and the flag", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("adversarial/ref-loop.yaml"), filename: "ref-loop.yaml" });
    expect(outcome).toMatchObject({
      kind: "failed",
      error: { code: "dangling_ref", message: expect.stringMatching(/Missing.*and 1 more dangling \$ref.*--allow-dangling-refs/), location: { source: "ref-loop.yaml", pointer: "/paths/~1a/get/parameters/1" } },
    });
  });

  it("with allowDanglingRefs, warns (not fails) on dangling refs and ref chains that loop", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("adversarial/ref-loop.yaml"), filename: "ref-loop.yaml" }, { allowDanglingRefs: true });
    if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
    expect(outcome.warnings.map((w) => w.code).sort()).toEqual(["circular_ref", "unresolved_ref", "unresolved_ref"]);
    expect(outcome.warnings.find((w) => w.message.includes("Nowhere"))?.location).toEqual({ source: "ref-loop.yaml", pointer: "/paths/~1a/get/responses/200/content/application~1json/schema/$ref" });
    expect(outcome.definition.actions[0]!.outputSchema).toEqual({});
  });

  it("enforces maxRefCount", async () => {
    const outcome = await importDocument({ kind: "content", content: await fixture("petstore-3.0.yaml") }, { limits: { maxRefCount: 3 } });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "ref_limit" } });
  });
});

describe("fetching", () => {
  it("refuses a loopback URL unless allowPrivateNetwork is set", async () => {
    const url = `${server.url}/specs/petstore-3.1.json`;
    const before = server.hits.length;
    const refused = await importDocument({ kind: "url", url });
    expect(refused).toMatchObject({ kind: "failed", error: { code: "private_network", location: { source: url } } });
    expect(server.hits.length).toBe(before); // refused before any request was sent
    const allowed = await importDocument({ kind: "url", url }, { allowPrivateNetwork: true });
    expect(allowed).toMatchObject({ kind: "imported", format: "openapi" });
  });

  it("refuses private, link-local and localhost targets for $ref URLs too", async () => {
    for (const target of ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/spec.json", "http://localhost/x.json", "http://[::1]/x.json", "http://[::ffff:127.0.0.1]/x.json"]) {
      const spec = { openapi: "3.1.0", info: { title: "t", version: "1" }, servers: [{ url: "https://x.example.com" }], paths: { "/x": { get: { responses: { "200": { description: "", content: { "application/json": { schema: { $ref: target } } } } } } } } };
      const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec) });
      expect(outcome, target).toMatchObject({ kind: "failed", error: { code: "private_network" } });
    }
  });

  it("refuses non-http schemes", async () => {
    expect(await importDocument({ kind: "url", url: "file:///etc/passwd" })).toMatchObject({ kind: "failed", error: { code: "unsupported_url" } });
    expect(await importDocument({ kind: "url", url: "not a url" })).toMatchObject({ kind: "failed", error: { code: "unsupported_url" } });
  });

  it("follows redirects, re-checking each hop, and stops at maxRedirects", async () => {
    const redirected = await importDocument({ kind: "url", url: `${server.url}/redirect` }, { allowPrivateNetwork: true });
    expect(redirected).toMatchObject({ kind: "imported", definition: { slug: "petstore-3-1" } });
    const looping = await importDocument({ kind: "url", url: `${server.url}/loop` }, { allowPrivateNetwork: true, limits: { maxRedirects: 3 } });
    expect(looping).toMatchObject({ kind: "failed", error: { code: "too_many_redirects" } });
  });

  it("trusts the content over a wrong content type (a JSON spec served as text/html)", async () => {
    const mislabeled = await startServer({ "/spec": { body: await fixture("petstore-3.1.json"), type: "text/html" } });
    try {
      const outcome = await importDocument({ kind: "url", url: `${mislabeled.url}/spec` }, { allowPrivateNetwork: true });
      expect(outcome).toMatchObject({ kind: "imported", format: "openapi" });
    } finally {
      await mislabeled.close();
    }
  });

  it("fails with the HTTP status for a missing document", async () => {
    const outcome = await importDocument({ kind: "url", url: `${server.url}/specs/missing.json` }, { allowPrivateNetwork: true });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "fetch_refused", message: expect.stringContaining("HTTP 404") } });
  });

  it("times out a slow server and caps the body size", async () => {
    const slow = await startServer({ "/slow": { delayMs: 2_000, body: "{}" }, "/big": { body: "x".repeat(5000), type: "application/json" } });
    try {
      const timedOut = await importDocument({ kind: "url", url: `${slow.url}/slow` }, { allowPrivateNetwork: true, limits: { requestTimeoutMs: 200 } });
      expect(timedOut).toMatchObject({ kind: "failed", error: { code: "timeout" } });
      const big = await importDocument({ kind: "url", url: `${slow.url}/big` }, { allowPrivateNetwork: true, limits: { maxDocumentBytes: 1000 } });
      expect(big).toMatchObject({ kind: "failed", error: { code: "too_large" } });
    } finally {
      await slow.close();
    }
  });

  it("honours an abort signal", async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await importDocument({ kind: "url", url: `${server.url}/specs/petstore-3.1.json` }, { allowPrivateNetwork: true, signal: controller.signal });
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "aborted" } });
  });
});
