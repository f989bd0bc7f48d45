import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { transpile } from "../codegen/support/compile.js";
import type { GeneratedModule } from "../codegen/support/load-client.js";
import type { TestDatabase } from "../support/stores.js";
import { runCli, startCliServer, startServerProcess, type ServerProcess } from "../support/cli.js";

describe("connections, invoke and the generated client against a real server and upstream", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let upstream: Upstream;
  let env: NodeJS.ProcessEnv;
  let apiKey: string;
  let connectionId: string;
  let work: string;

  beforeAll(async () => {
    upstream = await startUpstream({
      "GET /api/me": { body: { id: 7, login: "ada" } },
      "GET /api/items": (request) => {
        const page = Number(request.query.get("page") ?? "1");
        return { body: page < 3 ? { results: [{ n: page * 2 - 1 }, { n: page * 2 }] } : { results: [] } };
      },
      "GET /api/missing": { status: 404, body: { message: "Not Found" } },
    });
    ({ database, server, env, apiKey } = await startCliServer());
    work = mkdtempSync(path.join(tmpdir(), "waygate-gw-"));
    const definition = {
      slug: "crm",
      name: "CRM",
      baseUrl: `${upstream.url}/api`,
      authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
      actions: [
        { name: "me", method: "GET", path: "/me" },
        { name: "items.list", method: "GET", path: "/items", pagination: { strategy: "page", pageParam: "page", itemsPath: "/results" }, inputSchema: { type: "object", properties: { page: { type: "integer", "x-waygate-in": "query" } } } },
        { name: "missing.get", method: "GET", path: "/missing" },
      ],
    };
    writeFileSync(path.join(work, "crm.json"), JSON.stringify(definition));
    expect((await runCli(["integrations", "create", path.join(work, "crm.json")], { env })).code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await database?.drop();
  });

  it("creates a connection from stdin without echoing the secret anywhere", async () => {
    const created = await runCli(["connections", "create", "crm", "--type", "apiKey", "--json"], { env, stdin: "sk_test_stdin\n" });
    expect(created.code, created.stderr).toBe(0);
    connectionId = (JSON.parse(created.stdout) as { id: string }).id;
    const listed = await runCli(["connections", "list", "--json"], { env });
    const shown = await runCli(["connections", "show", connectionId], { env });
    for (const output of [created.stdout, created.stderr, listed.stdout, shown.stdout]) expect(output).not.toContain("sk_test_stdin");
    expect(shown.stdout).toMatch(/Auth:\s+apiKey/);
  });

  it("invokes an action and prints the upstream's body; --json adds the version and attempts", async () => {
    const plain = await runCli(["invoke", "crm", "me"], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual({ id: 7, login: "ada" });
    expect(upstream.hits("GET /api/me").at(-1)?.headers["x-api-key"]).toBe("sk_test_stdin");
    const json = await runCli(["invoke", "crm", "me", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 200, versionExecuted: 1, attempts: 1, body: { id: 7 } });
    const paged = await runCli(["invoke", "crm", "items.list", "--paginate", "--json"], { env });
    expect(JSON.parse(paged.stdout).body).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it("reaches only public addresses by default, even listening on loopback: the test upstream on 127.0.0.1 is refused", async () => {
    const strict = await startServerProcess(database.args, env);
    try {
      const before = upstream.received.length;
      const result = await runCli(["invoke", "crm", "me", "--json"], { env: { ...env, WAYGATE_API_URL: strict.url } });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stderr)).toMatchObject({ type: "https://waygate.dev/problems/upstream-unreachable", status: 502, detail: expect.stringContaining("non-public address 127.0.0.1") });
      expect(upstream.received.length).toBe(before);
    } finally {
      await strict.stop();
    }
  });

  it("fails clearly on bad input: invalid JSON, unknown action, unknown user, upstream 404", async () => {
    const badJson = await runCli(["invoke", "crm", "me", "--input", "{oops"], { env });
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toContain("--input is not valid JSON");
    expect((await runCli(["invoke", "crm", "nope"], { env })).code).toBe(3);
    const user = await runCli(["invoke", "crm", "me", "--user", "nobody"], { env });
    expect(user.code).toBe(3);
    expect(user.stderr).toContain('connection "nobody"');
    const missing = await runCli(["invoke", "crm", "missing.get", "--json"], { env });
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toMatchObject({ type: "https://waygate.dev/problems/upstream-error", upstream: { status: 404 } });
  });

  it("tests a connection, and keeps working across a key rotation on the live server", async () => {
    const test = await runCli(["connections", "test", connectionId], { env });
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toBe("OK: me answered 200.\n");
    const rotated = await runCli(["server", "rotate-key", ...database.args], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain("Re-sealed 1 connection secret(s)");
    const dataDir = database.args[1]!;
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(["encryption.key", "encryption.previous-keys"]));
    const after = await runCli(["invoke", "crm", "me"], { env });
    expect(after.code, after.stderr).toBe(0);
    expect(upstream.hits("GET /api/me").at(-1)?.headers["x-api-key"]).toBe("sk_test_stdin");
  });

  it("runs the generated client against the server: calls, typed errors and pagination", async () => {
    const project = mkdtempSync(path.join(tmpdir(), "waygate-gw-client-"));
    const generate = await runCli(["generate", "--out", path.join(project, "waygate")], { env, cwd: project });
    expect(generate.code, generate.stderr).toBe(0);
    const dir = path.join(project, "waygate");
    const files = new Map(readdirSync(dir).map((file) => [file, readFileSync(path.join(dir, file), "utf8")] as const));
    transpile(files, dir);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const client = (await import(pathToFileURL(path.join(dir, "index.js")).href)) as GeneratedModule;
    const mismatches: unknown[] = [];
    const wg = client.createWaygate({ apiKey, baseUrl: server.url, onVersionMismatch: (info: unknown) => mismatches.push(info) }) as {
      crm: { me(input?: unknown): Promise<unknown>; items: { list: { paginate(input?: unknown): AsyncIterable<unknown> } }; missing: { get(): Promise<unknown> } };
    };
    expect(await wg.crm.me({})).toEqual({ id: 7, login: "ada" });
    const items: unknown[] = [];
    for await (const item of wg.crm.items.list.paginate({})) items.push(item);
    expect(items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    const error = await wg.crm.missing.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(client.NotFoundError);
    expect((error as { problem: { upstream: { status: number } } }).problem.upstream.status).toBe(404);
    expect(mismatches).toEqual([]);

    const next = JSON.parse(readFileSync(path.join(work, "crm.json"), "utf8")) as { description?: string };
    next.description = "v2";
    writeFileSync(path.join(work, "crm-v2.json"), JSON.stringify(next));
    expect((await runCli(["integrations", "create", path.join(work, "crm-v2.json")], { env })).code).toBe(0);
    await wg.crm.me({});
    expect(mismatches).toEqual([expect.objectContaining({ integration: "crm", expected: 1, executed: 2 })]);
  });
  it("stores OAuth tokens from a file without echoing them, and refuses tokens without an access token", async () => {
    await runCli(["apps", "create", "oauth-app"], { env });
    const tokens = path.join(work, "tokens.json");
    writeFileSync(tokens, JSON.stringify({ accessToken: "at_from_file", refreshToken: "rt_from_file", expiresAt: "2099-01-01T00:00:00Z", scopes: ["read"] }));
    const created = await runCli(["connections", "create", "crm", "--app", "oauth-app", "--oauth-tokens", tokens, "--json"], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ authType: "oauth2", scopes: ["read"], expiresAt: "2099-01-01T00:00:00.000Z" });
    expect(created.stdout).not.toContain("at_from_file");
    expect(created.stdout).not.toContain("rt_from_file");
    const bad = path.join(work, "bad-tokens.json");
    writeFileSync(bad, JSON.stringify({ refreshToken: "rt_only" }));
    const refused = await runCli(["connections", "create", "crm", "--app", "oauth-app", "--user", "u2", "--oauth-tokens", bad], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("invalid credentials: accessToken");
    expect(refused.stderr).not.toContain("rt_only");
  });

  it("configures an integration's rate limit and an app's response mappings from the CLI", async () => {
    const set = await runCli(["integrations", "rate-limit", "crm", "--capacity", "5", "--per-second", "2"], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("bursts of 5, refilled at 2/s");
    expect(JSON.parse((await runCli(["integrations", "show", "crm", "--json"], { env })).stdout).rateLimit).toEqual({ capacity: 5, refillPerSecond: 2 });
    expect((await runCli(["integrations", "rate-limit", "crm"], { env })).code).toBe(2);
    expect((await runCli(["integrations", "rate-limit", "crm", "--clear"], { env })).stdout).toContain("no configured rate limit");

    expect((await runCli(["apps", "create", "web"], { env })).code).toBe(0);
    const mappings = path.join(work, "mappings.json");
    writeFileSync(mappings, JSON.stringify([{ op: "rename", from: "/login", to: "/username" }]));
    const settings = await runCli(["apps", "settings", "web", "crm", "--validation", "strict", "--mappings", mappings], { env });
    expect(settings.code, settings.stderr).toBe(0);
    expect(settings.stdout).toBe("Response validation: strict\nField mappings, in order:\n  rename /login → /username\n");
    expect((await runCli(["connections", "create", "crm", "--app", "web", "--key", "sk_web"], { env })).code).toBe(0);
    const invoked = await runCli(["invoke", "crm", "me", "--app", "web"], { env });
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({ id: 7, username: "ada" });
    expect(upstream.hits("GET /api/me").at(-1)?.headers["x-api-key"]).toBe("sk_web");
  });
});
