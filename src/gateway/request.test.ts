import { describe, expect, it } from "vitest";
import { ActionDefinitionSchema } from "../contract/integrations.js";
import { dataUrl, decodeBody, Redactor, safeHeaders } from "./response.js";
import { PROBLEM_INVALID_DEFINITION, PROBLEM_INVALID_INPUT } from "./problems.js";
import { buildRequest, isUnderBase, parseBaseUrl, setQueryParam } from "./request.js";

const base = parseBaseUrl("https://api.example.com/v1/");

function action(path: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return ActionDefinitionSchema.parse({ name: "a.b", method: "POST", path, inputSchema: { type: "object", properties, ...extra } });
}

function problemOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return (error as { problem?: { type: string } }).problem;
  }
  throw new Error("did not throw");
}

describe("buildRequest", () => {
  it("joins the baseUrl prefix and the path, and leaves unset inputs out", () => {
    const built = buildRequest(action("/things/{id}", { id: { type: "string", "x-waygate-in": "path" }, q: { type: "string", "x-waygate-in": "query" } }), base, { id: "7" });
    expect(built.url.href).toBe("https://api.example.com/v1/things/7");
    expect(built.body).toBeNull();
  });

  it("refuses a definition whose path climbs out of the baseUrl", () => {
    expect(problemOf(() => buildRequest(action("/../admin", {}), base, {}))?.type).toBe(PROBLEM_INVALID_DEFINITION);
  });

  it("refuses input that would set framing headers (request smuggling)", () => {
    const definition = action("/x", { te: { type: "string", "x-waygate-in": "header", "x-waygate-name": "Transfer-Encoding" } });
    expect(problemOf(() => buildRequest(definition, base, { te: "chunked" }))?.type).toBe(PROBLEM_INVALID_INPUT);
  });

  it("sends the whole-body property as the body and everything else untouched", () => {
    const definition = action("/x", { body: { type: "array", "x-waygate-in": "body", "x-waygate-content-type": "application/json" } });
    const built = buildRequest(definition, base, { body: [1, 2] });
    expect(built.body).toEqual({ kind: "bytes", contentType: "application/json", data: "[1,2]" });
  });

  it("uses the root content type for flattened bodies (application/merge-patch+json)", () => {
    const definition = action("/x", { nickname: { type: "string", "x-waygate-in": "body" } }, { "x-waygate-content-type": "application/merge-patch+json" });
    expect(buildRequest(definition, base, { nickname: null }).body).toEqual({ kind: "bytes", contentType: "application/merge-patch+json", data: '{"nickname":null}' });
  });

  it("keeps URLs under the base origin and path prefix only", () => {
    expect(isUnderBase(new URL("https://api.example.com/v1/x"), base)).toBe(true);
    expect(isUnderBase(new URL("https://api.example.com/v10/x"), base)).toBe(false);
    expect(isUnderBase(new URL("http://api.example.com/v1/x"), base)).toBe(false);
    expect(isUnderBase(new URL("https://api.example.com.evil.net/v1/x"), base)).toBe(false);
  });

  it("replaces every occurrence of a query parameter", () => {
    const url = new URL("https://x/?a=1&b=2&a=3");
    setQueryParam(url, "a", "9");
    expect(url.search).toBe("?b=2&a=9");
  });
});

describe("responses", () => {
  it("decodes JSON, text, empty and binary bodies", () => {
    expect(decodeBody(Buffer.from('{"a":1}'), "application/vnd.api+json; charset=utf-8")).toEqual({ body: { a: 1 }, malformedJson: false, raw: null });
    expect(decodeBody(Buffer.from("<a/>"), "application/xml")).toEqual({ body: "<a/>", malformedJson: false, raw: { bytes: Buffer.from("<a/>"), contentType: "application/xml" } });
    expect(decodeBody(Buffer.alloc(0), "application/json")).toEqual({ body: null, malformedJson: false, raw: null });
    const png = decodeBody(Buffer.from([0, 255]), "image/png");
    expect(png).toEqual({ body: null, malformedJson: false, raw: { bytes: Buffer.from([0, 255]), contentType: "image/png" } });
    expect(dataUrl(png.raw!)).toBe("data:image/png;base64,AP8=");
    expect(decodeBody(Buffer.from('{"a":'), "application/json")).toMatchObject({ body: '{"a":', malformedJson: true, raw: { contentType: "text/plain; charset=utf-8" } });
  });

  it("passes on only the safe headers, with secrets redacted", () => {
    const redactor = new Redactor(["s3cr3t-value"]);
    expect(safeHeaders({ link: "<https://x/?key=s3cr3t-value>", "set-cookie": "a=b", server: "nginx", etag: "1" }, redactor)).toEqual({ link: "<https://x/?key=[redacted]>", etag: "1" });
  });

  it("redacts secrets inside parsed error bodies, keys included", () => {
    expect(new Redactor(["tok-123456"]).json({ message: "bad tok-123456", list: ["tok-123456"], "tok-123456": 1 })).toEqual({ message: "bad [redacted]", list: ["[redacted]"], "[redacted]": 1 });
  });
});
