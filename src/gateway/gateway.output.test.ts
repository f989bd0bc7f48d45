import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "./gateway.js";
import { PROBLEM_INVALID_DEFINITION, PROBLEM_INVALID_MAPPING, PROBLEM_INVALID_OUTPUT } from "./problems.js";
import { actionOf, acmeIntegration, startUpstream } from "./test-upstream.js";
import type { Upstream } from "./test-upstream.js";
import type { ActionDefinition } from "../contract/integrations.js";
import type { InvokeOptions } from "./types.js";
import { problemOf } from "./test-problem.js";

let upstream: Upstream;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startUpstream({
    "GET /api/items/good": { headers: { etag: '"v1"', "set-cookie": "tracking=1", server: "secret-infra/1.2" }, body: { id: 1, name: "widget", owner: { login: "mona" }, internal: "x" } },
    "GET /api/items/bad": { body: { id: "one" } },
    "GET /api/items/broken": { headers: { "content-type": "application/json" }, body: '{"id": 1,' },
    "GET /api/items/missing": { status: 404, body: { message: "Not Found" } },
    "GET /api/items/moved": { status: 301, headers: { location: "https://example.com/elsewhere" } },
    "GET /api/list/cursor": { body: { data: [{ id: 1, secret: "s" }, { id: 2, secret: "t" }], next_cursor: null } },
  });
  gateway = new Gateway({ upstreams: "loopback" });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function invoke(itemId: string, options: InvokeOptions = {}, action: ActionDefinition = actionOf(acmeIntegration(upstream.url), "items.get")) {
  return gateway.invoke({ integration: { slug: "acme", version: 1, baseUrl: acmeIntegration(upstream.url).baseUrl, authSchemes: [] }, action, input: { itemId }, connection: null, options });
}

describe("output validation", () => {
  it("returns a matching body with only the safe headers", async () => {
    const result = await invoke("good", { validation: "strict" });
    expect(result.warnings).toEqual([]);
    expect(result.headers).toEqual({ "content-type": "application/json", etag: '"v1"' });
  });

  it("warns about schema violations by default and still returns the body", async () => {
    const result = await invoke("bad");
    expect(result.body).toEqual({ id: "one" });
    expect(result.warnings).toEqual(["output does not match the schema: output.name is required", "output does not match the schema: output.id must be integer"]);
  });

  it("answers invalid-output (502) with the violations in strict mode", async () => {
    const problem = await problemOf(invoke("bad", { validation: "strict" }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_OUTPUT, status: 502, errors: [{ field: "output.name", message: "is required" }, { field: "output.id", message: "must be integer" }] });
  });

  it("skips validation when it is off", async () => {
    expect((await invoke("bad", { validation: "off" })).warnings).toEqual([]);
  });

  it("returns malformed JSON as text with a warning, and refuses it in strict mode", async () => {
    const lenient = await invoke("broken");
    expect(lenient.body).toBe('{"id": 1,');
    expect(lenient.warnings).toEqual(["the upstream declared JSON but sent a body that does not parse; returned as text"]);
    expect((await problemOf(invoke("broken", { validation: "strict" }))).type).toBe(PROBLEM_INVALID_OUTPUT);
  });

  it("passes a redirect back without following it", async () => {
    const result = await invoke("moved");
    expect(result).toMatchObject({ status: 301, headers: { location: "https://example.com/elsewhere" } });
  });

  it("answers invalid-definition when the action's schema cannot be compiled", async () => {
    const action = { ...actionOf(acmeIntegration(upstream.url), "items.get"), inputSchema: { type: "object", properties: { itemId: { type: "no-such-type", "x-waygate-in": "path" } } } };
    const problem = await problemOf(invoke("good", {}, action));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_DEFINITION, status: 500 });
  });
});

describe("field mappings (RFC 6901 pointers)", () => {
  it("renames, moves and drops fields of the response body", async () => {
    const result = await invoke("good", {
      mappings: [
        { op: "rename", from: "/name", to: "/title" },
        { op: "move", from: "/owner/login", to: "/author" },
        { op: "drop", path: "/internal" },
        { op: "drop", path: "/not/there" },
      ],
    });
    expect(result.body).toEqual({ id: 1, title: "widget", owner: {}, author: "mona" });
  });

  it("applies mappings to each item when paginating", async () => {
    const action = actionOf(acmeIntegration(upstream.url), "items.listCursor");
    const result = await gateway.invoke({
      integration: { slug: "acme", version: 1, baseUrl: acmeIntegration(upstream.url).baseUrl, authSchemes: [] },
      action,
      input: {},
      connection: null,
      options: { paginate: {}, mappings: [{ op: "drop", path: "/secret" }, { op: "rename", from: "/id", to: "/key" }] },
    });
    expect(result.body).toEqual([{ key: 1 }, { key: 2 }]);
  });

  it.each([
    [{ op: "rename", from: "/name", to: "/__proto__/polluted" }],
    [{ op: "move", from: "/name", to: "/constructor/prototype/polluted" }],
    [{ op: "drop", path: "/owner/__proto__" }],
  ] as const)("refuses a prototype-polluting mapping %j before calling upstream", async (mapping) => {
    const before = upstream.received.length;
    const problem = await problemOf(invoke("good", { mappings: [mapping] }));
    expect(problem).toMatchObject({ type: PROBLEM_INVALID_MAPPING, status: 400 });
    expect(problem.detail).toMatch(/is refused/);
    expect(upstream.received.length).toBe(before);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
