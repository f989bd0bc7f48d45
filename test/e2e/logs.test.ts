import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli, startServerProcess, type ServerProcess } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/stores.js";

const DOCUMENT = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Tasks", version: "1.0.0" },
  servers: [{ url: "https://tasks.example.com" }],
  paths: { "/tasks": { get: { operationId: "listTasks", responses: { "200": { description: "ok" } } } } },
});

/** The built server's stdout, as a log collector reads it when stdout is a pipe. */
describe("server logs", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let docs: Server;
  let docsUrl: string;
  let apiKey: string;
  let appSecret: string;
  let lines: Array<Record<string, unknown>>;
  let stdoutText: string;
  const requestIds: Record<string, string> = {};

  beforeAll(async () => {
    docs = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(DOCUMENT));
    await new Promise<void>((resolve) => docs.listen(0, "127.0.0.1", resolve));
    docsUrl = `http://127.0.0.1:${(docs.address() as AddressInfo).port}/openapi.json`;

    database = await createTestDatabase("sqlite");
    const env = isolatedEnv();
    const init = await runCli(["server", "init", "--json", ...database.args], { env });
    expect(init.code, init.stderr).toBe(0);
    apiKey = (JSON.parse(init.stdout) as { apiKey: string }).apiKey;
    server = await startServerProcess([...database.args, "--log-level", "debug"], env);

    const call = async (name: string, key: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      requestIds[name] = response.headers.get("x-request-id") ?? "";
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    await call("me", apiKey, "GET", "/v1/me");
    expect((await call("missing", apiKey, "GET", "/v1/integrations/nope?access_token=QUERY-SECRET-123")).status).toBe(404);
    await call("badKey", "wg_not_a_real_key_BADKEY-SECRET", "GET", "/v1/me");
    expect((await call("createApp", apiKey, "POST", "/v1/apps", { name: "body-marker-app" })).status).toBe(201);
    const created = await call("createAppKey", apiKey, "POST", "/v1/apps/body-marker-app/keys", { name: "ci" });
    appSecret = created.body.secret as string;
    expect((await call("appMe", appSecret, "GET", "/v1/me")).status).toBe(200);
    const job = await call("import", apiKey, "POST", "/v1/imports", { source: { url: `${docsUrl}?access_token=IMPORT-SECRET-456` }, slug: "tasks" });
    expect(job.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const state = await call("job", apiKey, "GET", `/v1/jobs/${String(job.body.id)}`);
      if (state.body.status === "succeeded" || state.body.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await call("health", apiKey, "GET", "/v1/health");
    expect(await server.stop()).toBe(0);
    stdoutText = server.stdout();
    const [first, ...rest] = stdoutText.trimEnd().split("\n");
    expect(first).toBe(server.url);
    lines = rest.map((line) => JSON.parse(line) as Record<string, unknown>);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await new Promise((resolve) => docs?.close(resolve));
  });

  const requestLine = (name: string) => {
    const found = lines.find((line) => line.msg !== undefined && line.requestId === requestIds[name]);
    if (!found) throw new Error(`no log line for request ${name} (${requestIds[name]}) in:\n${stdoutText}`);
    return found;
  };

  it("writes one JSON object per line after the URL, each with a level, time and message", () => {
    expect(lines.length).toBeGreaterThan(8);
    for (const line of lines) {
      expect(typeof line.level).toBe("string");
      expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false);
      expect(typeof line.msg).toBe("string");
    }
  });

  it("logs method, route template, status, duration, request id, tenant and app of each request", () => {
    const me = requestLine("me");
    expect(me).toMatchObject({ level: "info", method: "GET", route: "/v1/me", status: 200, appId: null });
    expect(me.tenantId).toEqual(expect.stringMatching(/\S/));
    expect(typeof me.durationMs).toBe("number");
    expect(requestLine("missing")).toMatchObject({ route: "/v1/integrations/{slug}", status: 404, tenantId: me.tenantId });
    expect(requestLine("badKey")).toMatchObject({ route: "/v1/me", status: 401, tenantId: null, appId: null });
    expect(requestLine("createApp")).toMatchObject({ method: "POST", route: "/v1/apps", status: 201 });
    const appMe = requestLine("appMe");
    expect(appMe).toMatchObject({ route: "/v1/me", status: 200, tenantId: me.tenantId });
    expect(appMe.appId).toEqual(expect.any(String));
    expect(requestLine("health")).toMatchObject({ level: "debug", route: "/v1/health", status: 200 });
  });

  it("logs the import job's start and success with its id", () => {
    const jobLines = lines.filter((line) => line.jobType === "import");
    expect(jobLines.map((line) => line.msg)).toEqual(["job started", "job succeeded"]);
    expect(jobLines[1]).toMatchObject({ level: "info", jobId: jobLines[0]!.jobId, tenantId: requestLine("me").tenantId });
  });

  it("never writes keys, query strings, bodies or the imported URL", () => {
    for (const secret of [apiKey, appSecret, "BADKEY-SECRET", "QUERY-SECRET-123", "IMPORT-SECRET-456", "body-marker-app", "access_token", docsUrl]) {
      expect(stdoutText).not.toContain(secret);
    }
    expect(server.stderr()).not.toContain(apiKey);
  });
});
