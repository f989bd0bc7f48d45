import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionDefinition, IntegrationDefinition } from "../contract/integrations.js";
import { importDocument } from "../importer/index.js";
import { Gateway } from "./gateway.js";
import { PROBLEM_INVALID_INPUT } from "./problems.js";
import { parseMultipart, type ReceivedPart } from "./test-multipart.js";
import { problemOf } from "./test-problem.js";
import { startUpstream, type Upstream } from "./test-upstream.js";

/**
 * Multipart bodies with the OpenAPI Encoding Object's part headers (§4.8.15, the spec's own
 * `profileImage` example): imported from a document, sent by the gateway, read back by an
 * upstream that parses the body with a multipart parser (multiparty), part by part.
 */
const partHeaders = {
  "X-Rate-Limit-Limit": { description: "The number of allowed requests in the current period", required: true, schema: { type: "integer" } },
  "X-Trace": { schema: { type: "string", default: "none" } },
  "Content-Type": { schema: { type: "string" } },
};

const spec = {
  openapi: "3.1.0",
  info: { title: "Profiles", version: "1" },
  servers: [{ url: "https://profiles.example.com" }],
  paths: {
    "/profiles": {
      post: {
        operationId: "profiles.create",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["id", "profileImage"],
                properties: {
                  id: { type: "string" },
                  profileImage: { type: "string", format: "binary" },
                  historyMetadata: { type: "object", properties: { visits: { type: "integer" } } },
                },
              },
              encoding: {
                profileImage: { contentType: "image/png", headers: partHeaders },
                historyMetadata: { contentType: "application/json", headers: { "X-Origin": { $ref: "#/components/headers/Origin" } } },
              },
            },
          },
        },
        responses: { "200": { description: "what the upstream parsed" } },
      },
    },
    "/albums/{id}/photos": {
      post: {
        operationId: "albums.addPhoto",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: {
          content: {
            "multipart/form-data": {
              // A body field named like the path parameter: the body stays whole, under `body`.
              schema: { type: "object", properties: { id: { type: "string" }, photo: { type: "string", format: "binary" } } },
              encoding: { photo: { headers: { "Content-ID": { required: true, schema: { type: "string" } } } } },
            },
          },
        },
        responses: { "200": { description: "what the upstream parsed" } },
      },
    },
  },
  components: { headers: { Origin: { schema: { type: "string", const: "waygate" } } } },
};

let upstream: Upstream;
let gateway: Gateway;
let definition: IntegrationDefinition;

beforeAll(async () => {
  const parsed = async (request: { headers: Record<string, unknown>; body: Buffer }) => ({ body: await parseMultipart(String(request.headers["content-type"]), request.body) });
  upstream = await startUpstream({ "POST /profiles": parsed, "POST /albums/a1/photos": parsed });
  gateway = new Gateway({ upstreams: "loopback" });
  const outcome = await importDocument({ kind: "content", content: JSON.stringify(spec), filename: "profiles.json" }, { serverUrl: upstream.url });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  definition = outcome.definition;
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function action(name: string): ActionDefinition {
  const found = definition.actions.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no action ${name}: ${definition.actions.map((a) => a.name).join(", ")}`);
  return found;
}

async function invoke(name: string, input: Record<string, unknown>): Promise<ReceivedPart[]> {
  const result = await gateway.invoke({
    integration: { slug: definition.slug, version: 1, baseUrl: definition.baseUrl, authSchemes: definition.authSchemes },
    action: action(name),
    input,
    connection: null,
    options: {},
  });
  expect(result.status).toBe(200);
  return result.body as ReceivedPart[];
}

const png = "data:image/png;base64,iVBORw0KGgo=";

describe("multipart part headers (OpenAPI Encoding Object headers)", () => {
  it("imports them as the partHeaders input, by part name, Content-Type left to the part's contentType", () => {
    const properties = action("profiles.create").inputSchema["properties"] as Record<string, Record<string, unknown>>;
    expect(properties["partHeaders"]).toMatchObject({
      type: "object",
      "x-waygate-in": "part-headers",
      additionalProperties: false,
      properties: {
        profileImage: {
          type: "object",
          properties: { "X-Rate-Limit-Limit": { type: "integer", description: "The number of allowed requests in the current period" }, "X-Trace": { type: "string", default: "none" } },
          required: ["X-Rate-Limit-Limit"],
          additionalProperties: false,
        },
        historyMetadata: { properties: { "X-Origin": { type: "string", const: "waygate" } } },
      },
    });
    const profileImage = (properties["partHeaders"]!["properties"] as Record<string, { properties: object }>)["profileImage"]!;
    expect(Object.keys(profileImage.properties)).not.toContain("Content-Type");
  });

  it("sends each part's headers with the part: the caller's values, then the schema's const and default", async () => {
    const parts = await invoke("profiles.create", {
      id: "p1",
      profileImage: png,
      historyMetadata: { visits: 3 },
      partHeaders: { profileImage: { "X-Rate-Limit-Limit": 100 } },
    });
    expect(parts.map((part) => part.name)).toEqual(["id", "profileImage", "historyMetadata"]);
    const [id, image, history] = parts;
    expect(id).toMatchObject({ value: "p1" });
    expect(id!.headers).toEqual({ "content-disposition": 'form-data; name="id"' });
    expect(image).toMatchObject({ filename: "profileImage", value: Buffer.from("iVBORw0KGgo=", "base64").toString("latin1") });
    expect(image!.headers).toEqual({
      "content-disposition": 'form-data; name="profileImage"; filename="profileImage"',
      "content-type": "image/png",
      "x-rate-limit-limit": "100",
      "x-trace": "none",
    });
    expect(history!.headers).toMatchObject({ "content-type": "application/json", "x-origin": "waygate" });
    expect(JSON.parse(history!.value)).toEqual({ visits: 3 });
  });

  it("sends no headers for a part that is not sent, and refuses a missing required one before calling upstream", async () => {
    const parts = await invoke("profiles.create", { id: "p2", profileImage: png, partHeaders: { profileImage: { "X-Rate-Limit-Limit": 5, "X-Trace": "t-1" } } });
    expect(parts.map((part) => [part.name, part.headers["x-trace"] ?? null])).toEqual([
      ["id", null],
      ["profileImage", "t-1"],
    ]);
    const before = upstream.received.length;
    const problem = await problemOf(invoke("profiles.create", { id: "p3", profileImage: png }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_INPUT, status: 400, errors: [{ field: "input.partHeaders.profileImage.X-Rate-Limit-Limit", message: "is required" }] });
    expect(problem.detail).toContain('when the part "profileImage" is sent');
    expect(upstream.received.length).toBe(before);
  });

  it("refuses a line break in a part header value (header injection inside the body)", async () => {
    const problem = await problemOf(invoke("profiles.create", { id: "p4", profileImage: png, partHeaders: { profileImage: { "X-Rate-Limit-Limit": 1, "X-Trace": "a\r\nX-Admin: yes" } } }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_INPUT, errors: [{ field: "input.partHeaders.profileImage.X-Trace", message: "must not contain CR, LF or NUL" }] });
  });

  it("sends them for a body kept whole under `body` too", async () => {
    const properties = action("albums.addPhoto").inputSchema["properties"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties).sort()).toEqual(["body", "id", "partHeaders"]);
    const parts = await invoke("albums.addPhoto", { id: "a1", body: { id: "x9", photo: png }, partHeaders: { photo: { "Content-ID": "<photo-1@example.com>" } } });
    expect(parts.map((part) => [part.name, part.headers["content-id"] ?? null])).toEqual([
      ["id", null],
      ["photo", "<photo-1@example.com>"],
    ]);
  });
});
