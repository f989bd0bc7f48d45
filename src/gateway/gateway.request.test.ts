import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { PROBLEM_INVALID_INPUT } from "./problems.js";
import { actionOf, acmeIntegration, githubIntegration, startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";
import type { InvokeOptions, InvokeRequest } from "./types.js";
import { problemOf } from "./test-problem.js";

let upstream: Upstream;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startUpstream({
    "POST /api/items": { status: 201, body: { id: 7, name: "widget" } },
    "GET /api/items/a%20b%3Fc": { body: { id: 1, name: "spaced" } },
    "GET /api/search": { body: { ok: true } },
    "POST /api/files/docs": { status: 204 },
    "PUT /api/notes/5": { status: 204 },
    "POST /api/markdown/raw": { headers: { "content-type": "text/html" }, body: "<p>hi</p>" },
    "PUT /api/blobs/logo.png": { status: 204 },
    "POST /repos/octo/hello/issues": { status: 201, body: { id: 1, number: 42, title: "Bug" } },
  });
  gateway = new Gateway({ upstreams: "loopback" });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function invoke(action: string, input: unknown, options: InvokeOptions = {}) {
  const definition = acmeIntegration(upstream.url);
  const request: InvokeRequest = { integration: { slug: "acme", version: 1, baseUrl: definition.baseUrl, authSchemes: [] }, action: actionOf(definition, action), input, connection: null, options };
  return gateway.invoke(request);
}

describe("request building against a real upstream", () => {
  it("sends a JSON body, renamed query and header params and a cookie, and returns the upstream's answer", async () => {
    const result = await invoke("items.create", { name: "widget", tags: ["a", "b"], dryRun: true, requestId: "req-1", session: "s 1" });
    expect(result).toMatchObject({ status: 201, body: { id: 7, name: "widget" }, attempts: 1, nextPage: null, warnings: [] });
    expect(result.headers["content-type"]).toBe("application/json");
    const [sent] = upstream.hits("POST /api/items");
    expect(sent?.rawQuery).toBe("dry_run=true");
    expect(sent?.headers["x-request-id"]).toBe("req-1");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.cookies).toEqual({ session: "s%201" });
    expect(JSON.parse(sent!.body.toString())).toEqual({ name: "widget", tags: ["a", "b"] });
  });

  it("percent-encodes a path parameter so it stays one segment", async () => {
    const result = await invoke("items.get", { itemId: "a b?c" });
    expect(result.body).toEqual({ id: 1, name: "spaced" });
    expect(upstream.hits("GET /api/items/a%20b%3Fc")).toHaveLength(1);
  });

  it("keeps a value with slashes (a file path) in one segment by encoding them", async () => {
    await invoke("items.get", { itemId: "src/a.ts" }).catch(() => undefined); // the test upstream knows no such item
    expect(upstream.hits("GET /api/items/src%2Fa.ts")).toHaveLength(1);
  });

  it("serialises query arrays as repeated keys, pipeDelimited, deepObject, exploded form objects and JSON content params", async () => {
    await invoke("items.search", { status: ["open", "closed"], ids: [1, 2], filter: { color: "red" }, point: { x: 1, y: 2 }, where: { a: 1 }, q: "a&b=c" });
    const [sent] = upstream.hits("GET /api/search");
    expect(sent?.rawQuery).toBe("status=open&status=closed&ids=1|2&filter[color]=red&x=1&y=2&where=%7B%22a%22%3A1%7D&q=a%26b%3Dc");
  });

  it("sends multipart/form-data with file parts from format: binary and data: URLs", async () => {
    await invoke("files.upload", { folder: "docs", body: { file: "data:image/png;base64,iVBORw==", note: "first", meta: { a: 1 } } });
    const [sent] = upstream.hits("POST /api/files/docs");
    expect(sent?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const text = sent!.body.toString("latin1");
    expect(text).toContain('Content-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: image/png\r\n\r\n' + Buffer.from("iVBORw==", "base64").toString("latin1"));
    expect(text).toContain('name="note"\r\n\r\nfirst\r\n');
    expect(text).toContain('Content-Type: application/json\r\n\r\n{"a":1}\r\n');
  });

  it("sends application/x-www-form-urlencoded with repeated keys for arrays (RFC 3986 encoding, as qs and stripe-node do)", async () => {
    await invoke("notes.update", { noteId: 5, body: { text: "hello world & more", labels: ["x", "y"] } });
    const [sent] = upstream.hits("PUT /api/notes/5");
    expect(sent?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(sent?.body.toString()).toBe("text=hello%20world%20%26%20more&labels=x&labels=y");
    expect(Object.fromEntries(new URLSearchParams(sent!.body.toString()))).toEqual({ text: "hello world & more", labels: "y" });
  });

  it("sends a text/plain body as is and returns a text response as a string", async () => {
    const result = await invoke("markdown.render", { body: "# hi" });
    const [sent] = upstream.hits("POST /api/markdown/raw");
    expect(sent?.headers["content-type"]).toBe("text/plain");
    expect(sent?.body.toString()).toBe("# hi");
    expect(result.body).toBe("<p>hi</p>");
  });

  it("sends the bytes of a data: URL as an application/octet-stream body", async () => {
    await invoke("blobs.put", { name: "logo.png", body: "data:application/octet-stream;base64,AAEC/w==" });
    const [sent] = upstream.hits("PUT /api/blobs/logo.png");
    expect(sent?.headers["content-type"]).toBe("application/octet-stream");
    expect([...sent!.body]).toEqual([0, 1, 2, 255]);
  });

  it("builds GitHub's issues.create exactly as the importer defines it", async () => {
    const github = githubIntegration(upstream.url);
    const result = await gateway.invoke({
      integration: { slug: "github", version: 1, baseUrl: github.baseUrl, authSchemes: github.authSchemes },
      action: actionOf(github, "issues.create"),
      input: { owner: "octo", repo: "hello", title: "Bug", labels: ["bug"], assignees: ["mona"] },
      connection: { id: "c1", credentials: { type: "bearer", token: "ghp_secret_token" } },
      options: { validation: "warn" },
    });
    expect(result.status).toBe(201);
    // The canned reply is far smaller than GitHub's issue schema: validated against the real schema, reported, not fatal.
    expect(result.warnings).toContain("output does not match the schema: output.node_id is required");
    const [sent] = upstream.hits("POST /repos/octo/hello/issues");
    expect(sent?.headers["authorization"]).toBe("Bearer ghp_secret_token");
    expect(sent?.headers["user-agent"]).toMatch(/^waygate-gateway\//);
    expect(JSON.parse(sent!.body.toString())).toEqual({ title: "Bug", labels: ["bug"], assignees: ["mona"] });
  });
});

describe("refused input", () => {
  it.each([
    ["a parent-directory segment", "..", "must not be or contain a dot segment"],
    ["dot segments behind slashes", "../../admin", "must not be or contain a dot segment"],
    ["dot segments behind backslashes", "a\\..\\b", "must not be or contain a dot segment"],
    ["an empty value", "", "must not be empty"],
  ])("refuses %s in a path parameter with invalid-input, before calling upstream", async (_label, itemId, message) => {
    const before = upstream.received.length;
    const problem = await problemOf(invoke("items.get", { itemId }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_INPUT, status: 400 });
    expect(problem.errors?.[0]).toMatchObject({ field: "input.itemId" });
    expect(problem.errors?.[0]?.message).toContain(message);
    expect(upstream.received.length).toBe(before);
  });

  it("refuses CR/LF in a header parameter (header injection)", async () => {
    const problem = await problemOf(invoke("items.create", { name: "x", requestId: "a\r\nX-Admin: true" }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_INPUT, status: 400, errors: [{ field: "input.requestId", message: "must not contain CR, LF or NUL" }] });
  });

  it("refuses CR/LF in the idempotency key", async () => {
    const problem = await problemOf(invoke("items.create", { name: "x" }, { idempotencyKey: "k\nx" }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_INPUT, errors: [{ field: "options.idempotencyKey" }] });
  });

  it("reports one field error per schema violation", async () => {
    const problem = await problemOf(invoke("items.create", { name: "", tags: [1], extra: true, dryRun: "yes" }));
    expect(problem.type).toBe(PROBLEM_INVALID_INPUT);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: "input.name", message: "must NOT have fewer than 1 characters" },
        { field: "input.tags[0]", message: "must be string" },
        { field: "input.dryRun", message: "must be boolean" },
      ]),
    );
  });

  it("reports a missing required property by name", async () => {
    const problem = await problemOf(invoke("items.create", {}));
    expect(problem.errors).toEqual([{ field: "input.name", message: "is required" }]);
  });
});
