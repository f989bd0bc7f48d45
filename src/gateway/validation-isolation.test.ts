import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "./test-upstream.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";

/**
 * One tenant's schema must not stall another tenant's requests: validation shares the
 * server's event loop, so a pattern that backtracks, a value nested deeper than the stack,
 * or a `$ref` cycle would hold every concurrent request (or answer 500). The real server
 * on loopback, a real upstream, and a second request timed while the first validates.
 */
describe.each(storeBackends)("validation cannot stall or crash the server on %s", (backend) => {
  let server: TestServer;
  let upstream: Upstream;

  const HOSTILE_PATTERN = "^(\\w|\\d)+$";
  const hostileInput = "1".repeat(29) + "!";
  const tree = { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } } };

  /** `body` is sent as JSON; a string is sent as it is (JSON.stringify itself overflows on very deep values). */
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };

  const timeMe = async () => {
    const started = performance.now();
    expect((await call("GET", "/v1/me")).status).toBe(200);
    return performance.now() - started;
  };

  /**
   * Starts `slow`, then times a `GET /v1/me` sent while it runs. The delay is that time less
   * the median of `GET /v1/me` alone: on a busy machine a lone request can take 100 ms too.
   */
  const delayOfMeDuring = async (slow: () => Promise<{ status: number }>) => {
    const alone = [await timeMe(), await timeMe(), await timeMe()].sort((a, b) => a - b)[1]!;
    const pending = slow();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const during = await timeMe();
    return { delay: during - alone, slow: await pending };
  };

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/search": { body: { ok: true } },
      "GET /api/profile": { body: { name: "a".repeat(29) + "!" } },
      "POST /api/comments": { status: 201, body: { id: 1 } },
    });
    server = await startTestServer(backend);
    const created = await call("POST", "/v1/integrations", {
      slug: "hostile",
      name: "hostile",
      baseUrl: `${upstream.url}/api`,
      authSchemes: [],
      actions: [
        {
          name: "search",
          method: "GET",
          path: "/search",
          inputSchema: { type: "object", properties: { q: { type: "string", pattern: HOSTILE_PATTERN, "x-waygate-in": "query" } } },
        },
        { name: "profile", method: "GET", path: "/profile", outputSchema: { type: "object", properties: { name: { type: "string", pattern: "^(a|a)*$" } } } },
        {
          name: "comments.create",
          method: "POST",
          path: "/comments",
          inputSchema: { type: "object", properties: { thread: { $ref: "#/$defs/node", "x-waygate-in": "body" } }, $defs: { node: tree } },
        },
        {
          name: "loop",
          method: "GET",
          path: "/search",
          inputSchema: { type: "object", properties: { q: { $ref: "#/$defs/A", "x-waygate-in": "query" } }, $defs: { A: { $ref: "#/$defs/B" }, B: { $ref: "#/$defs/A" } } },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("refuses a hostile input against a backtracking pattern without delaying a concurrent request by 100 ms", async () => {
    // Compiling the schema is one-time work per process; what is timed is the hostile value.
    expect((await call("POST", "/v1/invoke/hostile/search", { input: { q: "warm" } })).status).toBe(200);
    const { delay, slow } = await delayOfMeDuring(() => call("POST", "/v1/invoke/hostile/search", { input: { q: hostileInput } }));
    expect(slow.status).toBe(400);
    expect(delay).toBeLessThan(100);
    expect((await call("POST", "/v1/invoke/hostile/search", { input: { q: "abc123" } })).status).toBe(200);
  });

  it("validates a hostile upstream answer against a backtracking output pattern without delaying a concurrent request", async () => {
    upstream.route("GET /api/profile", { body: { name: "aaa" } });
    expect((await call("POST", "/v1/invoke/hostile/profile", {})).status).toBe(200);
    upstream.route("GET /api/profile", { body: { name: "a".repeat(29) + "!" } });
    const { delay, slow } = await delayOfMeDuring(() => call("POST", "/v1/invoke/hostile/profile", {}));
    expect(slow.status).toBe(200);
    expect(delay).toBeLessThan(100);
    const warned = await call("POST", "/v1/invoke/hostile/profile", {});
    expect(warned.headers.get("x-waygate-warning")).toContain("output.name");
  });

  it("answers 400 naming the depth bound to input nested deeper than a recursive schema may be validated", async () => {
    const levels = 10_000;
    const thread = '{"children":['.repeat(levels) + '{"children":[]}' + "]}".repeat(levels);
    const result = await call("POST", "/v1/invoke/hostile/comments.create", `{"input":{"thread":${thread}}}`);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ type: "https://waygate.dev/problems/invalid-input" });
    expect(JSON.stringify(result.body!.errors)).toMatch(/nested more than \d+ levels deep/);
    let shallow: Record<string, unknown> = { children: [] };
    for (let i = 0; i < 50; i++) shallow = { children: [shallow] };
    expect((await call("POST", "/v1/invoke/hostile/comments.create", { input: { thread: shallow } })).status).toBe(201);
  });

  it("runs an action whose schema has an unresolvable $ref cycle, with a warning instead of a 500", async () => {
    for (let i = 0; i < 2; i++) {
      const result = await call("POST", "/v1/invoke/hostile/loop", { input: { q: "x" } });
      expect(result.status).toBe(200);
      expect(result.headers.get("x-waygate-warning")).toContain("/$defs/A");
    }
  });
});
