import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { isolatedEnv, runCli, startServerProcess, type ServerProcess } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/stores.js";

/** 8 MB of JSON a page: 4 000 items of 2 KB (so maxItems allows 25 pages), and the next page's cursor. */
const ITEMS = Buffer.from(JSON.stringify({ data: Array.from({ length: 4_000 }, (_, id) => ({ id, text: "x".repeat(2_000) })) }).slice(0, -1));
const page = (cursor: number) => Buffer.concat([ITEMS, Buffer.from(`,"next":"${cursor + 1}"}`)]);

/**
 * One paginated invoke against an upstream with endless 8 MB pages, on a server whose heap
 * is capped: before the collected-bytes limit, about 20 pages answered a 168 MB body and
 * 74 pages took down a server with a 600 MB heap.
 */
describe("a paginated invoke on a server with a bounded heap", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let upstream: Upstream;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    upstream = await startUpstream({ "GET /api/rows": (request) => ({ headers: { "content-type": "application/json" }, body: page(Number(request.query.get("cursor") ?? "0")) }) });
    database = await createTestDatabase("sqlite");
    env = isolatedEnv({ NODE_OPTIONS: "--max-old-space-size=200" });
    const init = await runCli(["server", "init", "--json", "--tenant", "Acme", ...database.args], { env });
    expect(init.code, init.stderr).toBe(0);
    const { apiKey } = JSON.parse(init.stdout) as { apiKey: string };
    server = await startServerProcess([...database.args, "--allow-private-upstreams"], env);
    env = { ...env, WAYGATE_API_URL: server.url, WAYGATE_API_KEY: apiKey };
    const definition = {
      slug: "rows",
      name: "Rows",
      baseUrl: `${upstream.url}/api`,
      actions: [
        {
          name: "rows.list",
          method: "GET",
          path: "/rows",
          inputSchema: { type: "object", properties: { cursor: { type: "string", "x-waygate-in": "query" } } },
          pagination: { strategy: "cursor", cursorParam: "cursor", nextCursorPath: "/next", itemsPath: "/data" },
        },
      ],
    };
    const created = await fetch(`${server.url}/v1/integrations`, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(definition) });
    expect(created.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await database?.drop();
  });

  it("stops collecting at the server's limit with a problem that says how to continue, and stays up", async () => {
    const response = await fetch(`${server.url}/v1/invoke/rows/rows.list`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.WAYGATE_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ paginate: { maxPages: 1000, maxItems: 100_000 } }),
    });
    const problem = (await response.json()) as { type: string; collected: { pages: number }; nextPage: string; detail: string };
    expect(response.status).toBe(507);
    expect(problem).toMatchObject({ type: "https://waygate.dev/problems/collection-too-large", collected: { pages: 4 } });
    expect(problem.nextPage).toBeTruthy();
    expect(upstream.hits("GET /api/rows")).toHaveLength(5);
    const health = await fetch(`${server.url}/v1/health`);
    expect(health.status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
