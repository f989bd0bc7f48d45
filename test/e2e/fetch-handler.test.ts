import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler, type FetchHandler } from "../../src/server/fetch-handler.js";
import { spawn } from "node:child_process";
import { BIN, isolatedEnv } from "../support/cli.js";
import { Sealer } from "../../src/lib/sealer.js";
import { Store } from "../../src/store/index.js";
import { createSchedule } from "../../src/services/schedules.js";
import { createTestDatabase, storeBackends, type TestDatabase } from "../support/stores.js";

// Declared only where Postgres is configured (the handler runs on Postgres alone).
const onPostgres = storeBackends.includes("postgres") ? describe : () => {};

onPostgres("the fetch handler (serverless entry point) on Postgres, end to end", () => {
  let database: TestDatabase;
  let upstream: Server;
  let upstreamUrl: string;
  let handler: FetchHandler;
  let tenantKey: string;
  let otherTenant: { id: string; key: string };
  let encryptionKey: string;
  const tickSecret = randomBytes(32).toString("hex");
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      if (request.url === "/openapi.json") {
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            openapi: "3.0.3",
            info: { title: "Tasks", version: "1.0.0" },
            servers: [{ url: upstreamUrl }],
            paths: { "/tasks": { get: { operationId: "listTasks", responses: { "200": { description: "ok" } } } } },
          }),
        );
      } else if (request.url === "/tasks") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ id: 1, title: "ship it" }]));
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    database = await createTestDatabase("postgres");
    const key = randomBytes(32);
    encryptionKey = key.toString("base64");
    // The operator's steps before deploying: migrate, then create a tenant and its key.
    const admin = await Store.open(database.location, { sealer: async () => new Sealer(key) });
    const tenant = await admin.tenants.create("Acme");
    tenantKey = (await admin.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    const globex = await admin.tenants.create("Globex");
    otherTenant = { id: globex.id, key: (await admin.keys.issue({ tenantId: globex.id, kind: "tenant" })).secret };
    await admin.close();

    const databaseUrl = database.args[1]!;
    handler = createFetchHandler({
      env: { WAYGATE_DATABASE_URL: databaseUrl, WAYGATE_ENCRYPTION_KEY: key.toString("base64"), WAYGATE_MIGRATE: "false", WAYGATE_UPSTREAMS: "loopback", WAYGATE_ALLOW_PRIVATE_IMPORTS: "true", WAYGATE_TICK_SECRET: tickSecret },
      logger: {
        debug: () => {},
        info: (fields, msg) => logLines.push({ ...fields, msg }),
        warn: (fields, msg) => logLines.push({ ...fields, msg }),
        error: (fields, msg) => logLines.push({ ...fields, msg }),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await handler?.close();
    await database?.drop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  /** A request with `bearer` (Acme's tenant key unless given) as `Authorization: Bearer`. */
  const callAs = async (bearer: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const request = new Request(`https://waygate.example.com${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await handler.fetch(request);
    expect(response).toBeInstanceOf(Response);
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const call = (method: string, path: string, body?: unknown) => callAs(tenantKey, method, path, body);

  it("answers health, readiness and who-am-i from Request objects", async () => {
    expect((await call("GET", "/v1/health")).status).toBe(200);
    const ready = await call("GET", "/v1/health/ready");
    expect(ready, JSON.stringify(ready.body)).toMatchObject({ status: 200, body: { status: "ready" } });
    expect(await call("GET", "/v1/me")).toMatchObject({ status: 200, body: { tenant: { name: "Acme" } } });
  });

  it("queues an import that runs only when the tick is called, then invokes the imported action upstream", async () => {
    const queued = await call("POST", "/v1/imports", { source: { url: `${upstreamUrl}/openapi.json` }, slug: "tasks" });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    const jobId = String(queued.body.id);
    // Nothing runs in the background: the job waits for a tick.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call("GET", `/v1/jobs/${jobId}`)).body.status).toBe("queued");

    const tick = await call("POST", "/v1/jobs/tick", { budgetMs: 20_000 });
    expect(tick).toEqual({ status: 200, body: { ran: 1, succeeded: 1, failed: 0, requeued: 0, budgetExhausted: false } });
    expect((await call("GET", `/v1/jobs/${jobId}`)).body.status).toBe("succeeded");
    expect(await call("POST", "/v1/jobs/tick", {})).toMatchObject({ status: 200, body: { ran: 0 } });

    const invoked = await call("POST", "/v1/invoke/tasks/listTasks", { input: {} });
    expect(invoked.status, JSON.stringify(invoked.body)).toBe(200);
    expect(invoked.body).toEqual([{ id: 1, title: "ship it" }]);
    // Invokes report to the same monitor as on servers: the call counts in drift reports' impact ("recently called").
    const observer = await Store.open(database.location, { sealer: async () => new Sealer(Buffer.from(encryptionKey, "base64")) });
    try {
      const integration = (await observer.integrations.find((await observer.tenants.list())[0]!.id, "tasks"))!;
      await expect.poll(async () => [...((await observer.drift.recentCalls(integration.id, new Date(Date.now() - 60_000).toISOString())).get("") ?? [])]).toEqual(["listTasks"]);
    } finally {
      await observer.close();
    }

    expect(logLines.map((line) => line.msg)).toEqual(expect.arrayContaining(["job started", "job succeeded", "request"]));
    expect(logLines.find((line) => line.route === "/v1/jobs/tick")).toMatchObject({ status: 200, method: "POST" });
  }, 60_000);

  it("leaves queued jobs to a `waygate server worker` process on the same database", async () => {
    const queued = await call("POST", "/v1/imports", { source: { url: `${upstreamUrl}/openapi.json` }, slug: "tasks-again" });
    expect(queued.status).toBe(202);
    const worker = spawn(process.execPath, [BIN, "server", "worker", "--database-url", database.args[1]!], {
      env: isolatedEnv({ WAYGATE_ENCRYPTION_KEY: encryptionKey, WAYGATE_ALLOW_PRIVATE_IMPORTS: "true" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    worker.stdout.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => worker.on("close", resolve));
    try {
      let status: unknown;
      for (let i = 0; i < 150 && status !== "succeeded" && status !== "failed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await call("GET", `/v1/jobs/${String(queued.body.id)}`)).body.status;
      }
      expect(status, stdout).toBe("succeeded");
    } finally {
      worker.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(["worker started", "job started", "job succeeded"]);
  }, 60_000);

  it("refuses the tick to app keys (403) and to callers without a key (401)", async () => {
    const response = await handler.fetch(new Request("https://waygate.example.com/v1/jobs/tick", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect(response.status).toBe(401);
    expect((await call("POST", "/v1/apps", { name: "web" })).status).toBe(201);
    const appKey = String((await call("POST", "/v1/apps/web/keys", { name: "fn" })).body.secret);
    const asApp = await handler.fetch(new Request("https://waygate.example.com/v1/jobs/tick", { method: "POST", headers: { authorization: `Bearer ${appKey}`, "content-type": "application/json" }, body: "{}" }));
    expect(asApp.status).toBe(403);
  });

  it("a tenant key's tick runs that tenant's due jobs and schedules alone; the operator's tick secret runs every tenant's and opens nothing else", async () => {
    const acmeJob = await call("POST", "/v1/imports", { source: { url: `${upstreamUrl}/openapi.json` }, slug: "tasks-acme" });
    const globexJob = await callAs(otherTenant.key, "POST", "/v1/imports", { source: { url: `${upstreamUrl}/openapi.json` }, slug: "tasks-globex" });
    expect([acmeJob.status, globexJob.status]).toEqual([202, 202]);
    const globexStatus = async () => (await callAs(otherTenant.key, "GET", `/v1/jobs/${String(globexJob.body.id)}`)).body.status;
    // Acme's tick: Acme's job, and nothing of Globex's (its counts say so too).
    expect(await call("POST", "/v1/jobs/tick", { budgetMs: 20_000 })).toEqual({ status: 200, body: { ran: 1, succeeded: 1, failed: 0, requeued: 0, budgetExhausted: false } });
    expect((await call("GET", `/v1/jobs/${String(acmeJob.body.id)}`)).body.status).toBe("succeeded");
    expect(await globexStatus()).toBe("queued");

    // A wrong secret is an unknown key; the right one opens no other route.
    expect((await callAs(`${tickSecret.slice(0, -1)}${tickSecret.endsWith("0") ? "1" : "0"}`, "POST", "/v1/jobs/tick", {})).status).toBe(401);
    expect((await callAs(tickSecret, "GET", "/v1/me")).status).toBe(401);
    expect((await callAs(tickSecret, "GET", `/v1/jobs/${String(globexJob.body.id)}`)).status).toBe(401);

    // The operator's tick runs Globex's job; its log line names no tenant.
    expect(await callAs(tickSecret, "POST", "/v1/jobs/tick", { budgetMs: 20_000 })).toEqual({ status: 200, body: { ran: 1, succeeded: 1, failed: 0, requeued: 0, budgetExhausted: false } });
    expect(await globexStatus()).toBe("succeeded");
    expect(logLines.filter((line) => line.route === "/v1/jobs/tick").at(-1)).toMatchObject({ status: 200, tenantId: null });

    // Schedules likewise: Globex's due re-import fires on the operator's tick, not on Acme's.
    const admin = await Store.open(database.location, { sealer: async () => new Sealer(Buffer.from(encryptionKey, "base64")) });
    try {
      const due = await createSchedule(admin, { tenantId: otherTenant.id, name: "globex-hourly", jobType: "import", payload: { url: `${upstreamUrl}/openapi.json`, slug: "tasks-globex" }, timing: { everyMs: 3_600_000 } }, new Date(Date.now() - 5_400_000));
      expect(due.kind).toBe("created");
    } finally {
      await admin.close();
    }
    expect(await call("POST", "/v1/jobs/tick", { budgetMs: 20_000 })).toMatchObject({ status: 200, body: { ran: 0 } });
    expect((await callAs(otherTenant.key, "GET", "/v1/schedules/globex-hourly")).body).toMatchObject({ runs: [] });
    expect(await callAs(tickSecret, "POST", "/v1/jobs/tick", { budgetMs: 20_000 })).toMatchObject({ status: 200, body: { ran: 1, succeeded: 1 } });
    expect((await callAs(otherTenant.key, "GET", "/v1/schedules/globex-hourly")).body).toMatchObject({ runs: [{ job: { type: "import", status: "succeeded" } }] });
  }, 60_000);

  it("fires due schedules at the start of a tick, whose jobs then run in it", async () => {
    const admin = await Store.open(database.location, { sealer: async () => new Sealer(Buffer.from(encryptionKey, "base64")) });
    try {
      const tenantId = ((await call("GET", "/v1/me")).body.tenant as { id: string }).id;
      // Created an hour and a half ago, hourly: due (once, for the one occurrence missed).
      const created = await createSchedule(admin, { tenantId, name: "tasks-hourly", jobType: "import", payload: { url: `${upstreamUrl}/openapi.json`, slug: "tasks" }, timing: { everyMs: 3_600_000 } }, new Date(Date.now() - 5_400_000));
      expect(created.kind).toBe("created");
    } finally {
      await admin.close();
    }
    const tick = await call("POST", "/v1/jobs/tick", { budgetMs: 20_000 });
    expect(tick).toEqual({ status: 200, body: { ran: 1, succeeded: 1, failed: 0, requeued: 0, budgetExhausted: false } });
    const schedule = await call("GET", "/v1/schedules/tasks-hourly");
    expect(schedule.body).toMatchObject({ runs: [{ job: { type: "import", status: "succeeded" } }] });
    expect(Date.parse(String(schedule.body.nextRunAt))).toBeGreaterThan(Date.now());
    expect(await call("POST", "/v1/jobs/tick", {})).toMatchObject({ status: 200, body: { ran: 0 } });
  }, 60_000);
});

describe("createFetchHandler settings", () => {
  it("needs Postgres and an encryption key, and says which variable is missing", () => {
    expect(() => createFetchHandler({ env: {} })).toThrow(/^WAYGATE_DATABASE_URL: the fetch handler needs Postgres/);
    expect(() => createFetchHandler({ env: { WAYGATE_DATABASE_URL: "postgres://db/x" } })).toThrow(/^WAYGATE_ENCRYPTION_KEY:/);
    expect(() => createFetchHandler({ env: { WAYGATE_DATABASE_URL: "mysql://db/x" } })).toThrow(/WAYGATE_DATABASE_URL: database URL must start with postgres/);
  });

  it("refuses a tick secret shorter than 32 characters, without echoing it", () => {
    const env = { WAYGATE_DATABASE_URL: "postgres://db/x", WAYGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64"), WAYGATE_TICK_SECRET: "hunter2-hunter2" };
    expect(() => createFetchHandler({ env })).toThrow(/WAYGATE_TICK_SECRET: must be at least 32 characters/);
    expect(() => createFetchHandler({ env })).not.toThrow(/hunter2/);
  });

  it("answers 503 problem+json while the database cannot be reached, and keeps trying", async () => {
    const handler = createFetchHandler({
      env: { WAYGATE_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", WAYGATE_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await handler.fetch(new Request("https://waygate.example.com/v1/health/ready"));
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    await handler.close();
  });
});
