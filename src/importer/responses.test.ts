import { describe, expect, it } from "vitest";
import { importDocument } from "./index.js";

/** Imports an inline document and returns each action's `responseType` (absent: JSON). */
async function responseTypes(document: object): Promise<Record<string, string | undefined>> {
  const outcome = await importDocument({ kind: "content", content: Buffer.from(JSON.stringify(document)), filename: "api.json" }, {});
  if (outcome.kind !== "imported") throw new Error(`expected an import, got ${JSON.stringify(outcome.error)}`);
  return Object.fromEntries(outcome.definition.actions.map((action) => [action.name, action.responseType]));
}

const ok = (content: Record<string, unknown>) => ({ "200": { description: "ok", content } });

describe("responseType: what the success response's body is", () => {
  it("OpenAPI 3: JSON stays absent, 204 is empty, text/* is text, other media and format: binary are binary", async () => {
    const types = await responseTypes({
      openapi: "3.1.0",
      info: { title: "Media", version: "1" },
      servers: [{ url: "https://media.example.com" }],
      paths: {
        "/json": { get: { operationId: "json", responses: ok({ "application/json": { schema: { type: "object" } } }) } },
        "/problem": { get: { operationId: "vendorJson", responses: ok({ "application/vnd.api+json": { schema: { type: "object" } } }) } },
        "/gone": { delete: { operationId: "gone", responses: { "204": { description: "deleted" }, "404": { description: "missing" } } } },
        "/created": { post: { operationId: "created", responses: { "201": { description: "made", content: { "application/json": { schema: { type: "object" } } } }, "204": { description: "nothing" } } } },
        "/csv": { get: { operationId: "csv", responses: ok({ "text/csv": { schema: { type: "string" } } }) } },
        "/html": { get: { operationId: "html", responses: ok({ "text/html; charset=utf-8": {} }) } },
        "/pdf": { get: { operationId: "pdf", responses: ok({ "application/pdf": { schema: { type: "string", format: "binary" } } }) } },
        "/image": { get: { operationId: "image", responses: ok({ "image/png": {} }) } },
        "/any": { get: { operationId: "anyBinary", responses: ok({ "*/*": { schema: { type: "string", format: "binary" } } }) } },
        "/nothing": { get: { operationId: "undeclared", responses: { "200": { description: "ok" } } } },
        "/json-or-csv": { get: { operationId: "jsonFirst", responses: ok({ "text/csv": {}, "application/json": { schema: { type: "array" } } }) } },
      },
    });
    expect(types).toEqual({
      anyBinary: "binary",
      created: undefined,
      csv: "text",
      gone: "empty",
      html: "text",
      image: "binary",
      json: undefined,
      jsonFirst: undefined,
      pdf: "binary",
      undeclared: undefined,
      vendorJson: undefined,
    });
  });

  it("Swagger 2: produces decides, 204 is empty", async () => {
    const types = await responseTypes({
      swagger: "2.0",
      info: { title: "Media", version: "1" },
      host: "media.example.com",
      schemes: ["https"],
      paths: {
        "/json": { get: { operationId: "json", produces: ["application/json"], responses: { "200": { description: "ok", schema: { type: "object" } } } } },
        "/file": { get: { operationId: "file", produces: ["application/octet-stream"], responses: { "200": { description: "ok", schema: { type: "file" } } } } },
        "/text": { get: { operationId: "text", produces: ["text/plain"], responses: { "200": { description: "ok", schema: { type: "string" } } } } },
        "/gone": { delete: { operationId: "gone", responses: { "204": { description: "deleted" } } } },
      },
    });
    expect(types).toEqual({ file: "binary", gone: "empty", json: undefined, text: "text" });
  });
});
